#include "app/replica_command.h"

#include "ops/config.h"
#include "ops/http_server.h"

namespace vomsrepl::app {

Status RunReplicaCommand(const ReplicaCommandOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  if (config.http.listen.empty()) {
    return InvalidArgument(config.path + ": [http] listen is empty: the daemon has no control endpoint");
  }
  bool known = false;
  for (const auto& r : config.replicas) known = known || r.name == options.name;
  if (!known) return InvalidArgument(config.path + " names no replica '" + options.name + "'");
  VOMSREPL_ASSIGN_OR_RETURN(ops::HttpResponse res, ops::HttpRequestTo(config.http.listen, "POST",
                                                                      "/replica/" + options.name + "/" + options.action));
  std::string body = res.body;
  while (!body.empty() && body.back() == '\n') body.pop_back();
  if (res.status == 200) {
    std::fprintf(out, "%s\n", body.c_str());
    return Status::OK();
  }
  if (res.status == 409) return FailedPrecondition(body);
  if (res.status == 404) return InvalidArgument(body);
  return Internal("the daemon answered HTTP " + std::to_string(res.status) + ": " + body);
}

}  // namespace vomsrepl::app
