// crc32_bench: our Crc32 (ISA-L when built with it, else zlib) against zlib's crc32()
// on event-sized chunks. 200 bytes is about the median event of the sysbench corpus;
// 8 KiB stands for a large rows event.
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <vector>

#include "binlog/crc32.h"

namespace {

// 4 MiB of pseudo-random bytes (more than L2, as a real binlog walk would see).
const std::vector<std::byte>& Data() {
  static const std::vector<std::byte> data = [] {
    std::vector<std::byte> d(4u << 20);
    std::mt19937_64 rng(42);
    for (auto& b : d) b = std::byte(rng() & 0xff);
    return d;
  }();
  return data;
}

template <class F>
void RunChunks(benchmark::State& state, F&& crc) {
  const auto& d = Data();
  const size_t chunk = size_t(state.range(0));
  const size_t n = d.size() / chunk;
  uint32_t acc = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) acc ^= crc(d.data() + i * chunk, chunk);
    benchmark::DoNotOptimize(acc);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(n * chunk));
  state.counters["chunks"] = benchmark::Counter(double(state.iterations()) * double(n), benchmark::Counter::kIsRate);
}

void BM_Crc32_Vomsrepl(benchmark::State& state) {
  RunChunks(state, [](const std::byte* p, size_t n) {
    return vomsrepl::binlog::Crc32(0, vomsrepl::binlog::Bytes(p, n));
  });
}

void BM_Crc32_Zlib(benchmark::State& state) {
  RunChunks(state, [](const std::byte* p, size_t n) {
    return uint32_t(crc32(0L, reinterpret_cast<const Bytef*>(p), uInt(n)));
  });
}

BENCHMARK(BM_Crc32_Vomsrepl)->ArgName("chunk")->Arg(200)->Arg(8192);
BENCHMARK(BM_Crc32_Zlib)->ArgName("chunk")->Arg(200)->Arg(8192);

}  // namespace

BENCHMARK_MAIN();
