// `vomsrepl catchup --config FILE --replica NAME --until TARGET`: brings one
// replica, from its own progress row, exactly to a GTID, a time or a master
// binlog position (lifecycle/catchup.h: sources, plan, exactly once), reading
// the daemon's journal when it holds the range, else the master, or binlog
// files given with --from-files. Pause the replica's runner first when
// `vomsrepl run` is running (`vomsrepl replica stop NAME`); it stays paused,
// so the replica stays at the target.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct CatchupCommandOptions {
  std::string config_path;
  std::string replica;
  std::string until;
  std::vector<std::string> from_files;
  uint32_t server_id = 0;          // 0: [master] server_id + 1
  uint32_t wait_timeout_s = 60;
  bool plan_only = false;
  uint32_t progress_interval_s = 10;  // progress line period when stderr is not a terminal
};

Status RunCatchupCommand(const CatchupCommandOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
