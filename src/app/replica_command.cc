#include "app/replica_command.h"

#include <charconv>

#include "ops/config.h"
#include "ops/control_token.h"
#include "ops/http_server.h"

namespace vomsrepl::app {
namespace {

// The JSON string value of "key" at or after `from`, escapes undone (the
// daemon's own document: \uXXXX is left as written).
std::string StringField(const std::string& doc, size_t from, size_t to, const std::string& key) {
  size_t at = doc.find("\"" + key + "\":\"", from);
  if (at == std::string::npos || at >= to) return {};
  std::string out;
  for (size_t i = at + key.size() + 4; i < doc.size() && doc[i] != '"'; ++i) {
    if (doc[i] == '\\' && i + 1 < doc.size()) {
      char c = doc[++i];
      if (c == 'n') {
        out += '\n';
      } else if (c == 't') {
        out += '\t';
      } else if (c == 'u') {
        out += "\\u";
      } else {
        out += c;
      }
    } else {
      out += doc[i];
    }
  }
  return out;
}

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

}  // namespace

Result<FailedTransaction> FailedTransactionOf(const std::string& doc, const std::string& replica) {
  const std::string entry = "{\"name\":\"" + replica + "\"";
  size_t at = doc.find(entry);
  if (at == std::string::npos) return NotFound("/status shows no replica '" + replica + "'");
  size_t end = doc.find("{\"name\":\"", at + entry.size());
  if (end == std::string::npos) end = doc.size();
  FailedTransaction f;
  f.state = StringField(doc, at, end, "state");
  f.last_error = StringField(doc, at, end, "last_error");
  size_t seq_at = doc.find("\"failed_seq\":", at);
  if (seq_at != std::string::npos && seq_at < end) {
    const char* p = doc.data() + seq_at + 13;
    std::from_chars(p, doc.data() + end, f.seq);
  }
  return f;
}

Status RunReplicaCommand(const ReplicaCommandOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
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
  return Answer(res, out);
}

}  // namespace vomsrepl::app
