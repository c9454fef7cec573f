#include "ops/replicator.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <spdlog/spdlog.h>

#include "binlog/json_binary.h"
#include "source/server_id_lock.h"

namespace vomsrepl::ops {
namespace {

void JsonString(std::string& out, std::string_view s) { binlog::AppendJsonString(s, out); }

std::string Field(std::string_view name) {
  std::string out;
  JsonString(out, name);
  out += ':';
  return out;
}

}  // namespace

source::MasterConfig MasterConfigFrom(const Config& config) {
  source::MasterConfig m = config.master;
  if (!config.master_password.empty() && m.password_env.empty()) {
    // A password from the (0600) config file reaches the connector through a
    // private environment variable of this process, never argv or a log.
    ::setenv("VOMSREPL_CONFIG_MASTER_PASSWORD", config.master_password.c_str(), 1);
    m.password_env = "VOMSREPL_CONFIG_MASTER_PASSWORD";
  }
  return m;
}

ReplicaRunnerOptions ReplicaOptionsFrom(const Config& config, const ReplicaSection& r) {
  ReplicaRunnerOptions o;
  o.name = r.name;
  o.replica.name = r.name;
  o.replica.defaults_file = r.defaults_file;
  o.replica.allow_writable = r.allow_writable;
  o.replica.read_timeout = std::chrono::seconds(r.read_timeout_s);
  o.replica.preserve_gtid = r.preserve_gtid;
  o.replica.state_gtid_domain = r.state_gtid_domain;
  o.applier.channel = r.name;
  o.applier.divergence = r.on_divergence;
  o.applier.group_max_transactions = config.apply.group_transactions;  // 1 with preserve_gtid (apply does it)
  o.applier.group_max_rows = config.apply.group_rows;
  o.applier.max_rows_per_statement = config.apply.batch_rows;
  o.applier.fold_rows = config.apply.fold_rows;
  o.applier.fold_upsert = config.apply.fold_upsert;
  o.applier.check_before_image = config.apply.check_before_image;
  o.parallel.workers = r.workers;
  o.parallel.lock_wait_timeout = std::chrono::seconds(config.apply.lock_wait_timeout_s);
  o.start_enabled = r.enabled;
  return o;
}

Replicator::Replicator(Config config) : config_(std::move(config)) {}

Replicator::~Replicator() {
  if (http_) http_->Stop();
  for (auto& r : replicas_) r->Shutdown();
}

Status Replicator::Open() {
  VOMSREPL_RETURN_IF_ERROR(config_.master.Validate());
  VOMSREPL_RETURN_IF_ERROR(CheckOptionFiles(config_));
  auto rules = txn::FilterRules::Create(config_.filter);
  if (!rules.ok()) return rules.status().WithContext(config_.path + ": [filter]");
  journal::JournalOptions jo;
  jo.directory = config_.state_dir;
  jo.sync = config_.journal.sync;
  jo.sync_interval = std::chrono::milliseconds(config_.journal.sync_interval_ms);
  jo.retention_window = std::chrono::seconds(config_.journal.retention_seconds);
  VOMSREPL_ASSIGN_OR_RETURN(journal_, journal::Journal::Open(jo));

  FeederOptions fo;
  fo.master = MasterConfigFrom(config_);
  // One feeder per (master, server_id): a second one is refused here.
  auto lock = source::ServerIdLock::Acquire(fo.master);
  if (lock.ok()) {
    server_id_lock_ = std::move(*lock);
  } else if (lock.status().code() == StatusCode::kUnavailable) {
    spdlog::warn("master unreachable at start ({}): server_id {} not locked; the feeder keeps retrying",
                 lock.status().ToString(), fo.master.server_id);
  } else {
    return lock.status();
  }
  fo.rules = std::move(*rules);
  fo.max_transaction_bytes = config_.journal.max_transaction_bytes;
  fo.max_queued_bytes = QueueBytesFor(fo.max_transaction_bytes);
  feeder_ = std::make_unique<Feeder>(std::move(fo), *journal_, &metrics_);
  for (const auto& r : config_.replicas) {
    replicas_.push_back(std::make_unique<ReplicaRunner>(ReplicaOptionsFrom(config_, r), *journal_, &metrics_));
  }
  if (!config_.http.listen.empty()) {
    http_ = std::make_unique<HttpServer>([this](const HttpRequest& r) { return Handle(r); });
    VOMSREPL_RETURN_IF_ERROR(http_->Start(config_.http.listen));
    spdlog::info("http: /metrics, /status and /health on {}:{}", config_.http.listen.substr(0, config_.http.listen.rfind(':')),
                 http_->port());
  }
  return Status::OK();
}

void Replicator::RequestStop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
    cv_.notify_all();
  }
  if (feeder_) feeder_->Stop();
}

Status Replicator::Run() {
  for (auto& r : replicas_) r->Launch();
  Status feeder_status;
  std::thread feeder([&] {
    feeder_status = feeder_->Run();
    std::lock_guard lock(mu_);
    feeder_done_ = true;
    cv_.notify_all();
  });
  {
    std::unique_lock lock(mu_);
    auto next_purge = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    uint64_t syncs_counted = 0;
    while (!stop_requested_ && !feeder_done_) {
      cv_.wait_for(lock, std::chrono::seconds(1));
      if (auto stats = journal_->Stats(); stats.ok()) {
        metrics_.journal_bytes().Set(double(stats->disk_bytes));
        metrics_.journal_last_seq().Set(double(stats->last_seq));
        metrics_.journal_first_seq().Set(double(stats->first_seq));
        if (stats->syncs > syncs_counted) metrics_.journal_syncs().Increment(double(stats->syncs - syncs_counted));
        syncs_counted = std::max(syncs_counted, stats->syncs);
      }
      if (std::chrono::steady_clock::now() >= next_purge) {
        lock.unlock();
        auto purged = journal_->Purge();
        if (purged.ok() && purged->deleted) {
          spdlog::info("journal: purged {} transactions, first kept {} ({})", purged->deleted, purged->first_seq, purged->reason);
        } else if (!purged.ok()) {
          spdlog::warn("journal: purge failed: {}", purged.status().ToString());
        }
        lock.lock();
        next_purge = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      }
    }
  }
  feeder_->Stop();
  feeder.join();
  // The feeder has journaled everything it read: let the appliers catch up
  // with what is journaled for a moment, then commit and stop.
  for (auto& r : replicas_) r->Shutdown();
  Status synced = journal_->Sync();
  if (http_) http_->Stop();
  if (!feeder_status.ok()) return feeder_status;
  return synced;
}

std::string Replicator::StatusJson() const {
  std::string out = "{";
  out += Field("source") + "{";
  auto cp = journal_->checkpoint();
  out += Field("state");
  JsonString(out, feeder_ ? feeder_->state() : "not started");
  out += "," + Field("stream_position");
  JsonString(out, feeder_ ? feeder_->stream_position() : "");
  if (cp.ok()) {
    out += "," + Field("checkpoint_seq") + std::to_string(cp->seq);
    out += "," + Field("position");
    JsonString(out, cp->source.position.ToString());
    out += "," + Field("gtid");
    JsonString(out, cp->source.gtid);
    out += "," + Field("gtid_state");
    JsonString(out, cp->source.gtid_state.ToString());
    out += "," + Field("commit_time") + std::to_string(cp->source.commit_time);
  }
  out += "}," + Field("journal") + "{";
  if (auto s = journal_->Stats(); s.ok()) {
    out += Field("first_seq") + std::to_string(s->first_seq) + ",";
    out += Field("last_seq") + std::to_string(s->last_seq) + ",";
    out += Field("durable_seq") + std::to_string(s->durable_seq) + ",";
    out += Field("disk_bytes") + std::to_string(s->disk_bytes);
  }
  out += "}," + Field("replicas") + "[";
  uint32_t newest = cp.ok() ? cp->source.commit_time : 0;
  uint64_t last_seq = journal_->last_seq();
  for (size_t i = 0; i < replicas_.size(); ++i) {
    ReplicaSnapshot s = replicas_[i]->Snapshot();
    if (i) out += ",";
    out += "{" + Field("name");
    JsonString(out, s.name);
    out += "," + Field("state");
    std::string state = s.state.rfind("error", 0) == 0 ? "error" : s.state.rfind("reconnecting", 0) == 0 ? "reconnecting" : s.state;
    JsonString(out, state);
    out += "," + Field("applied_seq") + std::to_string(s.applied_seq);
    out += "," + Field("lag_transactions") + std::to_string(last_seq > s.applied_seq ? last_seq - s.applied_seq : 0);
    out += "," + Field("lag_seconds") +
           std::to_string(last_seq > s.applied_seq && newest > s.commit_time && s.commit_time ? newest - s.commit_time : 0);
    out += "," + Field("gtid");
    JsonString(out, s.gtid);
    out += "," + Field("position");
    JsonString(out, s.position);
    out += "," + Field("transactions") + std::to_string(s.transactions);
    out += "," + Field("last_error");
    JsonString(out, s.last_error);
    out += "}";
  }
  out += "]}\n";
  return out;
}

HttpResponse Replicator::Handle(const HttpRequest& request) {
  const std::string& t = request.target;
  if (request.method == "GET" && t == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Serialize()};
  }
  if (request.method == "GET" && t == "/status") return {200, "application/json", StatusJson()};
  if (request.method == "GET" && t == "/health") {
    std::string state = feeder_ ? feeder_->state() : "";
    bool ok = state.rfind("failed", 0) != 0;
    return {ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : state + "\n"};
  }
  // POST /replica/NAME/(stop|start|skip)
  const std::string prefix = "/replica/";
  if (t.rfind(prefix, 0) == 0) {
    if (request.method != "POST") return {405, "text/plain; charset=utf-8", "use POST\n"};
    std::string rest = t.substr(prefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string::npos) return {404, "text/plain; charset=utf-8", "expected /replica/NAME/stop|start|skip\n"};
    std::string name = rest.substr(0, slash), action = rest.substr(slash + 1);
    for (auto& r : replicas_) {
      if (r->Snapshot().name != name) continue;
      if (action == "stop") {
        r->Stop();
      } else if (action == "start") {
        r->Start();
      } else if (action == "skip") {
        Status st = r->Skip();
        if (!st.ok()) return {409, "text/plain; charset=utf-8", std::string(st.message()) + "\n"};
        r->Start();
      } else {
        return {404, "text/plain; charset=utf-8", "unknown action '" + action + "': stop, start or skip\n"};
      }
      spdlog::info("replica {}: {} requested over HTTP", name, action);
      return {200, "text/plain; charset=utf-8", "replica " + name + ": " + action + "\n"};
    }
    return {404, "text/plain; charset=utf-8", "no replica named '" + name + "'\n"};
  }
  return {404, "text/plain; charset=utf-8", "not found: /metrics, /status, /health, POST /replica/NAME/stop|start|skip\n"};
}

}  // namespace vomsrepl::ops
