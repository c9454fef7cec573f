// journal_bench: Journal::Append throughput and on-disk size, with the
// changes of real transactions.
//
// Corpus: $VOMSREPL_BENCH_CORPUS, default bench/corpus/voms.000001 (made by
// bench/make-corpus). Its row-based transactions (GTID .. XID) become
// txn::Transactions the way the assembler builds them (TABLE_MAP and rows
// bodies, no filter); the raw binlog bytes of each (every event from its GTID
// to its XID, headers and CRC32 included) are the yardstick. Without a corpus
// the program prints why and exits 0.
//
//   BM_AppendCorpus/sync:S      the corpus transactions in order, cycled;
//                               S = 0 every_commit, 1 periodic (100 ms / 1000 txn), 2 none.
//                               bytes/s = raw binlog bytes of what was appended.
//   BM_AppendCorpusBatch/batch:B/sync:S  the same, B transactions per AppendBatch
//                               (group commit: one WriteBatch, one checkpoint, one sync).
//   BM_AppendSized/size:N/sync:S  transactions of about N bytes of changes, made by
//                               concatenating the changes of consecutive real transactions.
//                               bytes/s = changes bytes.
//   BM_DiskRatio/zstd:L         the whole corpus journaled (sync none), flushed and
//                               compacted: counters journal_bytes (SST) and
//                               ratio = journal SST bytes / raw binlog bytes.
//
// The journal lives in $VOMSREPL_BENCH_DIR (default /tmp): measure on the disk
// the daemon will use, fsync cost is the disk's.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "binlog/event_reader.h"
#include "binlog/rows_event.h"
#include "journal/journal.h"
#include "txn/transaction.h"

namespace {

using namespace vomsrepl;

struct CorpusTxn {
  txn::Transaction t;
  uint64_t raw_bytes = 0;
};

std::string g_corpus_name;
std::vector<std::byte> g_file;
std::vector<CorpusTxn> g_txns;  // Append sets their seq, nothing else
uint64_t g_raw_total = 0, g_changes_total = 0;

bool LoadCorpus() {
  const char* env = std::getenv("VOMSREPL_BENCH_CORPUS");
  g_corpus_name = env && *env ? env : VOMSREPL_SOURCE_DIR "/bench/corpus/voms.000001";
  std::ifstream in(g_corpus_name, std::ios::binary | std::ios::ate);
  if (!in) return false;
  std::streamsize size = in.tellg();
  in.seekg(0);
  g_file.resize(size_t(size));
  if (!in.read(reinterpret_cast<char*>(g_file.data()), size)) return false;

  binlog::EventReader reader(binlog::Bytes(g_file.data(), g_file.size()), g_corpus_name, true);
  binlog::ReadEvent ev;
  CorpusTxn cur;
  bool open = false;
  for (;;) {
    Status s = reader.Next(&ev);
    if (!s.ok()) {
      if (!(s.code() == StatusCode::kOutOfRange && reader.at_end()))
        std::fprintf(stderr, "journal_bench: %s: %s\n", g_corpus_name.c_str(), s.ToString().c_str());
      break;
    }
    EventType type = ev.frame.header.type;
    if (type == EventType::kGtid || type == EventType::kAnonymousGtid || type == EventType::kMariaGtid ||
        type == EventType::kGtidTagged) {
      cur = CorpusTxn();
      open = true;
    }
    if (!open) continue;
    if (!ev.inside_payload) cur.raw_bytes += ev.frame.raw.size();
    txn::ChangeWriter w(cur.t);
    if (type == EventType::kTableMap) {
      w.AddTableMap(ev.frame.body);
    } else if (binlog::IsRowsEvent(type)) {
      w.AddRows(type, ev.frame.body);
    } else if (type == EventType::kXid) {
      cur.t.source.position.file = "voms.000001";
      cur.t.source.position.offset = ev.offset + ev.frame.raw.size();
      cur.t.source.commit_time = ev.frame.header.timestamp;
      if (!cur.t.empty()) {
        g_raw_total += cur.raw_bytes;
        g_changes_total += cur.t.changes.size();
        g_txns.push_back(std::move(cur));
      }
      open = false;
    }
  }
  return !g_txns.empty();
}

std::string FreshDir(const char* what) {
  const char* base = std::getenv("VOMSREPL_BENCH_DIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vomsrepl-jbench-" + what + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl + "/state";
}

// The append benchmarks use the journal's default zstd level, or
// $VOMSREPL_BENCH_ZSTD_LEVEL; BM_DiskRatio gives its own.
journal::JournalOptions Options(const std::string& dir, int64_t sync, std::optional<int> zstd_level = std::nullopt) {
  journal::JournalOptions o;
  o.directory = dir;
  o.sync = sync == 0 ? journal::SyncPolicy::kEveryCommit
                     : sync == 1 ? journal::SyncPolicy::kPeriodic : journal::SyncPolicy::kNone;
  if (zstd_level) {
    o.zstd_level = *zstd_level;
  } else if (const char* env = std::getenv("VOMSREPL_BENCH_ZSTD_LEVEL"); env != nullptr && *env != '\0') {
    o.zstd_level = std::atoi(env);
  }
  return o;
}

void RemoveDir(const std::string& state_dir) {
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(state_dir).parent_path(), ec);
}

void BM_AppendCorpus(benchmark::State& state) {
  std::string dir = FreshDir("corpus");
  auto j = journal::Journal::Open(Options(dir, state.range(0)));
  if (!j.ok()) {
    state.SkipWithError(j.status().ToString().c_str());
    return;
  }
  size_t i = 0;
  uint64_t raw = 0, changes = 0, txns = 0;
  for (auto _ : state) {
    CorpusTxn& c = g_txns[i];
    i = (i + 1) % g_txns.size();
    Status s = (*j)->Append(c.t);  // sets c.t.seq only
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    raw += c.raw_bytes;
    changes += c.t.changes.size();
    ++txns;
  }
  state.SetBytesProcessed(int64_t(raw));
  state.SetItemsProcessed(int64_t(txns));
  state.counters["changes_MBps"] = benchmark::Counter(double(changes) / 1e6, benchmark::Counter::kIsRate);
  j->reset();
  RemoveDir(dir);
}

// Group commit: `batch` corpus transactions per AppendBatch (what the feeder
// does when the source has several ready).
void BM_AppendCorpusBatch(benchmark::State& state) {
  std::string dir = FreshDir("batch");
  auto j = journal::Journal::Open(Options(dir, state.range(1)));
  if (!j.ok()) {
    state.SkipWithError(j.status().ToString().c_str());
    return;
  }
  size_t batch = size_t(state.range(0));
  std::vector<txn::Transaction> group(batch);
  size_t i = 0;
  uint64_t raw = 0, txns = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (auto& t : group) {
      std::swap(t, g_txns[i].t);  // moved in and back out: no copy of the bytes
      raw += g_txns[i].raw_bytes;
      i = (i + 1) % g_txns.size();
    }
    state.ResumeTiming();
    Status s = (*j)->AppendBatch(group);
    state.PauseTiming();
    size_t k = (i + g_txns.size() - batch) % g_txns.size();
    for (auto& t : group) {
      std::swap(t, g_txns[k].t);
      k = (k + 1) % g_txns.size();
    }
    state.ResumeTiming();
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    txns += batch;
  }
  state.SetBytesProcessed(int64_t(raw));
  state.SetItemsProcessed(int64_t(txns));
  j->reset();
  RemoveDir(dir);
}

// Transactions of about `size` bytes of changes from consecutive real ones.
std::vector<txn::Transaction> SizedTransactions(size_t size, size_t count) {
  std::vector<txn::Transaction> out;
  size_t i = 0;
  while (out.size() < count) {
    txn::Transaction t;
    while (t.changes.size() < size) {
      const auto& c = g_txns[i++ % g_txns.size()].t;
      size_t take = std::min(c.changes.size(), size - t.changes.size());
      // Whole changes of the real transaction when they fit, else its first bytes
      // (the journal stores bytes; they need not parse for this measure).
      t.changes.insert(t.changes.end(), c.changes.begin(), c.changes.begin() + std::ptrdiff_t(take));
      t.change_count += c.change_count;
    }
    t.source = g_txns[i % g_txns.size()].t.source;
    out.push_back(std::move(t));
  }
  return out;
}

void BM_AppendSized(benchmark::State& state) {
  size_t size = size_t(state.range(0));
  auto txns = SizedTransactions(size, 256);
  std::string dir = FreshDir("sized");
  auto j = journal::Journal::Open(Options(dir, state.range(1)));
  if (!j.ok()) {
    state.SkipWithError(j.status().ToString().c_str());
    return;
  }
  size_t i = 0;
  uint64_t bytes = 0;
  for (auto _ : state) {
    txn::Transaction& t = txns[i++ % txns.size()];
    t.chunk = 0;
    t.last_chunk = true;
    Status s = (*j)->Append(t);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    bytes += t.changes.size();
  }
  state.SetBytesProcessed(int64_t(bytes));
  state.SetItemsProcessed(int64_t(state.iterations()));
  j->reset();
  RemoveDir(dir);
}

void BM_DiskRatio(benchmark::State& state) {
  for (auto _ : state) {
    std::string dir = FreshDir("ratio");
    auto j = journal::Journal::Open(Options(dir, 2, int(state.range(0))));
    if (!j.ok()) {
      state.SkipWithError(j.status().ToString().c_str());
      return;
    }
    for (auto& c : g_txns) {
      if (Status s = (*j)->Append(c.t); !s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        return;
      }
    }
    if (Status s = (*j)->CompactAll(); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      return;
    }
    auto stats = (*j)->Stats();
    if (!stats.ok()) {
      state.SkipWithError(stats.status().ToString().c_str());
      return;
    }
    state.counters["transactions"] = double(g_txns.size());
    state.counters["raw_binlog_MB"] = double(g_raw_total) / 1e6;
    state.counters["changes_MB"] = double(g_changes_total) / 1e6;
    state.counters["journal_MB"] = double(stats->sst_bytes) / 1e6;
    state.counters["ratio"] = double(stats->sst_bytes) / double(g_raw_total);
    j->reset();
    RemoveDir(dir);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(g_raw_total));
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (!LoadCorpus()) {
    std::fprintf(stderr, "journal_bench: no transactions in corpus %s (run bench/make-corpus or set "
                 "VOMSREPL_BENCH_CORPUS); nothing run\n", g_corpus_name.c_str());
    return 0;
  }
  std::fprintf(stderr, "journal_bench: %s: %zu transactions, %.1f MB raw binlog, %.1f MB changes (avg %.0f B)\n",
               g_corpus_name.c_str(), g_txns.size(), double(g_raw_total) / 1e6, double(g_changes_total) / 1e6,
               double(g_changes_total) / double(g_txns.size()));
  benchmark::RegisterBenchmark("BM_AppendCorpus", BM_AppendCorpus)
      ->ArgName("sync")
      ->DenseRange(0, 2)
      ->MinTime(2)
      ->UseRealTime();
  benchmark::RegisterBenchmark("BM_AppendCorpusBatch", BM_AppendCorpusBatch)
      ->ArgNames({"batch", "sync"})
      ->ArgsProduct({{16, 128}, {0, 2}})
      ->MinTime(2)->UseRealTime();
  benchmark::RegisterBenchmark("BM_AppendSized", BM_AppendSized)
      ->ArgNames({"size", "sync"})
      ->ArgsProduct({{300, 2048, 65536}, {0, 1, 2}})
      ->MinTime(1)->UseRealTime();
  benchmark::RegisterBenchmark("BM_DiskRatio", BM_DiskRatio)
      ->ArgName("zstd")
      ->Arg(1)->Arg(3)->Arg(6)
      ->Iterations(1)
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
