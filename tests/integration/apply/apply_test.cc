// Integration: the applier against a real MariaDB 10.11 master and read-only
// replica of tools/sandbox (a sandbox of its own: fixture apply_sandbox).
//
// Each test runs SQL on the master (root, admin.cnf), builds txn::Transaction
// objects from the master's binlog files (binlog_transactions.h: the product's
// TransactionAssembler over them), applies them to replica1 through the
// least-privilege apply account (apply.cnf: DML/DDL on voms_% and vomsrepl,
// READ ONLY ADMIN) and compares the databases table by table (CHECKSUM TABLE
// and every row as text). Every test uses its own database and progress channel.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "apply/parallel_applier.h"
#include "apply/replica_session.h"
#include "apply/sql_identifier.h"
#include "apply/transaction_applier.h"
#include "binlog/table_map.h"
#include "binlog_transactions.h"
#include "sandbox_client.h"
#include "sandbox_fixture.h"

namespace vomsrepl::apply {
namespace {

using vomsrepl::testing::SandboxConnection;

// Test SQL only: a string literal's quotes doubled.
std::string SqlQuoted(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out;
}

class ApplyIT : public vomsrepl::testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(master_.Connect(env_.MasterOptionFile("admin"))) << master_.error();
    ASSERT_TRUE(replica_.Connect(env_.ReplicaOptionFile(1, "admin"))) << replica_.error();
  }

  void Master(const std::string& sql) { ASSERT_TRUE(master_.Execute(sql)) << sql << ": " << master_.error(); }
  void Replica(const std::string& sql) { ASSERT_TRUE(replica_.Execute(sql)) << sql << ": " << replica_.error(); }

  // Forgets what an earlier run left: the database on both sides, the channels' progress.
  void Fresh(const std::string& db, const std::vector<std::string>& channels) {
    Master("DROP DATABASE IF EXISTS " + QuoteIdentifier(db));
    Replica("DROP DATABASE IF EXISTS " + QuoteIdentifier(db));
    // Fails harmlessly before the first applier created the table.
    for (const auto& c : channels) replica_.Execute("DELETE FROM vomsrepl.progress WHERE channel = '" + c + "'");
  }

  BinlogPosition MasterPosition() {
    auto rows = master_.Query("SHOW MASTER STATUS");
    EXPECT_TRUE(rows.has_value() && !rows->empty()) << master_.error();
    if (!rows || rows->empty()) return {};
    return BinlogPosition{*(*rows)[0][0], std::strtoull((*rows)[0][1]->c_str(), nullptr, 10)};
  }

  // Transactions the master wrote since `from`, numbered from `first_seq`.
  std::vector<txn::Transaction> Since(const BinlogPosition& from, uint64_t first_seq = 1) {
    std::vector<std::string> files;
    auto logs = master_.Query("SHOW BINARY LOGS");
    EXPECT_TRUE(logs.has_value()) << master_.error();
    std::string dir = env_.Get("VOMSREPL_MASTER_BINLOG_DIR");
    bool started = false;
    for (const auto& r : logs.value_or(std::vector<vomsrepl::testing::Row>{})) {
      if (*r[0] == from.file) started = true;
      if (started) files.push_back(dir + "/" + *r[0]);
    }
    EXPECT_FALSE(files.empty());
    auto txns = testing::TransactionsFromBinlog(files, from.offset, first_seq);
    EXPECT_TRUE(txns.ok()) << txns.status().ToString();
    return txns.ok() ? std::move(*txns) : std::vector<txn::Transaction>{};
  }

  void RunSqlFileOnMaster(const std::string& path) {
    std::string log = env_.dir() + "/apply-test-sql.log";
    std::string cmd = "mariadb --defaults-file='" + env_.MasterOptionFile("admin") + "' --batch < '" + path +
                      "' > '" + log + "' 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "running " << path << " failed, see " << log;
  }

  ReplicaConfig Config() {
    ReplicaConfig c;
    c.name = "replica1";
    c.defaults_file = env_.ReplicaOptionFile(1, "apply");
    c.connect_timeout = std::chrono::seconds(5);
    return c;
  }

  ApplierOptions Options(const std::string& channel) {
    ApplierOptions o;
    o.channel = channel;
    o.warn = [this](const std::string& w) { warnings_.push_back(w); };
    return o;
  }

  // Applies `txns` through a fresh session and applier; returns the first error.
  Status ApplyAll(const std::vector<txn::Transaction>& txns, ApplierOptions options, ApplierStats* stats = nullptr,
                  Progress* progress = nullptr) {
    ReplicaSession session;
    VOMSREPL_RETURN_IF_ERROR(session.Open(Config()));
    VOMSREPL_RETURN_IF_ERROR(session.Preflight());
    TransactionApplier applier(session, std::move(options));
    auto p = applier.Start();
    if (!p.ok()) return p.status();
    Status st;
    for (const txn::Transaction& t : txns) {
      st = applier.Apply(t);
      if (!st.ok()) break;
    }
    if (st.ok()) st = applier.Flush();
    last_row_stats_ = applier.row_stats();
    if (stats) *stats = applier.stats();
    if (progress) *progress = applier.progress();
    return st;
  }

  // The same through a ParallelApplier of `parallel.workers` connections.
  Status ApplyAllParallel(const std::vector<txn::Transaction>& txns, ApplierOptions options, ParallelOptions parallel,
                          ParallelStats* pstats = nullptr, Progress* progress = nullptr,
                          uint64_t* failed_through = nullptr) {
    ReplicaSession session;
    VOMSREPL_RETURN_IF_ERROR(session.Open(Config()));
    VOMSREPL_RETURN_IF_ERROR(session.Preflight());
    ParallelApplier applier(session, std::move(options), parallel);
    auto p = applier.Start();
    if (!p.ok()) return p.status();
    EXPECT_EQ(applier.workers(), parallel.workers);
    Status st;
    for (const txn::Transaction& t : txns) {
      st = applier.Apply(t);
      if (!st.ok()) break;
    }
    if (st.ok()) st = applier.Flush();
    if (pstats) *pstats = applier.parallel_stats();
    if (progress) *progress = applier.progress();
    if (failed_through) *failed_through = applier.failed_through_seq();
    return st;
  }

  // `t`'s changes split into n chunks (TABLE_MAPs stay before their rows, as
  // the assembler makes them: the split is by change count, which keeps each
  // chunk decodable here because the statements are single-table).
  static std::vector<txn::Transaction> SplitIntoChunks(const txn::Transaction& t, size_t n) {
    std::vector<txn::Change> changes;
    txn::ChangeReader reader(t.changes);
    txn::Change c;
    while (reader.Next(&c)) changes.push_back(c);
    EXPECT_TRUE(reader.status().ok());
    EXPECT_GT(changes.size(), 2 * n);
    std::vector<txn::Transaction> chunks(n);
    for (size_t i = 0; i < n; ++i) {
      chunks[i].seq = t.seq;
      chunks[i].chunk = uint32_t(i);
      chunks[i].last_chunk = i == n - 1;
      chunks[i].mariadb_source = t.mariadb_source;
      if (i == n - 1) chunks[i].source = t.source;
      txn::ChangeWriter w(chunks[i]);
      // A chunk starts with the TABLE_MAP in force (repeated, as the assembler does).
      if (i > 0 && changes[i * changes.size() / n].kind != txn::ChangeKind::kTableMap) {
        for (size_t k = i * changes.size() / n; k-- > 0;) {
          if (changes[k].kind == txn::ChangeKind::kTableMap) {
            w.AddTableMap(changes[k].body);
            break;
          }
        }
      }
      for (size_t k = i * changes.size() / n; k < (i + 1) * changes.size() / n; ++k) {
        if (changes[k].kind == txn::ChangeKind::kTableMap) w.AddTableMap(changes[k].body);
        else w.AddRows(changes[k].event_type, changes[k].body);
      }
    }
    return chunks;
  }

  std::string Value(SandboxConnection& c, const std::string& sql) {
    auto v = c.QueryValue(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << c.error();
    return v.value_or("");
  }

  // Same tables, same CHECKSUM TABLE, same rows (as text, in a total order).
  void ExpectSameDatabase(const std::string& db) {
    std::string list = "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" + db +
                       "' ORDER BY TABLE_NAME";
    auto mt = master_.Query(list);
    auto rt = replica_.Query(list);
    ASSERT_TRUE(mt && rt);
    ASSERT_FALSE(mt->empty()) << db;
    ASSERT_EQ(*mt, *rt) << "table lists of " << db << " differ";
    for (const auto& row : *mt) {
      std::string q = QuoteIdentifier(db) + "." + QuoteIdentifier(*row[0]);
      auto mc = master_.Query("CHECKSUM TABLE " + q);
      auto rc = replica_.Query("CHECKSUM TABLE " + q);
      ASSERT_TRUE(mc && rc && !mc->empty() && !rc->empty()) << q;
      ASSERT_TRUE((*mc)[0][1].has_value()) << q;
      EXPECT_EQ((*mc)[0][1], (*rc)[0][1]) << "CHECKSUM TABLE " << q;
      std::string ncols = Value(master_, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" +
                                             db + "' AND TABLE_NAME = '" + SqlQuoted(*row[0]) +
                                             "' AND EXTRA NOT LIKE '%INVISIBLE%'");
      std::string order = " ORDER BY 1";
      for (int i = 2; i <= std::min(std::atoi(ncols.c_str()), 16); ++i) order += "," + std::to_string(i);
      auto mr = master_.Query("SELECT * FROM " + q + order);
      auto rr = replica_.Query("SELECT * FROM " + q + order);
      ASSERT_TRUE(mr && rr) << q;
      EXPECT_EQ(mr->size(), rr->size()) << q;
      EXPECT_TRUE(*mr == *rr) << "rows of " << q << " differ";
    }
  }

  SandboxConnection master_, replica_;
  std::vector<std::string> warnings_;
  RowApplierStats last_row_stats_;  // of the last ApplyAll
};

TEST_F(ApplyIT, TypeMatrixIsIdenticalOnTheReplica) {
  Fresh("voms_types", {"types"});
  BinlogPosition from = MasterPosition();
  RunSqlFileOnMaster(std::string(VOMSREPL_SOURCE_DIR) + "/tests/integration/apply/type_matrix.sql");
  auto txns = Since(from);
  ASSERT_GT(txns.size(), 30u);
  ApplierStats stats;
  Progress progress;
  Status st = ApplyAll(txns, Options("types"), &stats, &progress);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSameDatabase("voms_types");
  EXPECT_EQ(progress.seq, txns.back().seq);
  EXPECT_EQ(progress.position, txns.back().source.position);
  EXPECT_EQ(progress.gtid, txns.back().source.gtid);
  EXPECT_GT(stats.ddl_statements, 10u);
  // The progress row on the replica says the same.
  EXPECT_EQ(Value(replica_, "SELECT CONCAT(seq, ' ', file, ':', pos, ' ', gtid) FROM vomsrepl.progress "
                            "WHERE channel = 'types'"),
            std::to_string(txns.back().seq) + " " + txns.back().source.position.ToString() + " " +
                txns.back().source.gtid);
  // Bytes, not characters: latin1 stays latin1, 4-byte UTF-8 stays UTF-8.
  EXPECT_EQ(Value(replica_, "SELECT HEX(l1) FROM voms_types.strings WHERE id = 2"), "FFFFFF");
  EXPECT_EQ(Value(replica_, "SELECT HEX(cu) FROM voms_types.strings WHERE id = 1"), "F09F9880F09F9880");
  // The table without a key was announced.
  bool warned = false;
  for (const auto& w : warnings_) warned = warned || w.find("`voms_types`.`nokey`") != std::string::npos;
  EXPECT_TRUE(warned);
}

// The before-image check in one joined statement (row_statements.h
// BuildJoin*): every row of every type-matrix table with an integer key is
// updated by one statement on the master, so the replica gets multi-row
// checked UPDATEs whose before images carry every column type. No false
// divergence: the joined statements find every row (no careful retry), the
// replica equals the master. No missed one: for each checked column in turn,
// one row's value is replaced on the replica by another row's (a different
// value of the same type) and the same transaction must stop, naming that row.
TEST_F(ApplyIT, BeforeImageCheckOfEveryColumnTypeInJoinedStatements) {
  Fresh("voms_types", {"types", "types-join"});
  BinlogPosition from = MasterPosition();
  RunSqlFileOnMaster(std::string(VOMSREPL_SOURCE_DIR) + "/tests/integration/apply/type_matrix.sql");
  const char* tables[] = {"ints", "floats", "temporals", "strings", "others", "multi", "minimal"};
  for (const char* t : tables) {
    // A first row of NULLs: the derived table's types must come from every
    // row (a table value constructor typed after the first row would make
    // these columns BINARY(0) and clip the other rows' values).
    Master(std::string("INSERT INTO voms_types.") + t + " (id) VALUES (0)");
    Master(std::string("ALTER TABLE voms_types.") + t + " ADD COLUMN touch INT NOT NULL DEFAULT 0");
  }
  auto setup = Since(from);
  ASSERT_TRUE(ApplyAll(setup, Options("types")).ok());
  const uint64_t base = setup.back().seq;
  BinlogPosition mid = MasterPosition();
  for (const char* t : tables) Master(std::string("UPDATE voms_types.") + t + " SET touch = touch + 1");
  auto touch = Since(mid, base + 1);
  ASSERT_EQ(touch.size(), std::size(tables));

  for (size_t ti = 0; ti < std::size(tables); ++ti) {
    SCOPED_TRACE(tables[ti]);
    ApplierStats stats;
    Status st = ApplyAll({touch[ti]}, Options("types"), &stats);
    ASSERT_TRUE(st.ok()) << st.ToString();
    EXPECT_EQ(stats.careful_retries, 0u) << "a joined statement missed a row holding its before image";
    EXPECT_GE(last_row_stats_.joined_statements, 1u);
  }
  ExpectSameDatabase("voms_types");

  // Each checked column: a hand change on one row is a divergence.
  Replica("INSERT INTO vomsrepl.progress (channel, seq) VALUES ('types-join', " + std::to_string(base) + ")");
  size_t columns = 0;
  for (size_t ti = 0; ti < std::size(tables); ++ti) {
    const std::string t = tables[ti];
    const std::string q = "voms_types." + t;
    auto cols = master_.Query(
        "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'voms_types' AND TABLE_NAME = '" +
        t + "' AND COLUMN_NAME NOT IN ('id', 'touch') AND DATA_TYPE NOT IN ('float', 'double', 'geometry', 'point') "
        "AND EXTRA NOT LIKE '%GENERATED%' AND NOT (DATA_TYPE = 'set' AND COLUMN_NAME = 's64')");
    ASSERT_TRUE(cols.has_value());
    for (const auto& col : *cols) {
      const std::string c = QuoteIdentifier(*col[0]);
      // Two rows whose values differ in their bytes (or NULL against a value).
      auto pair = replica_.Query("SELECT a.id, b.id FROM " + q + " a JOIN " + q + " b ON NOT (HEX(a." + c +
                                 ") <=> HEX(b." + c + ")) ORDER BY a.id, b.id LIMIT 1");
      ASSERT_TRUE(pair.has_value());
      if (pair->empty()) continue;
      const std::string a = *(*pair)[0][0], b = *(*pair)[0][1];
      SCOPED_TRACE(q + "." + c + ": row " + a + " takes row " + b + "'s value");
      ++columns;
      Replica("CREATE TEMPORARY TABLE voms_types.keep SELECT * FROM " + q + " WHERE id = " + a);
      Replica("SET STATEMENT sql_mode = '' FOR UPDATE " + q + " SET " + c + " = (SELECT " + c + " FROM (SELECT " +
              c + " FROM " + q + " WHERE id = " + b + ") x) WHERE id = " + a);
      Replica("UPDATE vomsrepl.progress SET seq = " + std::to_string(base + ti) + " WHERE channel = 'types-join'");
      Status st = ApplyAll({touch[ti]}, Options("types-join"));
      EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
      EXPECT_NE(std::string(st.message()).find("row differs from the source's before image on UPDATE"),
                std::string::npos)
          << st.ToString();
      EXPECT_NE(std::string(st.message()).find("key (id=" + a + ")"), std::string::npos) << st.ToString();
      Replica("SET STATEMENT sql_mode = '' FOR UPDATE " + q + " r JOIN voms_types.keep k ON k.id = r.id SET r." + c + " = k." + c);
      Replica("DROP TEMPORARY TABLE voms_types.keep");
    }
  }
  EXPECT_GT(columns, 60u) << "checked columns tried";
}

TEST_F(ApplyIT, AppliesExactlyOnceAndGroupsTransactions) {
  Fresh("voms_once", {"once"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_once");
  Master("CREATE TABLE voms_once.t (id INT PRIMARY KEY, v VARCHAR(20))");
  for (int i = 1; i <= 40; ++i) {
    Master("INSERT INTO voms_once.t VALUES (" + std::to_string(i) + ", 'v" + std::to_string(i) + "')");
    if (i % 5 == 0) Master("UPDATE voms_once.t SET v = CONCAT(v, '!') WHERE id < " + std::to_string(i));
    if (i % 8 == 0) Master("DELETE FROM voms_once.t WHERE id = " + std::to_string(i - 3));
  }
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 2u + 40 + 8 + 5);
  ApplierOptions o = Options("once");
  o.group_max_transactions = 7;
  ApplierStats first;
  ASSERT_TRUE(ApplyAll(txns, o, &first).ok());
  ExpectSameDatabase("voms_once");
  EXPECT_EQ(first.transactions_applied, txns.size());
  // 2 DDL commits, then groups of at most 7 of the 53 row transactions.
  EXPECT_EQ(first.commits, 2u + (53 + 6) / 7);

  std::string checksum = Value(replica_, "CHECKSUM TABLE voms_once.t");
  ApplierStats second;
  Progress progress;
  ASSERT_TRUE(ApplyAll(txns, o, &second, &progress).ok());
  EXPECT_EQ(second.transactions_applied, 0u);
  EXPECT_EQ(second.transactions_skipped, txns.size());
  EXPECT_EQ(second.commits, 0u);
  EXPECT_EQ(progress.seq, txns.back().seq);
  ExpectSameDatabase("voms_once");

  // Resuming in the middle (as after a crash): only the rest is applied.
  Replica("DROP DATABASE voms_once");
  Replica("DELETE FROM vomsrepl.progress WHERE channel = 'once'");
  std::vector<txn::Transaction> head(txns.begin(), txns.begin() + 20);
  ASSERT_TRUE(ApplyAll(head, o).ok());
  ApplierStats rest;
  ASSERT_TRUE(ApplyAll(txns, o, &rest).ok());
  EXPECT_EQ(rest.transactions_skipped, 20u);
  EXPECT_EQ(rest.transactions_applied, txns.size() - 20);
  ExpectSameDatabase("voms_once");
}

TEST_F(ApplyIT, DdlInterruptedBeforeItsProgressUpdateIsRecognised) {
  Fresh("voms_ddl", {"ddl"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_ddl");
  Master("CREATE TABLE voms_ddl.t (id INT PRIMARY KEY, v INT)");
  Master("INSERT INTO voms_ddl.t VALUES (1, 1), (2, 2)");
  Master("ALTER TABLE voms_ddl.t ADD COLUMN w VARCHAR(10) DEFAULT 'x'");
  Master("INSERT INTO voms_ddl.t VALUES (3, 3, 'three')");
  Master("CREATE TABLE voms_ddl.u (id INT PRIMARY KEY)");
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 6u);
  ASSERT_TRUE(txns[3].has_statement);
  const uint64_t alter_seq = txns[3].seq;

  std::vector<txn::Transaction> head(txns.begin(), txns.begin() + 3);
  ASSERT_TRUE(ApplyAll(head, Options("ddl")).ok());
  // The crash: the ALTER ran on the replica, its progress update did not happen.
  Replica("ALTER TABLE voms_ddl.t ADD COLUMN w VARCHAR(10) DEFAULT 'x'");
  Replica("UPDATE vomsrepl.progress SET ddl_seq_pending = " + std::to_string(alter_seq) +
          " WHERE channel = 'ddl'");

  ApplierStats stats;
  Progress progress;
  Status st = ApplyAll(txns, Options("ddl"), &stats, &progress);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.ddl_recovered, 1u);
  EXPECT_EQ(stats.transactions_skipped, 3u);
  EXPECT_FALSE(progress.ddl_seq_pending.has_value());
  EXPECT_EQ(Value(replica_, "SELECT IFNULL(ddl_seq_pending, 'none') FROM vomsrepl.progress WHERE channel = 'ddl'"),
            "none");
  bool logged = false;
  for (const auto& w : warnings_) logged = logged || (w.find("already applied") != std::string::npos &&
                                                      w.find("ADD COLUMN") != std::string::npos);
  EXPECT_TRUE(logged);
  ExpectSameDatabase("voms_ddl");

  // Without the pending mark, the same situation is an error, not silently accepted.
  Replica("DROP TABLE voms_ddl.u");
  Replica("CREATE TABLE voms_ddl.u (id INT PRIMARY KEY)");
  Replica("UPDATE vomsrepl.progress SET seq = " + std::to_string(txns[5].seq - 1) + " WHERE channel = 'ddl'");
  st = ApplyAll(txns, Options("ddl"));
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("error 1050"), std::string_view::npos) << st.ToString();
  // The server refused it, so it did not run: no pending mark left behind that would
  // turn the next attempt's 1050 into "already applied".
  EXPECT_EQ(Value(replica_, "SELECT IFNULL(ddl_seq_pending, 'none') FROM vomsrepl.progress WHERE channel = 'ddl'"),
            "none");
  EXPECT_FALSE(ApplyAll(txns, Options("ddl")).ok());
}

// A VO removed with `USE voms_x; DROP DATABASE voms_x` (the adversarial test of
// 2026-12-07): the DDL runs in its default database, and a statement prepared
// there afterwards (the progress row's UPDATE) warned "Unknown database" at every
// execution once the database was gone, which stopped the replica. And CREATE
// DATABASE, whose logged default database is the new one, runs without a warning.
TEST_F(ApplyIT, DroppingTheDefaultDatabaseOfADdlLeavesNoStaleSession) {
  Fresh("voms_gone", {"gone"});
  Fresh("voms_kept", {});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_gone");
  Master("CREATE DATABASE voms_kept");
  Master("CREATE TABLE voms_kept.t (id INT PRIMARY KEY, v INT)");
  Master("USE voms_gone");
  Master("CREATE TABLE t (id INT PRIMARY KEY)");  // unqualified: runs in voms_gone
  Master("INSERT INTO voms_kept.t VALUES (1, 1)");
  Master("DROP DATABASE voms_gone");
  Master("INSERT INTO voms_kept.t VALUES (2, 2)");
  Master("UPDATE voms_kept.t SET v = 3 WHERE id = 1");
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 8u);
  // The first DDL of the session is the one with a default database, so that the
  // progress row's statements are prepared after it.
  std::vector<txn::Transaction> first(txns.begin(), txns.begin() + 3);
  ASSERT_TRUE(ApplyAll(first, Options("gone")).ok());
  std::vector<txn::Transaction> rest(txns.begin() + 3, txns.end());
  Status st = ApplyAll(rest, Options("gone"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSameDatabase("voms_kept");
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'voms_gone'"), "0");
  for (const auto& w : warnings_) EXPECT_EQ(w.find("does not exist"), std::string::npos) << w;

  // A DDL that needs its default database where the replica lacks it stops, naming
  // the database (it used to run in whatever database the session was in).
  Fresh("voms_gone", {"gone"});
  from = MasterPosition();
  Master("CREATE DATABASE voms_gone");
  Master("USE voms_gone");
  Master("CREATE TABLE t (id INT PRIMARY KEY)");
  Master("USE voms_kept");
  txns = Since(from);
  ASSERT_EQ(txns.size(), 2u);
  Replica("DELETE FROM vomsrepl.progress WHERE channel = 'gone'");
  st = ApplyAll({txns[1]}, Options("gone"));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("default database `voms_gone` does not exist on the replica"), std::string_view::npos)
      << st.ToString();
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME = 't' AND "
                            "TABLE_SCHEMA IN ('vomsrepl', 'voms_kept')"), "1");  // voms_kept.t only
  Master("DROP DATABASE voms_gone");
}

// What the SQL-level applier cannot do exactly is refused by name, never done
// twice or half (the adversarial test of 2026-12-07): a trigger on the replica
// would fire for rows the master's triggers already wrote into the binlog; a
// CREATE TRIGGER from the master would make one; a system-versioned table's period
// columns would take the replica's times. And a DDL runs under the master
// session's explicit_defaults_for_timestamp (its TIMESTAMP columns' definitions).
TEST_F(ApplyIT, TriggersVersionedTablesAndTimestampDefaultsAreExactOrRefused) {
  Fresh("voms_trg", {"trg"});
  Master("CREATE DATABASE voms_trg");
  Master("CREATE TABLE voms_trg.t (id INT PRIMARY KEY, v INT)");
  Master("CREATE TABLE voms_trg.audit (n INT AUTO_INCREMENT PRIMARY KEY, id INT)");
  BinlogPosition from = MasterPosition();
  Master("CREATE TRIGGER voms_trg.t_ai AFTER INSERT ON voms_trg.t FOR EACH ROW INSERT INTO voms_trg.audit (id) "
         "VALUES (NEW.id)");
  Master("INSERT INTO voms_trg.t VALUES (1, 10), (2, 20)");
  Master("SET SESSION explicit_defaults_for_timestamp = 0");
  Master("CREATE TABLE voms_trg.ts (id INT PRIMARY KEY, a TIMESTAMP, b TIMESTAMP)");
  Master("SET SESSION explicit_defaults_for_timestamp = DEFAULT");
  Master("CREATE TABLE voms_trg.sv (id INT PRIMARY KEY, v INT) WITH SYSTEM VERSIONING");
  Master("INSERT INTO voms_trg.sv VALUES (1, 1)");
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 5u);  // the SET SESSIONs are not transactions
  // The initial copy, with the trigger (as mysqldump makes it).
  Replica("CREATE DATABASE voms_trg");
  Replica("CREATE TABLE voms_trg.t (id INT PRIMARY KEY, v INT)");
  Replica("CREATE TABLE voms_trg.audit (n INT AUTO_INCREMENT PRIMARY KEY, id INT)");
  Replica("CREATE TRIGGER voms_trg.t_ai AFTER INSERT ON voms_trg.t FOR EACH ROW INSERT INTO voms_trg.audit (id) "
          "VALUES (NEW.id)");

  // The CREATE TRIGGER from the master stops the replica, naming the way past it.
  Status st = ApplyAll({txns[0]}, Options("trg"));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("the master created a trigger"), std::string_view::npos) << st.ToString();
  EXPECT_NE(st.message().find("replica skip replica1 --seq " + std::to_string(txns[0].seq)), std::string_view::npos)
      << st.ToString();
  // Rows into a table with a trigger on the replica stop it before anything is written.
  Replica("UPDATE vomsrepl.progress SET seq = " + std::to_string(txns[0].seq) + " WHERE channel = 'trg'");
  st = ApplyAll({txns[1]}, Options("trg"));
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("has trigger(s) on the replica (t_ai)"), std::string_view::npos) << st.ToString();
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_trg.audit"), "0");
  // Without the trigger, the master's rows (its trigger's included) arrive once.
  Replica("DROP TRIGGER voms_trg.t_ai");
  st = ApplyAll({txns[1], txns[2]}, Options("trg"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Value(replica_, "SELECT GROUP_CONCAT(id ORDER BY n) FROM voms_trg.audit"), "1,2");
  EXPECT_EQ(Value(replica_, "SELECT GROUP_CONCAT(id, ':', v ORDER BY id) FROM voms_trg.t"), "1:10,2:20");
  EXPECT_EQ(Value(replica_, "SHOW CREATE TABLE voms_trg.ts"), Value(master_, "SHOW CREATE TABLE voms_trg.ts"));
  auto create = [](SandboxConnection& c) {
    auto rows = c.Query("SHOW CREATE TABLE voms_trg.ts");
    return rows && !rows->empty() && (*rows)[0].size() > 1 ? (*rows)[0][1].value_or("") : std::string();
  };
  EXPECT_NE(create(master_).find("DEFAULT current_timestamp()"), std::string::npos) << create(master_);
  EXPECT_EQ(create(replica_), create(master_));
  // A system-versioned table: the CREATE runs, its first row stops the replica by name.
  st = ApplyAll({txns[3], txns[4]}, Options("trg"));
  EXPECT_EQ(st.code(), StatusCode::kNotSupported) << st.ToString();
  EXPECT_NE(st.message().find("`voms_trg`.`sv` is system-versioned"), std::string_view::npos) << st.ToString();
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_trg.sv"), "0");
  Master("DROP DATABASE voms_trg");
  Replica("DROP DATABASE voms_trg");
}

TEST_F(ApplyIT, DivergenceStopsWithTableKeyAndPositionAndOverwriteConverges) {
  Fresh("voms_div", {"div", "div-skip"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_div");
  Master("CREATE TABLE voms_div.t (id INT PRIMARY KEY, v VARCHAR(20))");
  Master("INSERT INTO voms_div.t SELECT seq, CONCAT('v', seq) FROM voms_div.seq_1_to_50");
  auto setup = Since(from);
  ASSERT_TRUE(ApplyAll(setup, Options("div")).ok());

  // By hand on the replica: one row gone, one extra row.
  Replica("DELETE FROM voms_div.t WHERE id = 7");
  Replica("INSERT INTO voms_div.t VALUES (100, 'replica only')");
  BinlogPosition before_update = MasterPosition();
  Master("UPDATE voms_div.t SET v = 'changed' WHERE id BETWEEN 5 AND 9");
  Master("INSERT INTO voms_div.t VALUES (100, 'master'), (101, 'new')");
  Master("DELETE FROM voms_div.t WHERE id = 7");
  auto more = Since(before_update, setup.back().seq + 1);
  ASSERT_EQ(more.size(), 3u);

  Status st = ApplyAll(more, Options("div"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  std::string m(st.message());
  EXPECT_NE(m.find("`voms_div`.`t`"), std::string::npos) << m;
  EXPECT_NE(m.find("id=7"), std::string::npos) << m;
  EXPECT_NE(m.find("row not found for UPDATE"), std::string::npos) << m;
  EXPECT_NE(m.find("journal seq " + std::to_string(more[0].seq)), std::string::npos) << m;
  EXPECT_NE(m.find(more[0].source.position.ToString()), std::string::npos) << m;
  // Nothing of the failed group was committed.
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_div.t WHERE v = 'changed'"), "0");
  EXPECT_EQ(Value(replica_, "SELECT seq FROM vomsrepl.progress WHERE channel = 'div'"),
            std::to_string(setup.back().seq));

  // skip: the missing row stays missing, the duplicate stays the replica's.
  ApplierOptions skip = Options("div-skip");
  skip.divergence = DivergencePolicy::kSkip;
  Replica("INSERT INTO vomsrepl.progress (channel, seq) VALUES ('div-skip', " + std::to_string(setup.back().seq) + ")");
  warnings_.clear();
  ASSERT_TRUE(ApplyAll(more, skip).ok());
  EXPECT_EQ(Value(replica_, "SELECT v FROM voms_div.t WHERE id = 100"), "replica only");
  EXPECT_GE(warnings_.size(), 3u);  // UPDATE of 7, INSERT of 100, DELETE of 7

  // overwrite from the same point converges to the master.
  Replica("DELETE FROM voms_div.t WHERE id IN (7, 101)");
  Replica("UPDATE voms_div.t SET v = CONCAT('v', id) WHERE id BETWEEN 5 AND 9");
  ApplierOptions over = Options("div");
  over.divergence = DivergencePolicy::kOverwrite;
  ApplierStats stats;
  st = ApplyAll(more, over, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.careful_retries, 1u);
  ExpectSameDatabase("voms_div");
}

// The before-image check (row_applier.h): a row whose NON-key column was
// changed by hand on the replica is a divergence when the master later
// updates or deletes it, in the ordered path (table o: a unique secondary
// key, not foldable; bulk UPDATE and IN-list DELETE batches) and in the
// folded path (table f; a key updated twice compares with its FIRST before
// image). stop names table, key, journal seq and position; skip keeps the
// replica's row; overwrite converges; check_before_image = false finds rows
// by key only (the change is silently overwritten, as before).
TEST_F(ApplyIT, RowChangedByHandOnTheReplicaIsADivergenceOnUpdateAndDelete) {
  Fresh("voms_bi", {"bi", "bi-skip"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_bi");
  Master("CREATE TABLE voms_bi.o (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE, v VARCHAR(20), n INT, "
         "d DOUBLE)");
  Master("CREATE TABLE voms_bi.f (id INT PRIMARY KEY, v VARCHAR(20), n INT, d DOUBLE, t DATETIME(6))");
  Master("INSERT INTO voms_bi.o SELECT seq, CONCAT('c', seq), CONCAT('v', seq), seq, seq / 7 FROM "
         "voms_bi.seq_1_to_20");
  Master("INSERT INTO voms_bi.f SELECT seq, CONCAT('v', seq), NULL, seq / 7, '2024-01-02 03:04:05.123456' FROM "
         "voms_bi.seq_1_to_20");
  auto setup = Since(from);
  ASSERT_TRUE(ApplyAll(setup, Options("bi")).ok());
  ExpectSameDatabase("voms_bi");

  // By hand on the replica: non-key columns of rows the master changes next.
  Replica("UPDATE voms_bi.o SET n = 999 WHERE id = 3");
  Replica("UPDATE voms_bi.o SET v = NULL WHERE id = 4");
  Replica("UPDATE voms_bi.f SET v = 'hand' WHERE id = 13");
  Replica("UPDATE voms_bi.f SET n = 0 WHERE id = 14");  // NULL on the master: <=> tells 0 from NULL
  BinlogPosition mid = MasterPosition();
  Master("UPDATE voms_bi.o SET v = 'm' WHERE id BETWEEN 1 AND 3");    // T1: bulk UPDATE, row 3 differs
  Master("DELETE FROM voms_bi.o WHERE id IN (4, 6, 7)");             // T2: IN-list DELETE, row 4 differs
  Master("UPDATE voms_bi.f SET n = 1 WHERE id BETWEEN 11 AND 13");   // T3: folded, row 13 differs
  Master("UPDATE voms_bi.f SET n = 2 WHERE id = 13");                // T4: 13 again (first before image counts)
  Master("DELETE FROM voms_bi.f WHERE id IN (14, 16)");              // T5: folded DELETE, row 14 differs
  auto more = Since(mid, setup.back().seq + 1);
  ASSERT_EQ(more.size(), 5u);
  const uint64_t base = setup.back().seq;

  // stop: each conflicting transaction in turn, from a progress row just before it.
  struct Case {
    size_t first, count;
    std::string what, key;
  };
  const Case cases[] = {{0, 5, "row differs from the source's before image on UPDATE in `voms_bi`.`o`", "id=3"},
                        {1, 1, "row differs from the source's before image on DELETE in `voms_bi`.`o`", "id=4"},
                        {2, 2, "row differs from the source's before image on UPDATE in `voms_bi`.`f`", "id=13"},
                        {4, 1, "row differs from the source's before image on DELETE in `voms_bi`.`f`", "id=14"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    uint64_t at = c.first == 0 ? base : more[c.first - 1].seq;
    Replica("UPDATE vomsrepl.progress SET seq = " + std::to_string(at) + " WHERE channel = 'bi'");
    std::vector<txn::Transaction> part(more.begin() + long(c.first), more.begin() + long(c.first + c.count));
    ApplierOptions o = Options("bi");
    o.group_max_transactions = 1000;
    ApplierStats stats;
    Status st = ApplyAll(part, o, &stats);
    ASSERT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
    EXPECT_EQ(stats.careful_retries, 1u);  // found by a batch, named by the row-by-row retry
    std::string m(st.message());
    EXPECT_NE(m.find(c.what), std::string::npos) << m;
    EXPECT_NE(m.find(", key (" + c.key + ")"), std::string::npos) << m;
    EXPECT_NE(m.find("journal seq " + std::to_string(more[c.first].seq)), std::string::npos) << m;
    EXPECT_NE(m.find(more[c.first].source.position.ToString()), std::string::npos) << m;
  }
  // Nothing of the failed groups was committed.
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_bi.o WHERE v = 'm'"), "0");
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_bi.f WHERE n IS NOT NULL AND id <> 14"), "0");

  // skip: the hand-changed rows stay as they are, every other row follows the master.
  Replica("INSERT INTO vomsrepl.progress (channel, seq) VALUES ('bi-skip', " + std::to_string(base) + ")");
  ApplierOptions skip = Options("bi-skip");
  skip.divergence = DivergencePolicy::kSkip;
  warnings_.clear();
  ASSERT_TRUE(ApplyAll(more, skip).ok());
  EXPECT_EQ(Value(replica_, "SELECT CONCAT(v, ' ', n) FROM voms_bi.o WHERE id = 3"), "v3 999");
  EXPECT_EQ(Value(replica_, "SELECT CONCAT(v, ' ', n) FROM voms_bi.o WHERE id = 2"), "m 2");
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_bi.o WHERE id IN (4, 6, 7)"), "1");
  EXPECT_EQ(Value(replica_, "SELECT CONCAT(v, ' ', IFNULL(n, 'NULL')) FROM voms_bi.f WHERE id = 13"), "hand NULL");
  EXPECT_EQ(Value(replica_, "SELECT n FROM voms_bi.f WHERE id = 12"), "1");
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_bi.f WHERE id IN (14, 16)"), "1");
  // Distinct: a row-by-row retry that a later batch of the same group rolls
  // back is retried again (with its warnings) up to that batch.
  std::set<std::string> differs;
  for (const auto& w : warnings_)
    if (w.find("row differs") != std::string::npos) differs.insert(w);
  // o 3, o 4, f 13 twice (T4's before image is the master's after T3), f 14.
  EXPECT_EQ(differs.size(), 5u) << warnings_.size() << " warnings";

  // overwrite from the start: the master's images win, the databases converge.
  Replica("UPDATE vomsrepl.progress SET seq = " + std::to_string(base) + " WHERE channel = 'bi'");
  ApplierOptions over = Options("bi");
  over.divergence = DivergencePolicy::kOverwrite;
  warnings_.clear();
  ApplierStats stats;
  Status st = ApplyAll(more, over, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GE(stats.careful_retries, 1u);
  ExpectSameDatabase("voms_bi");
  EXPECT_FALSE(warnings_.empty());

  // check_before_image = false: by key only, the hand change is overwritten
  // without a word (what the built-in replica does); on, it stops.
  Replica("UPDATE voms_bi.f SET v = 'hand again' WHERE id = 17");
  BinlogPosition late = MasterPosition();
  Master("UPDATE voms_bi.f SET n = 5 WHERE id = 17");
  auto last = Since(late, more.back().seq + 1);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(ApplyAll(last, Options("bi")).code(), StatusCode::kDataLoss);
  ApplierOptions key_only = Options("bi");
  key_only.check_before_image = false;
  warnings_.clear();
  ASSERT_TRUE(ApplyAll(last, key_only).ok());
  EXPECT_TRUE(warnings_.empty());
  ExpectSameDatabase("voms_bi");
}

// Folding (row_folder.h): in one replica commit, several changes of one key of
// a table whose only unique key is its primary key become one net statement;
// a table with a unique secondary key, or with foreign keys, keeps the source
// order (here the order matters: a unique value moves from one row to
// another, a child row needs its parent). Folded divergence is still found.
TEST_F(ApplyIT, FoldsChangesPerKeyOnlyWhereOrderCannotMatter) {
  Fresh("voms_fold", {"fold", "fold-nofold"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_fold");
  Master("CREATE TABLE voms_fold.f (id INT PRIMARY KEY, v VARCHAR(20), n INT)");
  Master("CREATE TABLE voms_fold.u (id INT PRIMARY KEY, code VARCHAR(10) NOT NULL UNIQUE, v INT)");
  Master("CREATE TABLE voms_fold.p (id INT PRIMARY KEY, v INT)");
  Master("CREATE TABLE voms_fold.c (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES voms_fold.p (id))");
  Master("INSERT INTO voms_fold.f SELECT seq, CONCAT('v', seq), seq FROM voms_fold.seq_1_to_20");
  Master("INSERT INTO voms_fold.u VALUES (1, 'a', 1), (2, 'b', 2)");
  auto setup = Since(from);
  ASSERT_TRUE(ApplyAll(setup, Options("fold")).ok());

  BinlogPosition mid = MasterPosition();
  // f: every fold case. u, p, c: order-dependent changes.
  Master("INSERT INTO voms_fold.f VALUES (21, 'new', 0)");
  Master("UPDATE voms_fold.f SET v = 'upd', n = n + 1 WHERE id IN (1, 21)");
  Master("UPDATE voms_fold.f SET n = n + 1 WHERE id = 1");
  Master("DELETE FROM voms_fold.f WHERE id = 2");
  Master("INSERT INTO voms_fold.f VALUES (2, 'again', 2)");
  Master("INSERT INTO voms_fold.f VALUES (22, 'gone', 0)");
  Master("DELETE FROM voms_fold.f WHERE id = 22");
  Master("UPDATE voms_fold.f SET id = 30 WHERE id = 3");
  Master("UPDATE voms_fold.f SET v = 'x' WHERE id = 4");
  Master("DELETE FROM voms_fold.f WHERE id = 4");
  Master("UPDATE voms_fold.u SET code = 'c' WHERE id = 1");
  Master("UPDATE voms_fold.u SET code = 'a' WHERE id = 2");
  Master("DELETE FROM voms_fold.u WHERE id = 1");
  Master("INSERT INTO voms_fold.u VALUES (3, 'b', 3)");
  Master("INSERT INTO voms_fold.p VALUES (1, 1)");
  Master("INSERT INTO voms_fold.c VALUES (1, 1)");
  Master("UPDATE voms_fold.p SET v = 2 WHERE id = 1");
  Master("DELETE FROM voms_fold.c WHERE id = 1");
  Master("DELETE FROM voms_fold.p WHERE id = 1");
  Master("INSERT INTO voms_fold.p VALUES (1, 3)");
  auto more = Since(mid, setup.back().seq + 1);
  ASSERT_EQ(more.size(), 20u);
  ApplierOptions o = Options("fold");
  o.group_max_transactions = 1000;
  ApplierStats stats;
  Status st = ApplyAll(more, o, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSameDatabase("voms_fold");
  EXPECT_EQ(stats.commits, 1u);
  EXPECT_EQ(stats.careful_retries, 0u);
  // f's 11 row changes: 21 inserted+updated (1 INSERT), 1 updated twice (1 UPDATE), 2 deleted+inserted
  // (1 UPDATE), 22 inserted+deleted (nothing), 3 moved to 30 (1 DELETE + 1 INSERT), 4 updated+deleted
  // (1 DELETE): 6 statement rows, 5 fewer. The other tables are not folded.
  EXPECT_EQ(last_row_stats_.rows_folded, 11u);
  EXPECT_EQ(last_row_stats_.rows_folded_away, 5u);

  // The same changes without folding end in the same state.
  Replica("DROP DATABASE voms_fold");
  ApplierOptions plain = Options("fold-nofold");
  plain.fold_rows = false;
  plain.group_max_transactions = 1000;
  std::vector<txn::Transaction> all = setup;
  all.insert(all.end(), more.begin(), more.end());
  ASSERT_TRUE(ApplyAll(all, plain).ok());
  EXPECT_EQ(last_row_stats_.rows_folded, 0u);
  ExpectSameDatabase("voms_fold");

  // A net UPDATE equal to the replica's row (changed and changed back in one
  // group) cannot be told from a missing row by the upsert's count; its after
  // image has the digest of its first before image, so it goes by key, where
  // it counts as found: no row-by-row retry of the group, and it ends equal.
  BinlogPosition back = MasterPosition();
  Master("UPDATE voms_fold.f SET v = 'tmp' WHERE id = 6");
  Master("UPDATE voms_fold.f SET v = 'v6' WHERE id = 6");
  auto there_and_back = Since(back, more.back().seq + 1);
  ASSERT_EQ(there_and_back.size(), 2u);
  ApplierStats back_stats;
  // (With the before-image check, f's net UPDATEs are bulk UPDATEs, which
  // count an unchanged row as matched: the upsert's case needs it off.)
  ApplierOptions upsert = o;
  upsert.check_before_image = false;
  st = ApplyAll(there_and_back, upsert, &back_stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(back_stats.careful_retries, 0u);
  EXPECT_EQ(last_row_stats_.rows_unchanged_by_key, 1u);
  ExpectSameDatabase("voms_fold");

  // A divergence hidden in a folded key (the replica lost row 5, which the
  // master updates twice) stops the applier with the source change that failed.
  Replica("DELETE FROM voms_fold.f WHERE id = 5");
  BinlogPosition last = MasterPosition();
  Master("UPDATE voms_fold.f SET n = 100 WHERE id = 5");
  Master("UPDATE voms_fold.f SET n = 101 WHERE id = 5");
  auto diverging = Since(last, there_and_back.back().seq + 1);
  ASSERT_EQ(diverging.size(), 2u);
  st = ApplyAll(diverging, o);
  ASSERT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  std::string m(st.message());
  EXPECT_NE(m.find("`voms_fold`.`f`"), std::string::npos) << m;
  EXPECT_NE(m.find("id=5"), std::string::npos) << m;
  EXPECT_NE(m.find("journal seq " + std::to_string(diverging[0].seq)), std::string::npos) << m;

  // ... and a row changed and changed back that the replica lost is still a
  // divergence (the UPDATE by key finds nothing), not silently skipped.
  Replica("DELETE FROM voms_fold.f WHERE id = 7");
  BinlogPosition lost = MasterPosition();
  Master("UPDATE voms_fold.f SET v = 'tmp' WHERE id = 7");
  Master("UPDATE voms_fold.f SET v = 'v7' WHERE id = 7");
  auto lost_and_back = Since(lost, diverging.back().seq + 1);
  ASSERT_EQ(lost_and_back.size(), 2u);
  st = ApplyAll(lost_and_back, upsert);
  ASSERT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  m = std::string(st.message());
  EXPECT_NE(m.find("`voms_fold`.`f`"), std::string::npos) << m;
  EXPECT_NE(m.find("id=7"), std::string::npos) << m;
}

// binlog_row_metadata=MINIMAL: no column names and no primary key in the
// TABLE_MAP (signedness stays); the applier takes them from the replica's
// information_schema (a unique NOT NULL key where there is no primary key).
TEST_F(ApplyIT, MinimalRowMetadataUsesTheReplicaCatalog) {
  Fresh("voms_minimal", {"minimal"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_minimal");
  Master("CREATE TABLE voms_minimal.t (id INT UNSIGNED PRIMARY KEY, b BIGINT UNSIGNED, s SMALLINT, "
         "l VARCHAR(10) CHARACTER SET latin1)");
  Master("CREATE TABLE voms_minimal.u (x INT NOT NULL, y TINYINT UNSIGNED, UNIQUE KEY (x))");
  Master("SET GLOBAL binlog_row_metadata = 'MINIMAL'");
  SandboxConnection m;  // a new session sees the global value
  ASSERT_TRUE(m.Connect(env_.MasterOptionFile("admin"))) << m.error();
  bool ok = m.Execute("INSERT INTO voms_minimal.t VALUES (4294967295, 18446744073709551615, -32768, 'ÿ'), "
                      "(1, 1, -1, 'a'), (2, 2, 2, NULL)") &&
            m.Execute("UPDATE voms_minimal.t SET b = 9223372036854775808, s = 32767 WHERE id = 1") &&
            m.Execute("DELETE FROM voms_minimal.t WHERE id = 2") &&
            m.Execute("INSERT INTO voms_minimal.u VALUES (1, 255), (2, 0), (3, 7)") &&
            m.Execute("UPDATE voms_minimal.u SET y = 128 WHERE x = 2") && m.Execute("DELETE FROM voms_minimal.u WHERE x = 3");
  std::string error = m.error();
  Master("SET GLOBAL binlog_row_metadata = 'FULL'");
  ASSERT_TRUE(ok) << error;
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 9u);
  {  // The rows transactions really carry MINIMAL table maps.
    txn::ChangeReader reader(txns[3].changes);
    txn::Change change;
    ASSERT_TRUE(reader.Next(&change));
    ASSERT_EQ(change.kind, txn::ChangeKind::kTableMap);
    binlog::TableSchema schema;
    ASSERT_TRUE(binlog::DecodeTableMap(change.body, binlog::FormatDescription::DefaultV4(), schema).ok());
    EXPECT_TRUE(schema.columns[0].name.empty());
    EXPECT_FALSE(schema.has_primary_key_metadata);
  }
  Status st = ApplyAll(txns, Options("minimal"));
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSameDatabase("voms_minimal");
  EXPECT_EQ(Value(replica_, "SELECT CONCAT(b, ' ', s) FROM voms_minimal.t WHERE id = 1"), "9223372036854775808 32767");
}

TEST_F(ApplyIT, LostConnectionIsUnavailableAndResumesFromTheProgressRow) {
  Fresh("voms_lost", {"lost"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_lost");
  Master("CREATE TABLE voms_lost.t (id INT PRIMARY KEY, v INT)");
  for (int i = 1; i <= 30; ++i) Master("INSERT INTO voms_lost.t VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ")");
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 32u);
  ApplierOptions o = Options("lost");
  o.group_max_transactions = 5;
  ReplicaSession session;
  ASSERT_TRUE(session.Open(Config()).ok());
  TransactionApplier applier(session, o);
  ASSERT_TRUE(applier.Start().ok());
  for (size_t i = 0; i < 14; ++i) ASSERT_TRUE(applier.Apply(txns[i]).ok());
  const uint64_t committed = applier.progress().seq;  // 2 DDL + 10 rows transactions in 2 groups
  EXPECT_EQ(committed, txns[11].seq);
  Replica("KILL " + std::to_string(session.connection_id()));
  Status st;
  for (size_t i = 14; i < txns.size() && st.ok(); ++i) st = applier.Apply(txns[i]);
  if (st.ok()) st = applier.Flush();
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  // Refuses to go on without a new Start().
  EXPECT_EQ(applier.Apply(txns.back()).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Value(replica_, "SELECT seq FROM vomsrepl.progress WHERE channel = 'lost'"), std::to_string(committed));
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_lost.t"), "10");

  ASSERT_TRUE(session.Open(Config()).ok());
  auto p = applier.Start();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->seq, committed);
  for (const auto& t : txns) ASSERT_TRUE(applier.Apply(t).ok());
  ASSERT_TRUE(applier.Flush().ok());
  EXPECT_EQ(applier.stats().transactions_skipped, 12u);
  ExpectSameDatabase("voms_lost");
}

// The assembler streams a large transaction in chunks: all chunks of a seq
// commit together, a stop between chunks leaves nothing, chunks must come in order.
TEST_F(ApplyIT, ChunksOfOneTransactionCommitTogether) {
  Fresh("voms_chunks", {"chunks"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_chunks");
  Master("CREATE TABLE voms_chunks.t (id INT PRIMARY KEY, v VARCHAR(40))");
  Master("BEGIN");
  Master("INSERT INTO voms_chunks.t SELECT seq, REPEAT('x', seq % 40) FROM voms_chunks.seq_1_to_3000");
  Master("UPDATE voms_chunks.t SET v = 'updated' WHERE id % 10 = 0");
  Master("DELETE FROM voms_chunks.t WHERE id % 7 = 0");
  Master("COMMIT");
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 3u);
  std::vector<txn::Transaction> chunks = SplitIntoChunks(txns[2], 3);
  {  // Stop after two chunks: nothing of the transaction is visible.
    ReplicaSession session;
    ASSERT_TRUE(session.Open(Config()).ok());
    TransactionApplier applier(session, Options("chunks"));
    ASSERT_TRUE(applier.Start().ok());
    ASSERT_TRUE(applier.Apply(txns[0]).ok());
    ASSERT_TRUE(applier.Apply(txns[1]).ok());
    ASSERT_TRUE(applier.Apply(chunks[0]).ok());
    ASSERT_TRUE(applier.Apply(chunks[1]).ok());
    ASSERT_TRUE(applier.Flush().ok());  // an incomplete transaction is not committed
    EXPECT_EQ(applier.progress().seq, txns[1].seq);
    // Out of order: refused.
    EXPECT_EQ(applier.Apply(chunks[1]).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_chunks.t"), "0");
  ApplierStats stats;
  std::vector<txn::Transaction> all{txns[0], txns[1], chunks[0], chunks[1], chunks[2]};
  Status st = ApplyAll(all, Options("chunks"), &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(stats.transactions_applied, 1u);
  EXPECT_EQ(stats.commits, 1u);
  ExpectSameDatabase("voms_chunks");
}

// With a replay (what the daemon's runners give: journal::Journal::ReplayChunks),
// each chunk's rows go out before Apply() returns and no chunk is kept: a careful
// retry (a divergence found by a batch) reads the group's chunks again.
TEST_F(ApplyIT, CarefulRetryReplaysChunksInsteadOfKeepingThem) {
  Fresh("voms_replay", {"replay"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_replay");
  Master("CREATE TABLE voms_replay.t (id INT PRIMARY KEY, v VARCHAR(40))");
  Master("BEGIN");
  Master("INSERT INTO voms_replay.t SELECT seq, REPEAT('x', seq % 40) FROM voms_replay.seq_1_to_3000");
  Master("UPDATE voms_replay.t SET v = 'updated' WHERE id % 10 = 0");
  Master("COMMIT");
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 3u);
  std::vector<txn::Transaction> chunks = SplitIntoChunks(txns[2], 4);
  ASSERT_TRUE(ApplyAll({txns[0], txns[1]}, Options("replay")).ok());
  // A row the replica already has: the INSERT batch holding it fails, the
  // group is applied again row by row, and policy overwrite converges.
  Replica("INSERT INTO voms_replay.t VALUES (2990, 'replica only')");

  std::vector<std::pair<uint64_t, uint32_t>> replays;
  std::vector<uint32_t> replayed_chunks;
  ApplierOptions o = Options("replay");
  o.divergence = DivergencePolicy::kOverwrite;
  o.replay_chunks = [&](uint64_t seq, uint32_t up_to, const std::function<Status(const txn::Transaction&)>& each) {
    replays.emplace_back(seq, up_to);
    for (const txn::Transaction& c : chunks) {
      if (c.seq != seq || c.chunk > up_to) continue;
      replayed_chunks.push_back(c.chunk);
      VOMSREPL_RETURN_IF_ERROR(each(c));
    }
    return Status::OK();
  };
  ApplierStats stats;
  Status st = ApplyAll(chunks, o, &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_GE(stats.careful_retries, 1u);
  ASSERT_FALSE(replays.empty());
  EXPECT_EQ(replays[0].first, txns[2].seq);
  // Every replay starts at chunk 0 and goes in order up to the chunk that failed.
  ASSERT_FALSE(replayed_chunks.empty());
  EXPECT_EQ(replayed_chunks[0], 0u);
  EXPECT_EQ(replayed_chunks.size(), size_t(replays[0].second) + 1) << "first replay up to chunk " << replays[0].second;
  EXPECT_EQ(stats.transactions_applied, 1u);
  EXPECT_EQ(stats.commits, 1u);
  bool warned = false;
  for (const auto& w : warnings_) warned = warned || w.find("2990") != std::string::npos;
  EXPECT_TRUE(warned) << "the overwritten row is named in a warning";
  ExpectSameDatabase("voms_replay");
}

TEST_F(ApplyIT, WritableReplicaIsRefused) {
  Replica("SET GLOBAL read_only = 0");
  ReplicaSession session;
  ASSERT_TRUE(session.Open(Config()).ok());
  Status st = session.Preflight();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("read_only=OFF"), std::string_view::npos);
  ReplicaConfig c = Config();
  c.allow_writable = true;
  ASSERT_TRUE(session.Open(c).ok());
  EXPECT_TRUE(session.Preflight().ok());
  EXPECT_FALSE(session.warnings().empty());
  Replica("SET GLOBAL read_only = 1");
  // The least-privilege account has READ ONLY ADMIN: no warning on a read-only replica.
  ASSERT_TRUE(session.Open(Config()).ok());
  EXPECT_TRUE(session.Preflight().ok());
  EXPECT_TRUE(session.warnings().empty()) << session.warnings()[0];
  // An account without it and without access to the state schema (the reader) is refused.
  ReplicaConfig reader = Config();
  reader.defaults_file = env_.ReplicaOptionFile(1, "reader");
  ASSERT_TRUE(session.Open(reader).ok());
  st = session.Preflight();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("lacks READ ONLY ADMIN on *.*"), std::string_view::npos) << st.ToString();
  EXPECT_NE(st.message().find("the state schema `vomsrepl`"), std::string_view::npos) << st.ToString();
}

TEST_F(ApplyIT, VomsSchemaAndWorkloadAreIdentical) {
  Fresh("voms_applytest", {"voms"});
  BinlogPosition from = MasterPosition();
  std::string tools = std::string(VOMSREPL_SOURCE_DIR) + "/tools/";
  std::string log = env_.dir() + "/apply-test-voms.log";
  ASSERT_EQ(std::system((tools + "sandbox load-voms --vo applytest --dir '" + env_.dir() + "' >> '" + log + "' 2>&1")
                            .c_str()),
            0);
  ASSERT_EQ(std::system((tools + "voms-workload --vo applytest --transactions 300 --seed 11 --dir '" + env_.dir() +
                         "' >> '" + log + "' 2>&1")
                            .c_str()),
            0);
  auto txns = Since(from);
  ASSERT_GT(txns.size(), 300u);
  ApplierStats stats;
  Status st = ApplyAll(txns, Options("voms"), &stats);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectSameDatabase("voms_applytest");
}

// Not a pass/fail test of speed: prints rows/s of applying about 150k row
// changes (100k inserts in 100 transactions, 30k updates, 20k deletes).
TEST_F(ApplyIT, ThroughputOfOneHundredFiftyThousandRowChanges) {
  Fresh("voms_bench", {"bench"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_bench");
  Master("CREATE TABLE voms_bench.t (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(60) NOT NULL, "
         "pad CHAR(60) NOT NULL, KEY (k))");
  for (int i = 0; i < 100; ++i) {
    Master("INSERT INTO voms_bench.t SELECT seq, seq % 1000, REPEAT(CHAR(65 + seq % 26), 60), 'pad' FROM voms_bench.seq_" +
           std::to_string(i * 1000 + 1) + "_to_" + std::to_string(i * 1000 + 1000));
  }
  for (int i = 0; i < 100; ++i) {
    Master("UPDATE voms_bench.t SET k = k + 1 WHERE id BETWEEN " + std::to_string(i * 1000 + 1) + " AND " +
           std::to_string(i * 1000 + 300));
    Master("DELETE FROM voms_bench.t WHERE id BETWEEN " + std::to_string(i * 1000 + 301) + " AND " +
           std::to_string(i * 1000 + 500));
  }
  auto txns = Since(from);
  ASSERT_EQ(txns.size(), 302u);
  auto t0 = std::chrono::steady_clock::now();
  ApplierStats stats;
  ReplicaSession session;
  ASSERT_TRUE(session.Open(Config()).ok());
  TransactionApplier applier(session, Options("bench"));
  ASSERT_TRUE(applier.Start().ok());
  for (const auto& t : txns) ASSERT_TRUE(applier.Apply(t).ok());
  ASSERT_TRUE(applier.Flush().ok());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const RowApplierStats& r = applier.row_stats();
  uint64_t rows = r.rows_inserted + r.rows_updated + r.rows_deleted;
  EXPECT_EQ(rows, 150000u);
  std::printf("apply throughput: %llu row changes (%llu inserts, %llu updates, %llu deletes) in %.2f s = %.0f rows/s, "
              "%llu statements, %llu commits\n",
              (unsigned long long)rows, (unsigned long long)r.rows_inserted, (unsigned long long)r.rows_updated,
              (unsigned long long)r.rows_deleted, secs, double(rows) / secs, (unsigned long long)r.statements,
              (unsigned long long)applier.stats().commits);
  ExpectSameDatabase("voms_bench");
}

}  // namespace
}  // namespace vomsrepl::apply

namespace vomsrepl::apply {
namespace {

// Manual measurement (not in CI): sysbench oltp_write_only-like small
// transactions (UPDATE by index, UPDATE by key, DELETE, INSERT of the same id).
// VOMSREPL_APPLY_BENCH_TRANSACTIONS (default 5000) transactions of 4 row changes.
// Run: VOMSREPL_SANDBOX_DIR=... apply_integration_test --gtest_also_run_disabled_tests
//      --gtest_filter='*SmallTransactions*'
TEST_F(ApplyIT, DISABLED_ThroughputOfSmallTransactions) {
  Fresh("voms_small", {"small"});
  const char* env = std::getenv("VOMSREPL_APPLY_BENCH_TRANSACTIONS");
  const int n = env ? std::atoi(env) : 5000;
  Master("CREATE DATABASE voms_small");
  Master("CREATE TABLE voms_small.t (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, "
         "pad CHAR(60) NOT NULL, KEY (k))");
  Master("INSERT INTO voms_small.t SELECT seq, seq % 1000, REPEAT('c', 120), 'pad' FROM voms_small.seq_1_to_10000");
  BinlogPosition from = MasterPosition();
  Master("SET @x = 1");
  for (int i = 0; i < n; ++i) {
    int id = 1 + (i * 7919) % 10000;
    std::string s = std::to_string(id);
    Master("BEGIN");
    Master("UPDATE voms_small.t SET k = k + 1 WHERE id = " + s);
    Master("UPDATE voms_small.t SET c = REPEAT(CHAR(65 + " + std::to_string(i % 26) + "), 120) WHERE id = " + s);
    Master("DELETE FROM voms_small.t WHERE id = " + s);
    Master("INSERT INTO voms_small.t VALUES (" + s + ", " + std::to_string(i) + ", 'c', 'pad')");
    Master("COMMIT");
  }
  auto txns = Since(from, 1);
  ASSERT_EQ(txns.size(), size_t(n));
  ReplicaSession session;
  ASSERT_TRUE(session.Open(Config()).ok());
  Replica("DROP DATABASE IF EXISTS voms_small");
  Replica("CREATE DATABASE voms_small");
  Replica("CREATE TABLE voms_small.t (id INT PRIMARY KEY, k INT NOT NULL, c CHAR(120) NOT NULL, "
          "pad CHAR(60) NOT NULL, KEY (k))");
  Replica("INSERT INTO voms_small.t SELECT seq, seq % 1000, REPEAT('c', 120), 'pad' FROM voms_small.seq_1_to_10000");
  TransactionApplier applier(session, Options("small"));
  ASSERT_TRUE(applier.Start().ok());
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& t : txns) ASSERT_TRUE(applier.Apply(t).ok());
  ASSERT_TRUE(applier.Flush().ok());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const RowApplierStats& r = applier.row_stats();
  uint64_t rows = r.rows_inserted + r.rows_updated + r.rows_deleted;
  std::printf("small transactions: %d transactions, %llu row changes in %.2f s = %.0f rows/s, %.0f trx/s, "
              "%llu statements, %llu commits\n",
              n, (unsigned long long)rows, secs, double(rows) / secs, double(n) / secs,
              (unsigned long long)r.statements, (unsigned long long)applier.stats().commits);
  ExpectSameDatabase("voms_small");
}

// Writeset-parallel apply (parallel_applier.h) on 3 connections: hot rows
// updated again and again (their groups must chain on one connection), a
// table with a string key (one order per table), parent/child tables with a
// cascading foreign key (the ordered class), a multi-row transaction, and a
// DDL in the middle (a barrier). Afterwards the replica equals the master, the
// progress row holds the last seq, and groups did run at the same time.
// Commit order is checked by the applier itself (a commit of a lower seq
// after a higher one fails it with Internal).
TEST_F(ApplyIT, ParallelApplyOnThreeConnectionsConvergesInSourceOrder) {
  Fresh("voms_par", {"par"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_par");
  Master("CREATE TABLE voms_par.hot (id INT PRIMARY KEY, n INT NOT NULL)");
  Master("CREATE TABLE voms_par.cold (id INT PRIMARY KEY, k INT NOT NULL, v VARCHAR(40), KEY (k))");
  Master("CREATE TABLE voms_par.named (name VARCHAR(20) PRIMARY KEY, n INT NOT NULL)");
  Master("CREATE TABLE voms_par.parent (id INT PRIMARY KEY)");
  Master("CREATE TABLE voms_par.child (id INT PRIMARY KEY, parent INT NOT NULL, "
         "FOREIGN KEY (parent) REFERENCES voms_par.parent (id) ON DELETE CASCADE)");
  Master("INSERT INTO voms_par.hot SELECT seq, 0 FROM voms_par.seq_1_to_3");
  for (int i = 1; i <= 400; ++i) {
    const std::string n = std::to_string(i);
    switch (i % 5) {
      case 0: Master("UPDATE voms_par.hot SET n = n + " + n + " WHERE id = " + std::to_string((i / 5) % 3 + 1)); break;
      case 1: Master("INSERT INTO voms_par.cold (id, k, v) VALUES (" + n + ", " + std::to_string(i % 7) + ", 'v')"); break;
      case 2:
        Master("UPDATE voms_par.cold SET v = CONCAT(v, 'x'), id = id + 1000 WHERE id = " + std::to_string(i - 1));
        Master("DELETE FROM voms_par.cold WHERE id = " + std::to_string(i - 51 + 1000));
        break;
      case 3:
        Master("INSERT INTO voms_par.named VALUES ('n" + std::to_string(i % 13) + "', " + n +
               ") ON DUPLICATE KEY UPDATE n = n + 1");
        break;
      case 4:
        if (i % 50 == 4) {
          Master("INSERT INTO voms_par.parent VALUES (" + n + ")");
          Master("INSERT INTO voms_par.child VALUES (" + n + ", " + n + ")");
          if (i > 100) Master("DELETE FROM voms_par.parent WHERE id = " + std::to_string(i - 100));
        } else {
          Master("BEGIN");
          Master("INSERT INTO voms_par.cold (id, k, v) VALUES (" + std::to_string(5000 + i) + ", 1, 'a'), (" +
                 std::to_string(6000 + i) + ", 2, 'b')");
          Master("UPDATE voms_par.hot SET n = n - 1 WHERE id = " + std::to_string(i % 3 + 1));
          Master("COMMIT");
        }
        break;
    }
    if (i == 200) Master("ALTER TABLE voms_par.cold ADD COLUMN extra INT NOT NULL DEFAULT 7");
  }
  auto txns = Since(from);
  ASSERT_GT(txns.size(), 450u);
  ApplierOptions o = Options("par");
  o.group_max_transactions = 4;
  ParallelOptions parallel;
  parallel.workers = 3;
  ParallelStats pstats;
  Progress progress;
  Status st = ApplyAllParallel(txns, o, parallel, &pstats, &progress);
  ASSERT_TRUE(st.ok()) << st.ToString();
  std::printf("%zu transactions: %llu groups, %llu overlapped, %llu chained, %llu conflict waits, %llu alone\n",
              txns.size(), (unsigned long long)pstats.groups, (unsigned long long)pstats.groups_overlapped,
              (unsigned long long)pstats.groups_chained, (unsigned long long)pstats.conflict_waits,
              (unsigned long long)pstats.barriers);
  ExpectSameDatabase("voms_par");
  EXPECT_EQ(progress.seq, txns.back().seq);
  EXPECT_EQ(Value(replica_, "SELECT seq FROM vomsrepl.progress WHERE channel = 'par'"),
            std::to_string(txns.back().seq));
  EXPECT_GT(pstats.groups, 100u);
  EXPECT_GE(pstats.barriers, 7u);  // CREATE DATABASE, 5 CREATE TABLE, ALTER
  EXPECT_GT(pstats.groups_overlapped, 0u) << "no two groups ever ran at the same time";
  EXPECT_GT(pstats.groups_chained + pstats.conflict_waits, 0u) << "the hot rows never made groups wait";

  // Exactly once: the same transactions again change nothing.
  std::string checksum = Value(replica_, "CHECKSUM TABLE voms_par.hot");
  ASSERT_TRUE(ApplyAllParallel(txns, o, parallel, &pstats, &progress).ok());
  EXPECT_EQ(progress.seq, txns.back().seq);
  EXPECT_EQ(Value(replica_, "CHECKSUM TABLE voms_par.hot"), checksum);
  ExpectSameDatabase("voms_par");
}

// A divergence on one connection of a parallel applier: the error names the
// table and key like the serial one, the replica holds exactly the committed
// prefix (every transaction up to its progress row and none after), and a
// second applier that replays the failed range on one connection converges
// once the row is put back.
TEST_F(ApplyIT, ParallelApplyDivergenceCommitsExactlyAPrefix) {
  Fresh("voms_pdiv", {"pdiv"});
  BinlogPosition from = MasterPosition();
  Master("CREATE DATABASE voms_pdiv");
  Master("CREATE TABLE voms_pdiv.t (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
  Master("INSERT INTO voms_pdiv.t SELECT seq, 'orig' FROM voms_pdiv.seq_1_to_100");
  auto setup = Since(from);
  ASSERT_TRUE(ApplyAll(setup, Options("pdiv")).ok());
  Replica("DELETE FROM voms_pdiv.t WHERE id = 50");

  BinlogPosition before = MasterPosition();
  for (int i = 1; i <= 80; ++i) Master("UPDATE voms_pdiv.t SET v = 'changed' WHERE id = " + std::to_string(i));
  auto more = Since(before, setup.back().seq + 1);
  ASSERT_EQ(more.size(), 80u);
  ApplierOptions o = Options("pdiv");
  o.group_max_transactions = 3;
  ParallelOptions parallel;
  parallel.workers = 3;
  Progress progress;
  uint64_t failed_through = 0;
  Status st = ApplyAllParallel(more, o, parallel, nullptr, &progress, &failed_through);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kDataLoss) << st.ToString();
  std::string m(st.message());
  EXPECT_NE(m.find("`voms_pdiv`.`t`"), std::string::npos) << m;
  EXPECT_NE(m.find("id=50"), std::string::npos) << m;
  const uint64_t seq50 = more[49].seq;
  EXPECT_LT(progress.seq, seq50);
  EXPECT_GE(failed_through, seq50);
  EXPECT_EQ(Value(replica_, "SELECT seq FROM vomsrepl.progress WHERE channel = 'pdiv'"),
            std::to_string(progress.seq));
  // Rows 1..k changed, where k is what the progress row says; nothing after.
  const uint64_t k = progress.seq - setup.back().seq;
  EXPECT_EQ(Value(replica_, "SELECT COUNT(*) FROM voms_pdiv.t WHERE v = 'changed'"), std::to_string(k));
  EXPECT_EQ(Value(replica_, "SELECT COALESCE(MAX(id), 0) FROM voms_pdiv.t WHERE v = 'changed'"), std::to_string(k));

  Replica("INSERT INTO voms_pdiv.t VALUES (50, 'orig')");
  parallel.serial_through_seq = failed_through;
  ParallelStats pstats;
  st = ApplyAllParallel(more, o, parallel, &pstats, &progress);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(progress.seq, more.back().seq);
  EXPECT_GE(pstats.barriers, failed_through - progress.seq > 0 ? 1u : 0u);
  ExpectSameDatabase("voms_pdiv");
}

}  // namespace
}  // namespace vomsrepl::apply
