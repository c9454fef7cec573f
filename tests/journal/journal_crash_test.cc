// Crash test: journal_crash_writer appends synthetic transactions (sync
// every_commit, before_apply, then none) and prints each seq once Append returned; this test kills it
// with SIGKILL at random moments (fixed seed), then checks the journal:
//   - every printed seq is there (reported durable = durable),
//   - checkpoint seq == the last complete transaction, its source point too,
//   - sequences contiguous from 1, every byte as written,
//   - no chunk of an incomplete transaction is visible to a reader (and the
//     writable open removes it).
// It also checks the lock from another process and a read-only open while
// the writer runs. SIGKILL tests process crashes (the page cache survives),
// not power loss.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "journal/journal.h"
#include "journal/journal_format.h"
#include "raw_db.h"
#include "synthetic_transaction.h"

extern char** environ;

namespace vomsrepl::journal {
namespace {

struct Writer {
  pid_t pid = -1;
  int out = -1;
  std::string buffer;

  bool Start(const std::string& dir, const std::string& policy) {
    int fds[2];
    if (::pipe(fds) != 0) return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    std::string path = VOMSREPL_CRASH_WRITER;
    std::vector<char*> argv = {path.data(), const_cast<char*>(dir.c_str()), const_cast<char*>(policy.c_str()),
                               nullptr};
    int rc = posix_spawn(&pid, path.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(fds[1]);
    out = fds[0];
    return rc == 0;
  }

  // Reads output until `deadline` (or EOF); returns false at EOF.
  bool ReadUntil(std::chrono::steady_clock::time_point deadline) {
    char buf[4096];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return true;
      pollfd p{out, POLLIN, 0};
      int n = ::poll(&p, 1, int(left.count()));
      if (n <= 0) continue;
      ssize_t got = ::read(out, buf, sizeof(buf));
      if (got <= 0) return false;
      buffer.append(buf, size_t(got));
    }
  }

  bool SawLine(const std::string& prefix) const { return buffer.find(prefix) != std::string::npos; }

  // Kills, reaps and drains the pipe; returns the wait status.
  int Kill() {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ReadUntil(std::chrono::steady_clock::now() + std::chrono::seconds(5));
    ::close(out);
    return status;
  }

  // The last seq the writer reported: its last complete "N\n" line (printed after
  // Append returned), else the journal it found at open.
  uint64_t LastPrinted() const {
    uint64_t last = 0;
    size_t start = 0;
    for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
      std::string line = buffer.substr(start, nl - start);
      // "open N": the journal held N when the writer opened it (durable from
      // an earlier round); then one line per seq appended. A writer killed
      // before its first append has reported N.
      if (line.rfind("open ", 0) == 0) {
        last = std::strtoull(line.c_str() + 5, nullptr, 10);
      } else if (!line.empty()) {
        last = std::strtoull(line.c_str(), nullptr, 10);
      }
    }
    return last;
  }
};

// Highest seq of any chunk on disk (complete or not), read through RocksDB directly.
uint64_t LastChunkSeqOnDisk(const std::string& dir) {
  auto raw = testing::OpenRawDb(dir, true);
  if (!raw) return 0;
  std::unique_ptr<rocksdb::Iterator> it(raw->db->NewIterator(rocksdb::ReadOptions(), raw->txn()));
  it->SeekForPrev(std::string(1, char(kTxnPrefix + 1)));
  uint64_t seq = 0;
  uint32_t chunk = 0;
  if (it->Valid()) ParseTxnKey(std::string_view(it->key().data(), it->key().size()), &seq, &chunk);
  return seq;
}

// Reads the whole journal with `j`, checking every chunk; returns the last complete seq read.
uint64_t VerifyAll(const Journal& j, std::string* error) {
  auto r = j.NewReader(1);
  if (!r.ok()) {
    *error = r.status().ToString();
    return 0;
  }
  txn::Transaction t;
  uint64_t seq = 1, last = 0;
  uint32_t chunk = 0;
  for (;;) {
    auto got = (*r)->Next(&t);
    if (!got.ok()) {
      *error = got.status().ToString();
      return last;
    }
    if (!*got) break;
    std::string diff = testing::CheckChunk(seq, chunk, t);
    if (!diff.empty()) {
      *error = diff;
      return last;
    }
    if (t.last_chunk) {
      last = seq++;
      chunk = 0;
    } else {
      ++chunk;
    }
  }
  if (chunk != 0) *error = "reader stopped inside seq " + std::to_string(seq);
  return last;
}

struct CrashCase {
  const char* policy;
  int kills;
};

class JournalCrash : public ::testing::TestWithParam<CrashCase> {};

// every_commit: a printed seq was synced. none: SIGKILL is a process crash,
// the WAL writes are in the page cache, so nothing printed may be lost either.
TEST_P(JournalCrash, SigkillAtRandomMomentsLosesNothingReported) {
  char tmpl[] = "/tmp/vomsrepl-crash-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/state";
  std::mt19937 rng(20261125);
  std::uniform_int_distribution<int> delay_ms(5, 200);
  const int kKills = GetParam().kills;
  const std::string policy = GetParam().policy;
  int partial_found = 0;
  uint64_t total_printed = 0;
  for (int round = 0; round < kKills; ++round) {
    Writer w;
    ASSERT_TRUE(w.Start(dir, policy));
    // Wait for the writer to open the journal, then let it run a random time.
    auto open_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!w.SawLine("open ") && std::chrono::steady_clock::now() < open_deadline)
      if (!w.ReadUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(20))) break;
    ASSERT_TRUE(w.SawLine("open ")) << "writer did not start: " << w.buffer;
    w.ReadUntil(std::chrono::steady_clock::now() + std::chrono::milliseconds(delay_ms(rng)));
    if (round == 0) {
      // The directory is locked by another process; read-only still works.
      JournalOptions o;
      o.directory = dir;
      auto second = Journal::Open(o);
      EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
      EXPECT_NE(second.status().message().find("pid " + std::to_string(w.pid)), std::string::npos)
          << second.status().ToString();
      auto ro = Journal::OpenReadOnly(dir);
      ASSERT_TRUE(ro.ok()) << ro.status().ToString();
      std::string error;
      uint64_t seen = VerifyAll(**ro, &error);
      EXPECT_EQ(error, "");
      EXPECT_EQ(seen, (*ro)->checkpoint()->seq);
    }
    int status = w.Kill();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "writer ended by itself: " << w.buffer;
    uint64_t printed = w.LastPrinted();
    total_printed = std::max(total_printed, printed);

    // Before recovery: a reader of the killed journal sees whole transactions only.
    uint64_t on_disk = LastChunkSeqOnDisk(dir);
    {
      auto ro = Journal::OpenReadOnly(dir);
      ASSERT_TRUE(ro.ok()) << ro.status().ToString();
      uint64_t cp = (*ro)->checkpoint()->seq;
      if (on_disk > cp) ++partial_found;
      std::string error;
      EXPECT_EQ(VerifyAll(**ro, &error), cp);
      EXPECT_EQ(error, "") << "round " << round;
    }
    // Recovery.
    JournalOptions o;
    o.directory = dir;
    auto j = Journal::Open(o);
    ASSERT_TRUE(j.ok()) << j.status().ToString();
    auto cp = (*j)->checkpoint();
    ASSERT_TRUE(cp.ok());
    EXPECT_GE(cp->seq, printed) << "round " << round << ": a seq reported durable is missing";
    EXPECT_GE(printed + 1, cp->seq) << "round " << round << ": more than one unreported transaction";
    EXPECT_EQ(LastChunkSeqOnDisk(dir), cp->seq) << "round " << round << ": incomplete chunks left";
    std::string error;
    EXPECT_EQ(VerifyAll(**j, &error), cp->seq) << "round " << round;
    EXPECT_EQ(error, "") << "round " << round;
    if (cp->seq > 0) {
      txn::Transaction want;
      testing::FillChunk(cp->seq, testing::ChunksOf(cp->seq) - 1, &want);
      EXPECT_EQ(cp->source.position, want.source.position);
      EXPECT_EQ(cp->source.gtid, want.source.gtid);
    }
    std::printf("round %d: killed after seq %llu printed, checkpoint %llu, last chunk on disk before recovery %llu\n",
                round, static_cast<unsigned long long>(printed), static_cast<unsigned long long>(cp->seq),
                static_cast<unsigned long long>(on_disk));
  }
  std::printf("sync %s: %d kills, %llu transactions journaled, %d times a partial transaction was on disk\n",
              policy.c_str(), kKills,
              static_cast<unsigned long long>(total_printed), partial_found);
  EXPECT_GT(total_printed, 0u);
  std::error_code ec;
  std::filesystem::remove_all(tmpl, ec);
}

INSTANTIATE_TEST_SUITE_P(Policies, JournalCrash,
                         ::testing::Values(CrashCase{"every_commit", 12}, CrashCase{"before_apply", 6},
                                           CrashCase{"none", 6}),
                         [](const ::testing::TestParamInfo<CrashCase>& info) {
                           return std::string(info.param.policy);
                         });

}  // namespace
}  // namespace vomsrepl::journal
