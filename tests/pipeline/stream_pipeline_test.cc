// StreamPipeline over real binlog files: the same transactions as the assembler fed
// event by event, a GTID start point, and the after-event hook's error ends the run.
#include "pipeline/stream_pipeline.h"

#include <gtest/gtest.h>

#include "assembler_test_util.h"

namespace vomsrepl::pipeline {
namespace {

using txn::testing::AssembleFiles;
using txn::testing::CollectingSink;
using txn::testing::Fixture;
using txn::testing::Rules;

const char* const kMariadb = "binlogs/rust_mysql_common/mariadb-bin.000001";

// The fixture file through the filter `include`, into a collecting sink.
struct Piped {
  explicit Piped(std::vector<std::string> include) : rules(Rules(std::move(include))) { files.files = {Fixture(kMariadb)}; }
  txn::FilterRules rules;
  CollectingSink sink;
  txn::TransactionAssembler assembler{rules, sink};
  source::FileStreamOptions files;
};

TEST(StreamPipeline, FilesGiveTheTransactionsOfTheAssemblerFedByHand) {
  txn::FilterRules rules = Rules({"toddy_*"}, {{"toddy_test", "toddy_prod"}});
  CollectingSink by_hand;
  txn::TransactionAssembler a(rules, by_hand);
  ASSERT_TRUE(AssembleFiles(a, {Fixture(kMariadb)}).ok());
  ASSERT_EQ(by_hand.transactions.size(), 2u);

  CollectingSink piped;
  txn::TransactionAssembler b(rules, piped);
  source::FileStreamOptions fo;
  fo.files = {Fixture(kMariadb)};
  source::FileStream files(fo);
  uint64_t events = 0;
  StreamPipeline p(b);
  Status st = p.RunFiles(files, [&](const source::FileEvent&) {
    ++events;
    return Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kOutOfRange) << st.ToString();  // the files ended
  ASSERT_EQ(piped.transactions.size(), by_hand.transactions.size());
  for (size_t i = 0; i < piped.transactions.size(); ++i) {
    EXPECT_EQ(piped.transactions[i].source.gtid, by_hand.transactions[i].source.gtid);
    EXPECT_EQ(piped.transactions[i].source.position, by_hand.transactions[i].source.position);
    EXPECT_EQ(piped.transactions[i].changes, by_hand.transactions[i].changes);
  }
  EXPECT_GT(events, 2 * piped.transactions.size());  // every event, not only the transactions
}

TEST(StreamPipeline, FilesStartAfterAGtid) {
  Piped p({"toddy_*"});
  const auto start = source::StartPoint::AfterGtids(*MariadbGtidList::Parse("0-1-1"));
  ASSERT_TRUE(p.files.SetStart(start).ok());
  p.assembler.Reset(start.gtids);
  source::FileStream files(p.files);
  EXPECT_EQ(StreamPipeline(p.assembler).RunFiles(files).code(), StatusCode::kOutOfRange);
  ASSERT_EQ(p.sink.transactions.size(), 1u);
  EXPECT_EQ(p.sink.transactions[0].source.gtid, "0-1-2");
}

TEST(StreamPipeline, AnAfterEventErrorEndsTheRunWithIt) {
  Piped p({"toddy_*"});
  source::FileStream files(p.files);
  int calls = 0;
  Status st = StreamPipeline(p.assembler).RunFiles(files, [&](const source::FileEvent&) {
    return ++calls == 3 ? Status(StatusCode::kInternal, "hook says stop") : Status::OK();
  });
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(st.message(), "hook says stop");
  EXPECT_EQ(calls, 3);
}

}  // namespace
}  // namespace vomsrepl::pipeline
