// ParallelApplier: applies journal transactions to one replica on several
// connections at once, committing in source order, exactly once.
//
// The caller's thread (the dispatcher) cuts the stream into groups at source
// transaction boundaries (group_max_transactions / group_max_rows, as one
// TransactionApplier would) and computes each group's writeset
// (writeset.h). A group goes to:
//   the worker that has a queued or running group sharing a key with it
//   (it then runs after that one on the same connection), or, with no
//   conflict, the least busy worker; a group that conflicts with groups of
//   two workers waits until one of them is done.
// Each worker is a thread with its own replica connection and its own
// TransactionApplier; every group gets a ticket in dispatch order, and a
// worker commits its group (rows and progress row in one replica
// transaction, transaction_applier.h) only when every earlier ticket has
// committed. So the replica's commits, and its progress row, follow the
// source order exactly as with one connection: after any crash the progress
// row still says what is applied, and a reader of the replica only ever sees
// a state that existed on the master. Rows of disjoint groups are sent and
// executed at the same time; only the commits are serialised.
//
// With preserve_gtid (replica_session.h) every group is one source
// transaction, begun under its source GTID.
//
// Barriers, applied alone on the first connection after every queued group
// has committed: a DDL (kStatement), a transaction in chunks, one whose
// writeset cannot be computed, and every transaction up to
// serial_through_seq (after a failure in parallel mode, the runner replays
// that range one connection at a time, so a lock conflict the writesets did
// not foresee cannot recur).
//
// Connections: the caller's session (worker 0, it holds the channel lock),
// workers-1 more, and one for catalog reads of the dispatcher. With more
// than one worker the workers use READ COMMITTED (no gap locks between
// disjoint groups) and innodb_lock_wait_timeout = lock_wait_timeout: an
// earlier group blocked by a later one (a dependency the writesets missed)
// fails after it instead of waiting for ever; then all uncommitted groups
// are rolled back and the call returns the error (Unavailable), to be
// resumed after progress().seq. A replica that logs statements
// (log_bin with binlog_format=STATEMENT refuses READ COMMITTED writes) is
// applied on one connection, with a warning.
//
// Errors: the first group that fails decides the error (a divergence keeps
// its message: table, key values, seq, source position); later groups are
// rolled back. After an error Apply() and Flush() return it until the object
// is destroyed.
//
// workers == 1: no thread and no extra connection, exactly one
// TransactionApplier on the caller's session.
//
// Thread-safety: the public methods from one thread (the dispatcher).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "apply/transaction_applier.h"
#include "apply/writeset.h"
#include "txn/transaction.h"

namespace vomsrepl::apply {

struct ParallelOptions {
  uint32_t workers = 1;            // replica connections applying at once
  uint32_t queue_groups = 2;       // groups waiting per worker (memory: groups x group size)
  uint64_t serial_through_seq = 0;  // transactions up to this seq are applied one at a time
  std::chrono::seconds lock_wait_timeout{20};
};

struct ParallelStats {
  uint64_t groups = 0;             // dispatched to workers
  uint64_t groups_chained = 0;     // sent to a busy worker because of a shared key
  uint64_t groups_overlapped = 0;  // dispatched while another worker had a group (ran at the same time)
  uint64_t conflict_waits = 0;     // the dispatcher waited: keys shared with two workers
  uint64_t barriers = 0;           // transactions applied alone
};

class ParallelApplier {
 public:
  ParallelApplier(ReplicaSession& session, ApplierOptions options, ParallelOptions parallel);
  ~ParallelApplier();
  ParallelApplier(const ParallelApplier&) = delete;
  ParallelApplier& operator=(const ParallelApplier&) = delete;

  // Opens the extra connections, starts every worker's applier, launches the
  // threads. Returns the progress row.
  Result<Progress> Start();
  // Queues one transaction or chunk (TransactionApplier::Apply semantics);
  // may block while the workers are busy.
  Status Apply(const txn::Transaction& t);
  // Dispatches the open group and waits until every group has committed.
  Status Flush();

  // Last committed progress (what the replica holds).
  Progress progress() const;
  ApplierStats stats() const;
  RowApplierStats row_stats() const;
  ParallelStats parallel_stats() const;
  bool lock_held_elsewhere() const { return lock_held_elsewhere_; }
  uint32_t workers() const { return uint32_t(workers_.size()); }
  // The highest seq given to a worker when a group failed with more than one
  // worker (0: none): pass it as serial_through_seq to the next applier.
  uint64_t failed_through_seq() const;

 private:
  struct Group {
    uint64_t ticket = 0;
    std::vector<txn::Transaction> transactions;
    std::vector<uint64_t> keys;
    uint64_t rows = 0;
  };
  struct Worker {
    uint32_t index = 0;
    std::unique_ptr<ReplicaSession> own_session;
    ReplicaSession* session = nullptr;
    std::unique_ptr<TransactionApplier> applier;
    std::deque<Group> queue;  // queue.front() is running while busy
    bool busy = false;
    uint64_t ticket = 0;      // of the group it applies
    std::thread thread;
  };

  bool parallel() const { return workers_.size() > 1; }
  void WorkerLoop(Worker& w);
  Status ApplyAlone(const txn::Transaction& t);
  Status Dispatch();
  Status WaitIdle();
  void WaitIdleLocked(std::unique_lock<std::mutex>& lock);
  // After a failure: error_, once every worker is idle (in-flight commits done).
  Status ErrorWhenIdleLocked(std::unique_lock<std::mutex>& lock);
  void FailLocked(Status st);
  Status BeforeCommit(Worker& w);
  void AfterCommit(Worker& w, const Progress& p);
  Status PrepareWorkerSession(ReplicaSession& s);

  ReplicaSession& session_;
  ApplierOptions options_;
  ParallelOptions parallel_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<ReplicaSession> planner_session_;
  std::unique_ptr<WritesetBuilder> planner_;
  bool started_ = false;
  bool lock_held_elsewhere_ = false;
  bool alone_open_ = false;  // a chunked transaction is being applied alone
  Group building_;
  uint64_t highest_dispatched_seq_ = 0;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool failed_ = false;
  Status error_;
  uint64_t failed_through_seq_ = 0;
  uint64_t next_ticket_ = 1;
  uint64_t committed_ticket_ = 0;
  Progress progress_;
  ParallelStats pstats_;
  // Keys of queued and running groups -> (worker index, groups holding it).
  std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> inflight_;
};

}  // namespace vomsrepl::apply
