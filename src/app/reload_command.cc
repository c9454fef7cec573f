#include "app/reload_command.h"

#include <chrono>
#include <filesystem>
#include <thread>

#include <vomsrepl/json.h>

#include "ops/config.h"
#include "ops/control_token.h"
#include "ops/http_server.h"

namespace vomsrepl::app {

Status RunReloadCommand(const ReloadOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  if (config.http.listen.empty())
    return InvalidArgument(config.path + ": [http] listen is empty: the daemon has no control endpoint (send it SIGHUP "
                           "to reload; its log says what changed)");
  auto token = ops::ReadControlToken(config.HttpTokenFile());
  if (!token.ok()) return token.status().WithContext(config.path + ": the control token");
  // The daemon reloads the file it was started with: refuse when that is another one
  // (a staged copy compared with itself would say "no change").
  if (auto last = ops::HttpRequestTo(config.http.listen, "GET", "/reload", *token); last.ok() && last->status == 200) {
    const Json j = Json::parse(last->body, nullptr, /*allow_exceptions=*/false);
    const std::string theirs = j.is_object() ? j.value("config_path", std::string()) : std::string();
    std::error_code ec;
    if (!theirs.empty() && !std::filesystem::equivalent(theirs, config.path, ec))
      return FailedPrecondition("the daemon on " + config.http.listen + " runs " + theirs + " and a reload reads " +
                                "that file, not " + config.path + ": edit " + theirs + " (check it first with " +
                                "`vomsrepl check-config --config " + theirs + " --diff`)");
  }
  std::string target = "/reload";
  if (options.dry_run || options.hold_new)
    target += std::string("?") + (options.dry_run ? "dry_run=1" : "") + (options.dry_run && options.hold_new ? "&" : "") +
              (options.hold_new ? "hold_new=1" : "");
  auto posted = ops::HttpRequestTo(config.http.listen, "POST", target, *token);
  if (!posted.ok())
    return Unavailable("no running `vomsrepl run` answers on " + config.http.listen + " (" +
                       std::string(posted.status().message()) + "): nothing to reload or compare with");
  if (posted->status != 202) {
    std::string body = posted->body;
    while (!body.empty() && body.back() == '\n') body.pop_back();
    if (posted->status == 409) return FailedPrecondition(body);
    return Internal("the daemon answered HTTP " + std::to_string(posted->status) + ": " + body);
  }
  const uint64_t wanted = std::strtoull(posted->body.c_str() + posted->body.find(' ') + 1, nullptr, 10);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.wait_s);
  for (;;) {
    auto got = ops::HttpRequestTo(config.http.listen, "GET", "/reload", *token);
    if (got.ok() && got->status == 200) {
      const Json j = Json::parse(got->body, nullptr, /*allow_exceptions=*/false);
      if (j.is_object() && j.value("done", uint64_t(0)) >= wanted) {
        const std::string result = j.value("result", std::string());
        if (!j.value("ok", false)) {
          // The daemon's own code: a replica or the master unreachable is exit 5, a refusal 6.
          const std::string code = j.value("code", std::string());
          for (int c = int(StatusCode::kInvalidArgument); c <= int(StatusCode::kBinlogPurged); ++c)
            if (StatusCodeName(StatusCode(c)) == code) return Status(StatusCode(c), result);
          return FailedPrecondition(result);
        }
        std::fprintf(out, "%s\n", result.c_str());
        return Status::OK();
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("the daemon took the reload request but has not finished it within " +
                     std::to_string(options.wait_s) + " s: GET /reload, or its log, says when it has");
}

}  // namespace vomsrepl::app
