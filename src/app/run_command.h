// `vomsrepl run --config FILE` (the replica-feeder daemon, daemon/replicator.h)
// and `vomsrepl check-config --config FILE` (validate everything and print
// what run would do, without writing anywhere).
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct RunOptions {
  std::string config_path;
  // Command-line overrides of [log] (empty: the config's).
  std::string log_level;
  std::string log_file;
  // check-config: a server that cannot be reached (Unavailable) is a
  // warning; `run` starts without it and retries (the unit's ExecStartPre).
  bool unreachable_ok = false;
};

// Blocks until SIGTERM/SIGINT (clean drain: OK) or a fatal error. SIGHUP
// reopens the log file and reloads the configuration (daemon/replicator.h).
Status RunDaemon(const RunOptions& options);

// Syntax, keys, values, then connectivity, privileges and the master's
// preflight, and each replica's preflight. Prints one line per check to `out`.
// OK when `run` would start; else the first failure.
Status CheckConfig(const RunOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
