// `vomsrepl reload --config FILE [--dry-run] [--wait S]`: asks the running
// daemon to read its configuration file again and take what changed without
// a restart (daemon/replicator.h, "Reload"), through its HTTP endpoint with
// the control token (POST /reload, then GET /reload until it is done).
// Prints what changed, or why nothing was (a change that needs a restart, a
// refused [filter] change with the commands to run first): exit 0 / 6.
// `check-config --diff` is the dry run: what a reload would change.
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct ReloadOptions {
  std::string config_path;
  bool dry_run = false;
  bool hold_new = false;  // hold newly kept databases on replicas that lack them (daemon/reload.h)
  int wait_s = 60;  // for the daemon to answer the reload
};

Status RunReloadCommand(const ReloadOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
