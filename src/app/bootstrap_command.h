// `vomsrepl bootstrap --config FILE --replica NAME --db voms_x [--as voms_y]`:
// copies one database from the master to a replica at one consistent source
// position and sets the replica's progress row so that `vomsrepl run`
// continues from exactly there (lifecycle/bootstrapper.h: procedure, limits).
//
// The master is read through --master-defaults-file (or
// VOMSREPL_BOOTSTRAP_MASTER_DEFAULTS_FILE; default the config's [master]
// defaults_file), an account with SELECT on the database; the replica is
// written through its [[replica]] defaults_file (the applier account).
// --as must be the name the config's [filter.rename] gives the database on
// the replicas (default: that name), since the feeder writes there.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct BootstrapCommandOptions {
  std::string config_path;
  std::string replica;
  std::string database;
  std::string as;                 // empty: the filter's target name
  uint32_t threads = 2;
  uint32_t batch_rows = 1000;
  double max_rate_mib = 0;        // copy at most this many MiB/s (0: as fast as it goes)
  uint32_t wait_timeout_s = 60;
  std::string master_defaults_file;
  uint32_t progress_interval_s = 10;  // progress line period when stderr is not a terminal
};

Status RunBootstrapCommand(const BootstrapCommandOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
