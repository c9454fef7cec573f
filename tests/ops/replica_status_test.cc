// ops/replica_status.h: state names, lag measured from the oldest
// unapplied transaction of a real journal, and the shared JSON document.
#include "ops/replica_status.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "journal/journal.h"
#include "scratch_dir_test.h"
#include "synthetic_transaction.h"

namespace vomsrepl::ops {
namespace {

TEST(ReplicaStateName, EveryRunnerState) {
  EXPECT_EQ(ReplicaStateName("running"), "running");
  EXPECT_EQ(ReplicaStateName("stopped"), "stopped");
  EXPECT_EQ(ReplicaStateName("starting"), "starting");
  EXPECT_EQ(ReplicaStateName("reconnecting since 2026-12-07T01:00:00Z (error 2003)"), "reconnecting");
  EXPECT_EQ(ReplicaStateName("error: DataLoss: 1062 ..."), "error");
  EXPECT_EQ(ReplicaStateName("waiting for the journal to reach seq 7 again"), "starting");
  EXPECT_EQ(ReplicaStateName(""), "starting");
}

class ReplicaLagTest : public testing::ScratchDirTest {
 protected:
  ReplicaLagTest() : ScratchDirTest("lag") {}
  void SetUp() override {
    ScratchDirTest::SetUp();
    if (HasFatalFailure()) return;
    journal::JournalOptions o;
    o.directory = dir_ + "/state";
    auto j = journal::Journal::Open(o);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(*j);
    txn::Transaction t;
    for (uint64_t seq = 1; seq <= 9; ++seq)  // commit time 1700000000 + seq on the last chunk
      for (uint32_t c = 0; c < journal::testing::ChunksOf(seq); ++c) {
        journal::testing::FillChunk(seq, c, &t);
        ASSERT_TRUE(journal_->Append(t).ok());
      }
  }
  void TearDown() override {
    journal_.reset();
    ScratchDirTest::TearDown();
  }
  std::unique_ptr<journal::Journal> journal_;
};

TEST_F(ReplicaLagTest, FromTheOldestUnappliedTransaction) {
  // Applied up to 4: the oldest unapplied is seq 5 (3 chunks: its commit
  // time is on the last one), committed at 1700000005.
  ASSERT_EQ(journal::testing::ChunksOf(5), 3u);
  ReplicaLag lag = ComputeLag(*journal_, 4, 1700000100);
  EXPECT_EQ(lag.transactions, 5u);
  ASSERT_TRUE(lag.seconds.has_value());
  EXPECT_EQ(*lag.seconds, 95);
  // Nothing new committed, time passes: the lag grows (a stopped replica).
  EXPECT_EQ(*ComputeLag(*journal_, 4, 1700000160).seconds, 155);
  // Up to date: 0, whatever the time.
  lag = ComputeLag(*journal_, 9, 1700009999);
  EXPECT_EQ(lag.transactions, 0u);
  EXPECT_EQ(*lag.seconds, 0);
  // Nothing applied yet: from seq 1.
  EXPECT_EQ(*ComputeLag(*journal_, 0, 1700000101).seconds, 100);
}

TEST_F(ReplicaLagTest, CommitTimeOfAMissingSeq) {
  EXPECT_EQ(journal_->CommitTimeOf(10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(*journal_->CommitTimeOf(2), 1700000002);
}

TEST(StatusDocumentJson, SameFieldsAsTheDaemon) {
  StatusDocument d;
  d.source.state = "streaming";
  d.source.stream_position = "m.000001:4";
  d.source.checkpoint_seq = 3;
  d.journal.last_seq = 3;
  ReplicaStatus r;
  r.name = "a\"b";
  r.state_detail = "reconnecting since X (y)";
  r.applied_seq = 2;
  r.lag.transactions = 1;
  r.lag.seconds = 12;
  r.transactions = 2;
  d.replicas.push_back(r);
  std::string j = StatusDocumentJson(d);
  EXPECT_EQ(j,
            "{\"state_dir\":null,\"source\":{\"role\":null,\"role_detail\":null,\"state\":\"streaming\",\"stream_position\":\"m.000001:4\","
            "\"checkpoint_seq\":3,\"position\":\"\",\"gtid\":\"\",\"gtid_state\":\"\",\"commit_time\":0},"
            "\"journal\":{\"first_seq\":0,\"last_seq\":3,\"transactions\":0,\"durable_seq\":0,\"disk_bytes\":0,"
            "\"sst_bytes\":0},\"replicas\":[{\"name\":\"a\\\"b\",\"state\":\"reconnecting\",\"state_detail\":"
            "\"reconnecting since X (y)\",\"applied_seq\":2,\"gtid\":\"\",\"position\":\"\",\"commit_time\":0,"
            "\"applied_time\":0,\"lag_transactions\":1,\"lag_seconds\":12,\"transactions\":2,\"failed_seq\":0,"
            "\"skip_pending_seq\":0,\"delay_s\":null,\"delayed_until\":null,\"held_databases\":null,"
            "\"last_error\":\"\"}]}\n");
  // A replica holding a database back (the daemon: always a list) names it.
  d.replicas[0].held_databases = std::vector<HeldDatabaseStatus>{{"voms_new", "voms_src", "copied", 7, 9}};
  EXPECT_NE(StatusDocumentJson(d).find("\"held_databases\":[{\"database\":\"voms_new\",\"master_database\":"
                                       "\"voms_src\",\"state\":\"copied\",\"since_seq\":7,\"copied_seq\":9}]"),
            std::string::npos);
  d.replicas[0].held_databases.reset();
  // A feeder with a [standby] lease names its role.
  d.source.role = "standby";
  d.source.role_detail = "standby since T, waiting for the lease vomsrepl.lease.v";
  j = StatusDocumentJson(d);
  EXPECT_NE(j.find("\"role\":\"standby\",\"role_detail\":\"standby since T, waiting for the lease vomsrepl.lease.v\""),
            std::string::npos) << j;
}

}  // namespace
}  // namespace vomsrepl::ops
