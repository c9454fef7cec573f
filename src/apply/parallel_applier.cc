#include "apply/parallel_applier.h"

#include <algorithm>
#include <set>
#include <string>

#include "vomsrepl/ascii.h"

namespace vomsrepl::apply {

ParallelApplier::ParallelApplier(ReplicaSession& session, ApplierOptions options, ParallelOptions parallel)
    : session_(session), options_(std::move(options)), parallel_(parallel) {
  if (parallel_.workers == 0) parallel_.workers = 1;
  if (parallel_.queue_groups == 0) parallel_.queue_groups = 1;
  // Groups of one source transaction: each commit keeps its GTID.
  if (session_.config().preserve_gtid) options_.group_max_transactions = 1;
}

ParallelApplier::~ParallelApplier() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    if (!failed_) {
      // Queued groups are dropped (rolled back): the progress row says where
      // the next applier resumes.
      failed_ = true;
      error_ = Aborted("the applier was shut down");
    }
  }
  cv_.notify_all();
  for (auto& w : workers_)
    if (w->thread.joinable()) w->thread.join();
}

Status ParallelApplier::PrepareWorkerSession(ReplicaSession& s) {
  VOMSREPL_RETURN_IF_ERROR(s.Execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"));
  return s.Execute("SET SESSION innodb_lock_wait_timeout = " +
                   std::to_string(std::max<int64_t>(1, parallel_.lock_wait_timeout.count())));
}

Result<Progress> ParallelApplier::Start() {
  if (started_) return FailedPrecondition("ParallelApplier::Start called twice");
  uint32_t n = parallel_.workers;
  if (n > 1) {
    VOMSREPL_ASSIGN_OR_RETURN(auto rows, session_.Query("SELECT @@global.log_bin, @@global.binlog_format"));
    const bool log_bin = !rows.empty() && rows[0][0] && *rows[0][0] != "0" && AsciiUpper(*rows[0][0]) != "OFF";
    const bool statement = !rows.empty() && rows[0][1] && AsciiUpper(*rows[0][1]) == "STATEMENT";
    if (log_bin && statement) {
      if (options_.warn)
        options_.warn(session_.config().name +
                      ": the replica logs with binlog_format=STATEMENT, which refuses writes under READ COMMITTED: "
                      "applying on one connection instead of " + std::to_string(n));
      n = 1;
    }
  }
  for (uint32_t i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->index = i;
    if (i == 0) {
      w->session = &session_;
    } else {
      w->own_session = std::make_unique<ReplicaSession>();
      VOMSREPL_RETURN_IF_ERROR(w->own_session->Open(session_.config()));
      w->session = w->own_session.get();
    }
    ApplierOptions o = options_;
    if (n > 1) {
      VOMSREPL_RETURN_IF_ERROR(PrepareWorkerSession(*w->session));
      // The dispatcher cuts the groups; a worker commits at the end of each.
      o.group_max_transactions = UINT32_MAX;
      o.group_max_rows = UINT64_MAX;
      o.take_channel_lock = i == 0;
      Worker* wp = w.get();
      o.before_commit = [this, wp]() { return BeforeCommit(*wp); };
      o.after_commit = [this, wp](const Progress& p) { AfterCommit(*wp, p); };
    }
    w->applier = std::make_unique<TransactionApplier>(*w->session, o);
    workers_.push_back(std::move(w));
  }
  auto first = workers_[0]->applier->Start();
  lock_held_elsewhere_ = workers_[0]->applier->lock_held_elsewhere();
  if (!first.ok()) return first.status();
  for (size_t i = 1; i < workers_.size(); ++i) {
    auto p = workers_[i]->applier->Start();
    if (!p.ok()) return p.status();
  }
  progress_ = *first;
  if (parallel()) {
    planner_session_ = std::make_unique<ReplicaSession>();
    VOMSREPL_RETURN_IF_ERROR(planner_session_->Open(session_.config()));
    planner_ = std::make_unique<WritesetBuilder>(*planner_session_, options_.warn);
    for (auto& w : workers_) {
      Worker* wp = w.get();
      w->thread = std::thread([this, wp] { WorkerLoop(*wp); });
    }
  }
  started_ = true;
  return progress_;
}

Status ParallelApplier::BeforeCommit(Worker& w) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return failed_ || committed_ticket_ + 1 >= w.ticket; });
  if (failed_) return Aborted("rolled back: an earlier group failed on another connection");
  return Status::OK();
}

void ParallelApplier::AfterCommit(Worker& w, const Progress& p) {
  {
    std::lock_guard lock(mu_);
    if (p.seq < progress_.seq) {
      // Cannot happen while the tickets work; said loudly if it ever does.
      FailLocked(Internal("commit of journal seq " + std::to_string(p.seq) + " after seq " +
                          std::to_string(progress_.seq) + ": replica commits out of source order"));
    }
    committed_ticket_ = std::max(committed_ticket_, w.ticket);
    progress_ = p;
  }
  cv_.notify_all();
}

void ParallelApplier::FailLocked(Status st) {
  if (!failed_) {
    failed_ = true;
    error_ = std::move(st);
    failed_through_seq_ = highest_dispatched_seq_;
  }
}

void ParallelApplier::WorkerLoop(Worker& w) {
  for (;;) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stop_ || (!w.queue.empty() && !w.busy); });
    if (w.queue.empty() || (stop_ && failed_)) return;
    Group& g = w.queue.front();
    w.busy = true;
    w.ticket = g.ticket;
    const bool skip = failed_;
    lock.unlock();

    Status st = skip ? Aborted("rolled back: an earlier group failed") : Status::OK();
    for (const txn::Transaction& t : g.transactions) {
      if (!st.ok()) break;
      st = w.applier->Apply(t);
    }
    if (st.ok()) st = w.applier->Flush();
    if (!st.ok()) w.applier->Discard();

    lock.lock();
    if (st.ok()) {
      // A group whose transactions were all applied before (seq <= progress)
      // committed nothing: its ticket still passes in order.
      cv_.wait(lock, [&] { return failed_ || committed_ticket_ + 1 >= w.ticket; });
      if (!failed_) committed_ticket_ = std::max(committed_ticket_, w.ticket);
    } else if (st.code() != StatusCode::kAborted || !failed_) {
      FailLocked(std::move(st));
    }
    for (uint64_t k : g.keys) {
      auto it = inflight_.find(k);
      if (it != inflight_.end() && --it->second.second == 0) inflight_.erase(it);
    }
    w.queue.pop_front();
    w.busy = false;
    lock.unlock();
    cv_.notify_all();
  }
}

Status ParallelApplier::Dispatch() {
  if (building_.transactions.empty()) return Status::OK();
  Group g = std::move(building_);
  building_ = Group{};
  NormalizeWriteset(&g.keys);
  std::unique_lock lock(mu_);
  Worker* target = nullptr;
  bool waited = false;
  for (;;) {
    if (failed_) return ErrorWhenIdleLocked(lock);
    std::set<uint32_t> conflicts;
    for (uint64_t k : g.keys) {
      auto it = inflight_.find(k);
      if (it != inflight_.end()) conflicts.insert(it->second.first);
    }
    if (conflicts.size() == 1) {
      target = workers_[*conflicts.begin()].get();
    } else if (conflicts.empty()) {
      target = nullptr;
      for (auto& w : workers_)
        if (!target || w->queue.size() < target->queue.size()) target = w.get();
    } else {
      target = nullptr;
    }
    if (target && target->queue.size() < parallel_.queue_groups + 1) break;
    if (!target) waited = true;
    cv_.wait(lock);
  }
  if (waited) ++pstats_.conflict_waits;
  if (!target->queue.empty()) {
    bool chained = false;
    for (uint64_t k : g.keys) chained = chained || inflight_.count(k);
    if (chained) ++pstats_.groups_chained;
  }
  for (auto& w : workers_)
    if (w.get() != target && (w->busy || !w->queue.empty())) {
      ++pstats_.groups_overlapped;
      break;
    }
  g.ticket = next_ticket_++;
  for (uint64_t k : g.keys) {
    auto& slot = inflight_[k];
    slot.first = target->index;
    ++slot.second;
  }
  highest_dispatched_seq_ = std::max(highest_dispatched_seq_, g.transactions.back().seq);
  ++pstats_.groups;
  target->queue.push_back(std::move(g));
  lock.unlock();
  cv_.notify_all();
  return Status::OK();
}

// Every worker idle. After a failure the workers drain their queues (skipped
// groups) and a group that passed BeforeCommit before the failure finishes
// its commit: waiting for them makes progress() what the replica holds when
// the error is returned (it lagged by those commits before).
void ParallelApplier::WaitIdleLocked(std::unique_lock<std::mutex>& lock) {
  cv_.wait(lock, [&] {
    for (auto& w : workers_)
      if (w->busy || !w->queue.empty()) return false;
    return true;
  });
}

Status ParallelApplier::ErrorWhenIdleLocked(std::unique_lock<std::mutex>& lock) {
  WaitIdleLocked(lock);
  return error_;
}

Status ParallelApplier::WaitIdle() {
  std::unique_lock lock(mu_);
  WaitIdleLocked(lock);
  return failed_ ? error_ : Status::OK();
}

Status ParallelApplier::ApplyAlone(const txn::Transaction& t) {
  Worker& w0 = *workers_[0];
  if (!alone_open_) {
    VOMSREPL_RETURN_IF_ERROR(Dispatch());
    VOMSREPL_RETURN_IF_ERROR(WaitIdle());
    std::lock_guard lock(mu_);
    w0.ticket = next_ticket_++;
    highest_dispatched_seq_ = std::max(highest_dispatched_seq_, t.seq);
    ++pstats_.barriers;
    alone_open_ = true;
  }
  // Every worker is idle: this thread may use worker 0's applier.
  Status st = w0.applier->Apply(t);
  if (st.ok() && t.last_chunk) st = w0.applier->Flush();
  if (!st.ok()) {
    w0.applier->Discard();
    std::lock_guard lock(mu_);
    FailLocked(st);
    return st;
  }
  if (!t.last_chunk) return Status::OK();
  alone_open_ = false;
  {
    std::lock_guard lock(mu_);
    committed_ticket_ = std::max(committed_ticket_, w0.ticket);
  }
  if (t.has_statement) {
    // The DDL changed table definitions that the other connections cached.
    for (auto& w : workers_) w->applier->ForgetSchema();
    planner_->Clear();
  }
  return Status::OK();
}

Status ParallelApplier::Apply(const txn::Transaction& t) {
  if (!started_) return FailedPrecondition("ParallelApplier::Apply before Start()");
  if (!parallel()) return workers_[0]->applier->Apply(t);
  {
    std::unique_lock lock(mu_);
    if (failed_) return ErrorWhenIdleLocked(lock);
  }
  if (alone_open_ || t.has_statement || t.chunk != 0 || !t.last_chunk || t.seq <= parallel_.serial_through_seq)
    return ApplyAlone(t);
  const size_t mark = building_.keys.size();
  Status ws = planner_->Add(t, &building_.keys);
  if (!ws.ok()) {
    // The worker's applier will say what is wrong, if anything is; apply it
    // alone so that no guess about its keys is made.
    building_.keys.resize(mark);
    return ApplyAlone(t);
  }
  building_.transactions.push_back(t);
  building_.rows += t.row_count;
  if (building_.transactions.size() >= options_.group_max_transactions || building_.rows >= options_.group_max_rows)
    return Dispatch();
  return Status::OK();
}

Status ParallelApplier::Flush() {
  if (!started_) return Status::OK();
  if (!parallel()) return workers_[0]->applier->Flush();
  if (alone_open_) return Status::OK();  // a chunked transaction is not complete yet
  VOMSREPL_RETURN_IF_ERROR(Dispatch());
  return WaitIdle();
}

Progress ParallelApplier::progress() const {
  if (!parallel()) return workers_.empty() ? progress_ : workers_[0]->applier->progress();
  std::lock_guard lock(mu_);
  return progress_;
}

ApplierStats ParallelApplier::stats() const {
  ApplierStats sum;
  std::lock_guard lock(mu_);
  for (auto& w : workers_) {
    if (w->busy) continue;  // read when idle
    sum += w->applier->stats();
  }
  return sum;
}

RowApplierStats ParallelApplier::row_stats() const {
  RowApplierStats sum;
  std::lock_guard lock(mu_);
  for (auto& w : workers_) {
    if (w->busy) continue;
    sum += w->applier->row_stats();
  }
  return sum;
}

ParallelStats ParallelApplier::parallel_stats() const {
  std::lock_guard lock(mu_);
  return pstats_;
}

uint64_t ParallelApplier::failed_through_seq() const {
  std::lock_guard lock(mu_);
  return failed_through_seq_;
}

}  // namespace vomsrepl::apply
