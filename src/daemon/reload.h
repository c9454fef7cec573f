// Reload (issue 24, item 2): what `vomsrepl reload`, SIGHUP and `check-config
// --diff` need besides the key-by-key diff (ops/config_diff.h): whether a
// [filter] change may be taken now.
//
// A database with anything the new [filter] keeps and the old one did not (a
// database or table newly included, included again after an exclusion, or
// kept under another [filter.rename] name), that exists on the master (as
// the master read account sees it, ops/master_read_account.h), needs a fresh
// copy on every enabled replica before the feeder journals its changes: a
// replica without it would meet writes to tables it does not have, and a
// replica with an old copy has missed every write made while it was left out
// (silently, until a later change finds a row that differs). Such a replica
// may only be stopped (`vomsrepl replica stop`): it is then bootstrapped
// (after a DROP DATABASE of its old copy) and started. Otherwise the reload
// is refused with the exact steps, in order.
//
// Thread-safety: free functions; they open sessions of their own.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "ops/config.h"

namespace vomsrepl::daemon {

struct FilterCheck {
  std::vector<std::string> notes;  // what the operator must do next (stopped replicas lacking a database)
};

// FailedPrecondition naming each running replica that lacks a newly kept
// database, with the commands; Unavailable when the master or such a
// replica cannot be asked. `stopped(name)`: that replica's runner is stopped.
Result<FilterCheck> CheckFilterChange(const ops::Config& running, const ops::Config& next,
                                      const std::function<bool(const std::string&)>& stopped);

}  // namespace vomsrepl::daemon
