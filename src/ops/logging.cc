#include "ops/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace vomsrepl::ops {

Status ValidateLogLevel(const std::string& level) {
  if (spdlog::level::from_str(level) == spdlog::level::off && level != "off")
    return InvalidArgument("log level '" + level + "' is not one of trace, debug, info, warn, error, critical, off");
  return Status::OK();
}

Status SetupLogging(const std::string& level, const std::string& file) {
  VOMSREPL_RETURN_IF_ERROR(ValidateLogLevel(level));
  auto lvl = spdlog::level::from_str(level);
  try {
    // Called again to change the level or reopen the file (SIGHUP after
    // log rotation): the old logger is replaced, the file opened anew.
    spdlog::drop("vomsrepl");
    std::shared_ptr<spdlog::logger> logger;
    if (file.empty()) {
      logger = spdlog::stderr_color_mt("vomsrepl");
    } else {
      logger = spdlog::basic_logger_mt("vomsrepl", file);
    }
    logger->set_level(lvl);
    // One line per event worth telling: write each through at once, so that a
    // crash or a log reader never misses the last lines.
    logger->flush_on(spdlog::level::trace);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    return InvalidArgument(std::string("cannot set up logging: ") + e.what());
  }
  return Status::OK();
}

}  // namespace vomsrepl::ops
