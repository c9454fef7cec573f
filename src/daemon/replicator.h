// Replicator: `vomsrepl run`, the whole daemon in one process:
//   master --(Feeder thread: MasterStream -> TransactionAssembler)--> JournalWriter
//     --> Journal (RocksDB) --> one ReplicaRunner thread per replica
// plus the HTTP endpoint (/metrics, /status, /health, POST /replica/NAME/stop|start|skip?seq=N)
// and the periodic journal purge (retention).
//
// HTTP access (issue 20): every request with an Origin header or a Host that
// is not the listen address is refused (403, ops/http_access.h). The control
// endpoints need `Authorization: Bearer TOKEN` (401 without, 403 with a wrong
// one; ops/control_token.h: the token file is created in Open() when
// absent); /status without it shows errors redacted (daemon/replica_skip.h);
// /metrics and /health are open on a loopback listen, and need the token too
// on any other.
//
// Lifecycle: Open() takes the state directory (a second process on the same
// directory is refused, naming the holder's PID) and the master-side lock of
// its server_id (source/server_id_lock.h: a second feeder with the same
// server_id on the same master is refused), and checks every part of
// the config that needs no server; Run() starts the threads and blocks until
// RequestStop() (SIGTERM/SIGINT) or the feeder fails. Stopping drains the
// pipeline: the master stream is cancelled, the journal writer journals what
// it holds and syncs, each applier commits its open group, the journal is
// synced and closed. Returns the feeder's error, if any.
//
// Standby (issue 24, `[standby] lease`): Open() takes no server_id lock and
// builds no feeder; Run() first waits for the lease on the master
// (source/feeder_lease.h; /status shows role "standby" and who holds it,
// /health answers 200 "standby"). Once it holds it, the journal is made to
// agree with the replicas' progress rows (daemon/takeover.h), the server_id
// lock is taken (waiting up to 10 s for a dead holder's session to go), and
// the feeder and the runners start as without a lease. Every
// check_interval_ms the lease is checked (FeederLease::StillHeld); lost (the
// master unreachable, or another feeder has it), the feeder and runners
// stop, draining as on SIGTERM, and the process waits for the lease again.
// The role is recorded in the journal (kFeederRoleMeta) for `vomsrepl status`.
//
// Thread-safety: RequestStop() from any thread (a signal-handling thread).
// The feeder and the runners are replaced under wiring_mu_ (exclusive), which
// the HTTP handlers hold shared.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "daemon/feeder.h"
#include "daemon/reload.h"
#include "daemon/replica_runner.h"
#include "journal/journal.h"
#include "ops/config.h"
#include "ops/http_access.h"
#include "ops/http_server.h"
#include "ops/metrics.h"
#include "ops/service_notify.h"
#include "source/feeder_lease.h"
#include "source/server_id_lock.h"

namespace vomsrepl::daemon {

// `vomsrepl replica remove NAME`: NAME's mirror leaves the journal, so that
// retention no longer keeps transactions for it; the message says what it
// had applied. NotFound (naming the replicas it knows) when there is none.
Result<std::string> ForgetReplica(journal::Journal& journal, const std::string& name);

class Replicator {
 public:
  explicit Replicator(ops::Config config);
  ~Replicator();

  Status Open();
  Status Run();
  void RequestStop();

  // The /status document (JSON); `full`: errors unredacted (authenticated).
  std::string StatusJson(bool full = true) const;

  // Reload (issue 24, item 2): asks the Run thread to read the config file
  // again and take what changed (ops/config_diff.h) without a restart: [log],
  // [apply], [filter] (daemon/reload.h checks it), [replica_tls] and the
  // [[replica]] tables (each runner concerned is restarted; the feeder and
  // every other runner go on). A change that needs a restart, an invalid
  // file or a refused [filter] change leaves everything as it was.
  // `dry_run`: only say what would change. Returns the request's number, or
  // 0 while another reload is pending. Any thread (SIGHUP, POST /reload).
  // hold_new: a [filter] change that keeps a database some replicas lack is
  // taken with those replicas holding it back (daemon/reload.h).
  uint64_t RequestReload(bool dry_run, bool hold_new = false);
  // SIGHUP: a reload, and one more after it when one is in progress (the
  // file may have changed again since that one read it).
  void RequestReloadSoon();
  // The last reload: {"requested":N,"done":M,"dry_run":b,"ok":b,"result":"..."}.
  std::string ReloadJson() const;
  // How a reload applies [log] (run_command.cc: its --log-level/--log-file win).
  void set_log_setup(std::function<Status(const ops::LogSection&)> setup) { log_setup_ = std::move(setup); }
  uint16_t http_port() const { return http_ ? http_->port() : 0; }

 private:
  ops::HttpResponse Handle(const ops::HttpRequest& request);
  // Once a second: each replica's lag (from the oldest transaction it has not
  // applied, ops/replica_status.h) and state gauges.
  void RefreshReplicaMetrics();
  ops::HttpResponse Control(const std::string& name, const std::string& action, const std::string& query);
  // The feeder and one runner per replica, from feeder_options_ (under wiring_mu_).
  void CreateWiring();
  void DestroyWiring();
  // Runs the wired feeder and runners until a stop, the feeder's end or (with
  // a lease) its loss (lease_lost_ set).
  Status Feed();
  // With a lease: wait for it, take over, feed; again after a loss.
  Status RunWithLease();
  // The server_id lock of an active feeder, waiting up to `wait` for the
  // session of a feeder that just died to go.
  Status TakeServerIdLock(std::chrono::seconds wait);
  void SetRole(const std::string& role, const std::string& detail);
  // Run thread: a pending reload, done and recorded (logged too).
  void ServeReload();
  Result<std::string> Reload(bool dry_run, bool hold_new);
  // hold_new, before the [filter] switch: the pending rows on each replica
  // and the runners' holds (all or nothing).
  Status WriteHolds(const ops::Config& next, std::vector<FilterCheck::Hold>& holds);
  // After the switch: pending rows become held.
  void HoldsSwitched(const std::vector<FilterCheck::Hold>& holds);
  // After a [filter] switch: the holds of databases `rules` no longer keep
  // become "abandoned" (apply/database_hold.h), one note each; abandoned
  // holds of databases kept again (without --hold-new) are deleted.
  std::vector<std::string> SettleHolds(const txn::FilterRules& rules);
  // Run thread: one runner per replica of config_, in its order; those in
  // `restart` (and new ones) built again from config_, the others kept.
  void RewireReplicas(const std::vector<std::string>& restart, const std::vector<std::string>& removed);
  bool StopRequested();

  ops::Config config_;
  const std::string config_path_;  // the file a reload reads (GET /reload names it)
  ops::Metrics metrics_;
  ops::ServiceNotifier notifier_;  // systemd: READY, STOPPING, WATCHDOG
  std::unique_ptr<journal::Journal> journal_;
  std::unique_ptr<source::ServerIdLock> server_id_lock_;
  FeederOptions feeder_options_;  // each Feeder gets a copy
  std::unique_ptr<source::FeederLease> lease_;  // [standby] lease, else null
  bool lease_lost_ = false;                      // Feed(): why it ended
  std::string lease_lost_why_;
  mutable std::shared_mutex wiring_mu_;  // feeder_ and replicas_ (the pointers)
  std::unique_ptr<Feeder> feeder_;
  std::vector<std::unique_ptr<ReplicaRunner>> replicas_;
  mutable std::mutex reload_mu_;
  struct ReloadState {
    uint64_t requested = 0, done = 0;
    bool dry_run = false, hold_new = false, ok = true;
    StatusCode code = StatusCode::kOk;  // of a refused reload (what `vomsrepl reload` exits with)
    bool again = false;  // RequestReloadSoon while one was pending
    std::string result;
  } reload_;
  std::function<Status(const ops::LogSection&)> log_setup_;
  mutable std::mutex role_mu_;
  std::string role_, role_detail_;  // empty without a lease
  std::unique_ptr<ops::HttpServer> http_;
  std::unique_ptr<ops::HttpAccess> http_access_;  // set once the port is bound, then http_ready_
  std::atomic<bool> http_ready_{false};
  std::string control_token_;  // never logged
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool feeder_done_ = false;
};

// The fingerprint of a [filter] that feeders of one lease must share
// (source/feeder_lease.h): an empty include list counts as ["voms_*"].
uint32_t FilterFingerprintOf(const txn::FilterConfig& filter);

// Builds the per-component options from a Config (shared with check-config).
source::MasterConfig MasterConfigFrom(const ops::Config& config);
ReplicaRunnerOptions ReplicaOptionsFrom(const ops::Config& config, const ops::ReplicaSection& replica);

}  // namespace vomsrepl::daemon
