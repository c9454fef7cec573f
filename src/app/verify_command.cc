#include "app/verify_command.h"

#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "app/master_read_account.h"
#include "lifecycle/verifier.h"
#include "ops/config.h"

namespace vomsrepl::app {

Status RunVerifyCommand(const VerifyCommandOptions& options, std::FILE* out, bool* identical) {
  *identical = false;
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  lifecycle::VerifyOptions o;
  VOMSREPL_ASSIGN_OR_RETURN(o.filter, txn::FilterRules::Create(config.filter));
  for (const auto* list : {&options.databases, &options.tables})
    for (const auto& p : *list) VOMSREPL_RETURN_IF_ERROR(txn::NameFilter::ValidatePattern(p));
  o.databases = txn::NameFilter(options.databases, {});
  o.database_globs = options.databases;
  o.tables = txn::NameFilter(options.tables, {});
  o.state_dir = config.state_dir;
  o.chunk_rows = options.chunk_rows;
  o.pause = std::chrono::milliseconds(options.pause_ms);
  o.threads = options.threads;
  o.wait_timeout = std::chrono::seconds(options.wait_timeout_s);
  o.max_keys = options.max_keys;
  o.checksum_table_first = !options.chunks_only;
  VOMSREPL_ASSIGN_OR_RETURN(o.hash, lifecycle::ParseRowHash(options.hash));

  VOMSREPL_ASSIGN_OR_RETURN(o.master, ops::MasterReadAccount(config, options.master_defaults_file));
  o.master_account = ops::DescribeMasterReadAccount(config, options.master_defaults_file);
  o.config_path = config.path;

  for (const std::string& name : options.replicas) {
    bool known = false;
    for (const auto& r : config.replicas) known |= r.name == name;
    if (!known) return InvalidArgument("--replica " + name + ": no such [[replica]] in " + options.config_path);
  }
  for (const auto& r : config.replicas) {
    bool wanted = options.replicas.empty()
                      ? r.enabled
                      : std::find(options.replicas.begin(), options.replicas.end(), r.name) != options.replicas.end();
    if (!wanted) continue;
    lifecycle::VerifyReplica v;
    v.name = r.name;
    v.session.name = r.name;
    v.session.defaults_file = r.defaults_file;
    v.session.tls = r.tls;
    o.replicas.push_back(std::move(v));
  }
  o.log = [](const std::string& line) { spdlog::debug("verify: {}", line); };
  o.progress_interval = std::chrono::seconds(options.progress_interval_s);

  VOMSREPL_ASSIGN_OR_RETURN(lifecycle::VerifyReport report, lifecycle::RunVerify(o));
  if (options.format == OutputFormat::kJson) lifecycle::WriteVerifyJson(report, out);
  else lifecycle::WriteVerifyText(report, out);
  std::fflush(out);
  *identical = report.identical();
  return Status::OK();
}

}  // namespace vomsrepl::app
