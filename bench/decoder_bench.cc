// decoder_bench: the binlog decoder over one real binlog file held in memory.
//
// Corpus: $VOMSREPL_BENCH_CORPUS, default bench/corpus/sysbench.000001 (made by
// bench/make-corpus). Without it the program prints why and exits 0 (nothing run).
//
//   BM_Framing/crc:1        EventReader walk, CRC32 of every event verified
//   BM_Framing/crc:0        the same walk without CRC32
//   BM_FullRowDecode/crc:N  EventReader + TableMapCache + DecodeRowsEvent + ForEachRow
//                           with a visitor that reads every cell (sums sizes and first bytes)
//   BM_RowDecodeToText      as above, AppendCellText(kMariadbBinlog) for every cell into
//                           one reused string (the text part of `vomsrepl dump`)
//   BM_CountRows            as above with CountRows instead of ForEachRow (`vomsrepl stats`)
//
// Every benchmark reports bytes/s over the whole file and events/s, rows/s (an UPDATE
// before/after pair counts as one row).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "binlog/event_reader.h"
#include "binlog/rows_event.h"
#include "binlog/table_map.h"
#include "binlog/value_text.h"

namespace {

using namespace vomsrepl;
using namespace vomsrepl::binlog;

std::string g_corpus_name;
std::vector<std::byte> g_corpus;

bool LoadCorpus() {
  const char* env = std::getenv("VOMSREPL_BENCH_CORPUS");
  g_corpus_name = env && *env ? env : VOMSREPL_SOURCE_DIR "/bench/corpus/sysbench.000001";
  std::ifstream in(g_corpus_name, std::ios::binary | std::ios::ate);
  if (!in) return false;
  std::streamsize size = in.tellg();
  in.seekg(0);
  g_corpus.resize(size_t(size));
  return bool(in.read(reinterpret_cast<char*>(g_corpus.data()), size));
}

Bytes Corpus() { return Bytes(g_corpus.data(), g_corpus.size()); }

void Report(benchmark::State& state, uint64_t events, uint64_t rows) {
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(g_corpus.size()));
  state.counters["events"] = benchmark::Counter(double(events), benchmark::Counter::kIsRate);
  state.counters["rows"] = benchmark::Counter(double(rows), benchmark::Counter::kIsRate);
}

// True at the clean end of the file; any other error stops the benchmark.
bool EndOrFail(benchmark::State& state, const Status& s, const EventReader& reader) {
  if (s.code() == StatusCode::kOutOfRange && reader.at_end()) return true;
  state.SkipWithError(("corpus: " + s.ToString()).c_str());
  return false;
}

void BM_Framing(benchmark::State& state) {
  const bool crc = state.range(0) != 0;
  uint64_t events = 0;
  for (auto _ : state) {
    EventReader reader(Corpus(), g_corpus_name, crc);
    ReadEvent ev;
    for (;;) {
      Status s = reader.Next(&ev);
      if (!s.ok()) {
        if (!EndOrFail(state, s, reader)) return;
        break;
      }
      ++events;
      benchmark::DoNotOptimize(ev.frame.body.data());
    }
  }
  Report(state, events, 0);
}

// Reads every cell: its size and its first byte.
struct TouchVisitor {
  bool has_after = false;
  RowImage image = RowImage::kAfter;
  uint64_t sum = 0;
  uint64_t rows = 0;
  void BeginRow(RowImage i) { image = i; }
  void OnCell(const Cell& cell) {
    sum += cell.bytes.size();
    if (!cell.bytes.empty()) sum += std::to_integer<uint8_t>(cell.bytes[0]);
  }
  void EndRow() { rows += (image == RowImage::kAfter || !has_after) ? 1 : 0; }
};

// AppendCellText for every cell into one string, cleared per event.
struct TextVisitor {
  bool has_after = false;
  RowImage image = RowImage::kAfter;
  std::string out;
  uint64_t text_bytes = 0;
  uint64_t rows = 0;
  Status status;
  void BeginRow(RowImage i) { image = i; }
  void OnCell(const Cell& cell) {
    Status s = AppendCellText(cell, TextStyle::kMariadbBinlog, out);
    if (!s.ok() && status.ok()) status = s;
    out.push_back('\n');
  }
  void EndRow() { rows += (image == RowImage::kAfter || !has_after) ? 1 : 0; }
};

enum class Mode { kTouch, kText, kCount };

// The walk shared by the row benchmarks; `per_rows` runs on each decoded rows event and
// returns false (after SkipWithError) on failure.
template <class PerRows>
bool WalkRows(benchmark::State& state, bool crc, uint64_t& events, PerRows&& per_rows) {
  EventReader reader(Corpus(), g_corpus_name, crc);
  TableMapCache cache;
  std::vector<std::byte> scratch;
  ReadEvent ev;
  for (;;) {
    Status s = reader.Next(&ev);
    if (!s.ok()) return EndOrFail(state, s, reader);
    ++events;
    const EventType type = ev.frame.header.type;
    if (type == EventType::kTableMap) {
      Status st = cache.Update(ev.frame.body, reader.format());
      if (!st.ok()) {
        state.SkipWithError(("corpus: " + st.ToString()).c_str());
        return false;
      }
    } else if (IsRowsEvent(type)) {
      uint64_t table_id = 0;
      const TableSchema* schema = nullptr;
      if (PeekTableId(type, ev.frame.body, reader.format(), &table_id)) schema = cache.Find(table_id);
      if (schema == nullptr) {
        state.SkipWithError("corpus: rows event without its TABLE_MAP");
        return false;
      }
      auto rows = DecodeRowsEvent(type, ev.frame.body, reader.format(), scratch);
      if (!rows.ok()) {
        state.SkipWithError(("corpus: " + rows.status().ToString()).c_str());
        return false;
      }
      if (!per_rows(*rows, *schema)) return false;
    }
  }
}

void BM_FullRowDecode(benchmark::State& state) {
  const bool crc = state.range(0) != 0;
  uint64_t events = 0;
  TouchVisitor v;
  for (auto _ : state) {
    bool ok = WalkRows(state, crc, events, [&](const RowsEventView& rows, const TableSchema& schema) {
      v.has_after = rows.has_after_image();
      Status s = ForEachRow(rows, schema, v);
      if (!s.ok()) state.SkipWithError(("corpus: " + s.ToString()).c_str());
      return s.ok();
    });
    if (!ok) return;
    benchmark::DoNotOptimize(v.sum);
  }
  Report(state, events, v.rows);
}

void BM_RowDecodeToText(benchmark::State& state) {
  uint64_t events = 0;
  TextVisitor v;
  for (auto _ : state) {
    bool ok = WalkRows(state, true, events, [&](const RowsEventView& rows, const TableSchema& schema) {
      v.has_after = rows.has_after_image();
      v.out.clear();
      Status s = ForEachRow(rows, schema, v);
      if (s.ok()) s = v.status;
      if (!s.ok()) state.SkipWithError(("corpus: " + s.ToString()).c_str());
      v.text_bytes += v.out.size();
      return s.ok();
    });
    if (!ok) return;
    benchmark::DoNotOptimize(v.out.data());
  }
  Report(state, events, v.rows);
  state.counters["text_bytes"] = benchmark::Counter(double(v.text_bytes), benchmark::Counter::kIsRate);
}

void BM_CountRows(benchmark::State& state) {
  uint64_t events = 0, rows_total = 0;
  for (auto _ : state) {
    bool ok = WalkRows(state, true, events, [&](const RowsEventView& rows, const TableSchema& schema) {
      uint64_t n = 0;
      Status s = CountRows(rows, schema, &n);
      if (!s.ok()) state.SkipWithError(("corpus: " + s.ToString()).c_str());
      rows_total += n;
      return s.ok();
    });
    if (!ok) return;
  }
  Report(state, events, rows_total);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (!LoadCorpus()) {
    std::fprintf(stderr,
                 "decoder_bench: skipped: cannot read the corpus %s (run bench/make-corpus, or set "
                 "VOMSREPL_BENCH_CORPUS to a binlog file)\n",
                 g_corpus_name.c_str());
    return 0;
  }
  benchmark::AddCustomContext("corpus", g_corpus_name + " (" + std::to_string(g_corpus.size()) + " bytes)");
  benchmark::RegisterBenchmark("BM_Framing", BM_Framing)->ArgName("crc")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_FullRowDecode", BM_FullRowDecode)
      ->ArgName("crc")->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_RowDecodeToText", BM_RowDecodeToText)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("BM_CountRows", BM_CountRows)->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
