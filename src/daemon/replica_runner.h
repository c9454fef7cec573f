// ReplicaRunner: one replica's applier thread in the daemon. Reads the
// journal from the replica's own progress row (the truth after any crash),
// applies through apply::TransactionApplier, mirrors the progress into the
// journal (for `status` and retention) and into the metrics.
//
// States: "starting", "running", "reconnecting since <UTC time> (<cause>)",
// "stopped" (operator), "error: <message>" (divergence under policy stop, a
// purged journal range, a refused replica, ...). A lost connection (replica
// stopped for maintenance, network cut) reconnects with capped backoff and
// resumes after the progress row, catching up from the journal; other errors
// stop only this replica: the feeder and the other replicas go on.
//
// Reporting an outage: ONE warning when it begins, a reminder every minute
// while it lasts, one info line when the replica applies again; the state
// text (with the error) goes to Snapshot() and to the replica's journal
// mirror, so `vomsrepl status` on the state directory shows it too. The
// mirror keeps the last applied seq during the outage: journal::Purge never
// deletes what a mirrored replica has not applied, so a stopped replica
// always finds its transactions in the journal when it comes back.
//
// Databases the replica holds back (a VO added with `reload --hold-new`,
// daemon/held_databases.h): their changes are left out of every transaction
// until `vomsrepl bootstrap` has copied them; the runner then catches them up
// from the journal on a second connection and includes them. The mirror's
// retain_from keeps what they need.
//
// A paused replica's progress row is read again every kStoppedRefresh
// (RefreshStoppedProgress), and its mirror says "stopped".
//
// Control (thread-safe, from the HTTP endpoint): Stop() pauses after the
// current commit, Start() resumes (also after an error), Skip(seq) makes the
// next start skip exactly the transaction the replica failed on: accepted
// only in an error state whose error names that journal seq (failed_seq in
// the snapshot; daemon/replica_skip.h), so it can never reach a transaction
// that has not arrived yet. The skipped transaction is recorded in the
// progress row as applied, logged as a warning with its seq, GTID and
// tables, and counted in vomsrepl_replica_skips_total.
//
// Thread-safety: every public method from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "apply/parallel_applier.h"
#include "apply/transaction_applier.h"
#include "daemon/held_databases.h"
#include "journal/journal.h"
#include "ops/metrics.h"

namespace vomsrepl::daemon {

struct ReplicaRunnerOptions {
  std::string name;
  apply::ReplicaConfig replica;
  apply::ApplierOptions applier;
  apply::ParallelOptions parallel;
  bool start_enabled = true;
  // [[replica]] delay_s: a transaction is applied no sooner than this after
  // its master commit time (the open group is committed first, then the
  // runner waits; a stop ends the wait).
  std::chrono::seconds delay{0};
  // With a [standby] lease: a channel held by another `vomsrepl run` for this
  // long is taken from it (apply::FenceRunHolder): that feeder lost the lease
  // but froze or lost its link before it let go. 0: never.
  std::chrono::seconds fence_after{0};
  // A runner a reload (re)started: its replica applied from this very journal,
  // so a progress row beyond the journal's end at open is no lost tail (the
  // check of AwaitJournalTail still runs, without its warning).
  bool started_by_reload = false;
};

struct ReplicaSnapshot {
  std::string name;
  std::string state;
  uint64_t applied_seq = 0;
  std::string gtid;
  std::string position;
  uint32_t commit_time = 0;       // source commit time of the last applied transaction
  int64_t applied_time = 0;       // when the replica committed it (seconds since the epoch; 0: unknown)
  uint64_t transactions = 0;      // applied since start
  std::string last_error;
  uint64_t failed_seq = 0;        // in an error state: the journal seq the error names (0: none)
  uint64_t skip_seq = 0;          // a skip accepted and not yet done
  uint32_t delay_s = 0;           // [[replica]] delay_s
  int64_t delayed_until = 0;      // a delayed replica waiting: when the next transaction is due (0: not waiting)
  std::vector<apply::DatabaseHold> held;  // databases held back until bootstrapped (daemon/held_databases.h)
};

class ReplicaRunner {
 public:
  ReplicaRunner(ReplicaRunnerOptions options, journal::Journal& journal, ops::Metrics* metrics);
  ~ReplicaRunner();

  void Launch();     // starts the thread
  void Shutdown();   // flushes the open group, stops the thread (daemon exit)

  void Stop();
  void Start();
  // FailedPrecondition unless the runner is in an error state on journal seq `seq`.
  Status Skip(uint64_t seq);

  ReplicaSnapshot Snapshot() const;
  // Its [[replica]] name (fixed at construction): no copy of the snapshot to find a runner.
  const std::string& name() const { return options_.name; }

  // The databases this replica holds back (a reload adds them).
  HeldDatabases& holds() { return *holds_; }

 private:
  void Loop();
  bool tail_checked_ = false;  // AwaitJournalTail passed (one thread: the runner's)
  // Applies until paused, shut down or an error; returns the error. Opens the
  // replica, starts the applier, then ApplyFromJournal.
  Status Session();
  // What one session has published (Publish) and counted.
  struct SessionCounters {
    uint32_t last_commit_time = 0;
    uint64_t mirrored_seq = UINT64_MAX;
    apply::ApplierStats counted;  // what this session has added to the counters
    std::chrono::steady_clock::time_point last_mirror = std::chrono::steady_clock::now() - std::chrono::hours(1);
  };
  // The journal from `reader` into `applier`, until paused or an error.
  Status ApplyFromJournal(apply::ParallelApplier& applier, journal::JournalReader& reader);
  // The applier's progress into /status, /metrics and the journal's mirror: at most
  // every 500 ms and only when it moved, unless `force`.
  Status Publish(const apply::ParallelApplier& applier, SessionCounters& counters, bool force);
  // Whether `t` is the transaction an operator asked to skip (logged and counted at
  // its first chunk); clears the request at its last chunk, or once passed.
  bool TakeSkip(const txn::Transaction& t);
  // A delayed replica (options_.delay): the master commit time of the
  // complete transaction `t` (its chunk 0) plus the delay, or 0 when it is
  // due now (no delay, or no known commit time).
  int64_t DueTime(const txn::Transaction& t) const;
  // Waits until `due` (seconds since the epoch); false when a stop or
  // shutdown ended the wait first.
  bool WaitUntilDue(int64_t due);
  // A replica whose progress row was beyond the journal's end when the
  // journal was opened: the journal lost a tail it had not synced (an OS
  // crash or power cut under [journal] sync = periodic or none) and the master
  // streams it again. Waits until the journal holds `p.seq` again, then checks
  // it is the same source transaction (GTID when both have one, else file:pos;
  // a progress row without a GTID, as `vomsrepl bootstrap` writes, against a
  // journaled GTID is not checked); FailedPrecondition naming both when it is
  // not. Checked once per process (tail_checked_): a later session resumes
  // what this journal fed. Returns early when paused or shut down (the caller
  // checks Paused()).
  Status AwaitJournalTail(const apply::Progress& p);
  void SetState(std::string state, std::string error = {});
  // The same with mu_ held: for a caller that changes more of the snapshot in
  // the same step (the transaction an error names, failed_seq).
  void SetStateLocked(std::string state, std::string error = {});
  bool Paused() const;
  // Writes `state` into this replica's journal mirror, keeping its seq
  // (nothing when there is no mirror yet).
  void MirrorState(const std::string& state);
  // While paused (stopped by an operator or on an error): reads the
  // replica's progress row on a short connection, without the applier lock,
  // so that what `vomsrepl catchup` or `vomsrepl bootstrap` did to a stopped
  // replica shows in /status, the metrics and the journal mirror (`vomsrepl
  // status`) without a restart. An unreachable replica changes nothing.
  void RefreshStoppedProgress();

  ReplicaRunnerOptions options_;
  // Test-hook point names (crash_point.h): replica.<name>.before_commit / after_commit / after_ddl.
  std::string crash_before_commit_;
  std::string crash_after_commit_;
  std::string crash_after_ddl_;
  journal::Journal& journal_;
  ops::Metrics* metrics_;
  std::unique_ptr<HeldDatabases> holds_;
  ops::Metrics::ReplicaSeries series_{};

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool shutdown_ = false;
  bool paused_ = false;
  ReplicaSnapshot snapshot_;
  std::thread thread_;
  // Runner thread only: the current connection outage, if any.
  bool in_outage_ = false;
  bool lock_held_elsewhere_ = false;  // the last Session() found the channel lock taken by another session
  std::chrono::steady_clock::time_point lock_refused_since_{};
  bool reached_running_ = false;
  uint64_t serial_through_seq_ = 0;  // a parallel failure's range, applied on one connection next  // the last Session() applied (or waited) as "running"
  std::chrono::steady_clock::time_point outage_start_{};
  std::chrono::steady_clock::time_point outage_reminder_{};
};

}  // namespace vomsrepl::daemon
