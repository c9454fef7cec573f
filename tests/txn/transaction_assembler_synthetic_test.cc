// TransactionAssembler over hand-built MariaDB event sequences: the
// boundary cases the real fixtures do not hold (statement inside a group,
// ROLLBACK, SAVEPOINT, XA, a GTID while a transaction is open, events
// outside any transaction, statement errors naming file and position).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "../binlog/event_test_util.h"
#include "assembler_test_util.h"
#include "binlog/events.h"

namespace vomsrepl::txn {
namespace {

namespace bt = vomsrepl::binlog::testing;
using binlog::kMariaGtidPreparedXa;
using binlog::kMariaGtidStandalone;

std::vector<std::byte> Gtid(uint64_t seq, uint8_t flags, uint32_t domain = 0) {
  bt::Buf b;
  b.U64(seq).U32(domain).U8(flags).UN(0, 6);
  return bt::MakeEvent(EventType::kMariaGtid, b.b, true, 1700000000, 7);
}
// MariaDB 10.8+ GTID with flags_extra (after flags2 when no commit id / XA).
std::vector<std::byte> GtidExtra(uint64_t seq, uint8_t flags_extra) {
  bt::Buf b;
  b.U64(seq).U32(0).U8(kMariaGtidStandalone).U8(flags_extra);
  if (flags_extra & (binlog::kMariaGtidExtraCommitAlter | binlog::kMariaGtidExtraRollbackAlter)) b.U64(seq - 1);
  while (b.b.size() < 19) b.U8(0);
  return bt::MakeEvent(EventType::kMariaGtid, b.b, true, 1700000000, 7);
}
std::vector<std::byte> Query(std::string_view db, std::string_view sql) {
  return bt::MakeEvent(EventType::kQuery, bt::QueryBody(1, db, {}, sql).b, true, 1700000001, 7);
}
std::vector<std::byte> Xid() {
  bt::Buf b;
  b.U64(99);
  return bt::MakeEvent(EventType::kXid, b.b, true, 1700000002, 7);
}
std::vector<std::byte> XaPrepare() {
  bt::Buf b;
  b.U8(0).U32(1).U32(1).U32(0).Str("x");
  return bt::MakeEvent(EventType::kXaPrepare, b.b, true, 1700000002, 7);
}

struct Run {
  testing::CollectingSink sink;
  Status status;
  MariadbGtidList state;
};

// Writes the events into a file and assembles it. ctest runs each test case
// as its own process, in parallel: every process writes a directory of its
// own (the file name itself is asserted).
Run Assemble(const std::vector<std::vector<std::byte>>& events, const FilterRules& rules) {
  std::vector<std::byte> file = bt::MakeFile(events);
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("vomsrepl-synthetic-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / "synthetic-bin.000001").string();
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(file.data()), std::streamsize(file.size()));
  }
  Run r;
  TransactionAssembler a(rules, r.sink);
  // Fed with the full path as FileStream would: positions name the file alone.
  std::vector<std::byte> bytes = testing::ReadFileBytes(path);
  binlog::EventReader reader(bytes, path);
  binlog::ReadEvent ev;
  while (r.status.ok()) {
    Status s = reader.Next(&ev);
    if (reader.at_end()) break;
    r.status = s.ok() ? a.Feed(ev, path, reader.format()) : s;
  }
  r.state = a.gtid_state();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return r;
}

TEST(AssemblerSynthetic, StatementGroupsRollbackSavepointAndXa) {
  FilterRules rules = testing::Rules({"voms_*"});
  auto r = Assemble(
      {
          Gtid(1, kMariaGtidStandalone), Query("voms_a", "CREATE TABLE t (a INT)"),         // 1: DDL
          Gtid(2, 0), Query("voms_a", "BEGIN"), Query("voms_a", "SAVEPOINT s1"),            // 2: savepoint
          Query("voms_a", "ROLLBACK TO SAVEPOINT s1"), Query("voms_a", "COMMIT"),           //    nothing kept
          Gtid(3, 0), Query("voms_a", "CREATE TABLE u (a INT)"), Query("voms_a", "COMMIT"), // 3: CTAS-like group
          Gtid(4, 0), Query("voms_a", "BEGIN"), Query("voms_a", "ROLLBACK"),                // 4: rollback
          Gtid(5, kMariaGtidPreparedXa), Query("voms_a", "XA START 'x'"), Query("voms_a", "XA END 'x'"),
          XaPrepare(),                                                                      // 5: XA, nothing kept
          Gtid(6, kMariaGtidStandalone), Query("voms_a", "XA COMMIT 'x'"),                  // 6
          Gtid(7, kMariaGtidStandalone), Query("mysql", "CREATE TABLE t (a INT)"),          // 7: dropped DDL
          Query("", "CREATE DATABASE voms_b"),                                              // 8: no GTID
      },
      rules);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.sink.transactions.size(), 3u);
  EXPECT_EQ(r.sink.transactions[0].source.gtid, "0-7-1");
  EXPECT_TRUE(r.sink.transactions[0].has_statement);
  EXPECT_EQ(r.sink.transactions[1].source.gtid, "0-7-3");
  EXPECT_EQ(r.sink.transactions[2].source.gtid, "");  // CREATE DATABASE without GTID
  EXPECT_EQ(r.sink.transactions[2].source.gtid_state.ToString(), "0-7-7");
  std::vector<std::string> filtered;
  for (const auto& p : r.sink.advanced) filtered.push_back(p.gtid);
  EXPECT_EQ(filtered, (std::vector<std::string>{"0-7-2", "0-7-4", "0-7-5", "0-7-6", "0-7-7"}));
  EXPECT_EQ(r.state.ToString(), "0-7-7");
  // Positions strictly increase.
  uint64_t last = 0;
  for (const auto& t : r.sink.transactions) {
    EXPECT_GT(t.source.position.offset, last);
    last = t.source.position.offset;
    EXPECT_EQ(t.source.server_id, 7u);
    EXPECT_EQ(t.source.position.file, "synthetic-bin.000001");
  }
}

// A reload's [filter] (issue 24): new rules between two transactions decide the
// next one; inside a transaction they are refused.
TEST(AssemblerSynthetic, RulesReplacedBetweenTransactions) {
  FilterRules only_a = testing::Rules({"voms_a"});
  FilterRules only_b = testing::Rules({"voms_b"});
  std::vector<std::byte> file = bt::MakeFile({
      Gtid(1, kMariaGtidStandalone), Query("voms_a", "CREATE TABLE t (a INT)"),  // kept by only_a
      Gtid(2, kMariaGtidStandalone), Query("voms_b", "CREATE TABLE t (a INT)"),  // rules swapped before it: kept
      Gtid(3, kMariaGtidStandalone), Query("voms_a", "CREATE TABLE u (a INT)"),  // dropped now
      Gtid(4, 0), Query("voms_b", "BEGIN"), Query("voms_b", "COMMIT"),
  });
  binlog::EventReader reader(file, "synthetic-bin.000001");
  testing::CollectingSink sink;
  TransactionAssembler a(only_a, sink);
  binlog::ReadEvent ev;
  int gtids = 0;
  for (;;) {
    Status s = reader.Next(&ev);
    if (reader.at_end()) break;
    ASSERT_TRUE(s.ok()) << s.ToString();
    if (ev.frame.header.type == EventType::kMariaGtid && ++gtids == 2) {
      ASSERT_TRUE(a.SetRules(only_b).ok());
    }
    ASSERT_TRUE(a.Feed(ev, "synthetic-bin.000001", reader.format()).ok());
    if (gtids == 4 && a.in_transaction()) {
      EXPECT_EQ(a.SetRules(only_a).code(), StatusCode::kFailedPrecondition);
    }
  }
  ASSERT_EQ(sink.transactions.size(), 2u);
  EXPECT_EQ(sink.transactions[0].source.gtid, "0-7-1");
  EXPECT_EQ(sink.transactions[1].source.gtid, "0-7-2");
  std::vector<std::string> filtered;
  for (const auto& p : sink.advanced) filtered.push_back(p.gtid);
  EXPECT_EQ(filtered, (std::vector<std::string>{"0-7-3", "0-7-4"}));
}

TEST(AssemblerSynthetic, BrokenStreamsStopWithTheirLocation) {
  FilterRules rules = testing::Rules({"voms_*"});
  auto open = Assemble({Gtid(1, 0), Query("voms_a", "BEGIN"), Gtid(2, 0)}, rules);
  EXPECT_EQ(open.status.code(), StatusCode::kDataLoss) << open.status.ToString();
  EXPECT_NE(open.status.ToString().find("0-7-1 is still open"), std::string::npos) << open.status.ToString();
  auto xid = Assemble({Xid()}, rules);
  EXPECT_EQ(xid.status.code(), StatusCode::kCorruption) << xid.status.ToString();
  EXPECT_NE(xid.status.ToString().find("synthetic-bin.000001:"), std::string::npos) << xid.status.ToString();
  auto mixed = Assemble({Gtid(1, kMariaGtidStandalone), Query("other", "RENAME TABLE voms_a.t TO other.t")}, rules);
  EXPECT_EQ(mixed.status.code(), StatusCode::kFailedPrecondition);
  std::string m = mixed.status.ToString();
  EXPECT_NE(m.find("Query event at synthetic-bin.000001:"), std::string::npos) << m;
  EXPECT_NE(m.find("cannot be attributed safely"), std::string::npos) << m;
  EXPECT_NE(m.find("RENAME TABLE voms_a.t TO other.t"), std::string::npos) << m;
  std::string huge = "ALTER TABLE voms_a.t COMMENT '" + std::string(5000, 'x');  // unterminated
  auto unparsable = Assemble({Gtid(1, kMariaGtidStandalone), Query("voms_a", huge)}, rules);
  EXPECT_EQ(unparsable.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_LT(unparsable.status.ToString().size(), 1000u);  // the statement is truncated in the message
}

TEST(AssemblerSynthetic, TwoPhaseAlterIsRefusedOnKeptTables) {
  FilterRules rules = testing::Rules({"voms_*"});
  auto dropped = Assemble({GtidExtra(1, binlog::kMariaGtidExtraStartAlter), Query("mysql", "ALTER TABLE t ADD c INT"),
                           GtidExtra(2, binlog::kMariaGtidExtraCommitAlter), Query("mysql", "COMMIT ALTER")},
                          rules);
  ASSERT_TRUE(dropped.status.ok()) << dropped.status.ToString();
  EXPECT_TRUE(dropped.sink.transactions.empty());
  EXPECT_EQ(dropped.sink.advanced.size(), 2u);
  auto kept = Assemble({GtidExtra(1, binlog::kMariaGtidExtraStartAlter), Query("voms_a", "ALTER TABLE t ADD c INT")},
                       rules);
  EXPECT_EQ(kept.status.code(), StatusCode::kNotSupported) << kept.status.ToString();
  EXPECT_NE(kept.status.ToString().find("binlog_alter_two_phase=OFF"), std::string::npos);
  // A plain standalone ALTER with a zero flags_extra byte is fine.
  auto plain = Assemble({GtidExtra(1, 0), Query("voms_a", "ALTER TABLE t ADD c INT")}, rules);
  ASSERT_TRUE(plain.status.ok()) << plain.status.ToString();
  EXPECT_EQ(plain.sink.transactions.size(), 1u);
}

}  // namespace
}  // namespace vomsrepl::txn
