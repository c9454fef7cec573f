#include "lifecycle/bootstrapper.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <vomsrepl/progress.h>

#include "apply/channel_lock.h"
#include "apply/database_hold.h"
#include "apply/param_binder.h"
#include "apply/sql_identifier.h"
#include "lifecycle/chunk_sql.h"
#include "lifecycle/parallel_work.h"
#include "lifecycle/source_alignment.h"
#include "lifecycle/table_inventory.h"

namespace vomsrepl::lifecycle {
namespace {

using apply::QuoteIdentifier;
using apply::ReplicaSession;
using apply::SqlRow;
using Clock = std::chrono::steady_clock;

Result<BinlogPosition> SnapshotPosition(ReplicaSession& s) {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("SHOW STATUS LIKE 'binlog_snapshot_%'"));
  BinlogPosition p;
  for (auto& r : rows) {
    std::string name = r[0].value_or("");
    std::transform(name.begin(), name.end(), name.begin(), ::tolower);
    if (name == "binlog_snapshot_file") p.file = r[1].value_or("");
    if (name == "binlog_snapshot_position") p.offset = std::strtoull(r[1].value_or("0").c_str(), nullptr, 10);
  }
  if (p.file.empty()) return FailedPrecondition("master: no Binlog_snapshot_file status (binary log off?)");
  return p;
}

struct Counters {
  std::atomic<uint64_t> rows{0}, bytes{0}, tables_done{0};
  Clock::time_point started = Clock::now();
};

// --max-rate: waits until `bytes` (copied by every session so far) is due.
void Pace(const BootstrapOptions& o, const Counters& counters) {
  if (o.max_bytes_per_second == 0) return;
  const auto due = counters.started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                          double(counters.bytes.load()) / double(o.max_bytes_per_second)));
  std::this_thread::sleep_until(due);
}

// Copies one table from `master` (inside its snapshot) to `replica`.
Status CopyTable(ReplicaSession& master, ReplicaSession& replica, const BootstrapOptions& o, const std::string& table,
                 Counters& counters) {
  VOMSREPL_ASSIGN_OR_RETURN(TableShape t, ReadShape(master, o.database, table));
  const size_t ncols = t.columns.size();
  // A value goes back as the bytes the SELECT returned, a binary string the server
  // converts to the column's type; the types whose binary form differs from their
  // text (UUID, INET6, INET4: 16 or 4 raw bytes) go as text.
  std::vector<apply::ParamType> bind_as(ncols, apply::ParamType::kBlob);
  for (size_t c = 0; c < ncols; ++c) {
    const std::string& type = t.columns[c].data_type;
    if (type == "uuid" || type == "inet6" || type == "inet4") bind_as[c] = apply::ParamType::kString;
  }
  std::optional<std::vector<std::string>> lower;
  uint64_t offset = 0;
  std::vector<apply::BoundValue> values;
  std::string arena;
  // Pages commit together, up to kCommitBytes: one replica fsync per 16 MiB
  // instead of one per statement (on a shared disk, the master's commits wait
  // for those).
  constexpr uint64_t kCommitBytes = 16u << 20;
  uint64_t uncommitted = 0;
  VOMSREPL_RETURN_IF_ERROR(replica.Execute("START TRANSACTION"));
  while (true) {
    std::vector<std::string> params;
    if (lower)
      for (size_t i : KeyAfter(t).param_keys) params.push_back((*lower)[i]);
    VOMSREPL_ASSIGN_OR_RETURN(auto rows, master.QueryPrepared(PageSql(t, bool(lower), o.batch_rows, offset), params));
    if (rows.empty()) break;
    // Multi-row INSERTs, capped by statement bytes.
    size_t begin = 0;
    while (begin < rows.size()) {
      values.clear();
      arena.clear();
      size_t end = begin;
      while (end < rows.size() && (end == begin || arena.size() < o.max_statement_bytes)) {
        for (size_t c = 0; c < ncols; ++c) {
          apply::BoundValue v;
          if (rows[end][c]) {
            v.type = bind_as[c];
            v.offset = uint32_t(arena.size());
            v.length = uint32_t(rows[end][c]->size());
            arena.append(*rows[end][c]);
          }
          values.push_back(v);
        }
        ++end;
      }
      std::string sql = MultiRowInsertSql(t, o.target_database, end - begin);
      VOMSREPL_ASSIGN_OR_RETURN(auto* stmt, replica.Prepare(sql));
      uint64_t affected = 0;
      VOMSREPL_RETURN_IF_ERROR(replica.ExecutePrepared(stmt, values, arena, &affected,
                                                       "INSERT INTO " + o.target_database + "." + table));
      counters.rows += end - begin;
      counters.bytes += arena.size();
      uncommitted += arena.size();
      begin = end;
      Pace(o, counters);
    }
    if (uncommitted >= kCommitBytes) {
      VOMSREPL_RETURN_IF_ERROR(replica.Execute("COMMIT"));
      VOMSREPL_RETURN_IF_ERROR(replica.Execute("START TRANSACTION"));
      uncommitted = 0;
    }
    if (!t.has_key()) {
      offset += rows.size();
    } else {
      std::vector<std::string> k;
      for (size_t i : t.key) k.push_back(rows.back()[i].value_or(""));
      lower = std::move(k);
    }
    if (rows.size() < o.batch_rows) break;
  }
  VOMSREPL_RETURN_IF_ERROR(replica.Execute("COMMIT"));
  counters.tables_done++;
  return Status::OK();
}

// Never an empty copy: the master database exists and shows a table to the
// read account (information_schema lists only what the account may access).
Status CheckSourceTables(ReplicaSession& master, const BootstrapOptions& o, const std::vector<std::string>& tables) {
  if (!tables.empty()) return Status::OK();
  const std::string account = o.master_account.empty() ? "the master account" : o.master_account;
  VOMSREPL_ASSIGN_OR_RETURN(auto dbs, ListDatabases(master));
  const bool visible = std::find(dbs.begin(), dbs.end(), o.database) != dbs.end();
  return FailedPrecondition(
      "bootstrap: " +
      (visible ? "the master's database " + o.database + " holds no table that " + account +
                     " can see: nothing to copy (if it has tables, GRANT SELECT ON `" + o.database +
                     "`.* TO that account)"
               : "the master shows no database " + o.database + " to " + account + ": either it does not exist "
                     "there (check the name with SHOW DATABASES on the master) or that account lacks SELECT on it "
                     "(GRANT SELECT ON `" + o.database + "`.* TO it)") +
      ". Nothing was created on replica " + o.replica.name + ".");
}

// One bootstrap, in named steps: the replica (an empty target database, the channel
// lock, where its progress is), one snapshot shared by every master session, the journal
// seq of that snapshot and the safety of the replica's other databases, the schema, the
// rows (tables spread over the sessions), and the progress row.
class BootstrapRun {
 public:
  explicit BootstrapRun(const BootstrapOptions& o) : o_(o) {}

  Result<BootstrapResult> Run() {
    const auto started = Clock::now();
    if (o_.threads == 0 || o_.batch_rows == 0) return InvalidArgument("--threads and --batch-rows must be at least 1");
    VOMSREPL_RETURN_IF_ERROR(apply::ValidateIdentifier(o_.database).WithContext("--db"));
    VOMSREPL_RETURN_IF_ERROR(apply::ValidateIdentifier(o_.target_database).WithContext("--as"));
    VOMSREPL_RETURN_IF_ERROR(OpenReplica());
    SourceAlignment align(o_.state_dir, other_dbs_.empty() ? 0 : result_.previous_seq);
    VOMSREPL_RETURN_IF_ERROR(align.Open().WithContext("journal in " + o_.state_dir));
    VOMSREPL_RETURN_IF_ERROR(SharedSnapshot());
    VOMSREPL_RETURN_IF_ERROR(AlignWithJournal(align));
    VOMSREPL_RETURN_IF_ERROR(CreateSchema());
    VOMSREPL_RETURN_IF_ERROR(CopyRows());
    VOMSREPL_RETURN_IF_ERROR(RecordProgress());
    result_.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return result_;
  }

 private:
  void Log(const std::string& s) const {
    if (o_.log) o_.log(s);
  }

  // The replica: target database empty, the channel's lock and progress, the other
  // databases it holds.
  Status OpenReplica() {
    VOMSREPL_RETURN_IF_ERROR(control_.Open(o_.replica));
    VOMSREPL_RETURN_IF_ERROR(UseOwnDomain(control_));
    VOMSREPL_RETURN_IF_ERROR(control_.EnsureProgressTable());
    VOMSREPL_ASSIGN_OR_RETURN(auto existing, ListTables(control_, o_.target_database));
    if (!existing.empty())
      return FailedPrecondition(o_.replica.name + ": database " + o_.target_database + " already holds " +
                                std::to_string(existing.size()) + " tables; bootstrap fills an empty database (drop it "
                                "first)");
    VOMSREPL_RETURN_IF_ERROR(FindHold());
    if (hold_) {
      // The runner goes on with the replica's other databases; the channel's
      // progress is not touched. One bootstrap per held database at a time.
      VOMSREPL_ASSIGN_OR_RETURN(auto got, control_.QueryPrepared("SELECT GET_LOCK(?, 0)",
                                                                 {"vomsrepl." + hold_->replay_channel}));
      if (got.empty() || got[0][0].value_or("0") != "1")
        return FailedPrecondition(o_.replica.name + ": another `vomsrepl bootstrap` of " + o_.target_database +
                                  " is running");
      return Status::OK();
    }
    // Nobody else moves the channel's progress while the copy runs (the daemon's
    // runner, a catchup): held by `control_` until it closes.
    bool held_elsewhere = false;
    if (Status lock = apply::TakeChannelLock(control_, o_.channel, apply::kHolderBootstrap, &held_elsewhere); !lock.ok())
      return held_elsewhere ? FailedPrecondition(std::string(lock.message()) +
                                                 ". Or, with the replica running: add the database to [filter] and "
                                                 "`vomsrepl reload --hold-new`, then bootstrap (the replica holds it "
                                                 "back until then)")
                            : lock;
    progress_table_ = QuoteIdentifier(o_.replica.state_schema) + ".`progress`";
    VOMSREPL_ASSIGN_OR_RETURN(auto prow,
                              control_.QueryPrepared("SELECT `seq` FROM " + progress_table_ + " WHERE `channel` = ?",
                                                     {o_.channel}));
    result_.previous_seq = prow.empty() ? 0 : std::strtoull(prow[0][0].value_or("0").c_str(), nullptr, 10);
    VOMSREPL_ASSIGN_OR_RETURN(auto replica_dbs, ListDatabases(control_));
    for (auto& d : replica_dbs)
      if (d != o_.target_database && d != o_.replica.state_schema) other_dbs_.push_back(d);
    return Status::OK();
  }

  // The copy's writes on a preserve_gtid replica: in vomsrepl's own domain.
  Status UseOwnDomain(ReplicaSession& s) const {
    if (o_.gtid_domain == 0) return Status::OK();
    return s.Execute("SET SESSION gtid_domain_id = " + std::to_string(o_.gtid_domain))
        .WithContext(o_.replica.name + ": preserve_gtid: logging the copy in vomsrepl's own GTID domain " +
                     std::to_string(o_.gtid_domain) + " (the applier account needs BINLOG REPLAY)");
  }

  // A database the replica holds back (a reload with --hold-new): wait until
  // the [filter] switch is done ("pending" -> "held"), so that the snapshot
  // is not older than the first transaction that journals its changes.
  Status FindHold() {
    const auto deadline = Clock::now() + o_.wait_timeout;
    for (;;) {
      VOMSREPL_ASSIGN_OR_RETURN(hold_, apply::ReadHold(control_, o_.channel, o_.target_database));
      if (hold_ && hold_->state == apply::HoldState::kAbandoned) {
        // The way without a hold (the replica paused); the row goes with the progress row.
        abandoned_ = std::move(hold_);
        hold_.reset();
      }
      if (!hold_ || hold_->state == apply::HoldState::kHeld) break;
      if (hold_->state == apply::HoldState::kCopied)
        return FailedPrecondition(o_.replica.name + ": " + o_.target_database + " was copied already (at journal seq " +
                                  std::to_string(hold_->copied_seq) + "); the replica's runner catches it up from "
                                  "the journal when it runs (`vomsrepl replica start " + o_.replica.name + "`)");
      if (Clock::now() >= deadline)
        return FailedPrecondition(o_.replica.name + ": the hold of " + o_.target_database + " is still 'pending' "
                                  "after " + std::to_string(o_.wait_timeout.count() / 1000) + " s: the reload that "
                                  "holds it has not switched the [filter] (is `vomsrepl run` running? its log says)");
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    if (hold_) {
      result_.held = true;
      Log("replica " + o_.replica.name + " holds " + o_.target_database + " back since journal seq " +
          std::to_string(hold_->since_seq) + ": copying it while its runner applies everything else");
    }
    return Status::OK();
  }

  // 1. One snapshot shared by every master session (tried again until all of them
  // see the same binlog position; alone after 50 tries).
  Status SharedSnapshot() {
    for (uint32_t i = 0; i < o_.threads; ++i) {
      masters_.push_back(std::make_unique<ReplicaSession>());
      VOMSREPL_RETURN_IF_ERROR(masters_.back()->Open(o_.master).WithContext("master"));
      VOMSREPL_RETURN_IF_ERROR(masters_.back()->Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
    }
    {
      VOMSREPL_ASSIGN_OR_RETURN(auto tables, ListTables(*masters_[0], o_.database));
      VOMSREPL_RETURN_IF_ERROR(CheckSourceTables(*masters_[0], o_, tables));
    }
    BinlogPosition& p = result_.position;
    for (uint32_t attempt = 1;; ++attempt) {
      size_t n = attempt > 50 ? 1 : masters_.size();
      bool same = true;
      for (size_t i = 0; i < n; ++i) {
        VOMSREPL_RETURN_IF_ERROR(masters_[i]->Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
      }
      for (size_t i = 0; i < n; ++i) {
        VOMSREPL_ASSIGN_OR_RETURN(BinlogPosition q, SnapshotPosition(*masters_[i]));
        if (i == 0) p = q;
        else same &= q == p;
      }
      result_.snapshot_tries = attempt;
      if (same) {
        masters_.resize(n);
        break;
      }
      for (size_t i = 0; i < n; ++i) masters_[i]->Execute("ROLLBACK").IgnoreError();
    }
    result_.snapshot_sessions = uint32_t(masters_.size());
    VOMSREPL_ASSIGN_OR_RETURN(auto g, masters_[0]->QueryPrepared("SELECT BINLOG_GTID_POS(?, CAST(? AS UNSIGNED))",
                                                                 {p.file, std::to_string(p.offset)}));
    result_.gtid_state = g.empty() ? "" : g[0][0].value_or("");
    Log("snapshot at " + p.ToString() + " (GTID " + result_.gtid_state + ") shared by " +
        std::to_string(masters_.size()) + " sessions after " + std::to_string(result_.snapshot_tries) + " tries");
    return Status::OK();
  }

  // 2. The journal seq of the snapshot's position, and the other databases' safety:
  // moving the channel's progress must not skip or repeat their transactions.
  Status AlignWithJournal(SourceAlignment& align) {
    VOMSREPL_ASSIGN_OR_RETURN(result_.seq, align.SeqAt(result_.position, o_.wait_timeout));
    if (hold_) {
      VOMSREPL_ASSIGN_OR_RETURN(std::string keys, apply::CrossDatabaseForeignKeys(*masters_[0], o_.database));
      if (!keys.empty()) {
        return FailedPrecondition(
            o_.replica.name + ": " + o_.database + " has foreign keys to or from other databases (" + keys +
            "): it cannot be copied while the replica applies those (their ON DELETE / ON UPDATE actions would "
            "miss the copy). Nothing was created. Take it out of [filter] and reload (the hold is abandoned), "
            "then add it with the replicas paused (a plain `vomsrepl reload` says how)");
      }
      // The journal holds the database's changes from since_seq on; those after the snapshot are needed.
      if (result_.seq + 1 < hold_->since_seq)
        return FailedPrecondition(o_.replica.name + ": the snapshot lies at journal seq " + std::to_string(result_.seq) +
                                  ", before seq " + std::to_string(hold_->since_seq) + " from which the journal "
                                  "holds " + o_.target_database + "'s changes: run the bootstrap again");
      Log("journal seq " + std::to_string(result_.seq) + " (held since seq " + std::to_string(hold_->since_seq) + ")");
      return Status::OK();
    }
    if (!other_dbs_.empty() && result_.seq != result_.previous_seq) {
      bool statement = false;
      VOMSREPL_ASSIGN_OR_RETURN(auto touched, align.DatabasesTouched(std::min(result_.seq, result_.previous_seq),
                                                                     std::max(result_.seq, result_.previous_seq),
                                                                     &statement, o_.wait_timeout));
      std::string clash;
      for (const std::string& d : touched) {
        if (d == o_.target_database) continue;
        if (d.empty() || std::find(other_dbs_.begin(), other_dbs_.end(), d) != other_dbs_.end())
          clash += (clash.empty() ? "" : ", ") + (d.empty() ? std::string("(a statement without database)") : d);
      }
      if (!clash.empty())
        return FailedPrecondition(
            o_.replica.name + ": its progress is at journal seq " + std::to_string(result_.previous_seq) +
            " and the snapshot at seq " + std::to_string(result_.seq) + "; transactions in between change " + clash +
            ", which the replica also holds: moving the channel's progress would " +
            (result_.seq > result_.previous_seq ? "skip" : "repeat") +
            " them. Bootstrap when the replica has caught up and those databases are quiet (or before feeding it).");
    }
    Log("journal seq " + std::to_string(result_.seq) + " (replica progress was " +
        std::to_string(result_.previous_seq) + ")");
    return Status::OK();
  }

  // 3. Schema: every table's SHOW CREATE TABLE of the snapshot.
  Status CreateSchema() {
    VOMSREPL_ASSIGN_OR_RETURN(tables_, ListTables(*masters_[0], o_.database));
    VOMSREPL_RETURN_IF_ERROR(CheckSourceTables(*masters_[0], o_, tables_));
    VOMSREPL_RETURN_IF_ERROR(control_.Execute("CREATE DATABASE IF NOT EXISTS " + QuoteIdentifier(o_.target_database)));
    VOMSREPL_RETURN_IF_ERROR(control_.Execute("USE " + QuoteIdentifier(o_.target_database)));
    VOMSREPL_RETURN_IF_ERROR(control_.Execute("SET SESSION foreign_key_checks = 0"));
    for (const std::string& t : tables_) {
      VOMSREPL_ASSIGN_OR_RETURN(auto create, masters_[0]->Query("SHOW CREATE TABLE " + QuoteIdentifier(o_.database) +
                                                                "." + QuoteIdentifier(t)));
      if (create.empty() || create[0].size() < 2 || !create[0][1])
        return Internal("SHOW CREATE TABLE " + o_.database + "." + t + " returned nothing");
      VOMSREPL_RETURN_IF_ERROR(control_.Execute(*create[0][1]).WithContext("creating " + o_.target_database + "." + t));
    }
    VOMSREPL_RETURN_IF_ERROR(control_.RestoreSessionSettings());
    result_.tables = tables_.size();
    return Status::OK();
  }

  // 4. Rows: one thread per snapshot session, each taking the next table, with the
  // progress line (a terminal: redrawn; a log: every progress_interval; the row
  // total is the servers' estimate from information_schema, not a count).
  Status CopyRows() {
    uint64_t estimate = 0;
    {
      VOMSREPL_ASSIGN_OR_RETURN(auto rows, masters_[0]->QueryPrepared("SELECT COALESCE(SUM(TABLE_ROWS), 0) FROM "
                                                                       "information_schema.TABLES WHERE TABLE_SCHEMA = ?",
                                                                       {o_.database}));
      if (!rows.empty()) estimate = std::strtoull(rows[0][0].value_or("0").c_str(), nullptr, 10);
    }
    Counters counters;
    ParallelWork work(tables_.size());
    std::vector<std::thread> workers;
    for (size_t w = 0; w < masters_.size(); ++w) {
      workers.emplace_back([&, w] {
        ReplicaSession replica;
        Status st = replica.Open(o_.replica);
        if (st.ok()) st = UseOwnDomain(replica);
        if (st.ok()) st = replica.SetChecks(false, false);
        while (st.ok()) {
          std::optional<size_t> i = work.Next();
          if (!i) break;
          st = CopyTable(*masters_[w], replica, o_, tables_[*i], counters)
                   .WithContext("copying " + o_.database + "." + tables_[*i]);
        }
        work.Finish(std::move(st));
      });
    }
    std::optional<ProgressReporter> progress;
    if (o_.progress) {
      ProgressReporter::Options po = StderrProgress(
          "bootstrap " + o_.database + " -> " + o_.target_database + " on " + o_.channel, "rows", o_.progress_interval);
      po.poll = [&counters, tables = tables_.size(), estimate](ProgressReporter& p) {
        p.SetDone(counters.rows);
        p.SetTotal(std::max<uint64_t>(estimate, counters.rows));
        p.SetDetail(", " + std::to_string(counters.tables_done.load()) + " of " + std::to_string(tables) +
                    " tables, " + HumanBytes(counters.bytes) + " copied");
      };
      progress.emplace(std::move(po));
    }
    for (auto& t : workers) t.join();
    if (progress) progress->Stop();
    for (auto& m : masters_) m->Execute("COMMIT").IgnoreError();
    VOMSREPL_RETURN_IF_ERROR(work.Result());
    result_.rows = counters.rows;
    result_.bytes = counters.bytes;
    return Status::OK();
  }

  // 5. Progress: the runner continues after the snapshot's journal seq.
  Status RecordProgress() {
    const BinlogPosition& p = result_.position;
    if (hold_) return apply::MarkHoldCopied(control_, o_.channel, *hold_, result_.seq, result_.gtid_state, p);
    if (abandoned_) {
      // One transaction: the abandoned hold would leave the database's changes out after this copy.
      VOMSREPL_RETURN_IF_ERROR(control_.Execute("START TRANSACTION"));
      Status st = apply::DeleteHoldRows(control_, o_.channel, *abandoned_);
      if (st.ok()) st = UpsertProgress();
      if (st.ok()) st = control_.Execute("COMMIT");
      if (!st.ok()) control_.Execute("ROLLBACK").IgnoreError();
      return st;
    }
    return UpsertProgress();
  }

  Status UpsertProgress() {
    const BinlogPosition& p = result_.position;
    return control_
        .QueryPrepared("INSERT INTO " + progress_table_ +
                           " (`channel`, `seq`, `gtid`, `gtid_state`, `file`, `pos`, `applied_at`, `ddl_seq_pending`) "
                           "VALUES (?, CAST(? AS UNSIGNED), '', ?, ?, CAST(? AS UNSIGNED), UTC_TIMESTAMP(6), NULL) "
                           "ON DUPLICATE KEY UPDATE `seq` = VALUES(`seq`), `gtid` = VALUES(`gtid`), "
                           "`gtid_state` = VALUES(`gtid_state`), `file` = VALUES(`file`), `pos` = VALUES(`pos`), "
                           "`applied_at` = VALUES(`applied_at`), `ddl_seq_pending` = NULL",
                       {o_.channel, std::to_string(result_.seq), result_.gtid_state, p.file, std::to_string(p.offset)})
        .status();
  }

  const BootstrapOptions& o_;
  BootstrapResult result_;
  ReplicaSession control_;  // holds the channel lock until the end
  std::string progress_table_;
  std::vector<std::string> other_dbs_;  // the replica's databases besides the target and the state schema
  std::optional<apply::DatabaseHold> hold_;  // the replica holds the target back (online add)
  std::optional<apply::DatabaseHold> abandoned_;  // an abandoned hold of the target, deleted in step 5
  std::vector<std::unique_ptr<ReplicaSession>> masters_;  // the snapshot sessions
  std::vector<std::string> tables_;
};

}  // namespace

Result<BootstrapResult> RunBootstrap(const BootstrapOptions& o) {
  BootstrapRun run(o);
  return run.Run();
}

}  // namespace vomsrepl::lifecycle
