// SourceAlignment (lifecycle/source_alignment.h) against a real journal in a
// temporary directory: seq at a master position, tables touched between two
// seqs, timeouts.
#include "lifecycle/source_alignment.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "journal/journal.h"
#include "txn/transaction.h"
#include "../txn/journal_table_map_test_util.h"

namespace vomsrepl::lifecycle {
namespace {

txn::Transaction Txn(uint64_t offset, const std::string& db, const std::string& table) {
  txn::Transaction t;
  t.source.position = BinlogPosition{"master-bin.000002", offset};
  t.source.gtid = "0-1-" + std::to_string(offset);
  txn::ChangeWriter w(t);
  auto body = testing::JournalTableMapBody(db, table);
  w.AddTableMap(body);
  return t;
}

class SourceAlignmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vomsrepl-align-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    journal::JournalOptions o;
    o.directory = dir_.string();
    auto j = journal::Journal::Open(o);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(*j);
  }
  void TearDown() override {
    journal_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Append(uint64_t offset, const std::string& db, const std::string& table) {
    auto t = Txn(offset, db, table);
    ASSERT_TRUE(journal_->Append(t).ok());
  }
  std::filesystem::path dir_;
  std::unique_ptr<journal::Journal> journal_;
};

TEST(BinlogPositions, CompareByFileNumberThenOffset) {
  EXPECT_LT(CompareBinlogPositions({"b.000009", 900}, {"b.000010", 4}), 0);
  EXPECT_GT(CompareBinlogPositions({"b.000010", 5}, {"b.000010", 4}), 0);
  EXPECT_EQ(CompareBinlogPositions({"b.000010", 4}, {"b.000010", 4}), 0);
}

TEST(TableMapNamesTest, ReadsNamesAndRejectsShortBodies) {
  auto body = testing::JournalTableMapBody("voms_x", "usr");
  std::string db, table;
  ASSERT_TRUE(TableMapNames(body, &db, &table));
  EXPECT_EQ(db, "voms_x");
  EXPECT_EQ(table, "usr");
  body.resize(12);
  EXPECT_FALSE(TableMapNames(body, &db, &table));
}

TEST_F(SourceAlignmentTest, SeqAtAndTouches) {
  Append(100, "voms_a", "t1");  // seq 1
  SourceAlignment align(dir_.string());
  // Before any later transaction: position 100 is seq 1, 150 too (the checkpoint is at 100: wait).
  auto s = align.SeqAt({"master-bin.000002", 100}, std::chrono::milliseconds(500));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, 1u);
  auto late = align.SeqAt({"master-bin.000002", 150}, std::chrono::milliseconds(100));
  EXPECT_EQ(late.status().code(), StatusCode::kUnavailable);

  Append(200, "voms_a", "t2");  // seq 2
  Append(300, "voms_a", "t1");  // seq 3
  Append(400, "voms_b", "t1");  // seq 4
  s = align.SeqAt({"master-bin.000002", 250}, std::chrono::milliseconds(2000));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(*s, 2u);
  s = align.SeqAt({"master-bin.000002", 400}, std::chrono::milliseconds(2000));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, 4u);

  auto touched = align.Touches(1, 2, "voms_a", "t1", std::chrono::milliseconds(1000));
  ASSERT_TRUE(touched.ok());
  EXPECT_FALSE(*touched);  // seq 2 is t2
  touched = align.Touches(1, 3, "voms_a", "t1", std::chrono::milliseconds(1000));
  ASSERT_TRUE(touched.ok());
  EXPECT_TRUE(*touched);
  touched = align.Touches(3, 4, "voms_a", "t1", std::chrono::milliseconds(1000));
  ASSERT_TRUE(touched.ok());
  EXPECT_FALSE(*touched);  // voms_b.t1 is another table

  // A statement (DDL) touches everything.
  txn::Transaction ddl;
  ddl.source.position = BinlogPosition{"master-bin.000002", 500};
  txn::ChangeWriter w(ddl);
  ASSERT_TRUE(w.AddStatement(txn::StatementContext{}, "voms_c", "CREATE TABLE x (id INT)").ok());
  ASSERT_TRUE(journal_->Append(ddl).ok());
  touched = align.Touches(4, 5, "voms_a", "t1", std::chrono::milliseconds(2000));
  ASSERT_TRUE(touched.ok()) << touched.status().ToString();
  EXPECT_TRUE(*touched);
}

}  // namespace
}  // namespace vomsrepl::lifecycle
