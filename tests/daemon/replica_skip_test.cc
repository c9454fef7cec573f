// Skip preconditions: only a replica stopped on an error that names a
// journal seq, and only that seq; the seq read from an applier's error
// message; /status redaction keeps seq, source and GTID and drops the rest.
#include <gtest/gtest.h>

#include "daemon/replica_skip.h"

namespace vomsrepl::daemon {
namespace {

const char* kDivergence =
    "DataLoss: replica2: row differs from the source's before image on UPDATE in `voms_otest`.`probe`, key (id=2, "
    "secret='s3cret'), journal seq 1234, source mariadb-bin.000001:5678, GTID 0-1-99 (divergence policy stop: the "
    "replica differs from the master)";

TEST(ReplicaSkipTest, FailedSeqFromTheApplierError) {
  EXPECT_EQ(FailedJournalSeq(kDivergence), 1234u);
  EXPECT_EQ(FailedJournalSeq("Internal: replica1: journal seq 7, source f:4, GTID 0-1-2: Duplicate entry"), 7u);
  EXPECT_FALSE(FailedJournalSeq("Unavailable: cannot connect to replica2"));
  EXPECT_FALSE(FailedJournalSeq("journal seq x"));
  EXPECT_FALSE(FailedJournalSeq("journal seq 0"));
}

TEST(ReplicaSkipTest, OnlyTheFailedSeqOfAReplicaInError) {
  EXPECT_TRUE(CheckSkip("r", "error: DataLoss: ...", 12, 12).ok());
  // The attack of issue 20: stop a healthy replica, then skip: refused.
  EXPECT_EQ(CheckSkip("r", "stopped", 0, 13).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckSkip("r", "running", 0, 13).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckSkip("r", "starting", 12, 12).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckSkip("r", "reconnecting since ...", 0, 1).code(), StatusCode::kFailedPrecondition);
  // A stale seq (the one before, the next one) is refused.
  Status stale = CheckSkip("r", "error: x", 12, 13);
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(std::string(stale.message()).find("failed on journal seq 12, not 13"), std::string::npos) << stale.ToString();
  EXPECT_EQ(CheckSkip("r", "error: x", 12, 11).code(), StatusCode::kFailedPrecondition);
  // An error that names no transaction has nothing to skip.
  EXPECT_EQ(CheckSkip("r", "error: refused", 0, 0).code(), StatusCode::kFailedPrecondition);
}

TEST(ReplicaSkipTest, SeqFromTheQuery) {
  EXPECT_EQ(*SkipSeqFromQuery("seq=12"), 12u);
  EXPECT_EQ(*SkipSeqFromQuery("a=1&seq=99"), 99u);
  for (const char* bad : {"", "seq=", "seq=0", "seq=-1", "seq=12x", "seq=1.5", "sequence=3", "x=seq=3"}) {
    EXPECT_EQ(SkipSeqFromQuery(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ReplicaSkipTest, RedactionKeepsWhereAndDropsValues) {
  std::string r = RedactedError(kDivergence);
  EXPECT_EQ(r, "DataLoss: journal seq 1234, source mariadb-bin.000001:5678, GTID 0-1-99 (details need the control token)");
  EXPECT_EQ(RedactedError(""), "");
  std::string server = RedactedError("Internal: replica1: journal seq 7: Duplicate entry 'alice' for key 'PRIMARY'");
  EXPECT_EQ(server.find("alice"), std::string::npos) << server;
  EXPECT_NE(server.find("journal seq 7"), std::string::npos) << server;
}

TEST(ReplicaSkipTest, TablesOfAStatementLeaveItsTextOut) {
  txn::Transaction t;
  EXPECT_EQ(TablesOf(t), "");
  txn::ChangeWriter w(t);
  ASSERT_TRUE(w.AddStatement({}, "voms_x", "ALTER TABLE secret_name ADD c INT").ok());
  EXPECT_EQ(TablesOf(t), "statement in voms_x");
}

}  // namespace
}  // namespace vomsrepl::daemon
