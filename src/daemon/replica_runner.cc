#include "daemon/replica_runner.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include "apply/channel_lock.h"
#include "common/utc_time.h"
#include "daemon/replica_skip.h"
#include "ops/crash_point.h"

namespace vomsrepl::daemon {

using namespace std::chrono_literals;

constexpr auto kStoppedRefresh = 5s;

ReplicaRunner::ReplicaRunner(ReplicaRunnerOptions options, journal::Journal& journal, ops::Metrics* metrics)
    : options_(std::move(options)),
      crash_before_commit_("replica." + options_.name + ".before_commit"),
      crash_after_commit_("replica." + options_.name + ".after_commit"),
      crash_after_ddl_("replica." + options_.name + ".after_ddl"),
      journal_(journal),
      metrics_(metrics) {
  snapshot_.name = options_.name;
  snapshot_.state = "starting";
  snapshot_.delay_s = uint32_t(options_.delay.count());
  paused_ = !options_.start_enabled;
  if (paused_) snapshot_.state = "stopped";
  if (metrics_) {
    series_ = metrics_->Replica(options_.name);
    series_.delay_seconds->Set(double(options_.delay.count()));
  }
  uint64_t restored_retain = 0;
  // What the last run mirrored, until this run reads the replica's progress
  // row: a replica unreachable from the start shows its true lag, not all of
  // the journal.
  if (auto mirrors = journal_.ListReplicaMirrors(); mirrors.ok()) {
    for (const auto& [name, m] : *mirrors) {
      if (name != options_.name) continue;
      snapshot_.applied_seq = m.seq;
      snapshot_.gtid = m.gtid;
      snapshot_.position = m.position.ToString();
      snapshot_.commit_time = m.commit_time;
      snapshot_.applied_time = m.applied_time;
      restored_retain = m.retain_from;
      if (metrics_) series_.applied_seq->Set(double(m.seq));
    }
  }
  if (!options_.applier.warn) {
    std::string name = options_.name;
    options_.applier.warn = [name](const std::string& w) { spdlog::warn("replica {}: {}", name, w); };
  }
  holds_ = std::make_unique<HeldDatabases>(options_.name, options_.replica, options_.applier, journal_);
  holds_->Restore(restored_retain);
}

ReplicaRunner::~ReplicaRunner() { Shutdown(); }

void ReplicaRunner::Launch() { thread_ = std::thread([this] { Loop(); }); }

void ReplicaRunner::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

void ReplicaRunner::Stop() {
  std::lock_guard lock(mu_);
  paused_ = true;
  cv_.notify_all();
}

void ReplicaRunner::Start() {
  std::lock_guard lock(mu_);
  // Seen at once: a caller that waits for the next error or for "running" never
  // reads the state it has just left.
  if (paused_ && !shutdown_) {
    snapshot_.state = "starting";
    snapshot_.failed_seq = 0;
  }
  paused_ = false;
  cv_.notify_all();
}

Status ReplicaRunner::Skip(uint64_t seq) {
  std::lock_guard lock(mu_);
  VOMSREPL_RETURN_IF_ERROR(CheckSkip(options_.name, snapshot_.state, snapshot_.failed_seq, seq));
  snapshot_.skip_seq = seq;
  return Status::OK();
}

ReplicaSnapshot ReplicaRunner::Snapshot() const {
  ReplicaSnapshot s;
  {
    std::lock_guard lock(mu_);
    s = snapshot_;
  }
  s.held = holds_->List();
  return s;
}

bool ReplicaRunner::Paused() const {
  std::lock_guard lock(mu_);
  return paused_ || shutdown_;
}

void ReplicaRunner::SetState(std::string state, std::string error) {
  std::lock_guard lock(mu_);
  SetStateLocked(std::move(state), std::move(error));
}

void ReplicaRunner::SetStateLocked(std::string state, std::string error) {
  snapshot_.state = std::move(state);
  if (!error.empty()) snapshot_.last_error = std::move(error);
  if (metrics_) series_.running->Set(snapshot_.state == "running" ? 1 : 0);
}

void ReplicaRunner::MirrorState(const std::string& state) {
  auto mirrors = journal_.ListReplicaMirrors();
  if (!mirrors.ok()) return;
  for (auto& [name, m] : *mirrors) {
    if (name != options_.name) continue;
    m.state = state;
    Status st = journal_.SetReplicaMirror(options_.name, m);
    if (!st.ok()) spdlog::warn("replica {}: cannot record its state in the journal: {}", options_.name, st.ToString());
    return;
  }
}

void ReplicaRunner::Loop() {
  auto backoff = 250ms;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (paused_ && !shutdown_) {
        if (snapshot_.state.rfind("error", 0) != 0) snapshot_.state = "stopped";
        if (metrics_) series_.running->Set(0);
        const std::string state = snapshot_.state;
        lock.unlock();
        MirrorState(state);
        RefreshStoppedProgress();
        lock.lock();
      }
      while (!shutdown_ && paused_) {
        if (cv_.wait_for(lock, kStoppedRefresh, [&] { return shutdown_ || !paused_; })) break;
        lock.unlock();
        RefreshStoppedProgress();
        lock.lock();
      }
      if (shutdown_) return;
    }
    reached_running_ = false;
    Status st = Session();
    if (reached_running_) backoff = 250ms;  // this failure starts a new outage
    if (st.ok()) {
      backoff = 250ms;
      continue;  // paused or shut down: the wait above decides
    }
    if (metrics_) metrics_->Errors("apply").Increment();
    if (st.code() == StatusCode::kUnavailable) {
      auto now = std::chrono::steady_clock::now();
      if (!in_outage_) {
        in_outage_ = true;
        outage_start_ = now;
        outage_reminder_ = now + 60s;
        spdlog::warn("replica {}: {}; reconnecting with backoff (at most 30 s apart), then catching up from the journal",
                     options_.name, st.ToString());
        std::string state = "reconnecting since " + UtcNowText() + " (" + std::string(st.message()) + ")";
        SetState(state, st.ToString());
        MirrorState(state);
      } else {
        if (now >= outage_reminder_) {
          outage_reminder_ = now + 60s;
          spdlog::warn("replica {}: still unreachable after {} s; last error: {}", options_.name,
                       std::chrono::duration_cast<std::chrono::seconds>(now - outage_start_).count(), st.ToString());
        }
        std::lock_guard lock(mu_);
        snapshot_.last_error = st.ToString();
      }
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, backoff, [&] { return shutdown_ || paused_; });  // a stop ends the wait
      // Another feeder's runner holds the channel (a takeover, daemon/takeover.h):
      // it lets go as soon as that feeder sees it lost the lease; ask again each second.
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, lock_held_elsewhere_ ? 1s : 30s);
      continue;
    }
    in_outage_ = false;
    spdlog::error("replica {}: stopped: {}", options_.name, st.ToString());
    const std::string state = "error: " + st.ToString();
    {
      // One step, as /status and `replica skip` see it: the error, the transaction
      // it names and the pause (until an operator starts it again) together.
      std::lock_guard lock(mu_);
      // Only an error met while applying names a transaction that can be skipped.
      std::optional<uint64_t> failed = reached_running_ ? FailedJournalSeq(st.message()) : std::nullopt;
      snapshot_.failed_seq = failed && *failed > snapshot_.applied_seq ? *failed : 0;
      SetStateLocked(state, st.ToString());
      paused_ = true;
    }
    MirrorState(state);
  }
}

void ReplicaRunner::RefreshStoppedProgress() {
  apply::ReplicaSession session;
  if (!session.Open(options_.replica).ok()) return;
  apply::ApplierOptions o = options_.applier;
  o.take_channel_lock = false;
  apply::TransactionApplier reader(session, o);
  auto p = reader.ReadProgress();
  if (!p.ok()) return;
  journal::ReplicaMirror m;
  {
    std::lock_guard lock(mu_);
    if (p->seq == snapshot_.applied_seq && p->gtid == snapshot_.gtid) return;
    spdlog::info("replica {}: stopped, and its progress row moved from journal seq {} to {} (catchup or bootstrap)",
                 options_.name, snapshot_.applied_seq, p->seq);
    snapshot_.applied_seq = p->seq;
    snapshot_.gtid = p->gtid;
    snapshot_.position = p->position.ToString();
    auto commit = journal_.CommitTimeOf(p->seq);
    snapshot_.commit_time = commit.ok() ? uint32_t(*commit) : 0;
    snapshot_.applied_time = 0;
    m.seq = p->seq;
    m.gtid = p->gtid;
    m.position = p->position;
    m.commit_time = snapshot_.commit_time;
    m.state = snapshot_.state;
  }
  m.retain_from = holds_->RetainFrom();
  if (metrics_) series_.applied_seq->Set(double(p->seq));
  Status st = journal_.SetReplicaMirror(options_.name, m);
  if (!st.ok()) spdlog::warn("replica {}: cannot record its progress in the journal: {}", options_.name, st.ToString());
}

Status ReplicaRunner::AwaitJournalTail(const apply::Progress& p) {
  const uint64_t opened = journal_.opened_last_seq();
  if (tail_checked_ || p.seq <= opened) {
    tail_checked_ = true;
    return Status::OK();
  }
  auto source = [](const std::string& gtid, const BinlogPosition& position) {
    return "source " + (gtid.empty() ? std::string() : "GTID " + gtid + ", ") + position.ToString();
  };
  const std::string applied = "journal seq " + std::to_string(p.seq) + " (" + source(p.gtid, p.position) + ")";
  // A runner a reload restarted, the journal already past p.seq, checks the
  // transaction at once; any other says why it checks.
  const bool journaled_now = options_.started_by_reload && journal_.last_seq() >= p.seq;
  if (!journaled_now) spdlog::warn("replica {}: has applied {} but the journal ended at seq {} when it was opened: the journal lost a "
               "tail it had not synced (an OS crash or power cut with [journal] sync = periodic or none), a standby "
               "feeder took over and restarted the journal at a slower replica's point, or this is not the state "
               "directory that fed this replica; waiting for the master to stream it again, then checking that seq {} "
               "is the same source transaction",
               options_.name, applied, opened, p.seq);
  {
    std::lock_guard lock(mu_);
    snapshot_.applied_seq = p.seq;
    snapshot_.gtid = p.gtid;
    snapshot_.position = p.position.ToString();
  }
  SetState("waiting for the journal to reach seq " + std::to_string(p.seq) + " again (the replica applied it before "
           "the journal lost its tail)");
  while (!journal_.WaitForSeq(p.seq, 200ms)) {
    if (Paused()) return Status::OK();
  }
  auto reader = journal_.NewReader(p.seq);
  if (!reader.ok()) return reader.status();
  // last_seq() >= p.seq: every chunk of p.seq is there (a missing one is
  // Corruption from Next), so the reader never runs dry before its last.
  txn::Transaction t;
  do {
    auto next = (*reader)->Next(&t);
    if (!next.ok()) return next.status();
    if (!*next || t.seq != p.seq)
      return Internal("journal reader for complete seq " + std::to_string(p.seq) + " returned " +
                      (*next ? "seq " + std::to_string(t.seq) : std::string("nothing")));
  } while (!t.last_chunk);
  // The progress row's GTID decides when it has one (a journaled transaction
  // without one is another history); else the position after the
  // transaction, which the applier copied from the journal record.
  if (p.gtid.empty() && !t.source.gtid.empty()) {
    spdlog::warn("replica {}: its progress row names no GTID (as `vomsrepl bootstrap` writes it), so journal seq {} "
                 "(GTID {}) cannot be checked against it; continuing",
                 options_.name, p.seq, t.source.gtid);
    tail_checked_ = true;
    return Status::OK();
  }
  const bool same = p.gtid.empty() ? p.position == t.source.position : p.gtid == t.source.gtid;
  if (!same) {
    return FailedPrecondition(
        "replica " + options_.name + " has applied " + applied + " before the journal lost its tail, but the " +
        "journal's seq " + std::to_string(p.seq) + " is now " + source(t.source.gtid, t.source.position) +
        ": the journal was filled again from another history (a changed [filter], another master, or not the state "
        "directory that fed this replica). The replica is left as it is; compare it with `vomsrepl verify` and bring "
        "it back with `vomsrepl bootstrap`");
  }
  if (!journaled_now)
    spdlog::info("replica {}: the journal holds seq {} again, the same source transaction it applied; continuing",
                 options_.name, p.seq);
  tail_checked_ = true;
  return Status::OK();
}

Status ReplicaRunner::Session() {
  if (!in_outage_) SetState("starting");
  apply::ReplicaSession session;
  VOMSREPL_RETURN_IF_ERROR(session.Open(options_.replica));
  VOMSREPL_RETURN_IF_ERROR(session.Preflight());
  for (const auto& w : session.warnings()) spdlog::warn("{}", w);  // they name the replica
  if (options_.fence_after.count() > 0 && lock_held_elsewhere_ &&
      std::chrono::steady_clock::now() - lock_refused_since_ >= options_.fence_after) {
    auto killed = apply::FenceRunHolder(session, options_.applier.channel);
    if (!killed.ok()) {
      spdlog::warn("replica {}: cannot end the session of the other feeder's applier: {}", options_.name,
                   killed.status().ToString());
    } else if (!killed->empty()) {
      spdlog::warn("replica {}: the channel was held by another `vomsrepl run` (connection {}) for {} s after this "
                   "feeder took the lease: that feeder froze or lost its link without letting go; its connection "
                   "was ended (its open transaction rolls back)",
                   options_.name, *killed, options_.fence_after.count());
    }
  }
  apply::ApplierOptions applier_options = options_.applier;
  applier_options.replay_chunks = [this](uint64_t seq, uint32_t up_to_chunk, const auto& each) {
    if (holds_->empty()) return journal_.ReplayChunks(seq, up_to_chunk, each);
    // A held database stays out of a group applied again, as it was the first time.
    return journal_.ReplayChunks(seq, up_to_chunk, [&](const txn::Transaction& c) -> Status {
      VOMSREPL_ASSIGN_OR_RETURN(txn::Transaction rest, holds_->Strip(c));
      return each(rest);
    });
  };
  applier_options.after_ddl_statement = [this] { ops::CrashPoint(crash_after_ddl_); };
  apply::ParallelOptions parallel = options_.parallel;
  parallel.serial_through_seq = std::max(parallel.serial_through_seq, serial_through_seq_);
  apply::ParallelApplier applier(session, applier_options, parallel);
  // After a failure with several connections, the failed range is applied
  // again on one (parallel_applier.h).
  struct RememberFailure {
    apply::ParallelApplier& a;
    uint64_t& out;
    const std::string& name;
    ~RememberFailure() {
      out = std::max(out, a.failed_through_seq());
      if (a.workers() > 1) {
        apply::ParallelStats s = a.parallel_stats();
        spdlog::info("replica {}: {} connections applied {} groups: {} at the same time as another, {} after a "
                     "group sharing a key, {} waits for two busy connections, {} transactions alone",
                     name, a.workers(), s.groups, s.groups_overlapped, s.groups_chained, s.conflict_waits, s.barriers);
      }
    }
  } remember{applier, serial_through_seq_, options_.name};
  auto progress = applier.Start();
  const bool was_held = lock_held_elsewhere_;
  lock_held_elsewhere_ = !progress.ok() && applier.lock_held_elsewhere();
  if (lock_held_elsewhere_ && !was_held) lock_refused_since_ = std::chrono::steady_clock::now();
  if (!progress.ok()) return progress.status();
  if (applier.workers() > 1)
    spdlog::info("replica {}: applying on {} connections (writeset-parallel, commits in source order)", options_.name,
                 applier.workers());
  VOMSREPL_RETURN_IF_ERROR(AwaitJournalTail(*progress));
  if (Paused()) return Status::OK();
  VOMSREPL_RETURN_IF_ERROR(holds_->Load(session));
  const uint64_t last = journal_.last_seq();
  auto reader = journal_.NewReader(progress->seq + 1);
  if (!reader.ok()) {
    if (reader.status().code() == StatusCode::kNotFound) {
      return FailedPrecondition("replica " + options_.name + " needs journal seq " + std::to_string(progress->seq + 1) +
                                " which this journal no longer holds: retention removed it, or a standby's "
                                "takeover restarted the journal after it (`takeover:` in the log) (" +
                                std::string(reader.status().message()) + "): bring it back with `vomsrepl bootstrap`");
    }
    return reader.status();
  }
  if (progress->position.empty()) {
    spdlog::info("replica {}: starting at journal seq {} (its progress row records no transaction applied yet)",
                 options_.name, progress->seq + 1);
  } else {
    spdlog::info("replica {}: resuming at journal seq {}, the transaction after master binlog position {} that it "
                 "applied last", options_.name, progress->seq + 1, progress->position.ToString());
  }
  if (in_outage_) {
    in_outage_ = false;
    spdlog::info("replica {}: reachable again after {} s; catching up from journal seq {} ({} journaled)", options_.name,
                 std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - outage_start_).count(),
                 progress->seq + 1, last);
  }
  {
    std::lock_guard lock(mu_);
    SetStateLocked("running");
    snapshot_.failed_seq = 0;
  }
  reached_running_ = true;
  return ApplyFromJournal(applier, **reader);
}

Status ReplicaRunner::Publish(const apply::ParallelApplier& applier, SessionCounters& c, bool force) {
  const apply::Progress p = applier.progress();
  auto now = std::chrono::steady_clock::now();
  if (!force && (p.seq == c.mirrored_seq || now - c.last_mirror < 500ms)) return Status::OK();
  journal::ReplicaMirror m;
  m.seq = p.seq;
  m.gtid = p.gtid;
  m.position = p.position;
  m.applied_time = UnixNow();
  m.commit_time = c.last_commit_time;
  m.state = "running";
  m.retain_from = holds_->RetainFrom();
  Status st = journal_.SetReplicaMirror(options_.name, m);
  c.mirrored_seq = p.seq;
  c.last_mirror = now;
  {
    std::lock_guard lock(mu_);
    snapshot_.applied_seq = p.seq;
    snapshot_.gtid = p.gtid;
    snapshot_.position = p.position.ToString();
    snapshot_.commit_time = c.last_commit_time;
    snapshot_.applied_time = m.applied_time;
  }
  if (metrics_) {
    series_.applied_seq->Set(double(p.seq));
    // stats() leaves out busy connections: a counter only moves up.
    const apply::ApplierStats s = applier.stats();
    if (s.commits > c.counted.commits) series_.commits->Increment(double(s.commits - c.counted.commits));
    if (s.careful_retries > c.counted.careful_retries)
      series_.careful_retries->Increment(double(s.careful_retries - c.counted.careful_retries));
    c.counted.commits = std::max(c.counted.commits, s.commits);
    c.counted.careful_retries = std::max(c.counted.careful_retries, s.careful_retries);
  }
  return st;
}

bool ReplicaRunner::TakeSkip(const txn::Transaction& t) {
  bool skip = false;
  {
    std::lock_guard lock(mu_);
    if (snapshot_.skip_seq != 0 && t.seq >= snapshot_.skip_seq) {
      skip = t.seq == snapshot_.skip_seq;
      if (t.last_chunk || !skip) snapshot_.skip_seq = 0;
    }
  }
  if (skip && t.chunk == 0) {
    spdlog::warn("replica {}: SKIPPING journal seq {} (GTID {}, source {}; tables: {}) on operator request: its "
                 "changes never reach this replica",
                 options_.name, t.seq, t.source.gtid.empty() ? "none" : t.source.gtid, t.source.position.ToString(),
                 TablesOf(t));
    if (metrics_) series_.skips->Increment();
  }
  return skip;
}

int64_t ReplicaRunner::DueTime(const txn::Transaction& t) const {
  if (options_.delay.count() == 0 || t.chunk != 0) return 0;
  // The commit time travels on the last chunk; the reader only returns
  // complete transactions, so the journal has it for a chunked one.
  int64_t commit = t.last_chunk ? int64_t(t.source.commit_time) : 0;
  if (commit == 0) {
    auto c = journal_.CommitTimeOf(t.seq);
    if (c.ok()) commit = *c;
  }
  if (commit == 0) return 0;
  const int64_t due = commit + options_.delay.count();
  return due > UnixNow() ? due : 0;
}

bool ReplicaRunner::WaitUntilDue(int64_t due) {
  std::unique_lock lock(mu_);
  snapshot_.delayed_until = due;
  for (;;) {
    const int64_t now = UnixNow();
    if (now >= due || paused_ || shutdown_) break;
    cv_.wait_for(lock, std::chrono::seconds(std::min<int64_t>(due - now, 1)));
  }
  snapshot_.delayed_until = 0;
  return !(paused_ || shutdown_);
}

Status ReplicaRunner::ApplyFromJournal(apply::ParallelApplier& applier, journal::JournalReader& reader) {
  txn::Transaction t;
  SessionCounters counters;
  // Test hooks (crash_point.h). `complete_pending`: the open group ends with
  // a complete transaction beyond the progress row, so Flush() commits it.
  bool complete_pending = false;
  auto flush = [&]() -> Status {
    if (complete_pending) ops::CrashPoint(crash_before_commit_);
    const uint64_t before = applier.progress().seq;
    VOMSREPL_RETURN_IF_ERROR(applier.Flush());
    if (applier.progress().seq != before) ops::CrashPoint(crash_after_commit_);
    complete_pending = false;
    return Status::OK();
  };

  for (;;) {
    if (Paused()) {
      VOMSREPL_RETURN_IF_ERROR(flush());
      return Publish(applier, counters, true);
    }
    auto next = reader.Next(&t);
    if (!next.ok()) return next.status();
    if (!*next) {
      VOMSREPL_RETURN_IF_ERROR(flush());
      VOMSREPL_RETURN_IF_ERROR(Publish(applier, counters, false));
      VOMSREPL_RETURN_IF_ERROR(holds_->Idle(applier.progress().seq));
      journal_.WaitForSeq(reader.next_seq(), 200ms);
      continue;
    }
    if (const int64_t due = DueTime(t); due != 0) {
      // Delayed: what is applied is committed, then the runner waits.
      VOMSREPL_RETURN_IF_ERROR(flush());
      VOMSREPL_RETURN_IF_ERROR(Publish(applier, counters, true));
      if (!WaitUntilDue(due)) continue;  // stopped: the loop's top returns; this seq comes again
    }
    const bool skip = TakeSkip(t);
    // A skipped transaction's changes go, held or not (a statement a hold
    // cannot split is one an operator may skip).
    if (!skip) {
      VOMSREPL_RETURN_IF_ERROR(holds_->Prepare(t, [&]() -> Result<uint64_t> {
        VOMSREPL_RETURN_IF_ERROR(flush());
        return applier.progress().seq;
      }));
    }
    if (skip) {
      // The skip commits on its own: in a group, a failure of a later
      // transaction would roll it back with the group, and the restart would
      // meet the skipped transaction again (skip N, fail at N+1, skip N+1,
      // fail at N again, for ever).
      if (t.chunk == 0) VOMSREPL_RETURN_IF_ERROR(flush());
      t.ClearChanges();
    }
    const uint64_t before = applier.progress().seq;
    VOMSREPL_RETURN_IF_ERROR(applier.Apply(t));
    if (skip && t.last_chunk) VOMSREPL_RETURN_IF_ERROR(flush());
    if (applier.progress().seq != before) ops::CrashPoint(crash_after_commit_);  // the group filled up, or a DDL
    if (t.seq > applier.progress().seq) complete_pending = t.last_chunk;
    else if (applier.progress().seq != before) complete_pending = false;
    if (t.last_chunk) {
      counters.last_commit_time = t.source.commit_time;
      std::lock_guard lock(mu_);
      ++snapshot_.transactions;
      if (metrics_) {
        series_.transactions->Increment();
        series_.rows->Increment(double(t.row_count));
      }
    }
    VOMSREPL_RETURN_IF_ERROR(Publish(applier, counters, false));
  }
}

}  // namespace vomsrepl::daemon
