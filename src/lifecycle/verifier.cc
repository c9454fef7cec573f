#include "lifecycle/verifier.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include <vomsrepl/progress.h>

#include "apply/sql_identifier.h"
#include "common/enum_names.h"
#include "lifecycle/parallel_work.h"
#include "lifecycle/source_alignment.h"
#include "lifecycle/table_inventory.h"

namespace vomsrepl::lifecycle {
namespace {

constexpr unsigned int kNoSuchTable = 1146;  // ER_NO_SUCH_TABLE

using apply::ReplicaSession;
using apply::SqlRow;
using Clock = std::chrono::steady_clock;
using Key = std::vector<std::string>;

double SecondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Status OpenReader(ReplicaSession& s, const apply::ReplicaConfig& config) {
  VOMSREPL_RETURN_IF_ERROR(s.Open(config));
  return s.Execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
}

Key RowKey(const SqlRow& r, size_t n) {
  Key k;
  for (size_t i = 0; i < n && i < r.size(); ++i) k.push_back(r[i].value_or(""));
  return k;
}

// One chunk: bounds, and what a read of it gave on one server.
struct Chunk {
  std::optional<Key> lower, upper;
};

struct ChunkRead {
  std::vector<SqlRow> rows;  // checksum: one row; drill-down: key..., md5
  BinlogPosition position;   // master
  uint64_t seq = 0;          // replica progress seq
};

class TableComparer {
 public:
  TableComparer(const VerifyOptions& o, ReplicaSession& master, SourceAlignment& align)
      : o_(o), master_(master), align_(align) {}

  // The master read, in one snapshot. With `find_upper`, chunk->upper is set
  // from the master (nullopt: to the end).
  Result<ChunkRead> ReadMaster(const TableShape& t, Chunk* chunk, bool rows, bool find_upper) {
    VOMSREPL_RETURN_IF_ERROR(master_.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
    auto r = ReadMasterInSnapshot(t, chunk, rows, find_upper);
    Status end = master_.Execute(r.ok() ? "COMMIT" : "ROLLBACK");
    if (!r.ok()) return r.status();
    VOMSREPL_RETURN_IF_ERROR(end);
    if (o_.pause.count() > 0) std::this_thread::sleep_for(o_.pause);
    return r;
  }

  // Whole-table first pass: CHECKSUM TABLE on the master and on the replica
  // at the same time, the master's between two snapshot positions P1 and P2,
  // the replica's between two reads R1 and R2 of its progress row. The master
  // saw the table as of some journal seq in [SeqAt(P1), SeqAt(P2)], the
  // replica as of some seq in [R1, R2]; when no journaled transaction in
  // (min(SeqAt(P1), R1), max(SeqAt(P2), R2)] touches the table, both saw the
  // same source state, and equal values prove the table identical. False
  // (a change in the window, or different checksums): compare in chunks.
  Result<bool> QuietChecksumsEqual(ReplicaSession& s, const std::string& channel, const TableShape& mt,
                                   const TableShape& rt) {
    VOMSREPL_ASSIGN_OR_RETURN(BinlogPosition p1, SnapshotPosition());
    VOMSREPL_ASSIGN_OR_RETURN(uint64_t r1, ProgressSeq(s, channel));
    Result<std::string> replica_sum = Internal("CHECKSUM TABLE on the replica did not run");
    std::thread replica_read([&] { replica_sum = ChecksumTable(s, rt); });
    Result<std::string> master_sum = ChecksumTable(master_, mt);
    replica_read.join();
    if (!master_sum.ok()) return master_sum.status();
    if (!replica_sum.ok()) return replica_sum.status();
    VOMSREPL_ASSIGN_OR_RETURN(BinlogPosition p2, SnapshotPosition());
    VOMSREPL_ASSIGN_OR_RETURN(uint64_t r2, ProgressSeq(s, channel));
    if (o_.pause.count() > 0) std::this_thread::sleep_for(o_.pause);
    VOMSREPL_ASSIGN_OR_RETURN(uint64_t s1, align_.SeqAt(p1, o_.wait_timeout));
    VOMSREPL_ASSIGN_OR_RETURN(uint64_t s2, align_.SeqAt(p2, o_.wait_timeout));
    const uint64_t lo = std::min(s1, r1), hi = std::max(s2, r2);
    if (hi > lo) {
      VOMSREPL_ASSIGN_OR_RETURN(bool touched, align_.Touches(lo, hi, rt.database, rt.table, o_.wait_timeout));
      if (touched) return false;
    }
    return !master_sum->empty() && *master_sum == *replica_sum;
  }

  Result<ChunkRead> ReadReplica(ReplicaSession& s, const std::string& channel, const TableShape& t,
                                const Chunk& chunk, bool rows) {
    VOMSREPL_RETURN_IF_ERROR(s.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
    auto r = ReadReplicaInSnapshot(s, channel, t, chunk, rows);
    Status end = s.Execute(r.ok() ? "COMMIT" : "ROLLBACK");
    if (!r.ok()) return r.status();
    VOMSREPL_RETURN_IF_ERROR(end);
    return r;
  }

  // The journal seq the replica has applied. No progress table or row yet (`vomsrepl
  // run` has not fed it yet, or is just starting): seq 0, the state before journal
  // seq 1, as the daemon's runner takes it; *fed (optional) says which.
  Result<uint64_t> ProgressSeq(ReplicaSession& s, const std::string& channel, bool* fed = nullptr) {
    if (fed != nullptr) *fed = false;
    auto rows = s.QueryPrepared("SELECT `seq` FROM " + apply::QuoteIdentifier(s.config().state_schema) +
                                    ".`progress` WHERE `channel` = ?",
                                {channel});
    if (!rows.ok()) {
      if (s.last_errno() == kNoSuchTable) return uint64_t{0};
      return rows.status();
    }
    if (rows->empty()) return uint64_t{0};
    if (fed != nullptr) *fed = true;
    return std::strtoull((*rows)[0][0].value_or("0").c_str(), nullptr, 10);
  }

  Status WaitFor(ReplicaSession& s, const std::string& channel, uint64_t target) {
    auto deadline = Clock::now() + o_.wait_timeout;
    auto sleep = std::chrono::milliseconds(5);
    while (true) {
      bool fed = false;
      VOMSREPL_ASSIGN_OR_RETURN(uint64_t seq, ProgressSeq(s, channel, &fed));
      if (seq >= target) return Status::OK();
      if (Clock::now() >= deadline) {
        if (!fed)
          return FailedPrecondition(s.config().name + ": no progress row for channel " + channel + " in " +
                                    s.config().state_schema + ".progress within " +
                                    std::to_string(o_.wait_timeout.count()) +
                                    " ms: is `vomsrepl run` feeding this replica? (verify compares it at the "
                                    "master's snapshot position, journal seq " + std::to_string(target) + ")");
        return Unavailable(s.config().name + ": applied journal seq " + std::to_string(seq) + ", did not reach seq " +
                           std::to_string(target) + " (the master's snapshot position) within " +
                           std::to_string(o_.wait_timeout.count()) + " ms");
      }
      std::this_thread::sleep_for(sleep);
      sleep = std::min(sleep * 2, std::chrono::milliseconds(100));
    }
  }

  // Reads the replica chunk at a source state matching `master` (re-reading
  // the master when the replica went past it with changes to the table).
  // *aligned says whether it succeeded within max_attempts.
  Result<std::pair<ChunkRead, ChunkRead>> AlignedRead(ReplicaSession& s, const std::string& channel,
                                                      const TableShape& mt, const TableShape& rt, Chunk chunk,
                                                      ChunkRead master, bool rows, bool* aligned) {
    *aligned = false;
    for (uint32_t attempt = 0;; ++attempt) {
      if (attempt > 0) {
        VOMSREPL_ASSIGN_OR_RETURN(master, ReadMaster(mt, &chunk, rows, false));
      }
      VOMSREPL_ASSIGN_OR_RETURN(uint64_t target, align_.SeqAt(master.position, o_.wait_timeout));
      VOMSREPL_RETURN_IF_ERROR(WaitFor(s, channel, target));
      VOMSREPL_ASSIGN_OR_RETURN(ChunkRead replica, ReadReplica(s, channel, rt, chunk, rows));
      bool same = replica.seq == target;
      if (replica.seq > target) {
        VOMSREPL_ASSIGN_OR_RETURN(bool touched,
                                  align_.Touches(target, replica.seq, rt.database, rt.table, o_.wait_timeout));
        same = !touched;
      }
      if (same || attempt + 1 >= o_.max_attempts) {
        *aligned = same;
        return std::make_pair(std::move(master), std::move(replica));
      }
    }
  }

 private:
  std::vector<std::string> Params(const TableShape& t, const Chunk& c) {
    std::vector<std::string> p;
    if (c.lower) {
      KeyPredicate k = KeyAfter(t);
      for (size_t i : k.param_keys) p.push_back((*c.lower)[i]);
    }
    if (c.upper) {
      KeyPredicate k = KeyAtMost(t);
      for (size_t i : k.param_keys) p.push_back((*c.upper)[i]);
    }
    return p;
  }

  Result<std::vector<SqlRow>> ReadChunk(ReplicaSession& s, const TableShape& t, const Chunk& c, bool rows) {
    std::string sql = rows ? ChunkRowsSql(t, bool(c.lower), bool(c.upper))
                           : ChunkChecksumSql(t, o_.hash, bool(c.lower), bool(c.upper));
    return s.QueryPrepared(sql, Params(t, c));
  }

  // The binlog position of the master's current consistent snapshot.
  Result<BinlogPosition> PositionInSnapshot() {
    BinlogPosition p;
    VOMSREPL_ASSIGN_OR_RETURN(auto st, master_.Query("SHOW STATUS LIKE 'binlog_snapshot_%'"));
    for (auto& row : st) {
      std::string name = row[0].value_or("");
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      if (name == "binlog_snapshot_file") p.file = row[1].value_or("");
      if (name == "binlog_snapshot_position") p.offset = std::strtoull(row[1].value_or("0").c_str(), nullptr, 10);
    }
    if (p.file.empty())
      return FailedPrecondition("master: no Binlog_snapshot_file status (binary log off, or not MariaDB?)");
    return p;
  }

  Result<BinlogPosition> SnapshotPosition() {
    VOMSREPL_RETURN_IF_ERROR(master_.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
    auto p = PositionInSnapshot();
    Status end = master_.Execute(p.ok() ? "COMMIT" : "ROLLBACK");
    if (!p.ok()) return p.status();
    VOMSREPL_RETURN_IF_ERROR(end);
    return p;
  }

  // CHECKSUM TABLE's value ("" for NULL: no such table).
  static Result<std::string> ChecksumTable(ReplicaSession& s, const TableShape& t) {
    VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("CHECKSUM TABLE " + apply::QualifiedName(t.database, t.table)));
    if (rows.empty() || rows[0].size() < 2) return Internal("CHECKSUM TABLE returned no row");
    return rows[0][1].value_or("");
  }

  Result<ChunkRead> ReadMasterInSnapshot(const TableShape& t, Chunk* chunk, bool rows, bool find_upper) {
    ChunkRead r;
    VOMSREPL_ASSIGN_OR_RETURN(r.position, PositionInSnapshot());
    if (find_upper && t.has_key()) {
      std::vector<std::string> p;
      if (chunk->lower)
        for (size_t i : KeyAfter(t).param_keys) p.push_back((*chunk->lower)[i]);
      VOMSREPL_ASSIGN_OR_RETURN(auto end, master_.QueryPrepared(ChunkEndSql(t, bool(chunk->lower), o_.chunk_rows), p));
      if (end.empty()) chunk->upper.reset();
      else chunk->upper = RowKey(end[0], t.key.size());
    }
    VOMSREPL_ASSIGN_OR_RETURN(r.rows, ReadChunk(master_, t, *chunk, rows));
    return r;
  }

  Result<ChunkRead> ReadReplicaInSnapshot(ReplicaSession& s, const std::string& channel, const TableShape& t,
                                          const Chunk& c, bool rows) {
    ChunkRead r;
    VOMSREPL_ASSIGN_OR_RETURN(r.seq, ProgressSeq(s, channel));
    VOMSREPL_ASSIGN_OR_RETURN(r.rows, ReadChunk(s, t, c, rows));
    return r;
  }

  const VerifyOptions& o_;
  ReplicaSession& master_;
  SourceAlignment& align_;
};

struct ReplicaState {
  const VerifyReplica* config;
  std::unique_ptr<ReplicaSession> session;
};

void AddKey(TableVerdict& v, KeyDifferenceKind kind, Key key, size_t max_keys) {
  ++v.keys_total;
  if (v.keys.size() < max_keys) v.keys.push_back(KeyDifference{kind, std::move(key)});
}

// Row-by-row comparison of a chunk: key -> md5 on both sides.
void DiffRows(const std::vector<SqlRow>& master, const std::vector<SqlRow>& replica, size_t key_columns,
              TableVerdict& v, size_t max_keys) {
  std::map<Key, std::string> theirs;
  for (const SqlRow& r : replica) theirs.emplace(RowKey(r, key_columns), r[key_columns].value_or(""));
  for (const SqlRow& r : master) {
    Key k = RowKey(r, key_columns);
    auto it = theirs.find(k);
    if (it == theirs.end()) {
      AddKey(v, KeyDifferenceKind::kMissingOnReplica, std::move(k), max_keys);
      continue;
    }
    if (it->second != r[key_columns].value_or("")) AddKey(v, KeyDifferenceKind::kDifferentValues, k, max_keys);
    theirs.erase(it);
  }
  for (auto& [k, h] : theirs) AddKey(v, KeyDifferenceKind::kExtraOnReplica, k, max_keys);
}

uint64_t RowCount(const ChunkRead& r) {
  if (r.rows.empty() || !r.rows[0][0]) return 0;
  return std::strtoull(r.rows[0][0]->c_str(), nullptr, 10);
}

// One table against every replica (sessions of one worker).
Status VerifyTable(const VerifyOptions& o, ReplicaSession& master, std::vector<ReplicaState>& replicas,
                   TableComparer& comparer, const std::string& db, const std::string& rdb, const std::string& table,
                   std::vector<TableVerdict>* out, uint64_t* master_rows_read) {
  auto table_started = Clock::now();
  VOMSREPL_ASSIGN_OR_RETURN(TableShape mt, ReadShape(master, db, table));
  std::vector<TableVerdict> verdicts(replicas.size());
  std::vector<TableShape> rts(replicas.size());
  std::vector<bool> active(replicas.size(), false);
  for (size_t i = 0; i < replicas.size(); ++i) {
    TableVerdict& v = verdicts[i];
    v.replica = replicas[i].config->name;
    v.master_database = db;
    v.replica_database = rdb;
    v.table = table;
    for (size_t k : mt.key) v.key_columns.push_back(mt.columns[k].name);
    auto rt = ReadShape(*replicas[i].session, rdb, table);
    if (!rt.ok()) {
      if (rt.status().code() != StatusCode::kNotFound) return rt.status();
      v.problem = "table missing on the replica";
      continue;
    }
    std::string diff = TableShape::DescribeDifference(mt, *rt);
    if (!diff.empty()) {
      v.problem = "columns differ: " + diff;
      continue;
    }
    rts[i] = std::move(*rt);
    active[i] = true;
  }
  if (o.checksum_table_first) {
    for (size_t i = 0; i < replicas.size(); ++i) {
      if (!active[i]) continue;
      VOMSREPL_ASSIGN_OR_RETURN(bool equal, comparer.QuietChecksumsEqual(*replicas[i].session,
                                                                          replicas[i].config->name, mt, rts[i]));
      if (!equal) continue;
      verdicts[i].by_checksum_table = true;
      active[i] = false;
    }
  }
  Chunk chunk;
  while (std::any_of(active.begin(), active.end(), [](bool a) { return a; })) {
    VOMSREPL_ASSIGN_OR_RETURN(ChunkRead m, comparer.ReadMaster(mt, &chunk, false, true));
    uint64_t master_rows = RowCount(m);
    *master_rows_read += master_rows;
    for (size_t i = 0; i < replicas.size(); ++i) {
      if (!active[i]) continue;
      TableVerdict& v = verdicts[i];
      ReplicaSession& s = *replicas[i].session;
      const std::string& channel = replicas[i].config->name;
      bool aligned = false;
      VOMSREPL_ASSIGN_OR_RETURN(auto pair, comparer.AlignedRead(s, channel, mt, rts[i], chunk, m, false, &aligned));
      ++v.chunks;
      v.master_rows += RowCount(pair.first);
      v.replica_rows += RowCount(pair.second);
      if (pair.first.rows == pair.second.rows) continue;
      if (!mt.has_key()) {  // no key to name rows by
        ++v.differing_chunks;
        if (!aligned) v.unaligned = true;
        continue;
      }
      // Row by row, read again (aligned again): a chunk that changed and
      // caught up in between lists no key and does not count.
      // A chunk written faster than the replica can be caught at a matching
      // point is read again, with pauses, until it aligns or wait_timeout
      // passes: keys seen at different source states are not differences.
      bool rows_aligned = false;
      std::pair<ChunkRead, ChunkRead> rows;
      const auto give_up = Clock::now() + o.wait_timeout;
      for (auto pause = std::chrono::milliseconds(50);; pause = std::min(pause * 2, std::chrono::milliseconds(1000))) {
        VOMSREPL_ASSIGN_OR_RETURN(ChunkRead mr, comparer.ReadMaster(mt, &chunk, true, false));
        VOMSREPL_ASSIGN_OR_RETURN(rows, comparer.AlignedRead(s, channel, mt, rts[i], chunk, mr, true, &rows_aligned));
        if (rows_aligned || Clock::now() + pause >= give_up) break;
        std::this_thread::sleep_for(pause);
      }
      uint64_t before = v.keys_total;
      DiffRows(rows.first.rows, rows.second.rows, mt.key.size(), v, o.max_keys);
      if (v.keys_total > before) {
        ++v.differing_chunks;
        if (!rows_aligned) v.unaligned = true;
      }
    }
    if (!mt.has_key() || !chunk.upper) break;
    chunk.lower = chunk.upper;
    chunk.upper.reset();
  }
  for (TableVerdict& v : verdicts) {
    v.seconds = SecondsSince(table_started);
    if (o.log) {
      o.log(v.replica + ": " + db + "." + table + (rdb != db ? " as " + rdb + "." + table : std::string()) + ": " +
            (v.by_checksum_table ? "identical (CHECKSUM TABLE)"
             : v.identical()     ? "identical"
             : !v.problem.empty() ? v.problem
                                                               : std::to_string(v.keys_total) + " keys differ") +
            " (" + std::to_string(v.master_rows) + " rows, " + std::to_string(v.chunks) + " chunks)");
    }
    out->push_back(std::move(v));
  }
  return Status::OK();
}

}  // namespace

std::string_view KeyDifferenceKindName(KeyDifferenceKind kind) {
  static constexpr std::string_view kNames[] = {"missing_on_replica", "extra_on_replica", "different_values"};
  return EnumName(kind, kNames);
}

bool VerifyReport::identical() const {
  return std::all_of(tables.begin(), tables.end(), [](const TableVerdict& t) { return t.identical(); });
}

uint64_t VerifyReport::different_tables() const {
  return std::count_if(tables.begin(), tables.end(), [](const TableVerdict& t) { return !t.identical(); });
}

namespace {

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Every --db pattern names a kept database the master account can see; at
// least one database is compared.
Status CheckMasterDatabases(const VerifyOptions& o, const std::vector<std::string>& visible,
                            const std::vector<std::string>& selected) {
  const std::string account = o.master_account.empty() ? "the master account" : o.master_account;
  const std::string why = " Either it does not exist on the master, or " + account +
                          " cannot see it (it needs SELECT on it: GRANT SELECT ON `voms\\_%`.* TO that account).";
  for (const std::string& glob : o.database_globs) {
    txn::NameFilter one({glob}, {});
    bool found = false;
    for (const auto& db : visible) found |= one.Matches(db) && o.filter.KeepDatabase(db);
    if (!found)
      return FailedPrecondition("verify: --db " + glob + " matches no database kept by [filter]" +
                                (o.config_path.empty() ? "" : " of " + o.config_path) + " on the master." + why);
  }
  if (selected.empty())
    return FailedPrecondition("verify found no database to compare: the master shows no database kept by [filter]" +
                              (o.config_path.empty() ? "" : " of " + o.config_path) + "." + why);
  return Status::OK();
}

struct WorkItem {
  std::string db, rdb, table;
};

// The tables to compare, in the master's order: those [filter], --db and
// --table keep; a table only a replica has is a verdict of its own.
Result<std::vector<WorkItem>> PlanTables(const VerifyOptions& o, ReplicaSession& master,
                                         std::vector<ReplicaState>& replicas, VerifyReport& report) {
  std::vector<WorkItem> work;

  VOMSREPL_ASSIGN_OR_RETURN(auto all_dbs, ListDatabases(master));
  std::vector<std::string> dbs;
  for (const std::string& db : all_dbs)
    if (o.filter.KeepDatabase(db) && o.databases.Matches(db)) dbs.push_back(db);
  VOMSREPL_RETURN_IF_ERROR(CheckMasterDatabases(o, all_dbs, dbs));
  for (const std::string& db : dbs) {
    std::string rdb(o.filter.TargetDatabase(db));
    VOMSREPL_ASSIGN_OR_RETURN(auto master_tables, ListTables(master, db));
    std::vector<std::string> tables;
    auto keep = [&](const std::string& table) {
      return o.filter.KeepTable(db, table) && o.tables.MatchesAny({table, db + "." + table});
    };
    for (auto& t : master_tables)
      if (keep(t)) tables.push_back(t);

    for (ReplicaState& rs : replicas) {
      // Tables only the replica has.
      VOMSREPL_ASSIGN_OR_RETURN(auto replica_tables, ListTables(*rs.session, rdb));
      if (replica_tables.empty() && !tables.empty())
        return FailedPrecondition(
            "verify cannot compare " + db + " on replica " + rs.config->name + ": the replica shows no table in " +
            rdb + " (the master's " + db + " has " + std::to_string(tables.size()) + " to compare) through the account of " +
            rs.config->session.defaults_file + ". Either " + rdb + " is not on that replica yet (fill it with `vomsrepl "
            "bootstrap --replica " + rs.config->name + " --db " + db + "`), or that account lacks SELECT on it (GRANT "
            "SELECT ON `" + rdb + "`.* TO it)");
      for (auto& t : replica_tables) {
        if (!keep(t) || std::find(master_tables.begin(), master_tables.end(), t) != master_tables.end()) continue;
        TableVerdict v;
        v.replica = rs.config->name;
        v.master_database = db;
        v.replica_database = rdb;
        v.table = t;
        v.problem = "extra table on the replica (not on the master)";
        report.tables.push_back(std::move(v));
      }
    }

    for (const std::string& table : tables) work.push_back(WorkItem{db, rdb, table});
  }

  if (work.empty()) {
    const bool one = dbs.size() == 1;
    return FailedPrecondition(
        "verify found no table to compare: the master's database" + std::string(one ? " " : "s ") + JoinNames(dbs) +
        (one ? " holds" : " hold") + (o.tables.empty() ? "" : " no table matching --table, or") + " no table that " +
        (o.master_account.empty() ? std::string("the master account") : o.master_account) +
        " can see (it needs SELECT on them: GRANT SELECT ON `db`.* TO that account)");
  }

  return work;
}

}  // namespace

Result<VerifyReport> RunVerify(const VerifyOptions& o) {
  auto started = Clock::now();
  if (o.chunk_rows == 0) return InvalidArgument("--chunk-rows must be at least 1");
  if (o.replicas.empty()) return InvalidArgument("no replica to verify");
  VerifyReport report;
  ReplicaSession master;
  VOMSREPL_RETURN_IF_ERROR(OpenReader(master, o.master));
  std::vector<ReplicaState> replicas;
  for (const VerifyReplica& r : o.replicas) {
    ReplicaState st{&r, std::make_unique<ReplicaSession>()};
    VOMSREPL_RETURN_IF_ERROR(OpenReader(*st.session, r.session));
    replicas.push_back(std::move(st));
    report.replicas.push_back(r.name);
  }
  if (o.threads == 0) return InvalidArgument("--threads must be at least 1");
  VOMSREPL_ASSIGN_OR_RETURN(std::vector<WorkItem> work, PlanTables(o, master, replicas, report));

  // Tables are spread over `threads` workers, each with its own sessions
  // and journal view; verdicts keep the table order.
  std::vector<std::vector<TableVerdict>> results(work.size());
  std::vector<uint64_t> rows_read(o.threads, 0);
  ParallelWork shared(work.size());
  std::atomic<uint64_t> tables_done{0}, rows_done{0};  // for the progress line
  auto worker = [&](size_t w) {
    shared.Finish([&]() -> Status {
      ReplicaSession wmaster;
      VOMSREPL_RETURN_IF_ERROR(OpenReader(wmaster, o.master).WithContext("master"));
      std::vector<ReplicaState> wreplicas;
      for (const VerifyReplica& r : o.replicas) {
        ReplicaState rs{&r, std::make_unique<ReplicaSession>()};
        VOMSREPL_RETURN_IF_ERROR(OpenReader(*rs.session, r.session));
        wreplicas.push_back(std::move(rs));
      }
      SourceAlignment walign(o.state_dir);
      VOMSREPL_RETURN_IF_ERROR(walign.Open().WithContext("journal in " + o.state_dir));
      TableComparer wcomparer(o, wmaster, walign);
      while (std::optional<size_t> next = shared.Next()) {
        const size_t i = *next;
        const uint64_t rows_before = rows_read[w];
        VOMSREPL_RETURN_IF_ERROR(VerifyTable(o, wmaster, wreplicas, wcomparer, work[i].db, work[i].rdb,
                                             work[i].table, &results[i], &rows_read[w]));
        rows_done += rows_read[w] - rows_before;
        ++tables_done;
      }
      return Status::OK();
    }());
  };
  std::optional<ProgressReporter> progress;
  if (o.progress) {
    ProgressReporter::Options po = StderrProgress("verify", "tables", o.progress_interval);
    po.poll = [&tables_done, &rows_done, total = work.size()](ProgressReporter& p) {
      p.SetDone(tables_done);
      p.SetTotal(total);
      p.SetDetail(", " + GroupedCount(rows_done) + " master rows compared");
    };
    progress.emplace(std::move(po));
  }
  std::vector<std::thread> threads;
  for (size_t w = 0; w < o.threads; ++w) threads.emplace_back(worker, w);
  for (auto& t : threads) t.join();
  if (progress) progress->Stop();
  VOMSREPL_RETURN_IF_ERROR(shared.Result());
  for (auto& r : results)
    for (auto& v : r) report.tables.push_back(std::move(v));
  for (uint64_t n : rows_read) report.master_rows_read += n;
  report.seconds = SecondsSince(started);
  return report;
}

}  // namespace vomsrepl::lifecycle
