#include "daemon/replicator.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <vomsrepl/json.h>

#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include "apply/channel_lock.h"
#include "binlog/json_binary.h"
#include "common/utc_time.h"
#include "daemon/reload.h"
#include "daemon/replica_skip.h"
#include "daemon/takeover.h"
#include "ops/config_diff.h"
#include "ops/control_token.h"
#include "ops/replica_status.h"
#include "source/server_id_lock.h"

namespace vomsrepl::daemon {
namespace {

// The value of the environment variable `name`, read once; the variable is
// then scrubbed: its bytes zeroed in place (/proc/PID/environ reads the
// process's original environment block, which unsetenv alone leaves as it
// was) and removed, so that no child, core or reader of /proc sees it. Later
// calls return the copy kept in memory ("" when it was never set).
const std::string& PasswordFromEnvironmentOnce(const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::string> read;
  std::lock_guard<std::mutex> lock(mu);
  auto it = read.find(name);
  if (it != read.end()) return it->second;
  std::string value;
  if (char* v = std::getenv(name.c_str())) {
    value = v;
    std::memset(v, 0, std::strlen(v));
    unsetenv(name.c_str());
  }
  return read.emplace(name, std::move(value)).first->second;
}

}  // namespace

uint32_t FilterFingerprintOf(const txn::FilterConfig& f) {
  std::vector<std::string> parts;
  auto add = [&](const char* what, const std::vector<std::string>& values) {
    parts.push_back(what);
    parts.insert(parts.end(), values.begin(), values.end());
  };
  add("include_databases", f.include_databases.empty() ? std::vector<std::string>{"voms_*"} : f.include_databases);
  add("exclude_databases", f.exclude_databases);
  add("include_tables", f.include_tables);
  add("exclude_tables", f.exclude_tables);
  parts.push_back("rename");
  for (const auto& r : f.renames) {
    parts.push_back(r.from);
    parts.push_back(r.to);
  }
  return source::FilterFingerprint(parts);
}

source::MasterConfig MasterConfigFrom(const ops::Config& config) {
  source::MasterConfig m = config.master;
  m.retry_duplicate_server_id = true;  // a diagnostic that took our id ends; the feeder goes on
  // A password from the (0600) config file stays in memory: MasterSession
  // hands it to the connector, never to the environment, argv or a log.
  if (!config.master_password.empty() && m.password_env.empty()) m.password = config.master_password;
  // One from [master] password_env is taken into memory the same way, and the
  // variable scrubbed (an unset variable still fails at connect, naming it).
  if (m.password.empty() && !m.password_env.empty()) {
    const std::string& p = PasswordFromEnvironmentOnce(m.password_env);
    if (!p.empty()) m.password = p;
  }
  return m;
}

ReplicaRunnerOptions ReplicaOptionsFrom(const ops::Config& config, const ops::ReplicaSection& r) {
  ReplicaRunnerOptions o;
  o.name = r.name;
  o.replica.name = r.name;
  o.replica.defaults_file = r.defaults_file;
  o.replica.allow_writable = r.allow_writable;
  o.replica.read_timeout = std::chrono::seconds(r.read_timeout_s);
  o.replica.preserve_gtid = r.preserve_gtid;
  o.replica.state_gtid_domain = r.state_gtid_domain;
  o.replica.tls = r.tls;
  o.applier.channel = r.name;
  o.applier.lock_holder = std::string(apply::kHolderRun);
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
  o.delay = std::chrono::seconds(r.delay_s);
  if (!config.standby.lease.empty()) o.fence_after = std::chrono::seconds(config.standby.lease_timeout_s);
  return o;
}

Replicator::Replicator(ops::Config config) : config_(std::move(config)), config_path_(config_.path) {}

Replicator::~Replicator() {
  if (http_) http_->Stop();
  for (auto& r : replicas_) r->Shutdown();
}

Status Replicator::Open() {
  VOMSREPL_RETURN_IF_ERROR(config_.master.Validate());
  VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFiles(config_));
  auto rules = txn::FilterRules::Create(config_.filter);
  if (!rules.ok()) return rules.status().WithContext(config_.path + ": [filter]");
  journal::JournalOptions jo;
  jo.directory = config_.state_dir;
  jo.sync = config_.journal.sync;
  jo.sync_interval = std::chrono::milliseconds(config_.journal.sync_interval_ms);
  jo.retention_window = std::chrono::seconds(config_.journal.retention_seconds);
  VOMSREPL_ASSIGN_OR_RETURN(journal_, journal::Journal::Open(jo));

  FeederOptions& fo = feeder_options_;
  fo.master = MasterConfigFrom(config_);
  fo.rules = std::move(*rules);
  fo.max_transaction_bytes = config_.journal.max_transaction_bytes;
  fo.max_queued_bytes = QueueBytesFor(fo.max_transaction_bytes);
  if (!config_.standby.lease.empty()) {
    // The server_id lock and the wiring wait for the lease (Run).
    VOMSREPL_ASSIGN_OR_RETURN(lease_, source::FeederLease::Create(fo.master, config_.standby.lease,
                                                                  config_.standby.lease_timeout_s,
                                                                  FilterFingerprintOf(config_.filter)));
  } else {
    // One feeder per (master, server_id): a second one is refused here.
    auto lock = source::ServerIdLock::Acquire(fo.master);
    if (lock.ok()) {
      server_id_lock_ = std::move(*lock);
      fo.master.holds_server_id_lock = true;
    } else if (lock.status().code() == StatusCode::kUnavailable) {
      spdlog::warn("master unreachable at start ({}): server_id {} not locked; the feeder keeps retrying",
                   lock.status().ToString(), fo.master.server_id);
    } else {
      return lock.status();
    }
    CreateWiring();
  }
  if (!config_.http.listen.empty()) {
    // An operator's own token file is read, never created: beyond loopback
    // (config.h) it must exist; the default one is made on first start.
    const std::string token_file = config_.HttpTokenFile();
    auto token = config_.http.token_file.empty() ? ops::LoadOrCreateControlToken(token_file)
                                                 : ops::ReadControlToken(token_file);
    if (!token.ok()) return token.status().WithContext(config_.path);
    control_token_ = std::move(*token);
    ops::HttpServerOptions ho;
    ho.max_connections = config_.http.max_connections;
    http_ = std::make_unique<ops::HttpServer>([this](const ops::HttpRequest& r) { return Handle(r); }, ho);
    VOMSREPL_RETURN_IF_ERROR(http_->Start(config_.http.listen));
    std::string host;
    uint16_t port = 0;
    VOMSREPL_RETURN_IF_ERROR(ops::ParseListenAddress(config_.http.listen, &host, &port));
    http_access_ = std::make_unique<ops::HttpAccess>(host, http_->port());
    http_ready_.store(true, std::memory_order_release);
    spdlog::info("http: /metrics, /status and /health on {}:{}; control (POST /replica/NAME/...) with the token in {}",
                 config_.http.listen.substr(0, config_.http.listen.rfind(':')), http_->port(), token_file);
  }
  return Status::OK();
}

void Replicator::CreateWiring() {
  std::unique_lock lock(wiring_mu_);
  feeder_ = std::make_unique<Feeder>(feeder_options_, *journal_, &metrics_);
  replicas_.clear();
  for (const auto& r : config_.replicas) {
    replicas_.push_back(std::make_unique<ReplicaRunner>(ReplicaOptionsFrom(config_, r), *journal_, &metrics_));
  }
}

void Replicator::DestroyWiring() {
  std::unique_ptr<Feeder> feeder;
  std::vector<std::unique_ptr<ReplicaRunner>> replicas;
  {
    std::unique_lock lock(wiring_mu_);
    feeder = std::move(feeder_);
    replicas = std::move(replicas_);
    replicas_.clear();
  }
  for (auto& r : replicas) r->Shutdown();
}

void Replicator::RequestStop() {
  notifier_.Stopping();
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
    cv_.notify_all();
  }
  std::shared_lock wiring(wiring_mu_);
  if (feeder_) feeder_->Stop();
}

bool Replicator::StopRequested() {
  std::lock_guard lock(mu_);
  return stop_requested_;
}

void Replicator::SetRole(const std::string& role, const std::string& detail) {
  {
    std::lock_guard lock(role_mu_);
    role_ = role;
    role_detail_ = detail;
  }
  Status st = journal_->PutMeta(journal::kFeederRoleMeta, detail);
  if (!st.ok()) spdlog::warn("cannot record the feeder's role in the journal: {}", st.ToString());
}

Status Replicator::TakeServerIdLock(std::chrono::seconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto lock = source::ServerIdLock::Acquire(feeder_options_.master);  // waits 2 s itself
    if (lock.ok()) {
      server_id_lock_ = std::move(*lock);
      feeder_options_.master.holds_server_id_lock = true;
      return Status::OK();
    }
    if (std::chrono::steady_clock::now() >= deadline || StopRequested()) return lock.status();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

Status Replicator::Run() {
  if (lease_) return RunWithLease();
  return Feed();
}

uint64_t Replicator::RequestReload(bool dry_run, bool hold_new) {
  uint64_t n = 0;
  {
    std::lock_guard lock(reload_mu_);
    if (reload_.requested != reload_.done) return 0;
    n = ++reload_.requested;
    reload_.dry_run = dry_run;
    reload_.hold_new = hold_new;
  }
  std::lock_guard lock(mu_);
  cv_.notify_all();
  return n;
}

void Replicator::RequestReloadSoon() {
  if (RequestReload(false) != 0) return;
  std::lock_guard lock(reload_mu_);
  reload_.again = true;
}

std::string Replicator::ReloadJson() const {
  std::lock_guard lock(reload_mu_);
  Json j = Json::object();
  j["requested"] = reload_.requested;
  j["done"] = reload_.done;
  j["dry_run"] = reload_.dry_run;
  j["ok"] = reload_.ok;
  j["code"] = std::string(StatusCodeName(reload_.code));
  j["result"] = JsonBytes(reload_.result);
  j["config_path"] = JsonBytes(config_path_);
  return j.dump() + "\n";
}

void Replicator::ServeReload() {
  bool dry_run = false, hold_new = false;
  uint64_t n = 0;
  {
    std::lock_guard lock(reload_mu_);
    if (reload_.requested == reload_.done) return;
    n = reload_.requested;
    dry_run = reload_.dry_run;
    hold_new = reload_.hold_new;
  }
  auto result = Reload(dry_run, hold_new);
  if (!dry_run) {
    // One log line each (the answer to `vomsrepl reload` keeps its lines).
    auto flat = [](std::string s) {
      for (size_t at = 0; (at = s.find("\n  ", at)) != std::string::npos;) s.replace(at, 3, "; ");
      std::replace(s.begin(), s.end(), '\n', ' ');
      return s;
    };
    if (result.ok()) spdlog::info("reload {}: {}", n, flat(*result));
    else spdlog::error("reload {} refused: {}", n, flat(result.status().ToString()));
  }
  bool again = false;
  {
    std::lock_guard lock(reload_mu_);
    reload_.done = n;
    reload_.ok = result.ok();
    reload_.code = result.status().code();
    reload_.result = result.ok() ? *result : std::string(result.status().message());
    again = reload_.again;
    reload_.again = false;
  }
  if (again) RequestReload(false);  // a SIGHUP came meanwhile: read the file once more
}

namespace {

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  " + l;
  return out;
}

}  // namespace

Result<std::string> Replicator::Reload(bool dry_run, bool hold_new) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config next, ops::LoadConfig(config_.path));
  VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFiles(next));
  VOMSREPL_ASSIGN_OR_RETURN(ops::ConfigDiff diff, ops::DiffConfigs(config_, next));
  if (diff.empty()) return std::string("no change: " + next.path + " is what this daemon runs with");
  if (!diff.need_restart.empty())
    return FailedPrecondition("these changes need a restart of vomsrepl (systemctl restart vomsrepl); nothing was "
                              "changed:" + Lines(diff.need_restart));
  std::optional<txn::FilterRules> rules;
  std::vector<std::string> notes;
  std::vector<FilterCheck::Hold> holds;
  if (diff.filter) {
    auto created = txn::FilterRules::Create(next.filter);
    if (!created.ok()) return created.status().WithContext(next.path + ": [filter]");
    rules = std::move(*created);
    auto stopped = [this](const std::string& name) {
      for (const auto& r : replicas_) {
        ReplicaSnapshot s = r->Snapshot();
        if (s.name != name) continue;
        const std::string_view state = ops::ReplicaStateName(s.state);
        return state == "stopped" || state == "error";
      }
      return !feeder_;  // a standby's runners are not running
    };
    VOMSREPL_ASSIGN_OR_RETURN(FilterCheck check, CheckFilterChange(config_, next, stopped, hold_new));
    notes = std::move(check.notes);
    holds = std::move(check.holds);
  }
  const std::string what = Lines(diff.lines) + (notes.empty() ? "" : "\nthen:" + Lines(notes));
  if (dry_run) return "a reload would change:" + what;

  if (!holds.empty()) VOMSREPL_RETURN_IF_ERROR(WriteHolds(next, holds));
  if (diff.log && log_setup_) VOMSREPL_RETURN_IF_ERROR(log_setup_(next.log));
  config_ = std::move(next);
  if (rules) {
    if (lease_) lease_->SetFilterFingerprint(FilterFingerprintOf(config_.filter));
    feeder_options_.rules = *rules;
    std::shared_lock wiring(wiring_mu_);
    if (feeder_) feeder_->ReplaceRules(std::move(*rules));
  }
  if (!holds.empty()) HoldsSwitched(holds);
  if (rules) {
    std::vector<std::string> abandoned = SettleHolds(feeder_options_.rules);
    for (auto& a : abandoned) notes.push_back(std::move(a));
  }
  std::vector<std::string> restart = diff.replicas_changed;
  if (diff.apply || diff.replica_tls)
    for (const auto& r : config_.replicas) restart.push_back(r.name);
  RewireReplicas(restart, diff.replicas_removed);
  return "reloaded:" + Lines(diff.lines) + (notes.empty() ? "" : "\nthen:" + Lines(notes));
}

Status Replicator::WriteHolds(const ops::Config& next, std::vector<FilterCheck::Hold>& holds) {
  // Every transaction journaled from here on may hold the new databases' changes.
  const uint64_t since = journal_->last_seq() + 1;
  std::vector<std::pair<apply::ReplicaSession*, const FilterCheck::Hold*>> written;
  std::map<std::string, std::unique_ptr<apply::ReplicaSession>> sessions;
  std::map<std::string, std::string> channels;
  auto undo = [&] {
    for (auto [session, h] : written) apply::DeleteHold(*session, channels[h->replica], h->hold).IgnoreError();
  };
  for (auto& h : holds) {
    h.hold.since_seq = since;
    h.hold.state = apply::HoldState::kPending;
    for (const auto& r : next.replicas) {
      if (r.name != h.replica) continue;
      ReplicaRunnerOptions o = ReplicaOptionsFrom(next, r);
      h.hold.replay_channel = apply::ReplayChannel(o.applier.channel, h.hold.database);
      channels[h.replica] = o.applier.channel;
      auto& session = sessions[h.replica];
      Status st;
      if (!session) {
        session = std::make_unique<apply::ReplicaSession>();
        st = session->Open(o.replica);
      }
      if (st.ok()) st = apply::WritePendingHold(*session, o.applier.channel, h.hold);
      if (!st.ok()) {
        undo();
        return st.WithContext("replica " + r.name + ": recording that it holds " + h.hold.database +
                              " back; nothing was changed");
      }
      written.emplace_back(session.get(), &h);
    }
  }
  std::shared_lock wiring(wiring_mu_);
  for (const auto& runner : replicas_) {
    std::vector<apply::DatabaseHold> mine;
    for (const auto& h : holds)
      if (h.replica == runner->name()) mine.push_back(h.hold);
    if (!mine.empty()) runner->holds().Add(mine);
  }
  return Status::OK();
}

void Replicator::HoldsSwitched(const std::vector<FilterCheck::Hold>& holds) {
  std::set<std::string> names;
  for (const auto& h : holds) names.insert(h.replica);
  {
    std::shared_lock wiring(wiring_mu_);
    for (const auto& runner : replicas_)
      if (names.count(runner->name())) runner->holds().FilterSwitched();
  }
  // At once, for `vomsrepl bootstrap` (which waits for it); a runner that
  // cannot do it now does it when it reads its rows next.
  for (const auto& r : config_.replicas) {
    if (!names.count(r.name)) continue;
    ReplicaRunnerOptions o = ReplicaOptionsFrom(config_, r);
    apply::ReplicaSession session;
    Status st = session.Open(o.replica);
    if (st.ok()) st = apply::PromoteHolds(session, o.applier.channel);
    if (!st.ok())
      spdlog::warn("reload: replica {}: its held databases stay 'pending' until its runner reads them again: {}", r.name,
                   st.ToString());
  }
}

std::vector<std::string> Replicator::SettleHolds(const txn::FilterRules& rules) {
  std::vector<std::string> notes;
  for (const auto& r : config_.replicas) {
    ReplicaRunnerOptions o = ReplicaOptionsFrom(config_, r);
    apply::ReplicaSession session;
    Status st = session.Open(o.replica);
    auto holds = st.ok() ? apply::ReadHolds(session, o.applier.channel) : Result<std::vector<apply::DatabaseHold>>(st);
    if (!holds.ok()) {
      notes.push_back("replica " + r.name + ": its held databases could not be read (" +
                      std::string(holds.status().message()) + "); one the [filter] leaves out now stays held until "
                      "the next reload");
      continue;
    }
    for (const auto& h : *holds) {
      const bool kept = rules.KeepDatabase(h.master_database) && rules.TargetDatabase(h.master_database) == h.database;
      const bool abandoned = h.state == apply::HoldState::kAbandoned;
      // Nothing to do for a live hold of a kept database, or an abandoned one left out.
      if (kept != abandoned) continue;
      // A live hold of a database left out becomes abandoned; an abandoned one kept
      // again without a hold (the way that pauses the replica) goes: its row would
      // leave the database out for ever, while without it a replica that lacks the
      // database stops on its first change, naming it.
      Status st = abandoned ? apply::DeleteHold(session, o.applier.channel, h)
                            : apply::AbandonHold(session, o.applier.channel, h);
      if (!st.ok()) {
        notes.push_back("replica " + r.name + ": " + (abandoned ? "its abandoned hold of " : "the hold of ") +
                        h.database + " could not be " + (abandoned ? "deleted" : "abandoned") + " (" +
                        std::string(st.message()) + ")" +
                        (abandoned ? ": the replica would leave the database out" : ""));
        continue;
      }
      {
        std::shared_lock wiring(wiring_mu_);
        for (const auto& runner : replicas_) {
          if (runner->name() != r.name) continue;
          if (abandoned) runner->holds().Forget(h.database);
          else runner->holds().Abandon(h.database);
        }
      }
      if (!abandoned)
        notes.push_back("replica " + r.name + " no longer waits for a copy of " + h.database + " (the [filter] leaves " +
                        h.master_database + " out): what the journal holds of it is not applied there");
    }
  }
  return notes;
}

void Replicator::RewireReplicas(const std::vector<std::string>& restart, const std::vector<std::string>& removed) {
  if (!feeder_) {
    // A standby has no runners: CreateWiring builds them from config_ when it feeds.
    for (const auto& name : removed) journal_->RemoveReplicaMirror(name).IgnoreError();
    return;
  }
  std::map<std::string, std::unique_ptr<ReplicaRunner>> old;
  {
    std::unique_lock lock(wiring_mu_);
    for (auto& r : replicas_) old[r->name()] = std::move(r);
    replicas_.clear();
  }
  // Stopped first (each commits its open group), outside the lock.
  std::vector<std::unique_ptr<ReplicaRunner>> next;
  for (const auto& section : config_.replicas) {
    auto it = old.find(section.name);
    const bool again = it == old.end() || std::find(restart.begin(), restart.end(), section.name) != restart.end();
    if (it != old.end() && again) {
      it->second->Shutdown();
      old.erase(it);
      it = old.end();
    }
    if (it != old.end()) {
      next.push_back(std::move(it->second));
      old.erase(it);
      continue;
    }
    ReplicaRunnerOptions options = ReplicaOptionsFrom(config_, section);
    options.started_by_reload = true;
    next.push_back(std::make_unique<ReplicaRunner>(std::move(options), *journal_, &metrics_));
    next.back()->Launch();
  }
  for (auto& [name, runner] : old) {
    runner->Shutdown();
    if (std::find(removed.begin(), removed.end(), name) != removed.end()) {
      Status st = journal_->RemoveReplicaMirror(name);
      if (!st.ok()) spdlog::warn("reload: cannot forget replica {} in the journal: {}", name, st.ToString());
    }
  }
  std::unique_lock lock(wiring_mu_);
  replicas_ = std::move(next);
}

Status Replicator::RunWithLease() {
  const int wait_s = int(std::max<uint32_t>(1, (config_.standby.check_interval_ms + 999) / 1000));
  notifier_.Ready("standby for lease " + lease_->lock_name() + ", state in " + config_.state_dir);
  for (;;) {
    SetRole("standby", "standby since " + UtcNowText() + ", waiting for the lease " + lease_->lock_name());
    spdlog::info("standby: waiting for the lease {} on the master", lease_->lock_name());
    Status got = lease_->Acquire(wait_s, [this] {
      notifier_.Tick();  // a standby is alive too (systemd's WatchdogSec)
      ServeReload();     // a standby takes a reload as well: for when it feeds
      return StopRequested();
    });
    if (!got.ok()) {
      SetRole("stopped", "stopped since " + UtcNowText() + (StopRequested() ? "" : ": " + std::string(got.message())));
      return StopRequested() ? Status::OK() : got;
    }
    spdlog::info("lease {} taken: this feeder becomes active", lease_->lock_name());
    SetRole("active", "active since " + UtcNowText() + ", taking over: reading the replicas' progress");
    auto plan = PrepareJournalForTakeover(config_, *journal_);
    bool told = false;
    std::string why;
    while (!plan.ok() && plan.status().code() == StatusCode::kUnavailable && !StopRequested() &&
           lease_->StillHeld(&why)) {
      if (!told) spdlog::warn("takeover: {}", plan.status().message());
      told = true;
      for (int i = 0; i < 10 && !StopRequested(); ++i) {
        notifier_.Tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      plan = PrepareJournalForTakeover(config_, *journal_);
    }
    if (StopRequested()) {
      lease_->Release();
      SetRole("stopped", "stopped since " + UtcNowText());
      return Status::OK();
    }
    if (!plan.ok() && plan.status().code() == StatusCode::kUnavailable) {
      spdlog::warn("takeover abandoned: {}; standing by again", why);
      continue;
    }
    if (!plan.ok()) {
      lease_->Release();
      return plan.status().WithContext("taking over");
    }
    spdlog::info("takeover: {}", *plan);
    if (Status locked = TakeServerIdLock(std::chrono::seconds(10)); !locked.ok()) {
      lease_->Release();
      return StopRequested() ? Status::OK() : locked;
    }
    SetRole("active", "active since " + UtcNowText() + ", holding the lease " + lease_->lock_name());
    CreateWiring();
    Status st = Feed();
    DestroyWiring();
    server_id_lock_.reset();
    feeder_options_.master.holds_server_id_lock = false;
    if (!lease_lost_ || StopRequested()) {
      lease_->Release();
      SetRole("stopped", "stopped since " + UtcNowText());
      return st;
    }
    spdlog::warn("lease lost: {}; the feeder and the replicas' runners stopped; standing by", lease_lost_why_);
    lease_lost_ = false;
    std::lock_guard lock(mu_);
    feeder_done_ = false;
  }
}

Status Replicator::Feed() {
  for (auto& r : replicas_) r->Launch();
  Status feeder_status;
  Feeder* feeder_ptr = feeder_.get();
  std::thread feeder([&] {
    feeder_status = feeder_ptr->Run();
    std::lock_guard lock(mu_);
    feeder_done_ = true;
    cv_.notify_all();
  });
  {
    std::unique_lock lock(mu_);
    auto next_purge = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const auto lease_interval = std::chrono::milliseconds(config_.standby.check_interval_ms);
    auto next_lease_check = std::chrono::steady_clock::now() + lease_interval;
    uint64_t syncs_counted = 0;
    if (!lease_) notifier_.Ready(std::to_string(replicas_.size()) + " replica(s), state in " + config_.state_dir);
    while (!stop_requested_ && !feeder_done_) {
      cv_.wait_for(lock, lease_ ? std::min<std::chrono::milliseconds>(lease_interval, std::chrono::seconds(1))
                                : std::chrono::milliseconds(1000));
      notifier_.Tick();
      lock.unlock();
      ServeReload();
      lock.lock();
      if (lease_ && std::chrono::steady_clock::now() >= next_lease_check) {
        lock.unlock();
        std::string why;
        const bool held = lease_->StillHeld(&why);
        lock.lock();
        next_lease_check = std::chrono::steady_clock::now() + lease_interval;
        if (!held) {
          lease_lost_ = true;
          lease_lost_why_ = why;
          lock.unlock();
          SetRole("stepping down", "stepping down since " + UtcNowText() + ": " + why +
                                       "; the replicas' appliers commit what they hold, then stop");
          lock.lock();
          break;
        }
      }
      RefreshReplicaMetrics();
      if (struct statvfs fs{}; ::statvfs(config_.state_dir.c_str(), &fs) == 0) {
        metrics_.journal_disk_available().Set(double(fs.f_bavail) * double(fs.f_frsize));
        metrics_.journal_disk_size().Set(double(fs.f_blocks) * double(fs.f_frsize));
      }
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
  feeder_ptr->Stop();
  feeder.join();
  // The feeder has journaled everything it read: let the appliers catch up
  // with what is journaled for a moment, then commit and stop.
  for (auto& r : replicas_) r->Shutdown();
  Status synced = journal_->Sync();
  if (!lease_ && http_) http_->Stop();
  if (lease_lost_) return Aborted(lease_lost_why_);
  if (!feeder_status.ok()) return feeder_status;
  return synced;
}

std::string Replicator::StatusJson(bool full) const {
  ops::StatusDocument doc;
  std::shared_lock wiring(wiring_mu_);
  if (lease_) {
    std::lock_guard lock(role_mu_);
    doc.source.role = role_;
    doc.source.role_detail = role_detail_;
    if (role_ == "standby") {
      const std::string holder = lease_->holder();
      if (!holder.empty()) *doc.source.role_detail += "; the lease is held by " + holder;
    }
  }
  // Without a feeder a lease's role says what it does ("standby", "active" while it reads the replicas' progress).
  doc.source.state = feeder_ ? feeder_->state() : lease_ ? doc.source.role.value_or("standby") : "not started";
  doc.source.stream_position = feeder_ ? feeder_->stream_position() : "";
  if (auto cp = journal_->checkpoint(); cp.ok()) {
    doc.source.checkpoint_seq = cp->seq;
    doc.source.position = cp->source.position.ToString();
    doc.source.gtid = cp->source.gtid;
    doc.source.gtid_state = cp->source.gtid_state.ToString();
    doc.source.commit_time = cp->source.commit_time;
  }
  if (auto s = journal_->Stats(); s.ok()) doc.journal = *s;
  const int64_t now = UnixNow();
  for (const auto& runner : replicas_) {
    ReplicaSnapshot s = runner->Snapshot();
    ops::ReplicaStatus r;
    r.name = s.name;
    // Error and outage texts quote the server: the control token shows them.
    const std::string_view state = ops::ReplicaStateName(s.state);
    r.state_detail = full || (state != "error" && state != "reconnecting") ? s.state : std::string(state);
    r.applied_seq = s.applied_seq;
    r.gtid = s.gtid;
    r.position = s.position;
    r.commit_time = s.commit_time;
    r.applied_time = s.applied_time;
    r.lag = ops::ComputeLag(*journal_, s.applied_seq, now);
    r.transactions = s.transactions;
    r.failed_seq = s.failed_seq;
    r.skip_pending_seq = s.skip_seq;
    r.delay_s = s.delay_s;
    r.delayed_until = s.delayed_until;
    r.held_databases.emplace();
    for (const auto& h : s.held)
      r.held_databases->push_back({h.database, h.master_database, std::string(apply::HoldStateName(h.state)),
                                   h.since_seq, h.copied_seq});
    r.last_error = full ? s.last_error : RedactedError(s.last_error);
    doc.replicas.push_back(std::move(r));
  }
  return ops::StatusDocumentJson(doc);
}

void Replicator::RefreshReplicaMetrics() {
  const int64_t now = UnixNow();
  for (const auto& runner : replicas_) {
    ReplicaSnapshot s = runner->Snapshot();
    ops::Metrics::ReplicaSeries series = metrics_.Replica(s.name);
    ops::ReplicaLag lag = ops::ComputeLag(*journal_, s.applied_seq, now);
    series.lag_transactions->Set(double(lag.transactions));
    size_t held = 0;
    for (const auto& h : s.held) held += h.state != apply::HoldState::kAbandoned ? 1 : 0;
    series.held_databases->Set(double(held));
    // Unknown (the oldest unapplied transaction was purged): keep the last value.
    if (lag.seconds) series.lag_seconds->Set(double(*lag.seconds));
    const std::string_view state = ops::ReplicaStateName(s.state);
    for (size_t i = 0; i < ops::kReplicaStates.size(); ++i) {
      series.state[i]->Set(ops::kReplicaStates[i] == state ? 1 : 0);
    }
  }
}

namespace {

ops::HttpResponse Text(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body), {}};
}

}  // namespace

Result<std::string> ForgetReplica(journal::Journal& journal, const std::string& name) {
  VOMSREPL_ASSIGN_OR_RETURN(auto mirrors, journal.ListReplicaMirrors());
  for (const auto& [n, m] : mirrors) {
    if (n != name) continue;
    VOMSREPL_RETURN_IF_ERROR(journal.RemoveReplicaMirror(name));
    return "replica " + name + " forgotten: it had applied journal seq " + std::to_string(m.seq) +
           "; journal retention no longer keeps transactions for it (its progress rows on the replica server are "
           "left as they are)";
  }
  std::string known;
  for (const auto& [n, m] : mirrors) known += (known.empty() ? "" : ", ") + n;
  return NotFound("the journal knows no replica '" + name + "' (it knows: " + (known.empty() ? "none" : known) + ")");
}

ops::HttpResponse Replicator::Handle(const ops::HttpRequest& request) {
  // Between the bind and http_access_ (a few microseconds of Open()).
  if (!http_ready_.load(std::memory_order_acquire)) return Text(503, "starting\n");
  if (std::string refused = http_access_->RefusalOf(request); !refused.empty()) return Text(403, refused);
  const bool authenticated = ops::BearerMatches(request.authorization, control_token_);
  const bool wrong_token = !request.authorization.empty() && !authenticated;
  if (wrong_token) return Text(403, "wrong control token\n");
  size_t q = request.target.find('?');
  const std::string path = request.target.substr(0, q);
  const std::string query = q == std::string::npos ? "" : request.target.substr(q + 1);
  auto need_token = [](std::string what) {
    ops::HttpResponse r = Text(401, what + " needs the control token: Authorization: Bearer <[http] token_file>\n");
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"vomsrepl\"");
    return r;
  };
  // Beyond loopback (an operator's token is then configured) every endpoint needs it.
  if (!http_access_->loopback() && !authenticated) return need_token(path);
  if (request.method == "GET" && path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Serialize(), {}};
  }
  if (request.method == "GET" && path == "/status") return {200, "application/json", StatusJson(authenticated), {}};
  if (request.method == "GET" && path == "/health") {
    std::shared_lock wiring(wiring_mu_);
    if (!feeder_ && lease_) return Text(200, "standby\n");
    std::string state = feeder_ ? feeder_->state() : "";
    bool ok = state.rfind("failed", 0) != 0;
    return Text(ok ? 200 : 503, ok ? "ok\n" : state + "\n");
  }
  if (path == "/reload") {
    if (!authenticated) return need_token("reload");
    if (request.method == "GET") return {200, "application/json", ReloadJson(), {}};
    if (request.method != "POST") return Text(405, "use POST to reload, GET for the last reload's result\n");
    bool dry_run = false, hold_new = false;
    for (size_t at = 0; at < query.size();) {
      size_t amp = query.find('&', at);
      if (amp == std::string::npos) amp = query.size();
      const std::string param = query.substr(at, amp - at);
      if (param == "dry_run=1") dry_run = true;
      else if (param == "hold_new=1") hold_new = true;
      else return Text(400, "the parameters of /reload are dry_run=1 and hold_new=1\n");
      at = amp + 1;
    }
    const uint64_t n = RequestReload(dry_run, hold_new);
    if (n == 0) return Text(409, "a reload is in progress: GET /reload shows when it is done\n");
    return Text(202, "reload " + std::to_string(n) + (dry_run ? " (dry run)" : "") + " requested: GET /reload\n");
  }
  // POST /replica/NAME/(stop|start|skip)
  const std::string prefix = "/replica/";
  if (path.rfind(prefix, 0) == 0) {
    if (request.method != "POST") return Text(405, "use POST\n");
    if (!authenticated) return need_token("replica control");
    std::string rest = path.substr(prefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string::npos) return Text(404, "expected /replica/NAME/stop|start|skip|remove\n");
    return Control(rest.substr(0, slash), rest.substr(slash + 1), query);
  }
  return Text(404, "not found: /metrics, /status, /health, POST /replica/NAME/stop|start|skip?seq=N|remove, POST|GET "
                   "/reload\n");
}

ops::HttpResponse Replicator::Control(const std::string& name, const std::string& action, const std::string& query) {
  std::shared_lock wiring(wiring_mu_);
  if (action == "remove") {
    for (const auto& r : config_.replicas)
      if (r.name == name)
        return Text(409, "replica " + name + " is in the running configuration: take its [[replica]] out of " +
                             config_.path + " and `vomsrepl reload` (that forgets it)\n");
    Result<std::string> forgotten = ForgetReplica(*journal_, name);
    if (!forgotten.ok())
      return Text(forgotten.status().code() == StatusCode::kNotFound ? 404 : 500,
                  std::string(forgotten.status().message()) + "\n");
    spdlog::warn("{}", *forgotten);
    return Text(200, *forgotten + "\n");
  }
  if (replicas_.empty() && lease_) return Text(409, "this feeder is a standby: control its replicas on the active one\n");
  for (auto& r : replicas_) {
    if (r->name() != name) continue;
    if (action == "stop") {
      r->Stop();
    } else if (action == "start") {
      r->Start();
    } else if (action == "skip") {
      auto seq = SkipSeqFromQuery(query);
      if (!seq.ok()) return Text(400, std::string(seq.status().message()) + "\n");
      Status st = r->Skip(*seq);
      if (!st.ok()) return Text(409, std::string(st.message()) + "\n");
      spdlog::warn("replica {}: skip of journal seq {} accepted over HTTP; the replica starts again and skips it",
                   name, *seq);
      r->Start();
      return Text(200, "replica " + name + ": skip of journal seq " + std::to_string(*seq) + " accepted\n");
    } else {
      return Text(404, "unknown action '" + action + "': stop, start, skip or remove\n");
    }
    spdlog::info("replica {}: {} requested over HTTP", name, action);
    return Text(200, "replica " + name + ": " + action + "\n");
  }
  return Text(404, "no replica named '" + name + "'\n");
}

}  // namespace vomsrepl::daemon
