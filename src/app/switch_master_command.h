// `vomsrepl switch-master --config FILE --to-defaults-file F [--to NAME] [--check]`:
// moves the stopped daemon's journal to a new master (a promoted [[replica]]
// NAME, or a server of the same GTID history) after checking that it holds
// every transaction already journaled, or refuses with the reason
// (lifecycle/master_switch.h). Then point [master] at the new master, remove
// [[replica]] NAME, make it writable and start `vomsrepl run` again.
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct SwitchMasterCommandOptions {
  std::string config_path;
  std::string to_defaults_file;  // replication account on the new master
  std::string to_replica;        // the promoted [[replica]], or empty
  bool check_only = false;
};

Status RunSwitchMasterCommand(const SwitchMasterCommandOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
