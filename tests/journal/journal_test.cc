// Journal: round trips, checkpoint atomicity, incomplete transactions,
// readers, mirrors, retention, metadata, corruption, the state directory lock.
#include "journal/journal.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal_format.h"
#include "raw_db.h"
#include "synthetic_transaction.h"

namespace vomsrepl::journal {
namespace {

using testing::CheckChunk;
using testing::ChunksOf;
using testing::FillChunk;

// Temporary directories, removed when the test program ends.
class TempDirs : public ::testing::Environment {
 public:
  static std::vector<std::string>& dirs() {
    static std::vector<std::string> d;
    return d;
  }
  void TearDown() override {
    std::error_code ec;
    for (const auto& d : dirs()) std::filesystem::remove_all(d, ec);
  }
};
const auto* const kTempDirs = ::testing::AddGlobalTestEnvironment(new TempDirs);

std::string TempDir() {
  char tmpl[] = "/tmp/vomsrepl-journal-XXXXXX";
  EXPECT_NE(::mkdtemp(tmpl), nullptr);
  TempDirs::dirs().push_back(tmpl);
  return std::string(tmpl) + "/state";
}

std::unique_ptr<Journal> OpenOrDie(const std::string& dir, SyncPolicy sync = SyncPolicy::kEveryCommit) {
  JournalOptions o;
  o.directory = dir;
  o.sync = sync;
  auto j = Journal::Open(o);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? std::move(*j) : nullptr;
}

// Appends whole synthetic transactions seq = from..to.
void AppendRange(Journal& j, uint64_t from, uint64_t to) {
  txn::Transaction t;
  for (uint64_t seq = from; seq <= to; ++seq) {
    for (uint32_t c = 0; c < ChunksOf(seq); ++c) {
      FillChunk(seq, c, &t);
      ASSERT_TRUE(j.Append(t).ok());
      ASSERT_EQ(t.seq, seq);
    }
  }
}

// A new state directory whose journal holds seqs 1..last, closed again.
std::string ClosedJournalWith(uint64_t last) {
  std::string dir = TempDir();
  auto j = OpenOrDie(dir);
  EXPECT_TRUE(j);
  if (j) AppendRange(*j, 1, last);
  return dir;
}

// Reads everything the reader gives now; checks each chunk; returns the number of transactions.
uint64_t ReadAll(JournalReader& r, uint64_t first_seq) {
  txn::Transaction t;
  uint64_t seq = first_seq, n = 0;
  uint32_t chunk = 0;
  for (;;) {
    auto got = r.Next(&t);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || !*got) break;
    std::string diff = CheckChunk(seq, chunk, t);
    EXPECT_EQ(diff, "");
    if (!diff.empty()) break;
    if (t.last_chunk) {
      ++seq;
      chunk = 0;
      ++n;
    } else {
      ++chunk;
    }
  }
  return n;
}

TEST(Journal, RoundTripWithChunksAndCheckpointAfterReopen) {
  std::string dir = TempDir();
  {
    auto j = OpenOrDie(dir);
    ASSERT_TRUE(j);
    EXPECT_EQ(j->last_seq(), 0u);
    AppendRange(*j, 1, 30);
    EXPECT_EQ(j->last_seq(), 30u);
    EXPECT_EQ(j->durable_seq(), 30u);
    auto r = j->NewReader(1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ReadAll(**r, 1), 30u);
    auto mid = j->NewReader(17);
    ASSERT_TRUE(mid.ok());
    EXPECT_EQ(ReadAll(**mid, 17), 14u);
  }
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  auto cp = j->checkpoint();
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->seq, 30u);
  txn::Transaction want;
  FillChunk(30, ChunksOf(30) - 1, &want);
  EXPECT_EQ(cp->source.position, want.source.position);
  EXPECT_EQ(cp->source.gtid, "0-1-30");
  EXPECT_EQ(cp->source.gtid_state.ToString(), "0-1-30");
  EXPECT_EQ(cp->source.commit_time, want.source.commit_time);
  EXPECT_EQ(j->first_seq(), 1u);
  // Appends continue the numbering.
  AppendRange(*j, 31, 32);
  auto r = j->NewReader(1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r, 1), 32u);
}

TEST(Journal, AppendBatchIsOneAtomicGroup) {
  std::string dir = TempDir();
  {
    auto j = OpenOrDie(dir);
    ASSERT_TRUE(j);
    AppendRange(*j, 1, 1);
    // seq 2 (3 chunks), 3 (1), 4 (2) and the first chunk of 5 (3 chunks) in one batch.
    ASSERT_EQ(ChunksOf(2), 3u);
    ASSERT_EQ(ChunksOf(5), 3u);
    std::vector<txn::Transaction> group;
    for (uint64_t seq = 2; seq <= 4; ++seq)
      for (uint32_t c = 0; c < ChunksOf(seq); ++c) {
        group.emplace_back();
        FillChunk(seq, c, &group.back());
      }
    group.emplace_back();
    FillChunk(5, 0, &group.back());
    // A chunk out of order anywhere refuses the whole batch.
    std::vector<txn::Transaction> bad = group;
    std::swap(bad[1], bad[2]);
    EXPECT_EQ(j->AppendBatch(bad).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(j->last_seq(), 1u);
    ASSERT_TRUE(j->AppendBatch(group).ok());
    EXPECT_EQ(group.back().seq, 5u);
    EXPECT_EQ(j->last_seq(), 4u);
    EXPECT_EQ(j->checkpoint()->source.gtid, "0-1-4");
    auto r = j->NewReader(1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ReadAll(**r, 1), 4u);
    std::vector<txn::Transaction> tail(2);
    FillChunk(5, 1, &tail[0]);
    FillChunk(5, 2, &tail[1]);
    ASSERT_TRUE(j->AppendBatch(tail).ok());
    EXPECT_EQ(j->last_seq(), 5u);
    EXPECT_EQ(ReadAll(**r, 5), 1u);
  }
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->checkpoint()->seq, 5u);
  auto r = j->NewReader(1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r, 1), 5u);
}

TEST(Journal, ReaderNeverSeesAnIncompleteTransaction) {
  auto j = OpenOrDie(TempDir());
  ASSERT_TRUE(j);
  AppendRange(*j, 1, 2);
  auto r = j->NewReader(1);
  ASSERT_TRUE(r.ok());
  // seq 5 in three chunks; the reader must not see chunk 0 or 1 before chunk 2.
  ASSERT_EQ(ChunksOf(5), 3u);
  AppendRange(*j, 3, 4);
  txn::Transaction t;
  FillChunk(5, 0, &t);
  ASSERT_TRUE(j->Append(t).ok());
  FillChunk(5, 1, &t);
  ASSERT_TRUE(j->Append(t).ok());
  EXPECT_EQ(j->last_seq(), 4u);
  EXPECT_EQ(ReadAll(**r, 1), 4u);
  auto again = (*r)->Next(&t);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ((*r)->next_seq(), 5u);
  EXPECT_FALSE(j->WaitForSeq(5, std::chrono::milliseconds(1)));
  FillChunk(5, 2, &t);
  ASSERT_TRUE(j->Append(t).ok());
  EXPECT_TRUE(j->WaitForSeq(5, std::chrono::milliseconds(1)));
  EXPECT_EQ(ReadAll(**r, 5), 1u);
}

TEST(Journal, ChunkOutOfOrderIsRefused) {
  auto j = OpenOrDie(TempDir());
  ASSERT_TRUE(j);
  txn::Transaction t;
  FillChunk(5, 1, &t);
  Status s = j->Append(t);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  FillChunk(5, 0, &t);  // not last: 3 chunks
  ASSERT_TRUE(j->Append(t).ok());
  EXPECT_EQ(j->AdvanceSource(txn::SourcePoint()).code(), StatusCode::kFailedPrecondition);
}

TEST(Journal, IncompleteTrailingTransactionIsRemovedOnReopen) {
  std::string dir = TempDir();
  {
    auto j = OpenOrDie(dir);
    ASSERT_TRUE(j);
    AppendRange(*j, 1, 4);
    txn::Transaction t;
    FillChunk(5, 0, &t);
    ASSERT_TRUE(j->Append(t).ok());
    FillChunk(5, 1, &t);
    ASSERT_TRUE(j->Append(t).ok());
    ASSERT_TRUE(j->Sync().ok());  // the chunks are on disk
  }
  {
    // Seen on disk before the writable reopen: chunks past the checkpoint.
    auto raw = testing::OpenRawDb(dir, true);
    ASSERT_TRUE(raw);
    std::string v;
    EXPECT_TRUE(raw->db->Get(rocksdb::ReadOptions(), raw->txn(), TxnKey(5, 1), &v).ok());
  }
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->checkpoint()->seq, 4u);
  EXPECT_EQ(j->last_seq(), 4u);
  // The transaction comes again, whole, with the same seq.
  AppendRange(*j, 5, 6);
  auto r = j->NewReader(1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r, 1), 6u);
}

TEST(Journal, AbandonedTransactionComesAgainWithTheSameSeq) {
  std::string dir = TempDir();
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  EXPECT_TRUE(j->AbandonOpenTransaction().ok());  // nothing open: no-op
  AppendRange(*j, 1, 4);
  txn::Transaction t;
  FillChunk(5, 0, &t);
  // Different bytes than the real chunk 0: they must not survive.
  t.changes.assign(t.changes.size(), std::byte{0x5a});
  ASSERT_TRUE(j->Append(t).ok());
  FillChunk(5, 1, &t);
  ASSERT_TRUE(j->Append(t).ok());
  ASSERT_TRUE(j->AbandonOpenTransaction().ok());
  FillChunk(5, 1, &t);
  EXPECT_EQ(j->Append(t).code(), StatusCode::kInvalidArgument);  // chunk 0 expected again
  AppendRange(*j, 5, 6);
  auto r = j->NewReader(1);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r, 1), 6u);
}

TEST(Journal, AdvanceSourceMovesTheCheckpointNotTheSeq) {
  std::string dir = TempDir();
  txn::SourcePoint p;
  p.position.file = "master-bin.000002";
  p.position.offset = 999;
  p.gtid = "0-1-77";
  p.gtid_state.Update(MariadbGtid{0, 1, 77});
  {
    auto j = OpenOrDie(dir);
    ASSERT_TRUE(j);
    AppendRange(*j, 1, 3);
    ASSERT_TRUE(j->AdvanceSource(p).ok());
    EXPECT_EQ(j->checkpoint()->source.position, p.position);
    EXPECT_EQ(j->checkpoint()->seq, 3u);
  }  // the destructor writes and syncs it
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  auto cp = j->checkpoint();
  EXPECT_EQ(cp->seq, 3u);
  EXPECT_EQ(cp->source.position, p.position);
  EXPECT_EQ(cp->source.gtid_state.ToString(), "0-1-77");
  // The next append supersedes it.
  AppendRange(*j, 4, 4);
  EXPECT_EQ(j->checkpoint()->source.gtid, "0-1-4");
}

TEST(Journal, ConcurrentReaderFollowsTheWriter) {
  auto j = OpenOrDie(TempDir(), SyncPolicy::kNone);
  ASSERT_TRUE(j);
  constexpr uint64_t kN = 300;
  std::atomic<uint64_t> read{0};
  std::string error;
  std::thread reader([&] {
    auto r = j->NewReader(1);
    if (!r.ok()) return;
    txn::Transaction t;
    uint64_t seq = 1;
    uint32_t chunk = 0;
    while (seq <= kN) {
      auto got = (*r)->Next(&t);
      if (!got.ok()) {
        error = got.status().ToString();
        return;
      }
      if (!*got) {
        j->WaitForSeq((*r)->next_seq(), std::chrono::milliseconds(50));
        continue;
      }
      std::string diff = CheckChunk(seq, chunk, t);
      if (!diff.empty()) {
        error = diff;
        return;
      }
      if (t.last_chunk) {
        ++seq;
        chunk = 0;
        read.store(seq - 1);
      } else {
        ++chunk;
      }
    }
  });
  AppendRange(*j, 1, kN);
  reader.join();
  EXPECT_EQ(error, "");
  EXPECT_EQ(read.load(), kN);
}

TEST(Journal, PeriodicSyncMakesAppendsDurable) {
  JournalOptions o;
  o.directory = TempDir();
  o.sync = SyncPolicy::kPeriodic;
  o.sync_interval = std::chrono::milliseconds(5);
  o.sync_every_transactions = 1000000;
  auto j = Journal::Open(o);
  ASSERT_TRUE(j.ok());
  AppendRange(**j, 1, 10);
  EXPECT_EQ((*j)->last_seq(), 10u);
  // The background sync: waited for up to 30 s (an fsync under I/O load can take seconds).
  for (int i = 0; i < 6000 && (*j)->durable_seq() < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ((*j)->durable_seq(), 10u);
  o.sync_every_transactions = 0;
  EXPECT_EQ(Journal::Open(o).status().code(), StatusCode::kInvalidArgument);
}

TEST(Journal, BeforeApplySyncsBeforeAReaderReturnsATransaction) {
  JournalOptions o;
  o.directory = TempDir();
  o.sync = SyncPolicy::kBeforeApply;
  o.sync_interval = std::chrono::hours(1);  // the background sync stays out of this test
  auto j = Journal::Open(o);
  ASSERT_TRUE(j.ok()) << j.status().ToString();
  AppendRange(**j, 1, 10);
  EXPECT_EQ((*j)->last_seq(), 10u);
  EXPECT_EQ((*j)->durable_seq(), 0u);  // no fsync per append
  EXPECT_EQ((*j)->Stats()->syncs, 0u);
  auto r = (*j)->NewReader(1);
  ASSERT_TRUE(r.ok());
  txn::Transaction t;
  auto got = (*r)->Next(&t);
  ASSERT_TRUE(got.ok() && *got) << got.status().ToString();
  EXPECT_EQ(t.seq, 1u);
  EXPECT_EQ((*j)->durable_seq(), 10u);  // one sync covered all that was appended
  EXPECT_EQ((*j)->Stats()->syncs, 1u);
  AppendRange(**j, 11, 12);
  EXPECT_EQ((*j)->durable_seq(), 10u);
  auto all = (*j)->NewReader(1);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(ReadAll(**all, 1), 12u);
  EXPECT_EQ((*j)->durable_seq(), 12u);
  EXPECT_EQ((*j)->Stats()->syncs, 2u);  // seq 11..12 needed one more, 1..10 none
  EXPECT_TRUE((*j)->SyncThrough(12).ok());
  EXPECT_EQ((*j)->SyncThrough(13).code(), StatusCode::kInternal);  // beyond the last transaction
  o.sync_interval = std::chrono::milliseconds(0);
  r->reset();  // readers never outlive their journal
  all->reset();
  j->reset();
  EXPECT_EQ(Journal::Open(o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*ParseSyncPolicy("before_apply"), SyncPolicy::kBeforeApply);
}

TEST(Journal, BeforeApplyBackgroundSyncBoundsWhatAPowerLossLoses) {
  JournalOptions o;
  o.directory = TempDir();
  o.sync = SyncPolicy::kBeforeApply;
  o.sync_interval = std::chrono::milliseconds(5);
  auto j = Journal::Open(o);
  ASSERT_TRUE(j.ok());
  AppendRange(**j, 1, 10);
  // The background sync: waited for up to 30 s (an fsync under I/O load can take seconds).
  for (int i = 0; i < 6000 && (*j)->durable_seq() < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ((*j)->durable_seq(), 10u);
}

TEST(Journal, RetentionKeepsWhatTheSlowestMirrorNeeds) {
  JournalOptions o;
  o.directory = TempDir();
  auto opened = Journal::Open(o);
  ASSERT_TRUE(opened.ok());
  Journal& j = **opened;
  AppendRange(j, 1, 50);
  auto none = j.Purge();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->deleted, 0u) << "no mirror: nothing may go";
  ReplicaMirror fast = testing::MirrorAt(45, "running");
  ReplicaMirror slow =
      testing::MirrorAt(20, "stopped: 1062 duplicate key", {"master-bin.000001", 2004}, 1700000020, 1700000100);
  ASSERT_TRUE(j.SetReplicaMirror("r1", fast).ok());
  ASSERT_TRUE(j.SetReplicaMirror("r2", slow).ok());
  auto mirrors = j.ListReplicaMirrors();
  ASSERT_TRUE(mirrors.ok());
  ASSERT_EQ(mirrors->size(), 2u);
  EXPECT_EQ((*mirrors)[1].first, "r2");
  EXPECT_EQ((*mirrors)[1].second.state, slow.state);
  EXPECT_EQ((*mirrors)[1].second.position, slow.position);
  EXPECT_EQ((*mirrors)[1].second.applied_time, slow.applied_time);

  auto p = j.Purge();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->deleted, 19u);
  EXPECT_EQ(p->first_seq, 20u);
  EXPECT_NE(p->reason.find("r2"), std::string::npos);
  EXPECT_EQ(j.first_seq(), 20u);
  auto gone = j.NewReader(19);
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_NE(gone.status().message().find("starts at seq 20"), std::string::npos);
  auto r = j.NewReader(20);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ReadAll(**r, 20), 31u);
  auto stats = j.Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->first_seq, 20u);
  EXPECT_EQ(stats->last_seq, 50u);
  EXPECT_EQ(stats->transactions, 31u);
  EXPECT_GT(stats->disk_bytes, 0u);

  // The slow replica catches up; removing it lets the fast one bound the purge.
  ASSERT_TRUE(j.RemoveReplicaMirror("r2").ok());
  p = j.Purge();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->first_seq, 45u);
  EXPECT_EQ(p->deleted, 25u);
}

TEST(Journal, RetentionKeepsWhatAHeldDatabaseNeeds) {
  auto opened = OpenOrDie(TempDir());
  ASSERT_TRUE(opened);
  Journal& j = *opened;
  AppendRange(j, 1, 50);
  // The replica applied seq 45, but a database it holds back still needs seq 30 on.
  ReplicaMirror m = testing::MirrorAt(45, "running");
  m.retain_from = 30;
  ASSERT_TRUE(j.SetReplicaMirror("r1", m).ok());
  auto mirrors = j.ListReplicaMirrors();
  ASSERT_TRUE(mirrors.ok());
  ASSERT_EQ(mirrors->size(), 1u);
  EXPECT_EQ((*mirrors)[0].second.retain_from, 30u);
  EXPECT_EQ((*mirrors)[0].second.seq, 45u);
  auto p = j.Purge();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->first_seq, 30u);
  EXPECT_EQ(p->deleted, 29u);
  EXPECT_NE(p->reason.find("holding a database back, from seq 30"), std::string::npos) << p->reason;
  // The hold ends (retain_from 0, encoded as before it existed): the applied seq bounds it again.
  m.retain_from = 0;
  ASSERT_TRUE(j.SetReplicaMirror("r1", m).ok());
  p = j.Purge();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->first_seq, 45u);
}

TEST(Journal, RetentionCountAndWindowKeepMore) {
  JournalOptions o;
  o.directory = TempDir();
  o.retention_count = 10;
  {
    auto j = Journal::Open(o);
    ASSERT_TRUE(j.ok());
    AppendRange(**j, 1, 40);
    ReplicaMirror m;
    m.seq = 40;
    ASSERT_TRUE((*j)->SetReplicaMirror("r1", m).ok());
    auto p = (*j)->Purge();
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->first_seq, 31u);
    EXPECT_NE(p->reason.find("count"), std::string::npos);
  }
  o.retention_count = 0;
  o.retention_window = std::chrono::seconds(3600);  // everything was journaled within the hour
  auto j = Journal::Open(o);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)->first_seq(), 31u);
  auto p = (*j)->Purge();
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->deleted, 0u);
  EXPECT_EQ((*j)->first_seq(), 31u);
}

// A feeder taking over (daemon/takeover.h): the journal restarts at the slowest
// replica's seq, numbering on from it; the state survives a reopen with nothing
// journaled after it (no "checkpoint beyond the journal" data loss), and
// nothing older can be read.
TEST(Journal, RebaseRestartsTheNumberingAtAReplicasPoint) {
  std::string dir = TempDir();
  SourceCheckpoint at;
  at.seq = 57;
  at.source.position = BinlogPosition{"mariadb-bin.000004", 9876};
  at.source.gtid = "0-1-70";
  at.source.gtid_state = *MariadbGtidList::Parse("0-1-70");
  {
    auto j = OpenOrDie(dir);
    ASSERT_TRUE(j);
    AppendRange(*j, 1, 12);
    ASSERT_TRUE(j->PutMeta(kSchemaHistoryMeta, "old shapes").ok());
    ASSERT_TRUE(j->Rebase(at).ok());
    EXPECT_EQ(j->last_seq(), 57u);
    EXPECT_EQ(j->opened_last_seq(), 57u);
    EXPECT_EQ(j->first_seq(), 58u);
    EXPECT_EQ(j->GetMeta(kSchemaHistoryMeta).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(j->NewReader(12).status().code(), StatusCode::kNotFound);
    auto r = j->NewReader(58);
    ASSERT_TRUE(r.ok());
    txn::Transaction t;
    auto got = (*r)->Next(&t);
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(*got);
  }
  {
    auto j = OpenOrDie(dir);  // nothing journaled since: still a valid journal
    ASSERT_TRUE(j);
    auto cp = j->checkpoint();
    ASSERT_TRUE(cp.ok());
    EXPECT_EQ(cp->seq, 57u);
    EXPECT_EQ(cp->source.position, at.source.position);
    EXPECT_EQ(cp->source.gtid_state.ToString(), "0-1-70");
    EXPECT_EQ(j->first_seq(), 58u);
    AppendRange(*j, 58, 60);
    auto r = j->NewReader(58);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ReadAll(**r, 58), 3u);
  }
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->first_seq(), 58u);
  EXPECT_EQ(j->last_seq(), 60u);
}

// Without a Rebase, a checkpoint beyond the last record is still data loss.
TEST(Journal, CheckpointBeyondTheRecordsWithoutRebaseIsDataLoss) {
  std::string dir = ClosedJournalWith(3);
  {
    auto raw = testing::OpenRawDb(dir, false);
    ASSERT_TRUE(raw);
    ASSERT_TRUE(raw->db->DeleteRange(rocksdb::WriteOptions(), raw->txn(), TxnKey(0, 0), TxnKey(1000, 0)).ok());
  }
  JournalOptions o;
  o.directory = dir;
  auto j = Journal::Open(o);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kDataLoss) << j.status().ToString();
}

TEST(Journal, MetadataRoundTrip) {
  std::string dir = TempDir();
  std::string blob("\0schema\xff", 8);
  {
    auto j = OpenOrDie(dir);
    ASSERT_TRUE(j);
    EXPECT_EQ(j->GetMeta("schema_history").status().code(), StatusCode::kNotFound);
    ASSERT_TRUE(j->PutMeta("schema_history", blob).ok());
  }
  auto ro = Journal::OpenReadOnly(dir);
  ASSERT_TRUE(ro.ok()) << ro.status().ToString();
  auto v = (*ro)->GetMeta("schema_history");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, blob);
  EXPECT_EQ((*ro)->PutMeta("x", "y").code(), StatusCode::kFailedPrecondition);
}

TEST(Journal, CorruptOrForeignRecordNamesTheSeq) {
  std::string dir = ClosedJournalWith(3);
  {
    auto raw = testing::OpenRawDb(dir, false);
    ASSERT_TRUE(raw);
    std::string v;
    ASSERT_TRUE(raw->db->Get(rocksdb::ReadOptions(), raw->txn(), TxnKey(2, 0), &v).ok());
    v[0] = char(99);  // a future format version
    ASSERT_TRUE(raw->db->Put(rocksdb::WriteOptions(), raw->txn(), TxnKey(2, 0), v).ok());
  }
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  auto r = j->NewReader(1);
  ASSERT_TRUE(r.ok());
  txn::Transaction t;
  Result<bool> got = true;
  for (int i = 0; i < 10 && got.ok() && *got; ++i) got = (*r)->Next(&t);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kCorruption);
  EXPECT_NE(got.status().message().find("seq 2"), std::string::npos) << got.status().ToString();
  EXPECT_NE(got.status().message().find("version 99"), std::string::npos);
}

TEST(JournalFormat, TruncatedValuesAreCorruption) {
  txn::Transaction t;
  FillChunk(9, 0, &t);
  t.seq = 9;
  std::string v;
  EncodeRecord(t, 123, &v);
  txn::Transaction back;
  uint64_t us = 0;
  ASSERT_TRUE(DecodeRecord(v, 9, 0, &back, &us).ok());
  EXPECT_EQ(us, 123u);
  EXPECT_EQ(CheckChunk(9, 0, back), "");
  for (size_t cut : {size_t(0), size_t(1), size_t(10), v.size() - 1}) {
    Status s = DecodeRecord(std::string_view(v).substr(0, cut), 9, 0, &back, &us);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << cut;
    EXPECT_NE(s.message().find("seq 9"), std::string::npos);
  }
  EXPECT_EQ(DecodeRecord(v, 9, 1, &back, &us).code(), StatusCode::kCorruption);  // key/value chunk mismatch
  SourceCheckpoint cp;
  EXPECT_EQ(DecodeCheckpoint("", &cp).code(), StatusCode::kCorruption);
  ReplicaMirror m;
  EXPECT_EQ(DecodeMirror("\x01", &m).code(), StatusCode::kCorruption);
  EXPECT_EQ(CheckFormatMarker("something else").code(), StatusCode::kCorruption);
}

TEST(Journal, NotAStateDirectory) {
  std::string dir = TempDir();
  std::filesystem::create_directories(dir);
  auto ro = Journal::OpenReadOnly(dir);
  EXPECT_EQ(ro.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(ro.status().message().find("not a vomsrepl state directory"), std::string::npos);
  EXPECT_EQ(Journal::OpenReadOnly(dir + "/missing").status().code(), StatusCode::kFailedPrecondition);
  // A RocksDB database that is not ours.
  std::string other = TempDir();
  std::filesystem::create_directories(other);
  rocksdb::Options opt;
  opt.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(opt, other + "/journal", &db).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "k", "v").ok());
  delete db;
  JournalOptions o;
  o.directory = other;
  EXPECT_EQ(Journal::Open(o).status().code(), StatusCode::kCorruption);
}

// Another process: journal_crash_test (the crash writer holds the directory).
TEST(Journal, SecondOpenInThisProcessIsRefused) {
  std::string dir = TempDir();
  auto j = OpenOrDie(dir);
  ASSERT_TRUE(j);
  JournalOptions o;
  o.directory = dir;
  auto second = Journal::Open(o);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(std::to_string(::getpid())), std::string::npos);
  j.reset();
  EXPECT_TRUE(Journal::Open(o).ok());
}

}  // namespace
}  // namespace vomsrepl::journal
