// ProgressReporter: the one progress line of the long commands (`bootstrap`,
// `catchup`, `verify`, `dump`/`stats` over big inputs).
//
// The work publishes counters (a relaxed atomic store per update, nothing else
// on its path); a thread of the reporter's own reads them and writes a line:
//   - on a terminal: redrawn in place ("\r") twice a second, ended by "\n" at
//     Stop();
//   - anywhere else (nohup, systemd's journal, a pipe): one full line every
//     `interval` (10 s by default), also while the counters stand still, so a
//     log shows that the command is alive and how far it is.
// A line: "bootstrap voms_atlas -> replica1: 120,000 of 300,000 rows (40.0%),
// 3 of 12 tables, 11,982 rows/s, ETA 15 s". The rate is the average since the
// start; the ETA needs a known total and a rate above 0.
//
// Thread-safety: Set*/Add* from any thread; Stop() from the owner (also done by
// the destructor). The `write` callback runs on the reporter's thread, never
// concurrently with itself.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <unistd.h>

#include <cstdio>

namespace vomsrepl {

// "0 B", "812 B", "320.9 KiB", "1.5 GiB" (binary units).
std::string HumanBytes(uint64_t n);
// "3,035" (thousands separated by commas, independent of the locale).
std::string GroupedCount(uint64_t n);

class ProgressReporter {
 public:
  struct Options {
    std::string label;                          // "catchup replica1"
    std::string unit = "rows";                  // what the counter counts; "bytes": sizes
    bool terminal = false;                      // the output is a terminal
    std::chrono::milliseconds interval{10000};  // between lines off a terminal
    std::function<void(const std::string& text)> write;  // receives "\r..." or "...\n"
    // Called on the reporter's thread before each line, to read counters the
    // work keeps itself (atomics) into SetDone/SetTotal/SetDetail; may be empty.
    std::function<void(ProgressReporter&)> poll;
  };

  explicit ProgressReporter(Options options);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  void SetDone(uint64_t done) { done_.store(done, std::memory_order_relaxed); }
  void AddDone(uint64_t n) { done_.fetch_add(n, std::memory_order_relaxed); }
  void SetTotal(uint64_t total) { total_.store(total, std::memory_order_relaxed); }  // 0: unknown
  // Free text after the counts (", 3 of 12 tables"); under a mutex.
  void SetDetail(std::string detail);
  // Ends the thread; on a terminal, ends the redrawn line. Idempotent.
  void Stop();

  // One line, without "\r" or "\n" (what the thread writes; for tests).
  static std::string FormatLine(const std::string& label, const std::string& unit, uint64_t done,
                                uint64_t total, double seconds, const std::string& detail);

 private:
  void Run();
  void WriteLine();

  Options options_;
  const std::chrono::steady_clock::time_point started_;
  std::atomic<uint64_t> done_{0};
  std::atomic<uint64_t> total_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // under mu_
  std::string detail_;     // under mu_
  bool wrote_ = false;     // reporter thread only
  std::thread thread_;
};

// Options for a line on stderr: redrawn when stderr is a terminal, a line per
// `interval` otherwise.
inline ProgressReporter::Options StderrProgress(std::string label, std::string unit,
                                                std::chrono::milliseconds interval) {
  ProgressReporter::Options o;
  o.label = std::move(label);
  o.unit = std::move(unit);
  o.terminal = ::isatty(STDERR_FILENO) == 1;
  o.interval = interval;
  o.write = [](const std::string& text) {
    std::fputs(text.c_str(), stderr);
    std::fflush(stderr);
  };
  return o;
}

}  // namespace vomsrepl
