// txn::SplitByDatabase: a journaled transaction cut by database for a replica
// holding some back (daemon/held_databases.h).
#include "txn/database_split.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "journal_table_map_test_util.h"

namespace vomsrepl::txn {
namespace {

// A rows body naming table `id` (only the table id matters to the split).
std::vector<std::byte> RowsBody(uint8_t id, uint8_t marker) {
  std::vector<std::byte> b(10, std::byte{0});
  b[0] = std::byte{id};
  b[9] = std::byte{marker};
  return b;
}

StatementContext Context() { return {}; }

Transaction Mixed() {
  Transaction t;
  t.seq = 12;
  t.source.gtid = "0-1-40";
  t.row_count = 3;
  ChangeWriter w(t);
  auto m1 = testing::JournalTableMapBody("voms_new", "usr", 1), m2 = testing::JournalTableMapBody("voms_old", "usr", 2);
  w.AddTableMap(m1);
  w.AddTableMap(m2);
  auto r1 = RowsBody(1, 0xa1), r2 = RowsBody(2, 0xb2), r3 = RowsBody(1, 0xa3);
  w.AddRows(EventType::kWriteRowsV1, r1);
  w.AddRows(EventType::kWriteRowsV1, r2);
  w.AddRows(EventType::kUpdateRowsV1, r3);
  return t;
}

// "db:kind:marker" per change, in order.
std::vector<std::string> Describe(const Transaction& t) {
  std::vector<std::string> out;
  ChangeReader r(t.changes);
  Change c;
  std::string db, table;
  while (r.Next(&c)) {
    if (c.kind == ChangeKind::kTableMap) {
      EXPECT_TRUE(TableMapNames(c.body, &db, &table));
      out.push_back("map " + db);
    } else if (c.kind == ChangeKind::kRows) {
      out.push_back("rows " + std::to_string(int(c.body[0])) + ":" + std::to_string(int(c.body[9])));
    } else {
      out.push_back("stmt " + std::string(c.database) + ": " + std::string(c.sql));
    }
  }
  EXPECT_TRUE(r.status().ok()) << r.status().ToString();
  return out;
}

TEST(SplitByDatabase, RowsFollowTheirTableMap) {
  const Transaction t = Mixed();
  auto split = SplitByDatabase(t, [](std::string_view db) { return db == "voms_new"; });
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(Describe(split->selected), (std::vector<std::string>{"map voms_new", "rows 1:161", "rows 1:163"}));
  EXPECT_EQ(Describe(split->rest), (std::vector<std::string>{"map voms_old", "rows 2:178"}));
  EXPECT_EQ(split->selected.change_count, 3u);
  EXPECT_EQ(split->rest.change_count, 2u);
  // Both keep the transaction's place and source.
  for (const Transaction* part : {&split->selected, &split->rest}) {
    EXPECT_EQ(part->seq, 12u);
    EXPECT_EQ(part->source.gtid, "0-1-40");
    EXPECT_FALSE(part->has_statement);
  }
  // Nothing selected: everything in the rest, byte for byte.
  auto none = SplitByDatabase(t, [](std::string_view) { return false; });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->selected.empty());
  EXPECT_EQ(none->rest.changes, t.changes);
}

TEST(SplitByDatabase, StatementsByEveryDatabaseTheyName) {
  Transaction t;
  t.seq = 5;
  ChangeWriter w(t);
  ASSERT_TRUE(w.AddStatement(Context(), "voms_new", "CREATE TABLE t2 (id INT PRIMARY KEY)").ok());
  ASSERT_TRUE(w.AddStatement(Context(), "voms_old", "ALTER TABLE `voms_new`.`usr` ADD COLUMN x INT").ok());
  ASSERT_TRUE(w.AddStatement(Context(), "voms_new", "DROP TABLE voms_old.gone").ok());
  auto split = SplitByDatabase(t, [](std::string_view db) { return db == "voms_new"; });
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(Describe(split->selected),
            (std::vector<std::string>{"stmt voms_new: CREATE TABLE t2 (id INT PRIMARY KEY)",
                                      "stmt voms_old: ALTER TABLE `voms_new`.`usr` ADD COLUMN x INT"}));
  EXPECT_EQ(Describe(split->rest), (std::vector<std::string>{"stmt voms_new: DROP TABLE voms_old.gone"}));
  EXPECT_TRUE(split->selected.has_statement);
  EXPECT_TRUE(split->rest.has_statement);
}

TEST(SplitByDatabase, ACreateOrAlterTableBelongsToItsTableOnly) {
  Transaction t;
  t.seq = 6;
  ChangeWriter w(t);
  ASSERT_TRUE(w.AddStatement(Context(), "voms_old",
                             "CREATE TABLE voms_new.child (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES "
                             "voms_old.parent (id) ON DELETE CASCADE)")
                  .ok());
  ASSERT_TRUE(w.AddStatement(Context(), "voms_new", "ALTER TABLE voms_old.t ADD FOREIGN KEY (x) REFERENCES voms_new.p (id)")
                  .ok());
  ASSERT_TRUE(w.AddStatement(Context(), "voms_new", "CREATE TABLE voms_old.copy LIKE voms_new.usr").ok());
  auto split = SplitByDatabase(t, [](std::string_view db) { return db == "voms_new"; });
  ASSERT_TRUE(split.ok()) << split.status().ToString();
  EXPECT_EQ(split->selected.change_count, 1u);
  EXPECT_EQ(split->rest.change_count, 2u);
  // ALTER TABLE ... RENAME moves a table between databases: both change.
  Transaction r;
  r.seq = 7;
  ChangeWriter rw(r);
  ASSERT_TRUE(rw.AddStatement(Context(), "voms_old", "ALTER TABLE voms_old.t RENAME TO voms_new.t").ok());
  EXPECT_EQ(SplitByDatabase(r, [](std::string_view db) { return db == "voms_new"; }).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(SplitByDatabase, AStatementAcrossHeldAndFedDatabasesIsRefused) {
  Transaction t;
  t.seq = 9;
  ChangeWriter w(t);
  ASSERT_TRUE(w.AddStatement(Context(), "voms_old", "RENAME TABLE voms_new.a TO voms_old.a").ok());
  auto split = SplitByDatabase(t, [](std::string_view db) { return db == "voms_new"; });
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(split.status().message().find("journal seq 9"), std::string::npos);
  EXPECT_NE(split.status().message().find("voms_new"), std::string::npos);
  EXPECT_NE(split.status().message().find("RENAME TABLE"), std::string::npos);
}

TEST(SplitByDatabase, ARowsEventWithoutItsTableMapIsCorruption) {
  Transaction t;
  t.seq = 3;
  ChangeWriter w(t);
  auto r = RowsBody(4, 1);
  w.AddRows(EventType::kWriteRowsV1, r);
  auto split = SplitByDatabase(t, [](std::string_view) { return true; });
  ASSERT_FALSE(split.ok());
  EXPECT_EQ(split.status().code(), StatusCode::kCorruption);
  EXPECT_NE(split.status().message().find("table id 4"), std::string::npos);
}

}  // namespace
}  // namespace vomsrepl::txn
