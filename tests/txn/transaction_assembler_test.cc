// TransactionAssembler over real binlog fixtures (tests/data/binlogs,
// MANIFEST.md): boundaries, positions, GTIDs, filtering, renames, DDL,
// schema drift, chunking and abandon. Expected counts are the MANIFEST's
// gold values or the output of `vomsrepl stats FILE`, and positions are
// checked against an independent scan of the same file.
#include "txn/transaction_assembler.h"

#include <gtest/gtest.h>

#include <cctype>
#include <map>
#include <set>

#include "assembler_test_util.h"
#include "binlog/decoded_event.h"
#include "binlog/rows_event.h"
#include "txn/change_format.h"

namespace vomsrepl::txn {
namespace {

using testing::AssembleFiles;
using testing::BaseName;
using testing::Changes;
using testing::CollectingSink;
using testing::Fixture;
using testing::Rules;

// Offsets and ends of the outer events of `type` in a file.
struct Located {
  uint64_t offset, end;
};
std::vector<Located> Scan(const std::string& path, EventType type) {
  std::vector<std::byte> bytes = testing::ReadFileBytes(path);
  binlog::EventReader reader(bytes, BaseName(path));
  binlog::ReadEvent ev;
  std::vector<Located> out;
  while (reader.Next(&ev).ok()) {
    if (!ev.inside_payload && ev.frame.header.type == type)
      out.push_back({ev.offset, ev.offset + ev.frame.header.event_length});
  }
  return out;
}

std::vector<std::vector<std::byte>> RowsBodies(const std::string& path) {
  std::vector<std::byte> bytes = testing::ReadFileBytes(path);
  binlog::EventReader reader(bytes, BaseName(path));
  binlog::ReadEvent ev;
  std::vector<std::vector<std::byte>> out;
  while (reader.Next(&ev).ok()) {
    if (binlog::IsRowsEvent(ev.frame.header.type)) out.emplace_back(ev.frame.body.begin(), ev.frame.body.end());
  }
  return out;
}

const char* kPerconaGtid1 = "binlogs/percona-binlog-server/data_80045_gtid/binlog.000001";
const char* kPerconaGtid2 = "binlogs/percona-binlog-server/data_80045_gtid/binlog.000002";

TEST(TransactionAssembler, MysqlGtidBoundariesPositionsAndGtids) {
  FilterRules rules = Rules({"test"});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  std::vector<std::string> files = {Fixture(kPerconaGtid1), Fixture(kPerconaGtid2)};
  ASSERT_TRUE(AssembleFiles(a, files).ok());
  EXPECT_FALSE(a.in_transaction());
  auto done = sink.Complete();
  // One transaction per GTID event (every one touches test.t1 or creates it).
  std::vector<Located> g1 = Scan(files[0], EventType::kGtid), g2 = Scan(files[1], EventType::kGtid);
  ASSERT_EQ(done.size(), g1.size() + g2.size());
  ASSERT_GE(done.size(), 5u);
  EXPECT_TRUE(sink.advanced.empty());
  // A transaction ends where the next GTID event starts (same file).
  size_t i = 0;
  for (const auto& [gtids, file] : {std::pair{g1, BaseName(files[0])}, std::pair{g2, BaseName(files[1])}}) {
    for (size_t k = 0; k < gtids.size(); ++k, ++i) {
      EXPECT_EQ(done[i]->source.position.file, file);
      if (k + 1 < gtids.size()) EXPECT_EQ(done[i]->source.position.offset, gtids[k + 1].offset) << i;
      else EXPECT_GT(done[i]->source.position.offset, gtids[k].end);
    }
  }
  // GTIDs "uuid:gno", same uuid, consecutive gno; no MariaDB state.
  std::string uuid = done[0]->source.gtid.substr(0, 36);
  uint64_t first_gno = std::stoull(done[0]->source.gtid.substr(37));
  for (size_t k = 0; k < done.size(); ++k) {
    EXPECT_EQ(done[k]->source.gtid, uuid + ":" + std::to_string(first_gno + k));
    EXPECT_TRUE(done[k]->source.gtid_state.empty());
    EXPECT_GT(done[k]->source.commit_time, 1700000000u);
  }
  // The first is CREATE TABLE t1 (MANIFEST script), a statement alone.
  auto c0 = Changes(*done[0]);
  ASSERT_EQ(c0.size(), 1u);
  EXPECT_EQ(c0[0].kind, ChangeKind::kStatement);
  EXPECT_NE(c0[0].sql.find("CREATE TABLE"), std::string_view::npos);
  EXPECT_EQ(c0[0].database, "test");
  // Rows: inserts 1..6 in file 1, UPDATE of 3 rows and DELETE of 3 in file 2.
  uint64_t rows1 = 0, rows2 = 0;
  for (size_t k = 0; k < done.size(); ++k) (k < g1.size() ? rows1 : rows2) += done[k]->row_count;
  EXPECT_EQ(rows1, 6u);
  EXPECT_EQ(rows2, 6u);
  EXPECT_EQ(a.stats().rows_kept, 12u);
  // The same rows by database and operation (what /metrics shows), each transaction's
  // tallies summing to its row_count.
  std::map<std::string, uint64_t> by_op;
  for (const auto* t : done) {
    uint64_t sum = 0;
    for (const RowTally& r : t->row_tallies) {
      EXPECT_EQ(r.database, "test");
      by_op[std::string(RowOperationName(r.operation))] += r.rows;
      sum += r.rows;
    }
    EXPECT_EQ(sum, t->row_count);
  }
  EXPECT_EQ(by_op, (std::map<std::string, uint64_t>{{"insert", 6}, {"update", 3}, {"delete", 3}}));

  // Same stream, nothing kept: no transaction, the same points advance.
  FilterRules none = Rules({"nothing_*"});
  CollectingSink sink2;
  TransactionAssembler b(none, sink2);
  ASSERT_TRUE(AssembleFiles(b, files).ok());
  EXPECT_TRUE(sink2.transactions.empty());
  ASSERT_EQ(sink2.advanced.size(), done.size());
  for (size_t k = 0; k < done.size(); ++k) {
    EXPECT_EQ(sink2.advanced[k].position, done[k]->source.position);
    EXPECT_EQ(sink2.advanced[k].gtid, done[k]->source.gtid);
  }
  EXPECT_GT(b.stats().rows_events_skipped, 0u);
  EXPECT_EQ(b.stats().rows_kept, 0u);
}

TEST(TransactionAssembler, TransactionInsidePayloadEndsAfterThePayload) {
  FilterRules rules = Rules({"test"});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  std::string file = Fixture("binlogs/rust_mysql_common/transaction_compression.000001");
  ASSERT_TRUE(AssembleFiles(a, {file}).ok());
  auto payloads = Scan(file, EventType::kTransactionPayload);
  ASSERT_EQ(payloads.size(), 1u);
  ASSERT_EQ(sink.transactions.size(), 1u);
  const Transaction& t = sink.transactions[0];
  EXPECT_EQ(t.source.position.offset, payloads[0].end);
  EXPECT_EQ(t.source.gtid, "");  // ANONYMOUS_GTID
  auto changes = Changes(t);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].kind, ChangeKind::kTableMap);
  EXPECT_EQ(changes[1].kind, ChangeKind::kRows);
  EXPECT_EQ(t.row_count, 1u);  // test.tb1 @1=1
}

TEST(TransactionAssembler, MariadbGtidStateAndDatabaseRename) {
  FilterRules rules = Rules({"toddy_*"}, {{"toddy_test", "toddy_prod"}});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  a.Reset(*MariadbGtidList::Parse("1-5-7"));
  std::string file = Fixture("binlogs/rust_mysql_common/mariadb-bin.000001");
  ASSERT_TRUE(AssembleFiles(a, {file}).ok());
  ASSERT_EQ(sink.transactions.size(), 2u);
  EXPECT_EQ(sink.transactions[0].source.gtid, "0-1-1");
  EXPECT_EQ(sink.transactions[0].source.gtid_state.ToString(), "0-1-1,1-5-7");
  EXPECT_EQ(sink.transactions[1].source.gtid, "0-1-2");
  EXPECT_EQ(sink.transactions[1].source.gtid_state.ToString(), "0-1-2,1-5-7");
  EXPECT_EQ(a.gtid_state().ToString(), "0-1-2,1-5-7");
  EXPECT_EQ(sink.transactions[1].source.server_id, 1u);
  auto xids = Scan(file, EventType::kXid);
  ASSERT_EQ(xids.size(), 2u);
  EXPECT_EQ(sink.transactions[0].source.position.offset, xids[0].end);
  EXPECT_EQ(sink.transactions[1].source.position.offset, xids[1].end);

  auto rows = RowsBodies(file);
  size_t r = 0;
  for (const auto& t : sink.transactions) {
    for (const Change& c : Changes(t)) {
      if (c.kind == ChangeKind::kTableMap) {
        binlog::TableSchema s;
        ASSERT_TRUE(t.mariadb_source);
        ASSERT_TRUE(binlog::DecodeTableMap(c.body, ChangeFormat(t.mariadb_source), s).ok());
        EXPECT_EQ(s.database, "toddy_prod");
        EXPECT_EQ(s.table, "outbox");
        ASSERT_EQ(s.columns.size(), 5u);
        EXPECT_EQ(s.columns[0].name, "id");  // optional metadata survived the rewrite
        EXPECT_EQ(s.columns[4].name, "created");
      } else if (c.kind == ChangeKind::kRows) {
        ASSERT_LT(r, rows.size());
        EXPECT_TRUE(std::equal(c.body.begin(), c.body.end(), rows[r].begin(), rows[r].end()));
        ++r;
      }
    }
  }
  EXPECT_EQ(r, rows.size());
  // Rows are tallied under the replica-side (renamed) database.
  for (const auto& t : sink.transactions) {
    ASSERT_FALSE(t.row_tallies.empty());
    for (const RowTally& tally : t.row_tallies) EXPECT_EQ(tally.database, "toddy_prod");
  }
}

TEST(TransactionAssembler, AccountStatementsDroppedDatabaseDdlRenamed) {
  // Real MariaDB 11.8 binlogs: GRANT / ALTER USER / CREATE USER, each in its
  // own GTID (MANIFEST), and in domain 1 one CREATE DATABASE `sbtest-repl`.
  FilterRules rules = Rules({"*"}, {{"sbtest-repl", "sbtest_copy"}});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  std::vector<std::string> files = {Fixture("binlogs/mariadb-poc/domain_id_0/mariadb-repl-bin.000009"),
                                    Fixture("binlogs/mariadb-poc/domain_id_0/mariadb-repl-bin.000010")};
  ASSERT_TRUE(AssembleFiles(a, files).ok());
  size_t gtids = Scan(files[0], EventType::kMariaGtid).size() + Scan(files[1], EventType::kMariaGtid).size();
  EXPECT_TRUE(sink.transactions.empty());  // account management only: dropped
  EXPECT_EQ(sink.advanced.size(), gtids);
  // MANIFEST gold: 000009 starts at 0-10-292194, 000010 ends at 0-10-292206.
  ASSERT_FALSE(sink.advanced.empty());
  EXPECT_EQ(sink.advanced.front().gtid, "0-10-292194");
  EXPECT_EQ(sink.advanced.back().gtid_state.ToString(), "0-10-292206");
  EXPECT_EQ(a.gtid_state().ToString(), "0-10-292206");

  CollectingSink sink1;
  TransactionAssembler b(rules, sink1);
  b.Reset(a.gtid_state());
  ASSERT_TRUE(AssembleFiles(b, {Fixture("binlogs/mariadb-poc/domain_id_1/mariadb-repl-bin.000002")}).ok());
  std::vector<std::string> kept;
  for (const auto& t : sink1.transactions)
    for (const Change& c : Changes(t)) kept.emplace_back(c.sql);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0], "CREATE DATABASE `sbtest_copy` CHARACTER SET = 'utf8' COLLATE = 'utf8_general_ci'");
  // Domain 1 joins the state; domain 0 stays where the other files left it.
  EXPECT_NE(b.gtid_state().Find(1), nullptr);
  ASSERT_NE(b.gtid_state().Find(0), nullptr);
  EXPECT_EQ(b.gtid_state().Find(0)->seq_no, 292206u);
}

TEST(TransactionAssembler, StatementBasedDmlOnKeptDatabaseStops) {
  FilterRules rules = Rules({"test"});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  std::string file = Fixture("binlogs/rust_mysql_common/binlog_transaction_with_GTID.000001");
  Status s = AssembleFiles(a, {file});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  std::string m(s.message());
  EXPECT_NE(m.find("set binlog_format=ROW"), std::string::npos) << m;
  EXPECT_NE(m.find("binlog_transaction_with_GTID.000001:"), std::string::npos) << m;
  EXPECT_NE(m.find("Query event at"), std::string::npos) << m;
  EXPECT_NE(m.find("INSERT"), std::string::npos) << m;
  // Not kept: the same file passes, every transaction filtered.
  FilterRules other = Rules({"voms_*"});
  CollectingSink sink2;
  TransactionAssembler b(other, sink2);
  ASSERT_TRUE(AssembleFiles(b, {file}).ok());
  EXPECT_TRUE(sink2.transactions.empty());
  EXPECT_EQ(sink2.advanced.size(), Scan(file, EventType::kGtid).size());
}

const char* kCanalSchemaChanges = "binlogs/canal/binlog/tsdb/mysql-bin.000003";

TEST(TransactionAssembler, DdlBetweenShapesIsNotDrift) {
  FilterRules rules = Rules({"wanshao"});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  Status s = AssembleFiles(a, {Fixture(kCanalSchemaChanges)});
  ASSERT_TRUE(s.ok()) << s.ToString();
  // `vomsrepl stats`: 18 rows of wanshao.wanshao_test; tsdb.* filtered out.
  EXPECT_EQ(a.stats().rows_kept, 18u);
  size_t statements = 0;
  for (const auto& t : sink.transactions) {
    for (const Change& c : Changes(t)) {
      if (c.kind != ChangeKind::kStatement) continue;
      ++statements;
      EXPECT_EQ(std::string(c.sql).find("tsdb"), std::string::npos) << c.sql;
    }
  }
  EXPECT_GT(statements, 0u);
  const auto* versions = a.schema_history().Versions("wanshao", "wanshao_test");
  ASSERT_NE(versions, nullptr);
  EXPECT_GE(versions->size(), 3u);  // shapes between add/drop column
}

TEST(TransactionAssembler, TableMapChangeWithoutDdlIsDrift) {
  // Hide the ALTER TABLE groups (GTID + QUERY) from the assembler: the next
  // TABLE_MAP of wanshao_test then disagrees with the last one seen.
  std::string file = Fixture(kCanalSchemaChanges);
  std::set<uint64_t> hidden;
  {
    std::vector<std::byte> bytes = testing::ReadFileBytes(file);
    binlog::EventReader reader(bytes, "x");
    binlog::ReadEvent ev;
    uint64_t last_gtid = 0;
    std::vector<std::byte> scratch;
    while (reader.Next(&ev).ok()) {
      if (ev.frame.header.type == EventType::kAnonymousGtid) last_gtid = ev.offset;
      if (ev.frame.header.type != EventType::kQuery) continue;
      auto q = binlog::DecodeQuery(EventType::kQuery, ev.frame.body, reader.format(), scratch);
      ASSERT_TRUE(q.ok());
      std::string text(q->query);
      for (auto& ch : text) ch = char(std::tolower(static_cast<unsigned char>(ch)));
      if (text.rfind("alter table", 0) == 0 && text.find("wanshao_test") != std::string::npos) {
        hidden.insert(last_gtid);
        hidden.insert(ev.offset);
      }
    }
  }
  ASSERT_FALSE(hidden.empty());
  FilterRules rules = Rules({"wanshao"});
  CollectingSink sink;
  TransactionAssembler a(rules, sink);
  Status s = AssembleFiles(a, {file}, [&](const binlog::ReadEvent& ev) { return hidden.count(ev.offset) > 0; });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  std::string m(s.message());
  EXPECT_NE(m.find("schema drift on `wanshao`.`wanshao_test` at mysql-bin.000003:"), std::string::npos) << m;
  EXPECT_NE(m.find("no DDL in between"), std::string::npos) << m;
}

const char* kMariadbTypes = "mariadb-types/types-bin.000001";

TEST(TransactionAssembler, ChunksAreDecodableAndAddUpToTheWholeTransaction) {
  FilterRules rules = Rules({"vt"});
  CollectingSink whole_sink, chunk_sink;
  TransactionAssembler whole(rules, whole_sink);
  AssemblerOptions small;
  small.max_transaction_bytes = 512;
  TransactionAssembler chunked(rules, chunk_sink, small);
  ASSERT_TRUE(AssembleFiles(whole, {Fixture(kMariadbTypes)}).ok());
  ASSERT_TRUE(AssembleFiles(chunked, {Fixture(kMariadbTypes)}).ok());
  EXPECT_EQ(whole.stats().rows_kept, 56u);  // `vomsrepl stats`: 56 rows in vt.*
  EXPECT_GT(chunk_sink.transactions.size(), whole_sink.transactions.size());

  auto fde = ChangeFormat(true);
  std::vector<std::vector<std::byte>> whole_rows, chunk_rows;
  std::vector<std::string> whole_sql, chunk_sql;
  uint64_t chunk_row_count = 0;
  for (const auto& t : whole_sink.transactions) {
    EXPECT_TRUE(t.last_chunk);
    EXPECT_EQ(t.chunk, 0u);
    for (const Change& c : Changes(t)) {
      if (c.kind == ChangeKind::kRows) whole_rows.emplace_back(c.body.begin(), c.body.end());
      if (c.kind == ChangeKind::kStatement) whole_sql.emplace_back(c.sql);
    }
  }
  uint32_t expect_chunk = 0;
  size_t completed = 0;
  std::vector<std::byte> scratch;
  for (const auto& t : chunk_sink.transactions) {
    EXPECT_EQ(t.chunk, expect_chunk);
    EXPECT_TRUE(t.mariadb_source);
    expect_chunk = t.last_chunk ? 0 : expect_chunk + 1;
    if (t.last_chunk) {
      ASSERT_LT(completed, whole_sink.transactions.size());
      EXPECT_EQ(t.source.position, whole_sink.transactions[completed].source.position);
      EXPECT_EQ(t.source.gtid, whole_sink.transactions[completed].source.gtid);
      ++completed;
    }
    // Decodable alone: every rows event has its TABLE_MAP earlier in the chunk.
    std::vector<binlog::TableSchema> maps;
    uint64_t rows_here = 0;
    for (const Change& c : Changes(t)) {
      if (c.kind == ChangeKind::kTableMap) {
        maps.emplace_back();
        ASSERT_TRUE(binlog::DecodeTableMap(c.body, fde, maps.back()).ok());
      } else if (c.kind == ChangeKind::kRows) {
        uint64_t id = 0;
        ASSERT_TRUE(binlog::PeekTableId(c.event_type, c.body, fde, &id));
        const binlog::TableSchema* schema = nullptr;
        for (const auto& m : maps)
          if (m.table_id == id) schema = &m;
        ASSERT_NE(schema, nullptr) << "chunk " << t.chunk << " has rows of table id " << id << " without its map";
        auto rows = binlog::DecodeRowsEvent(c.event_type, c.body, fde, scratch);
        ASSERT_TRUE(rows.ok());
        uint64_t n = 0;
        ASSERT_TRUE(binlog::CountRows(*rows, *schema, &n).ok());
        rows_here += n;
        chunk_rows.emplace_back(c.body.begin(), c.body.end());
      } else {
        chunk_sql.emplace_back(c.sql);
      }
    }
    EXPECT_EQ(rows_here, t.row_count);
    chunk_row_count += t.row_count;
  }
  EXPECT_EQ(completed, whole_sink.transactions.size());
  EXPECT_EQ(chunk_rows, whole_rows);
  EXPECT_EQ(chunk_sql, whole_sql);
  EXPECT_EQ(chunk_row_count, 56u);
}

TEST(TransactionAssembler, AbandonTellsTheSinkAboutDeliveredChunks) {
  FilterRules rules = Rules({"vt"});
  CollectingSink sink;
  AssemblerOptions small;
  small.max_transaction_bytes = 512;
  TransactionAssembler a(rules, sink, small);
  // Stop feeding as soon as a chunk of an open transaction went out.
  std::vector<std::byte> bytes = testing::ReadFileBytes(Fixture(kMariadbTypes));
  binlog::EventReader reader(bytes, "types-bin.000001");
  binlog::ReadEvent ev;
  bool cut = false;
  while (reader.Next(&ev).ok()) {
    ASSERT_TRUE(a.Feed(ev, "types-bin.000001", reader.format()).ok());
    if (!sink.transactions.empty() && !sink.transactions.back().last_chunk && a.in_transaction()) {
      cut = true;
      break;
    }
  }
  ASSERT_TRUE(cut) << "no transaction of the fixture spans chunks at 512 bytes";
  uint32_t delivered = sink.transactions.back().chunk + 1;
  ASSERT_TRUE(a.AbandonOpenTransaction().ok());
  EXPECT_FALSE(a.in_transaction());
  ASSERT_EQ(sink.abandoned.size(), 1u);
  EXPECT_EQ(sink.abandoned[0], delivered);
  // Abandoning with nothing delivered says nothing.
  ASSERT_TRUE(a.AbandonOpenTransaction().ok());
  EXPECT_EQ(sink.abandoned.size(), 1u);
}

}  // namespace
}  // namespace vomsrepl::txn
