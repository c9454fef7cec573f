// `vomsrepl stats --master --follow`: the stream's traffic per interval, as it
// happens. The walk thread feeds what it counts (StatsFollow::On*); a
// reporter thread prints, every interval, what came in since the last line:
// transactions/s, row changes/s, bytes/s in total and per table (the busiest
// first), the largest transactions (bytes, GTID or start position) and the
// lag of the stream (now minus the newest event's timestamp; 0 once the
// master sent a heartbeat after it: nothing is left to read).
//
//   text, not a terminal  one line per interval
//   text, a terminal      the screen redrawn per interval (a table per line of
//                         table, the largest transactions under it)
//   json                  one JSON object per line per interval
//
// Thread-safety: the On* calls from one thread (the walk), the reporter on
// its own; one mutex between them, taken once per event.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "app/dump_command.h"
#include "source/master_stream.h"

namespace vomsrepl::app {

class StatsFollow {
 public:
  StatsFollow(std::FILE* out, OutputFormat format, std::chrono::milliseconds interval, bool terminal);
  ~StatsFollow();
  StatsFollow(const StatsFollow&) = delete;
  StatsFollow& operator=(const StatsFollow&) = delete;

  // The stream read (may stay unset): its heartbeats tell that the stream is
  // at the master's end.
  void AttachMaster(const source::MasterStream* master);
  void OnEvent(uint64_t bytes, uint32_t timestamp);
  void OnRows(const std::string& db, const std::string& table, uint64_t rows, uint64_t bytes);
  // A whole transaction: its bytes and its name (GTID, or file:offset).
  void OnTransaction(uint64_t bytes, std::string name);
  // Ends the reporter thread (idempotent), after a last line for what came
  // in since the previous one (if anything did): the lines add up to the
  // totals.
  void Stop();

  // One interval's figures (public for the unit test).
  struct Table {
    uint64_t rows = 0, bytes = 0;
  };
  struct Interval {
    double seconds = 0;
    uint64_t transactions = 0, rows = 0, bytes = 0, events = 0;
    std::map<std::pair<std::string, std::string>, Table> tables;
    std::vector<std::pair<uint64_t, std::string>> largest;  // bytes, name; biggest first, at most kLargest
    int64_t lag_seconds = -1;  // -1: no event seen yet
    bool caught_up = false;
  };
  static constexpr size_t kLargest = 3;
  static std::string Line(const Interval& v, std::chrono::system_clock::time_point at);
  static std::string JsonLine(const Interval& v, std::chrono::system_clock::time_point at);
  static std::string Screen(const Interval& v, std::chrono::system_clock::time_point at);

 private:
  void Loop();

  std::FILE* out_;
  OutputFormat format_;
  std::chrono::milliseconds interval_;
  bool terminal_;
  const source::MasterStream* master_ = nullptr;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  Interval current_;
  std::chrono::steady_clock::time_point started_;
  uint32_t last_timestamp_ = 0;
  uint64_t heartbeats_at_last_event_ = 0;
  std::thread reporter_;
};

}  // namespace vomsrepl::app
