// Reload (issue 24, item 2): what `vomsrepl reload`, SIGHUP and `check-config
// --diff` need besides the key-by-key diff (ops/config_diff.h): whether a
// [filter] change may be taken now.
//
// A database the new [filter] keeps and the old one did not, that exists on
// the master (as the master read account sees it, ops/master_read_account.h),
// must be on every enabled replica (under its [filter.rename] name) before
// the feeder journals its changes, or that replica's applier would meet
// writes to tables it does not have. A replica that lacks it may only be
// stopped (`vomsrepl replica stop`): it is then bootstrapped and started.
// Otherwise the reload is refused with the exact commands, in order.
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
