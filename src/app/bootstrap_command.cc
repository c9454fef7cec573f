#include "app/bootstrap_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>
#include <vomsrepl/progress.h>

#include "app/master_read_account.h"
#include "lifecycle/bootstrapper.h"
#include "ops/config.h"
#include "txn/filter_rules.h"

namespace vomsrepl::app {

Status RunBootstrapCommand(const BootstrapCommandOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules filter, txn::FilterRules::Create(config.filter));
  if (!filter.KeepDatabase(options.database))
    return InvalidArgument("--db " + options.database + " is not kept by [filter] in " + options.config_path +
                           ": the feeder would never update it");
  std::string target(filter.TargetDatabase(options.database));
  if (!options.as.empty() && options.as != target)
    return InvalidArgument("--as " + options.as + ": the feeder writes " + options.database + " to " + target +
                           " on the replicas; add [filter.rename] " + options.database + " = \"" + options.as +
                           "\" to the config first");
  const ops::ReplicaSection* replica = nullptr;
  for (const auto& r : config.replicas)
    if (r.name == options.replica) replica = &r;
  if (replica == nullptr)
    return InvalidArgument("--replica " + options.replica + ": no such [[replica]] in " + options.config_path);

  lifecycle::BootstrapOptions o;
  VOMSREPL_ASSIGN_OR_RETURN(o.master, ops::MasterReadAccount(config, options.master_defaults_file));
  o.master_account = ops::DescribeMasterReadAccount(config, options.master_defaults_file);
  o.replica.name = replica->name;
  o.replica.defaults_file = replica->defaults_file;
  o.replica.tls = replica->tls;
  o.replica.allow_writable = true;
  o.channel = replica->name;
  o.database = options.database;
  o.target_database = target;
  o.state_dir = config.state_dir;
  if (replica->preserve_gtid) o.gtid_domain = replica->state_gtid_domain;
  o.threads = options.threads;
  o.batch_rows = options.batch_rows;
  o.max_bytes_per_second = uint64_t(options.max_rate_mib * 1048576.0);
  o.wait_timeout = std::chrono::seconds(options.wait_timeout_s);
  o.progress_interval = std::chrono::seconds(options.progress_interval_s);
  o.log = [](const std::string& line) { spdlog::info("bootstrap: {}", line); };

  VOMSREPL_ASSIGN_OR_RETURN(lifecycle::BootstrapResult r, lifecycle::RunBootstrap(o));
  if (r.held) {
    std::fprintf(out,
                 "bootstrap: %s -> %s on %s: %llu tables, %llu rows, %s in %.2f s (%.0f rows/s); snapshot %s "
                 "(GTID %s) shared by %u sessions at journal seq %llu; the replica's runner now applies %s's "
                 "changes journaled after it, then includes %s like any other database (/status shows the hold "
                 "until then)\n",
                 options.database.c_str(), target.c_str(), replica->name.c_str(), (unsigned long long)r.tables,
                 (unsigned long long)r.rows, HumanBytes(r.bytes).c_str(), r.seconds,
                 r.seconds > 0 ? r.rows / r.seconds : 0.0, r.position.ToString().c_str(), r.gtid_state.c_str(),
                 r.snapshot_sessions, (unsigned long long)r.seq, target.c_str(), target.c_str());
    std::fflush(out);
    return Status::OK();
  }
  std::fprintf(out,
               "bootstrap: %s -> %s on %s: %llu tables, %llu rows, %s in %.2f s (%.0f rows/s); snapshot %s "
               "(GTID %s) shared by %u sessions; progress set to journal seq %llu (was %llu): start the "
               "replica's runner again (`vomsrepl replica start %s --config FILE`) if `vomsrepl run` is running\n",
               options.database.c_str(), target.c_str(), replica->name.c_str(), (unsigned long long)r.tables,
               (unsigned long long)r.rows, HumanBytes(r.bytes).c_str(), r.seconds, r.seconds > 0 ? r.rows / r.seconds : 0.0,
               r.position.ToString().c_str(), r.gtid_state.c_str(), r.snapshot_sessions, (unsigned long long)r.seq,
               (unsigned long long)r.previous_seq, replica->name.c_str());
  std::fflush(out);
  return Status::OK();
}

}  // namespace vomsrepl::app
