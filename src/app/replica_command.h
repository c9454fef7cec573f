// `vomsrepl replica stop|start|skip NAME --config FILE`: per-replica control of
// a running daemon, through its HTTP endpoint ([http] listen, loopback by
// default). stop pauses that replica's applier after its current commit;
// start resumes it (also after an error); skip records the transaction that
// failed as applied without its changes, then starts it (a warning is logged).
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct ReplicaCommandOptions {
  std::string config_path;
  std::string action;  // stop, start, skip
  std::string name;
};

Status RunReplicaCommand(const ReplicaCommandOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
