#include "app/catchup_command.h"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "apply/channel_lock.h"
#include "daemon/replicator.h"
#include "lifecycle/catchup.h"
#include "ops/config.h"
#include "txn/filter_rules.h"

namespace vomsrepl::app {

Status RunCatchupCommand(const CatchupCommandOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(lifecycle::CatchupTarget target, lifecycle::CatchupTarget::Parse(options.until));
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFiles(config));
  const ops::ReplicaSection* replica = nullptr;
  for (const auto& r : config.replicas)
    if (r.name == options.replica) replica = &r;
  if (replica == nullptr)
    return InvalidArgument("--replica " + options.replica + ": no such [[replica]] in " + options.config_path);
  for (const auto& f : options.from_files)
    if (::access(f.c_str(), R_OK) != 0) return InvalidArgument("--from-files: cannot read " + f);

  lifecycle::CatchupOptions o;
  daemon::ReplicaRunnerOptions ro = daemon::ReplicaOptionsFrom(config, *replica);
  o.replica = ro.replica;
  o.applier = ro.applier;
  o.applier.lock_holder = std::string(apply::kHolderCatchup);
  o.applier.warn = [](const std::string& w) { spdlog::warn("catchup: {}", w); };
  o.target = target;
  o.state_dir = config.state_dir;
  o.files = options.from_files;
  VOMSREPL_ASSIGN_OR_RETURN(o.rules, txn::FilterRules::Create(config.filter));
  o.master = daemon::MasterConfigFrom(config);
  o.stream_server_id = options.server_id;  // 0: a free one is picked (never the feeder's)
  if (o.stream_server_id != 0 && o.stream_server_id == config.master.server_id)
    return InvalidArgument("--server-id " + std::to_string(o.stream_server_id) +
                           " is the feeder's own [master] server_id; give another one");
  o.max_transaction_bytes = config.journal.max_transaction_bytes;
  o.wait_timeout = std::chrono::seconds(options.wait_timeout_s);
  o.plan_only = options.plan_only;
  o.progress_interval = std::chrono::seconds(options.progress_interval_s);
  o.out = out;
  o.log = [](const std::string& line) { spdlog::info("catchup: {}", line); };

  VOMSREPL_ASSIGN_OR_RETURN(lifecycle::CatchupResult r, lifecycle::RunCatchup(std::move(o)));
  if (options.plan_only) {
    std::fprintf(out, "catchup: plan only (--plan), nothing applied\n");
  } else if (!r.reached) {
    std::fprintf(out, "catchup: replica %s unchanged\n", replica->name.c_str());
  } else {
    std::fprintf(out,
                 "catchup: replica %s reached %s from %s: %llu transactions, %llu rows in %.2f s (%.0f "
                 "transactions/s); now at journal seq %llu, position %s, GTID state %s\n",
                 replica->name.c_str(), target.ToString().c_str(), r.sources.c_str(),
                 (unsigned long long)r.transactions, (unsigned long long)r.rows, r.seconds,
                 r.seconds > 0 ? r.transactions / r.seconds : 0.0, (unsigned long long)r.after.seq,
                 r.after.position.ToString().c_str(), r.after.gtid_state.empty() ? "(none)" : r.after.gtid_state.c_str());
  }
  std::fflush(out);
  return Status::OK();
}

}  // namespace vomsrepl::app
