// `vomsrepl status --state-dir DIR [--format table|json]`: what a state
// directory says: where the source stands (position, GTID, checkpoint seq),
// the journal's range and size on disk, and each replica mirror's position
// and lag (transactions and seconds behind the source checkpoint).
//
// The journal is opened read-only (no lock), so this works while the daemon
// runs; it shows the state as of the moment it opened. A directory that is
// not a vomsrepl state directory is a FailedPrecondition naming it.
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

#include "app/dump_command.h"

namespace vomsrepl::app {

struct StatusOptions {
  std::string state_dir;
  OutputFormat format = OutputFormat::kText;  // kText: a table
};

Status RunStatus(const StatusOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
