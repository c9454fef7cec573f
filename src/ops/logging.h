// Logging setup: spdlog to stderr or to a file, with a level.
#pragma once

#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::ops {

// level: trace, debug, info, warn, error, critical, off. file: empty = stderr.
// May be called again (new level, or reopening the file after rotation).
Status SetupLogging(const std::string& level, const std::string& file);
// InvalidArgument unless `level` is one of the names above (config loading
// calls it too: check-config refuses what run would).
Status ValidateLogLevel(const std::string& level);

}  // namespace vomsrepl::ops
