// `vomsrepl status` over a state directory written by the journal: both
// formats, lag figures computed from the mirrors, and a directory that is not
// a state directory. The journal stays open (locked) while status reads it,
// as with a running daemon.
#include "app/status_command.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "journal/journal.h"
#include "synthetic_transaction.h"

namespace vomsrepl::app {
namespace {

struct Captured {
  Status status;
  std::string out;
};

Captured RunCaptured(const StatusOptions& o) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  Captured c;
  c.status = RunStatus(o, f);
  std::fclose(f);
  c.out.assign(buf, len);
  std::free(buf);
  return c;
}

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool Has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

class StatusCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vomsrepl-status-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = std::string(tmpl) + "/state";
    journal::JournalOptions o;
    o.directory = dir_;
    auto j = journal::Journal::Open(o);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    journal_ = std::move(*j);
    txn::Transaction t;
    for (uint64_t seq = 1; seq <= 12; ++seq)
      for (uint32_t c = 0; c < journal::testing::ChunksOf(seq); ++c) {
        journal::testing::FillChunk(seq, c, &t);
        ASSERT_TRUE(journal_->Append(t).ok());
      }
    using journal::testing::MirrorAt;
    ASSERT_TRUE(journal_->SetReplicaMirror(
        "r1", MirrorAt(12, "running", {"master-bin.000001", 1204}, 1700000012, 1700000013)).ok());
    ASSERT_TRUE(journal_->SetReplicaMirror(
        "r2", MirrorAt(5, "stopped: 1062 \"dup\"", {"master-bin.000001", 504}, 1700000005, 1700000100)).ok());
    ASSERT_TRUE(journal_->Sync().ok());
  }

  void TearDown() override {
    journal_.reset();
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(dir_).parent_path(), ec);
  }

  std::string dir_;
  std::unique_ptr<journal::Journal> journal_;
};

TEST_F(StatusCommand, TableWhileTheJournalIsHeld) {
  StatusOptions o;
  o.state_dir = dir_;
  auto c = RunCaptured(o);
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_TRUE(Has(c.out, "source position    master-bin.000001:1204\n")) << c.out;
  EXPECT_TRUE(Has(c.out, "source GTID        0-1-12\n"));
  EXPECT_TRUE(Has(c.out, "checkpoint seq     12\n"));
  EXPECT_TRUE(Has(c.out, "journal            seq 1..12 (12 transactions)\n"));
  EXPECT_TRUE(Has(c.out, "source commit      2023-11-14 22:13:32 UTC\n")) << c.out;  // 1700000012
  // r2: 7 transactions behind, and its lag counts from the commit of seq 6
  // (1700000006), the oldest transaction it has not applied, to now.
  const int64_t lag = Now() - 1700000006;
  EXPECT_TRUE(Has(c.out, "r2                          5          7 ")) << c.out;
  EXPECT_TRUE(Has(c.out, " " + std::to_string(lag) + "  master-bin.000001:504") ||
              Has(c.out, " " + std::to_string(lag - 1) + "  master-bin.000001:504"))
      << c.out;
  EXPECT_TRUE(Has(c.out, "r1                         12          0          0  master-bin.000001:1204")) << c.out;
  EXPECT_TRUE(Has(c.out, "stopped: 1062 \"dup\""));
}

TEST_F(StatusCommand, Json) {
  StatusOptions o;
  o.state_dir = dir_;
  o.format = OutputFormat::kJson;
  auto c = RunCaptured(o);
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  // The schema of GET /status (ops/replica_status.h); what only the daemon knows is null.
  EXPECT_TRUE(Has(c.out, "\"source\":{\"role\":null,\"role_detail\":null,\"state\":null,\"stream_position\":null,\"checkpoint_seq\":12,"
                         "\"position\":\"master-bin.000001:1204\",\"gtid\":\"0-1-12\","
                         "\"gtid_state\":\"0-1-12\",\"commit_time\":1700000012}"))
      << c.out;
  EXPECT_TRUE(Has(c.out, "\"journal\":{\"first_seq\":1,\"last_seq\":12,\"transactions\":12,"));
  const int64_t before = Now();
  EXPECT_TRUE(Has(c.out, "{\"name\":\"r2\",\"state\":\"stopped\",\"state_detail\":\"stopped: 1062 \\\"dup\\\"\","
                         "\"applied_seq\":5,\"gtid\":\"0-1-5\",\"position\":\"master-bin.000001:504\","
                         "\"commit_time\":1700000005,\"applied_time\":1700000100,\"lag_transactions\":7,"
                         "\"lag_seconds\":"))
      << c.out;
  size_t at = c.out.find("\"lag_seconds\":", c.out.find("\"name\":\"r2\""));
  ASSERT_NE(at, std::string::npos);
  const int64_t lag = std::strtoll(c.out.c_str() + at + 14, nullptr, 10);
  EXPECT_GE(lag, before - 1 - 1700000006);
  EXPECT_LE(lag, Now() - 1700000006);
  EXPECT_TRUE(Has(c.out, "\"lag_transactions\":0,\"lag_seconds\":0,\"transactions\":null,")) << c.out;  // r1
  EXPECT_EQ(c.out.back(), '\n');
  EXPECT_EQ(std::count(c.out.begin(), c.out.end(), '\n'), 1);
}

TEST(StatusCommandErrors, NotAStateDirectory) {
  char tmpl[] = "/tmp/vomsrepl-status-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  StatusOptions o;
  o.state_dir = tmpl;
  auto c = RunCaptured(o);
  EXPECT_EQ(c.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Has(std::string(c.status.message()), "is not a vomsrepl state directory")) << c.status.ToString();
  EXPECT_TRUE(Has(std::string(c.status.message()), tmpl));
  EXPECT_EQ(c.out, "");
  ::rmdir(tmpl);
}

}  // namespace
}  // namespace vomsrepl::app
