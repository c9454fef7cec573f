#include "app/replica_command.h"

#include <chrono>
#include <thread>

#include <vomsrepl/json.h>

#include "daemon/replicator.h"
#include "journal/journal.h"
#include "ops/config.h"
#include "ops/control_token.h"
#include "ops/http_server.h"

namespace vomsrepl::app {
namespace {

Status Answer(const ops::HttpResponse& res, std::FILE* out) {
  std::string body = res.body;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  if (res.status == 200) {
    std::fprintf(out, "%s\n", body.c_str());
    return Status::OK();
  }
  if (res.status == 409) return FailedPrecondition(body);
  if (res.status == 404 || res.status == 400) return InvalidArgument(body);
  return Internal("the daemon answered HTTP " + std::to_string(res.status) + ": " + body);
}

// Polls /status until `name` is stopped (or stopped on an error: its session
// is closed either way), for at most wait_s seconds.
Status AwaitStopped(const std::string& listen, const std::string& token, const std::string& name, int wait_s,
                    std::FILE* out) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_s);
  std::string state = "unknown";
  for (;;) {
    auto status = ops::HttpRequestTo(listen, "GET", "/status", token);
    if (status.ok() && status->status == 200) {
      auto r = FailedTransactionOf(status->body, name);
      if (r.ok()) {
        state = r->state;
        if (state == "stopped" || state.rfind("error", 0) == 0) {
          std::fprintf(out, "replica %s: %s\n", name.c_str(), state.c_str());
          return Status::OK();
        }
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Unavailable("replica " + name + " was told to stop but is still '" + state + "' after " +
                     std::to_string(wait_s) + " s (it stops after its current commit; a large transaction can take " +
                     "longer): watch `vomsrepl status`, or run this again with a longer --wait");
}

}  // namespace

Result<FailedTransaction> FailedTransactionOf(const std::string& doc, const std::string& replica) {
  // The daemon's /status document, parsed by nlohmann::json (no exceptions:
  // a document that does not parse is discarded).
  const Json status = Json::parse(doc, nullptr, /*allow_exceptions=*/false);
  if (status.is_discarded() || !status.is_object())
    return Internal("the daemon's /status is not a JSON object");
  auto replicas = status.find("replicas");
  if (replicas != status.end() && replicas->is_array()) {
    for (const Json& r : *replicas) {
      if (!r.is_object() || r.value("name", std::string()) != replica) continue;
      FailedTransaction f;
      f.state = r.value("state", std::string());
      f.last_error = r.value("last_error", std::string());
      f.seq = r.value("failed_seq", uint64_t(0));
      return f;
    }
  }
  return NotFound("/status shows no replica '" + replica + "'");
}

namespace {

// `replica remove`: through the daemon when it runs, else on the state
// directory itself (its lock says whether a daemon holds it).
Status RemoveReplica(const ops::Config& config, const std::string& name, std::FILE* out) {
  for (const auto& r : config.replicas)
    if (r.name == name)
      return FailedPrecondition("replica " + name + " is in [[replica]] of " + config.path + ": take its section out "
                                "and `vomsrepl reload --config " + config.path + "` (that forgets it)");
  if (!config.http.listen.empty()) {
    if (auto token = ops::ReadControlToken(config.HttpTokenFile()); token.ok()) {
      auto res = ops::HttpRequestTo(config.http.listen, "POST", "/replica/" + name + "/remove", *token);
      if (res.ok()) return Answer(*res, out);
    }
  }
  journal::JournalOptions jo;
  jo.directory = config.state_dir;
  auto journal = journal::Journal::Open(jo);
  if (!journal.ok())
    return journal.status().WithContext("no running `vomsrepl run` answered on [http] listen, and the state "
                                        "directory " + config.state_dir + " cannot be opened");
  VOMSREPL_ASSIGN_OR_RETURN(std::string forgotten, daemon::ForgetReplica(**journal, name));
  std::fprintf(out, "%s\n", forgotten.c_str());
  return Status::OK();
}

}  // namespace

Status RunReplicaCommand(const ReplicaCommandOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  if (options.action == "remove") return RemoveReplica(config, options.name, out);
  if (config.http.listen.empty()) {
    return InvalidArgument(config.path + ": [http] listen is empty: the daemon has no control endpoint");
  }
  bool known = false;
  for (const auto& r : config.replicas) known = known || r.name == options.name;
  if (!known) return InvalidArgument(config.path + " names no replica '" + options.name + "'");
  auto token = ops::ReadControlToken(config.HttpTokenFile());
  if (!token.ok()) return token.status().WithContext(config.path + ": the control token");
  std::string target = "/replica/" + options.name + "/" + options.action;
  if (options.action == "skip") {
    uint64_t seq = options.seq;
    if (seq == 0) {
      VOMSREPL_ASSIGN_OR_RETURN(ops::HttpResponse status, ops::HttpRequestTo(config.http.listen, "GET", "/status", *token));
      if (status.status != 200) return Answer(status, out);
      VOMSREPL_ASSIGN_OR_RETURN(FailedTransaction failed, FailedTransactionOf(status.body, options.name));
      if (failed.seq == 0) {
        return FailedPrecondition("replica " + options.name + " is " + failed.state +
                                  (failed.last_error.empty() ? "" : " (" + failed.last_error + ")") +
                                  ": it is not stopped on a transaction's error, nothing to skip");
      }
      std::fprintf(out, "replica %s failed on journal seq %llu: %s\n", options.name.c_str(),
                   static_cast<unsigned long long>(failed.seq), failed.last_error.c_str());
      seq = failed.seq;
    }
    std::fprintf(out, "skipping journal seq %llu of replica %s\n", static_cast<unsigned long long>(seq),
                 options.name.c_str());
    target += "?seq=" + std::to_string(seq);
  }
  VOMSREPL_ASSIGN_OR_RETURN(ops::HttpResponse res, ops::HttpRequestTo(config.http.listen, "POST", target, *token));
  VOMSREPL_RETURN_IF_ERROR(Answer(res, out));
  if (options.action == "stop" && options.wait_s > 0)
    return AwaitStopped(config.http.listen, *token, options.name, options.wait_s, out);
  return Status::OK();
}

}  // namespace vomsrepl::app
