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
#include "apply/param_binder.h"
#include "apply/sql_identifier.h"
#include "lifecycle/chunk_sql.h"
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
};

// Copies one table from `master` (inside its snapshot) to `replica`.
Status CopyTable(ReplicaSession& master, ReplicaSession& replica, const BootstrapOptions& o, const std::string& table,
                 Counters& counters) {
  VOMSREPL_ASSIGN_OR_RETURN(TableShape t, ReadShape(master, o.database, table));
  const size_t ncols = t.columns.size();
  std::optional<std::vector<std::string>> lower;
  uint64_t offset = 0;
  std::vector<apply::BoundValue> values;
  std::vector<MYSQL_BIND> binds;
  std::string arena;
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
            v.type = MYSQL_TYPE_BLOB;  // a binary string: stored bytes, converted by the server to the column type
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
      apply::BindValues(values, arena, binds);
      uint64_t affected = 0;
      VOMSREPL_RETURN_IF_ERROR(
          replica.ExecutePrepared(stmt, binds.data(), &affected, "INSERT INTO " + o.target_database + "." + table));
      counters.rows += end - begin;
      counters.bytes += arena.size();
      begin = end;
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

}  // namespace

Result<BootstrapResult> RunBootstrap(const BootstrapOptions& o) {
  auto started = Clock::now();
  auto log = [&](const std::string& s) {
    if (o.log) o.log(s);
  };
  if (o.threads == 0 || o.batch_rows == 0) return InvalidArgument("--threads and --batch-rows must be at least 1");
  VOMSREPL_RETURN_IF_ERROR(apply::ValidateIdentifier(o.database).WithContext("--db"));
  VOMSREPL_RETURN_IF_ERROR(apply::ValidateIdentifier(o.target_database).WithContext("--as"));
  BootstrapResult result;

  // The replica: target database empty, the channel's progress.
  ReplicaSession control;
  VOMSREPL_RETURN_IF_ERROR(control.Open(o.replica));
  VOMSREPL_RETURN_IF_ERROR(control.EnsureProgressTable());
  VOMSREPL_ASSIGN_OR_RETURN(auto existing, ListTables(control, o.target_database));
  if (!existing.empty())
    return FailedPrecondition(o.replica.name + ": database " + o.target_database + " already holds " +
                              std::to_string(existing.size()) + " tables; bootstrap fills an empty database (drop it "
                              "first)");
  // Nobody else moves the channel's progress while the copy runs (the daemon's
  // runner, a catchup): held by `control` until it closes.
  bool held_elsewhere = false;
  if (Status lock = apply::TakeChannelLock(control, o.channel, apply::kHolderBootstrap, &held_elsewhere); !lock.ok())
    return held_elsewhere ? FailedPrecondition(std::string(lock.message())) : lock;
  std::string progress_table = QuoteIdentifier(o.replica.state_schema) + ".`progress`";
  VOMSREPL_ASSIGN_OR_RETURN(auto prow,
                            control.QueryPrepared("SELECT `seq` FROM " + progress_table + " WHERE `channel` = ?",
                                                  {o.channel}));
  result.previous_seq = prow.empty() ? 0 : std::strtoull(prow[0][0].value_or("0").c_str(), nullptr, 10);
  VOMSREPL_ASSIGN_OR_RETURN(auto replica_dbs, ListDatabases(control));
  std::vector<std::string> other_dbs;
  for (auto& d : replica_dbs)
    if (d != o.target_database && d != o.replica.state_schema) other_dbs.push_back(d);

  // 1. One snapshot shared by every master session.
  SourceAlignment align(o.state_dir, other_dbs.empty() ? 0 : result.previous_seq);
  VOMSREPL_RETURN_IF_ERROR(align.Open().WithContext("journal in " + o.state_dir));
  std::vector<std::unique_ptr<ReplicaSession>> masters;
  for (uint32_t i = 0; i < o.threads; ++i) {
    masters.push_back(std::make_unique<ReplicaSession>());
    VOMSREPL_RETURN_IF_ERROR(masters.back()->Open(o.master).WithContext("master"));
    VOMSREPL_RETURN_IF_ERROR(masters.back()->Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  }
  {
    VOMSREPL_ASSIGN_OR_RETURN(auto tables, ListTables(*masters[0], o.database));
    VOMSREPL_RETURN_IF_ERROR(CheckSourceTables(*masters[0], o, tables));
  }
  BinlogPosition p;
  for (uint32_t attempt = 1;; ++attempt) {
    size_t n = attempt > 50 ? 1 : masters.size();
    bool same = true;
    for (size_t i = 0; i < n; ++i) {
      VOMSREPL_RETURN_IF_ERROR(masters[i]->Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
    }
    for (size_t i = 0; i < n; ++i) {
      VOMSREPL_ASSIGN_OR_RETURN(BinlogPosition q, SnapshotPosition(*masters[i]));
      if (i == 0) p = q;
      else same &= q == p;
    }
    result.snapshot_tries = attempt;
    if (same) {
      masters.resize(n);
      break;
    }
    for (size_t i = 0; i < n; ++i) masters[i]->Execute("ROLLBACK").IgnoreError();
  }
  result.snapshot_sessions = uint32_t(masters.size());
  result.position = p;
  VOMSREPL_ASSIGN_OR_RETURN(auto g, masters[0]->QueryPrepared("SELECT BINLOG_GTID_POS(?, CAST(? AS UNSIGNED))",
                                                              {p.file, std::to_string(p.offset)}));
  result.gtid_state = g.empty() ? "" : g[0][0].value_or("");
  log("snapshot at " + p.ToString() + " (GTID " + result.gtid_state + ") shared by " +
      std::to_string(masters.size()) + " sessions after " + std::to_string(result.snapshot_tries) + " tries");

  // 2. The journal seq of that position, and the other databases' safety.
  VOMSREPL_ASSIGN_OR_RETURN(result.seq, align.SeqAt(p, o.wait_timeout));
  if (!other_dbs.empty() && result.seq != result.previous_seq) {
    bool statement = false;
    VOMSREPL_ASSIGN_OR_RETURN(auto touched, align.DatabasesTouched(std::min(result.seq, result.previous_seq),
                                                                   std::max(result.seq, result.previous_seq),
                                                                   &statement, o.wait_timeout));
    std::string clash;
    for (const std::string& d : touched) {
      if (d == o.target_database) continue;
      if (d.empty() || std::find(other_dbs.begin(), other_dbs.end(), d) != other_dbs.end())
        clash += (clash.empty() ? "" : ", ") + (d.empty() ? std::string("(a statement without database)") : d);
    }
    if (!clash.empty())
      return FailedPrecondition(
          o.replica.name + ": its progress is at journal seq " + std::to_string(result.previous_seq) +
          " and the snapshot at seq " + std::to_string(result.seq) + "; transactions in between change " + clash +
          ", which the replica also holds: moving the channel's progress would " +
          (result.seq > result.previous_seq ? "skip" : "repeat") +
          " them. Bootstrap when the replica has caught up and those databases are quiet (or before feeding it).");
  }
  log("journal seq " + std::to_string(result.seq) + " (replica progress was " + std::to_string(result.previous_seq) +
      ")");

  // 3. Schema.
  VOMSREPL_ASSIGN_OR_RETURN(auto tables, ListTables(*masters[0], o.database));
  VOMSREPL_RETURN_IF_ERROR(CheckSourceTables(*masters[0], o, tables));
  VOMSREPL_RETURN_IF_ERROR(control.Execute("CREATE DATABASE IF NOT EXISTS " + QuoteIdentifier(o.target_database)));
  VOMSREPL_RETURN_IF_ERROR(control.Execute("USE " + QuoteIdentifier(o.target_database)));
  VOMSREPL_RETURN_IF_ERROR(control.Execute("SET SESSION foreign_key_checks = 0"));
  for (const std::string& t : tables) {
    VOMSREPL_ASSIGN_OR_RETURN(auto create, masters[0]->Query("SHOW CREATE TABLE " + QuoteIdentifier(o.database) + "." +
                                                             QuoteIdentifier(t)));
    if (create.empty() || create[0].size() < 2 || !create[0][1])
      return Internal("SHOW CREATE TABLE " + o.database + "." + t + " returned nothing");
    VOMSREPL_RETURN_IF_ERROR(control.Execute(*create[0][1]).WithContext("creating " + o.target_database + "." + t));
  }
  VOMSREPL_RETURN_IF_ERROR(control.RestoreSessionSettings());
  result.tables = tables.size();

  // 4. Rows, tables spread over the sessions.
  uint64_t estimate = 0;
  {
    VOMSREPL_ASSIGN_OR_RETURN(auto rows, masters[0]->QueryPrepared("SELECT COALESCE(SUM(TABLE_ROWS), 0) FROM "
                                                                   "information_schema.TABLES WHERE TABLE_SCHEMA = ?",
                                                                   {o.database}));
    if (!rows.empty()) estimate = std::strtoull(rows[0][0].value_or("0").c_str(), nullptr, 10);
  }
  Counters counters;
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (size_t w = 0; w < masters.size(); ++w) {
    workers.emplace_back([&, w] {
      ReplicaSession replica;
      Status st = replica.Open(o.replica);
      if (st.ok()) st = replica.SetChecks(false, false);
      while (st.ok() && !failed) {
        size_t i = next++;
        if (i >= tables.size()) break;
        st = CopyTable(*masters[w], replica, o, tables[i], counters)
                 .WithContext("copying " + o.database + "." + tables[i]);
      }
      if (!st.ok()) {
        std::lock_guard lock(mu);
        if (first_error.ok()) first_error = st;
        failed = true;
      }
    });
  }
  // The progress line (a terminal: redrawn; a log: every progress_interval).
  // The row total is the servers' estimate (information_schema), not a count.
  std::optional<ProgressReporter> progress;
  if (o.progress) {
    ProgressReporter::Options po = StderrProgress(
        "bootstrap " + o.database + " -> " + o.target_database + " on " + o.channel, "rows", o.progress_interval);
    po.poll = [&counters, &tables, estimate](ProgressReporter& p) {
      p.SetDone(counters.rows);
      p.SetTotal(std::max<uint64_t>(estimate, counters.rows));
      p.SetDetail(", " + std::to_string(counters.tables_done.load()) + " of " + std::to_string(tables.size()) +
                  " tables, " + HumanBytes(counters.bytes) + " copied");
    };
    progress.emplace(std::move(po));
  }
  for (auto& t : workers) t.join();
  if (progress) progress->Stop();
  for (auto& m : masters) m->Execute("COMMIT").IgnoreError();
  if (!first_error.ok()) return first_error;
  result.rows = counters.rows;
  result.bytes = counters.bytes;

  // 5. Progress: the runner continues after seq S.
  VOMSREPL_ASSIGN_OR_RETURN(
      auto up, control.QueryPrepared(
                   "INSERT INTO " + progress_table +
                       " (`channel`, `seq`, `gtid`, `gtid_state`, `file`, `pos`, `applied_at`, `ddl_seq_pending`) "
                       "VALUES (?, CAST(? AS UNSIGNED), '', ?, ?, CAST(? AS UNSIGNED), UTC_TIMESTAMP(6), NULL) "
                       "ON DUPLICATE KEY UPDATE `seq` = VALUES(`seq`), `gtid` = VALUES(`gtid`), "
                       "`gtid_state` = VALUES(`gtid_state`), `file` = VALUES(`file`), `pos` = VALUES(`pos`), "
                       "`applied_at` = VALUES(`applied_at`), `ddl_seq_pending` = NULL",
                   {o.channel, std::to_string(result.seq), result.gtid_state, p.file, std::to_string(p.offset)}));
  (void)up;
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

}  // namespace vomsrepl::lifecycle
