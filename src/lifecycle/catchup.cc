#include "lifecycle/catchup.h"

#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include <algorithm>
#include <optional>

#include <vomsrepl/progress.h>

#include "apply/sql_identifier.h"
#include "common/utc_time.h"
#include "journal/journal.h"
#include "lifecycle/source_alignment.h"
#include "source/file_stream.h"
#include "pipeline/stream_pipeline.h"
#include "source/master_session.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::lifecycle {

namespace {

using Clock = std::chrono::steady_clock;

void Say(const CatchupOptions& o, const std::string& line) {
  if (o.out) {
    std::fprintf(o.out, "%s\n", line.c_str());
    std::fflush(o.out);
  }
}

txn::SourcePoint PointOf(const apply::Progress& p) {
  txn::SourcePoint s;
  s.position = p.position;
  s.gtid = p.gtid;
  if (auto list = MariadbGtidList::Parse(p.gtid_state); list.ok()) s.gtid_state = std::move(*list);
  return s;
}

std::string Describe(const apply::Progress& p) {
  std::string s = "journal seq " + std::to_string(p.seq);
  s += ", position " + (p.position.empty() ? std::string("(none)") : p.position.ToString());
  s += ", GTID state " + (p.gtid_state.empty() ? std::string("(none)") : p.gtid_state);
  if (!p.applied_at.empty()) s += ", applied at " + p.applied_at + " UTC";
  return s;
}

// Is the replica already at or past the target? (GTID and position targets:
// known from the progress row alone.)
bool PastTarget(const CatchupTarget& target, const apply::Progress& p) {
  if (target.kind() == CatchupTarget::Kind::kTime) return false;
  if (target.kind() == CatchupTarget::Kind::kPosition && p.position.empty()) return false;
  return target.Reached(PointOf(p));
}

bool BeyondOrFalse(const CatchupTarget& target, const txn::SourcePoint& p) {
  auto b = target.Beyond(p);
  return b.ok() && *b;
}

// Where the journal takes over from a stream: the journal's first
// transaction (inclusive: a stream transaction ending there is journal
// transaction `seq`), or, for an empty journal, the feeder's checkpoint
// (exclusive: what ends after it will be journaled from seq 1).
struct Handover {
  txn::SourcePoint point;
  bool inclusive = true;
  uint64_t seq = 0;  // the first journal seq after the handover

  // Does the transaction ending at `p` belong to the journal?
  bool InJournal(const txn::SourcePoint& p) const {
    auto a = MariadbGtid::Parse(p.gtid);
    if (!p.gtid.empty() && a.ok()) {
      uint64_t edge = 0;
      bool known = false;
      if (inclusive) {
        auto b = MariadbGtid::Parse(point.gtid);
        if (!point.gtid.empty() && b.ok() && b->domain_id == a->domain_id) edge = b->seq_no, known = true;
      } else if (const MariadbGtid* b = point.gtid_state.Find(a->domain_id)) {
        edge = b->seq_no, known = true;
      }
      if (known) return inclusive ? a->seq_no >= edge : a->seq_no > edge;
    }
    if (p.position.empty() || point.position.empty()) return false;
    int c = CompareBinlogPositions(p.position, point.position);
    return inclusive ? c >= 0 : c > 0;
  }
};

// Applies transactions in source order and stops at the target.
class UntilApplier {
 public:
  UntilApplier(apply::TransactionApplier& applier, const CatchupTarget& target) : applier_(applier), target_(target) {}

  // True when the target is met (or the transaction lies beyond it, in
  // which case it was not applied): stop feeding.
  Result<bool> Offer(const txn::Transaction& t) {
    if (t.chunk == 0 && !t.last_chunk) {
      // A chunked transaction: its end (and so Beyond) is known only at its
      // last chunk. Commit what precedes it, so that a rollback drops only it.
      VOMSREPL_RETURN_IF_ERROR(applier_.Flush());
      chunked_open_ = true;
    }
    if (t.last_chunk) {
      VOMSREPL_ASSIGN_OR_RETURN(bool beyond, target_.Beyond(t.source));
      if (beyond) {
        if (chunked_open_) applier_.Discard();
        chunked_open_ = false;
        VOMSREPL_RETURN_IF_ERROR(applier_.Flush());
        stopped_before_ = t.source;
        return true;
      }
    }
    VOMSREPL_RETURN_IF_ERROR(applier_.Apply(t));
    if (!t.last_chunk) return false;
    transactions_.store(transactions_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    rows_.store(rows_.load(std::memory_order_relaxed) + t.row_count, std::memory_order_relaxed);
    last_commit_time_ = t.source.commit_time;
    if (chunked_open_) {
      VOMSREPL_RETURN_IF_ERROR(applier_.Flush());
      chunked_open_ = false;
    }
    if (target_.Reached(t.source)) {
      VOMSREPL_RETURN_IF_ERROR(applier_.Flush());
      return true;
    }
    return false;
  }
  // A transaction cut by a reconnect is sent again from its start.
  void AbandonChunks() {
    if (chunked_open_) applier_.Discard();
    chunked_open_ = false;
  }
  Status Flush() { return applier_.Flush(); }

  // Also read by the progress reporter's thread.
  uint64_t transactions() const { return transactions_.load(std::memory_order_relaxed); }
  uint64_t rows() const { return rows_.load(std::memory_order_relaxed); }
  uint32_t last_commit_time() const { return last_commit_time_; }
  const std::optional<txn::SourcePoint>& stopped_before() const { return stopped_before_; }

 private:
  apply::TransactionApplier& applier_;
  const CatchupTarget& target_;
  bool chunked_open_ = false;
  std::atomic<uint64_t> transactions_{0}, rows_{0};
  uint32_t last_commit_time_ = 0;
  std::optional<txn::SourcePoint> stopped_before_;
};

bool JournalExists(const std::string& state_dir) {
  struct stat st;
  return !state_dir.empty() && ::stat((state_dir + "/journal").c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The source point of journal transaction `seq` (its last chunk).
Result<txn::SourcePoint> JournalPoint(const journal::Journal& j, uint64_t seq) {
  VOMSREPL_ASSIGN_OR_RETURN(auto reader, j.NewReader(seq));
  txn::Transaction t;
  for (;;) {
    VOMSREPL_ASSIGN_OR_RETURN(bool more, reader->Next(&t));
    if (!more) return NotFound("journal seq " + std::to_string(seq) + " is not complete yet");
    if (t.seq != seq) return NotFound("journal seq " + std::to_string(seq) + " not found");
    if (t.last_chunk) return t.source;
  }
}

// Counts journal transactions in [from, last] that the target admits.
Result<uint64_t> CountUntil(const journal::Journal& j, uint64_t from, const CatchupTarget& target) {
  if (from > j.last_seq()) return uint64_t{0};
  VOMSREPL_ASSIGN_OR_RETURN(auto reader, j.NewReader(from));
  txn::Transaction t;
  uint64_t n = 0;
  for (;;) {
    VOMSREPL_ASSIGN_OR_RETURN(bool more, reader->Next(&t));
    if (!more) return n;
    if (!t.last_chunk) continue;
    auto beyond = target.Beyond(t.source);
    if (!beyond.ok()) return beyond.status();
    if (*beyond) return n;
    ++n;
    if (target.Reached(t.source)) return n;
  }
}

Status MasterBinlogs(const source::MasterConfig& config, std::string* oldest, std::string* current) {
  source::MasterSession s;
  VOMSREPL_RETURN_IF_ERROR(s.Open(config));
  VOMSREPL_ASSIGN_OR_RETURN(auto logs, s.Query("SHOW BINARY LOGS"));
  if (!logs.empty() && logs.front()[0]) *oldest = *logs.front()[0];
  VOMSREPL_ASSIGN_OR_RETURN(auto status, s.Query("SHOW MASTER STATUS"));
  if (!status.empty() && status[0].size() >= 2 && status[0][0] && status[0][1])
    *current = *status[0][0] + ":" + *status[0][1];
  return Status::OK();
}

// What the journal phase does at the journal's end: wait for the feeder.
struct JournalPhase {
  const CatchupOptions& o;
  const CatchupTarget& target;
  std::unique_ptr<journal::Journal>& journal;

  // A time target in the past, and the feeder has read the master's binlog
  // to its current end: nothing more can come before the target.
  bool MasterQuietBefore(const txn::SourcePoint& checkpoint) const {
    const int64_t now = UnixNow();
    if (target.time() > now || o.master.defaults_file.empty()) return false;
    std::string oldest, current;
    if (!MasterBinlogs(o.master, &oldest, &current).ok()) return false;
    auto end = BinlogPosition::Parse(current);
    return end.ok() && !checkpoint.position.empty() && CompareBinlogPositions(checkpoint.position, *end) >= 0;
  }

  // Applies journal transactions after `after_seq` until the target.
  Status Run(UntilApplier& until, apply::TransactionApplier& applier, uint64_t after_seq) {
    const auto deadline = Clock::now() + o.wait_timeout;
    uint64_t next_seq = after_seq + 1;
    uint64_t polls = 0;
    for (;;) {
      VOMSREPL_ASSIGN_OR_RETURN(auto reader, journal->NewReader(next_seq));
      txn::Transaction t;
      for (;;) {
        VOMSREPL_ASSIGN_OR_RETURN(bool more, reader->Next(&t));
        if (!more) break;
        VOMSREPL_ASSIGN_OR_RETURN(bool done, until.Offer(t));
        if (done) return Status::OK();
        if (t.last_chunk) next_seq = t.seq + 1;
      }
      VOMSREPL_RETURN_IF_ERROR(until.Flush());
      VOMSREPL_ASSIGN_OR_RETURN(journal::SourceCheckpoint cp, journal->checkpoint());
      if (target.PassedBy(cp.source) || BeyondOrFalse(target, cp.source)) return Status::OK();
      if (target.kind() == CatchupTarget::Kind::kTime && ++polls % 5 == 0 && MasterQuietBefore(cp.source))
        return Status::OK();
      if (Clock::now() >= deadline) {
        return Unavailable("the journal ends at seq " + std::to_string(journal->last_seq()) +
                           " and the feeder's source checkpoint (" + cp.source.position.ToString() + ", GTID state " +
                           cp.source.gtid_state.ToString() + ") has not reached the target " + target.ToString() +
                           " within " + std::to_string(o.wait_timeout.count()) +
                           " s: is `vomsrepl run` running and the master writing? The replica is at " +
                           Describe(applier.progress()) + "; run catchup again to go on");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      // A read-only instance sees the journal as of its open: reopen.
      journal.reset();
      VOMSREPL_ASSIGN_OR_RETURN(journal, journal::Journal::OpenReadOnly(o.state_dir));
    }
  }
};

// Files or the master, through the filters, until the target or until the
// journal takes over.
class StreamSink final : public txn::TransactionSink {
 public:
  StreamSink(UntilApplier& until, const CatchupTarget& target, uint64_t record_seq,
             const std::optional<Handover>& handover)
      : until_(until), target_(target), record_seq_(record_seq), handover_(handover) {}

  Status OnTransaction(txn::Transaction&& t) override {
    if (t.last_chunk && handover_ && handover_->InJournal(t.source)) {
      until_.AbandonChunks();
      handed_over_ = true;
      return Aborted("handover");
    }
    t.seq = record_seq_;
    VOMSREPL_ASSIGN_OR_RETURN(bool done, until_.Offer(t));
    if (done) {
      done_ = true;
      return Aborted("target");
    }
    return Status::OK();
  }
  Status OnPositionAdvanced(const txn::SourcePoint& point) override {
    checkpoint_ = point;
    if (handover_ && handover_->InJournal(point)) {
      handed_over_ = true;
      return Aborted("handover");
    }
    if (target_.PassedBy(point) || BeyondOrFalse(target_, point)) {
      done_ = true;
      return Aborted("target");
    }
    return Status::OK();
  }
  Status OnAbandon(uint32_t) override {
    until_.AbandonChunks();
    return Status::OK();
  }

  bool done() const { return done_; }
  bool handed_over() const { return handed_over_; }
  const txn::SourcePoint& checkpoint() const { return checkpoint_; }

 private:
  UntilApplier& until_;
  const CatchupTarget& target_;
  uint64_t record_seq_;
  const std::optional<Handover>& handover_;
  bool done_ = false, handed_over_ = false;
  txn::SourcePoint checkpoint_;
};

// Where the transactions the replica needs next come from.
enum class Stream { kNone, kFiles, kMaster };

// One catchup, in named steps: open the replica (its progress row says where it is),
// read the journal, choose the source and say the plan, then stream (files or the
// master) until the target or the journal, then the journal until the target.
class CatchupRun {
 public:
  CatchupRun(CatchupOptions& o) : o_(o), target_(o.target) {}

  Result<CatchupResult> Run() {
    VOMSREPL_RETURN_IF_ERROR(OpenReplica());
    const apply::Progress& before = result_.before;
    Say(o_, "catchup plan for replica " + o_.replica.name + " (channel " + o_.applier.channel + "):");
    Say(o_, "  replica at: " + Describe(before));
    Say(o_, "  target:     " + target_.ToString());
    if (PastTarget(target_, before)) {
      Say(o_, "  nothing to do: the replica is already at or past the target (catchup never goes back; to go back, "
              "restore a backup taken before the target and catch it up from there)");
      return result_;
    }
    if (before.ddl_seq_pending) {
      Say(o_, "  note: a DDL (journal seq " + std::to_string(*before.ddl_seq_pending) +
                  ") may or may not have run before the last stop; it is recognised when it comes again");
    }
    VOMSREPL_RETURN_IF_ERROR(ReadJournal());
    VOMSREPL_RETURN_IF_ERROR(ChooseSource());
    SayProgressRowAndEstimate();
    result_.sources = plan_source_;
    if (o_.plan_only) return result_;

    const auto t0 = Clock::now();
    UntilApplier until(*applier_, target_);
    std::optional<ProgressReporter> progress;
    if (o_.progress) {
      ProgressReporter::Options po = StderrProgress("catchup " + o_.replica.name, "transactions", o_.progress_interval);
      po.poll = [&until, estimate = estimate_](ProgressReporter& p) {
        p.SetDone(until.transactions());
        p.SetTotal(estimate == 0 ? 0 : std::max<uint64_t>(estimate, until.transactions()));
        p.SetDetail(", " + GroupedCount(until.rows()) + " rows");
      };
      progress.emplace(std::move(po));
    }
    bool done = false;
    uint64_t journal_from = before.seq;
    if (stream_ != Stream::kNone) VOMSREPL_RETURN_IF_ERROR(StreamPhase(until, &done, &journal_from));
    if (!done) {
      JournalPhase phase{o_, target_, journal_};
      VOMSREPL_RETURN_IF_ERROR(phase.Run(until, *applier_, journal_from));
    }
    VOMSREPL_RETURN_IF_ERROR(until.Flush());
    if (progress) progress->Stop();
    result_.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    result_.transactions = until.transactions();
    result_.rows = until.rows();
    result_.after = applier_->progress();
    result_.reached = true;
    RecordRate();
    if (until.stopped_before() && o_.log)
      o_.log("stopped before the transaction ending at " + until.stopped_before()->position.ToString() +
             (until.stopped_before()->gtid.empty() ? "" : " (GTID " + until.stopped_before()->gtid + ")"));
    return result_;
  }

 private:
  // The replica's session, preflight, channel lock and progress row.
  Status OpenReplica() {
    VOMSREPL_RETURN_IF_ERROR(session_.Open(o_.replica));
    VOMSREPL_RETURN_IF_ERROR(session_.Preflight());
    for (const auto& w : session_.warnings()) {
      if (o_.log) o_.log(w);
    }
    applier_.emplace(session_, o_.applier);
    auto started = applier_->Start();
    if (!started.ok()) {
      if (applier_->lock_held_elsewhere()) return FailedPrecondition(std::string(started.status().message()));
      return started.status();
    }
    result_.before = result_.after = *started;
    return Status::OK();
  }

  // Does the journal hold what the replica needs next, and if not, where would a
  // stream hand over to it?
  Status ReadJournal() {
    const apply::Progress& before = result_.before;
    if (!JournalExists(o_.state_dir)) {
      Say(o_, "  journal:    none in " + o_.state_dir + " (no daemon has run there)");
      return Status::OK();
    }
    VOMSREPL_ASSIGN_OR_RETURN(journal_, journal::Journal::OpenReadOnly(o_.state_dir));
    VOMSREPL_ASSIGN_OR_RETURN(journal::SourceCheckpoint cp, journal_->checkpoint());
    const uint64_t first = journal_->first_seq(), last = journal_->last_seq();
    Say(o_, "  journal:    " + (last == 0 ? std::string("empty") : "seq " + std::to_string(first) + ".." +
                                                                    std::to_string(last)) +
                "; the feeder has read the master up to " +
                (cp.source.position.empty() ? std::string("(nothing yet)") : cp.source.position.ToString()) +
                " (GTID state " + (cp.source.gtid_state.empty() ? std::string("none") : cp.source.gtid_state.ToString()) +
                ")");
    if (before.seq > last)
      return FailedPrecondition("replica " + o_.replica.name + " has applied journal seq " + std::to_string(before.seq) +
                                " but the journal in " + o_.state_dir + " ends at " + std::to_string(last) +
                                ": it was fed from another state directory");
    if (last > 0) {
      journal_holds_next_ = before.seq + 1 >= first;
      if (!journal_holds_next_) {
        VOMSREPL_ASSIGN_OR_RETURN(txn::SourcePoint p, JournalPoint(*journal_, first));
        handover_ = Handover{std::move(p), true, first};
      }
    } else {
      // Nothing journaled yet: what ends after the checkpoint will be.
      Handover h{cp.source, false, 1};
      if (!cp.source.position.empty() && !before.position.empty() && !h.InJournal(PointOf(before))) {
        handover_ = h;  // the replica is behind the checkpoint: stream up to it
      } else {
        journal_holds_next_ = true;  // wait for the feeder to journal what follows
      }
    }
    return Status::OK();
  }

  // The journal, the files or the master, and where a stream starts.
  Status ChooseSource() {
    const apply::Progress& before = result_.before;
    if (!journal_holds_next_) stream_ = o_.files.empty() ? Stream::kMaster : Stream::kFiles;
    if (journal_holds_next_ && !o_.files.empty())
      Say(o_, "  note: the journal holds what the replica needs next; --from-files is not needed and not read");
    const txn::SourcePoint at = PointOf(before);
    if (stream_ != Stream::kNone && at.gtid_state.empty() && at.position.empty())
      return FailedPrecondition("replica " + o_.replica.name +
                                " has no source position in its progress row: fill it with `vomsrepl bootstrap` first");
    start_ = source::StartPoint::After(at.gtid_state, at.position);
    if (stream_ == Stream::kNone) {
      VOMSREPL_ASSIGN_OR_RETURN(estimate_, CountUntil(*journal_, before.seq + 1, target_));
      plan_source_ = "journal";
      Say(o_, "  source:     the journal from seq " + std::to_string(before.seq + 1) + ": " + std::to_string(estimate_) +
                  " transactions journaled so far lie before the target");
      return Status::OK();
    }
    if (stream_ == Stream::kFiles) {
      plan_source_ = "files";
      Say(o_, "  source:     " + std::to_string(o_.files.size()) + " binlog file(s) from " + o_.files.front() + ", " +
                  start_.Describe());
    } else {
      plan_source_ = "master";
      std::string oldest, current;
      Status logs = MasterBinlogs(o_.master, &oldest, &current);
      if (!logs.ok()) return logs.WithContext("catchup needs the master (the journal does not hold it)");
      Say(o_, "  master:     binlogs " + oldest + " .. " + current + " (" + o_.master.Describe() + ")");
      if (start_.from == source::StartFrom::kPosition && !oldest.empty() &&
          CompareBinlogPositions(start_.position, BinlogPosition{oldest, 4}) < 0) {
        return Status(StatusCode::kBinlogPurged,
                      "the master has purged " + start_.position.file + " (its oldest binlog is " + oldest +
                          "), which replica " + o_.replica.name +
                          " needs next: catchup cannot fill the gap; copy the database again with `vomsrepl "
                          "bootstrap --replica " + o_.replica.name + " --db DB`, or give the binlog files with "
                          "--from-files");
      }
      Say(o_, "  source:     the master's binlog " + start_.Describe() + " (server id " +
                  (o_.stream_server_id ? std::to_string(o_.stream_server_id) : std::string("picked free at connect")) +
                  "), filtered and renamed as the feeder does");
    }
    if (handover_) {
      plan_source_ += "+journal";
      Say(o_, "  then:       the journal from seq " + std::to_string(handover_->seq) + " once the stream reaches " +
                  handover_->point.position.ToString());
    }
    return Status::OK();
  }

  // What the progress row will say about the journal while catchup applies (the
  // runner of `vomsrepl run` resumes from that journal seq), and how long it takes.
  void SayProgressRowAndEstimate() {
    Say(o_, "  progress row: " +
                std::string(stream_ == Stream::kNone
                                ? "each transaction's own journal seq (all of them come from the journal)"
                            : journal_ ? "journal seq 0 for the transactions read from the binlog (the journal no longer "
                                         "holds them), then the journal's own seqs once it takes over"
                                       : "journal seq stays " + std::to_string(result_.before.seq) +
                                             " for the transactions read from the binlog (there is no journal)"));
    // Estimate from the last measured catchup of this replica.
    auto rate_rows = session_.QueryPrepared(
        "SELECT `transactions` / GREATEST(`seconds`, 0.001) FROM " + apply::QuoteIdentifier(o_.replica.state_schema) +
            ".`catchup_runs` WHERE `channel` = ? AND `transactions` > 0 ORDER BY `finished_at` DESC LIMIT 1",
        {o_.applier.channel});
    double measured_rate = 0;
    if (rate_rows.ok() && !rate_rows->empty() && (*rate_rows)[0][0])
      measured_rate = std::strtod((*rate_rows)[0][0]->c_str(), nullptr);
    if (measured_rate > 0 && estimate_ > 0) {
      char line[160];
      std::snprintf(line, sizeof line, "  estimate:   %.0f s at %.0f transactions/s (the last catchup of this replica)",
                    estimate_ / measured_rate, measured_rate);
      Say(o_, line);
    } else {
      Say(o_, std::string("  estimate:   ") +
                  (estimate_ == 0 && stream_ != Stream::kNone ? "the stream's size is not known before reading it; "
                                                              : "no earlier catchup of this replica measured; ") +
                  "the progress line shows the measured rate and ETA");
    }
  }

  // The binlog files or the master's binlog through the filters, from start_, until
  // the target (*done) or until the journal takes over (*journal_from: the seq
  // before the journal's first transaction to apply).
  Status StreamPhase(UntilApplier& until, bool* done, uint64_t* journal_from) {
    const uint64_t record_seq = journal_ ? 0 : result_.before.seq;
    StreamSink sink(until, target_, record_seq, handover_);
    txn::AssemblerOptions aopts;
    aopts.max_transaction_bytes = o_.max_transaction_bytes;
    txn::TransactionAssembler assembler(o_.rules, sink, aopts);
    assembler.Reset(start_.gtids);
    pipeline::StreamPipeline pipeline(assembler);
    Status st;
    if (stream_ == Stream::kFiles) {
      source::FileStreamOptions fo;
      fo.files = o_.files;
      Status at = fo.SetStart(start_);
      if (!at.ok()) return at.WithContext("replica " + o_.replica.name + ": --from-files");
      source::FileStream files(fo);
      VOMSREPL_RETURN_IF_ERROR(files.Validate());
      st = pipeline.RunFiles(files);
    } else {
      source::MasterConfig mc = o_.master;
      mc.server_id = o_.stream_server_id;
      mc.pick_server_id = o_.stream_server_id == 0;
      mc.avoid_server_ids = {o_.master.server_id};
      mc.holds_server_id_lock = false;
      mc.feeder_server_id = false;  // its own stream, not the feeder's
      mc.retry_duplicate_server_id = false;
      mc.blocking = false;
      mc.report_host = "vomsrepl-catchup";
      mc.start = start_;
      source::MasterStream master(mc);
      VOMSREPL_RETURN_IF_ERROR(master.Connect());
      st = pipeline.RunMaster(master, [this](const Status& cause) {
        if (o_.log) o_.log("master stream: " + cause.ToString() + "; the cut transaction is read again");
      });
    }
    if (st.code() == StatusCode::kAborted && (sink.done() || sink.handed_over())) st = Status::OK();
    if (st.code() == StatusCode::kOutOfRange) {
      VOMSREPL_RETURN_IF_ERROR(until.Flush());
      const txn::SourcePoint& end = sink.checkpoint();
      if (target_.kind() == CatchupTarget::Kind::kTime && stream_ == Stream::kMaster &&
          target_.time() <= UnixNow()) {
        *done = true;  // the master has nothing more before a past time
        return until.Flush();
      }
      return FailedPrecondition(std::string(stream_ == Stream::kFiles ? "the binlog files end" : "the master's binlog ends") +
                                " before the target " + target_.ToString() + " (last position read " +
                                end.position.ToString() + "); replica " + o_.replica.name + " is now at " +
                                Describe(applier_->progress()) + (stream_ == Stream::kFiles ? ": give the files that follow" : ""));
    }
    VOMSREPL_RETURN_IF_ERROR(st);
    VOMSREPL_RETURN_IF_ERROR(until.Flush());
    *done = sink.done();
    if (!*done && sink.handed_over()) {
      *journal_from = handover_->seq - 1;
      if (o_.log) o_.log("the stream reached the journal (seq " + std::to_string(handover_->seq) +
                         "); going on from the journal");
    }
    return Status::OK();
  }

  // The measured rate, for the next plan's estimate (best effort).
  void RecordRate() {
    const std::string runs = apply::QuoteIdentifier(o_.replica.state_schema) + ".`catchup_runs`";
    if (!session_
             .Execute("CREATE TABLE IF NOT EXISTS " + runs +
                      " (`channel` VARCHAR(64) NOT NULL, `finished_at` DATETIME(6) NOT NULL, `transactions` BIGINT "
                      "UNSIGNED NOT NULL, `seconds` DOUBLE NOT NULL, `target` VARCHAR(255) NOT NULL, PRIMARY KEY "
                      "(`channel`, `finished_at`)) ENGINE=InnoDB")
             .ok())
      return;
    session_
        .QueryPrepared("INSERT INTO " + runs + " VALUES (?, UTC_TIMESTAMP(6), ?, ?, ?)",
                       {o_.applier.channel, std::to_string(result_.transactions), std::to_string(result_.seconds),
                        target_.ToString()})
        .status()
        .IgnoreError();
  }

  CatchupOptions& o_;
  const CatchupTarget& target_;
  CatchupResult result_;
  apply::ReplicaSession session_;
  std::optional<apply::TransactionApplier> applier_;
  std::unique_ptr<journal::Journal> journal_;
  bool journal_holds_next_ = false;
  std::optional<Handover> handover_;  // where a stream hands over to the journal
  Stream stream_ = Stream::kNone;
  source::StartPoint start_;
  std::string plan_source_;
  uint64_t estimate_ = 0;
};

}  // namespace

Result<CatchupResult> RunCatchup(CatchupOptions o) {
  o.applier.skip_applied_by_seq = false;  // every source below starts right after the progress row
  CatchupRun run(o);
  return run.Run();
}

}  // namespace vomsrepl::lifecycle
