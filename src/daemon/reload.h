// Reload (issue 24, item 2): what `vomsrepl reload`, SIGHUP and `check-config
// --diff` need besides the key-by-key diff (ops/config_diff.h): whether a
// [filter] change may be taken now.
//
// A database with anything the new [filter] keeps and the old one did not (a
// database or table newly included, included again after an exclusion, or
// kept under another [filter.rename] name), that exists on the master (as
// the master read account sees it, ops/master_read_account.h), needs a fresh
// copy on every enabled replica before it applies the database's changes: a
// replica without it would meet writes to tables it does not have, and a
// replica with an old copy has missed every write made while it was left out
// (silently, until a later change finds a row that differs).
//
// Two ways to take such a change:
//   - hold_new (`vomsrepl reload --hold-new`, issue 24 item 3): each such
//     replica holds the database back (apply/database_hold.h,
//     daemon/held_databases.h) while its runner goes on with everything
//     else; `vomsrepl bootstrap` then copies the database, and the runner
//     catches it up from the journal. No replica is paused.
//   - otherwise such a replica may only be stopped (`vomsrepl replica
//     stop`): it is bootstrapped (after a DROP DATABASE of an old copy) and
//     started. A running one makes the reload refused, with both ways'
//     exact commands in order.
//
// Thread-safety: free functions; they open sessions of their own.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/database_hold.h"
#include "ops/config.h"

namespace vomsrepl::daemon {

struct FilterCheck {
  std::vector<std::string> notes;  // what the operator must do next
  // hold_new: the holds to write before the switch, one per replica and database.
  struct Hold {
    std::string replica;
    apply::DatabaseHold hold;  // database, master_database (state pending; since_seq set by the caller)
  };
  std::vector<Hold> holds;
};

// FailedPrecondition naming each running replica that lacks a newly kept
// database, with the commands (unless hold_new); Unavailable when the master
// or such a replica cannot be asked. `stopped(name)`: that replica's runner
// is stopped.
Result<FilterCheck> CheckFilterChange(const ops::Config& running, const ops::Config& next,
                                      const std::function<bool(const std::string&)>& stopped, bool hold_new);

}  // namespace vomsrepl::daemon
