// Encoded changes of a Transaction: every kind round-trips, and a damaged
// buffer is Corruption at the first bad change, never a read past the end.
#include "txn/transaction.h"

#include <gtest/gtest.h>

namespace vomsrepl::txn {
namespace {

std::vector<std::byte> B(std::string_view s) {
  std::vector<std::byte> v;
  for (char c : s) v.push_back(std::byte(uint8_t(c)));
  return v;
}

Transaction Sample() {
  Transaction t;
  ChangeWriter w(t);
  auto tm = B("table-map-body");
  auto rows = B("rows-body");
  w.AddTableMap(tm);
  w.AddRows(EventType::kWriteRowsV2, rows);
  StatementContext ctx;
  ctx.has_sql_mode = true;
  ctx.sql_mode = 0x1234'5678'9abcULL;
  ctx.has_charset = true;
  ctx.charset_client = 33;
  ctx.collation_connection = 45;
  ctx.collation_server = 8;
  ctx.timestamp = 1700000000;
  ctx.time_zone = "SYSTEM";
  EXPECT_TRUE(w.AddStatement(ctx, "voms_x`y", "ALTER TABLE `t` ADD c INT").ok());
  return t;
}

TEST(TransactionTest, ChangesRoundTrip) {
  Transaction t = Sample();
  EXPECT_EQ(t.change_count, 3u);
  EXPECT_TRUE(t.has_statement);
  ChangeReader r(t.changes);
  Change c;
  ASSERT_TRUE(r.Next(&c));
  EXPECT_EQ(c.kind, ChangeKind::kTableMap);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(c.body.data()), c.body.size()), "table-map-body");
  ASSERT_TRUE(r.Next(&c));
  EXPECT_EQ(c.kind, ChangeKind::kRows);
  EXPECT_EQ(c.event_type, EventType::kWriteRowsV2);
  EXPECT_EQ(c.body.size(), 9u);
  ASSERT_TRUE(r.Next(&c));
  EXPECT_EQ(c.kind, ChangeKind::kStatement);
  EXPECT_EQ(c.database, "voms_x`y");
  EXPECT_EQ(c.sql, "ALTER TABLE `t` ADD c INT");
  EXPECT_TRUE(c.context.has_sql_mode);
  EXPECT_FALSE(c.context.has_flags2);
  EXPECT_EQ(c.context.sql_mode, 0x1234'5678'9abcULL);
  EXPECT_EQ(c.context.charset_client, 33);
  EXPECT_EQ(c.context.collation_connection, 45);
  EXPECT_EQ(c.context.collation_server, 8);
  EXPECT_EQ(c.context.timestamp, 1700000000u);
  EXPECT_EQ(c.context.time_zone, "SYSTEM");
  EXPECT_FALSE(r.Next(&c));
  EXPECT_TRUE(r.status().ok());
}

TEST(TransactionTest, EveryTruncationIsCorruption) {
  Transaction t = Sample();
  for (size_t n = 1; n < t.changes.size(); ++n) {
    ChangeReader r(std::span(t.changes).first(n));
    Change c;
    int seen = 0;
    while (r.Next(&c)) ++seen;
    // A cut at a change boundary reads fewer whole changes; anywhere else fails.
    if (r.status().ok()) {
      EXPECT_LT(seen, 3) << n;
    } else {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << n;
    }
  }
  std::vector<std::byte> bad = {std::byte(9)};
  ChangeReader r(bad);
  Change c;
  EXPECT_FALSE(r.Next(&c));
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
}

TEST(TransactionTest, OverlongNamesAreRefused) {
  Transaction t;
  ChangeWriter w(t);
  std::string db(256, 'd');
  EXPECT_EQ(w.AddStatement({}, db, "DROP TABLE t").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(t.change_count, 0u);
}

}  // namespace
}  // namespace vomsrepl::txn
