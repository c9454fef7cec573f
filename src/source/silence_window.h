// SilenceWindow: how long MasterStream lets the dump connection stay silent
// before it gives the connection up as lost.
//
// Why it is not a constant. The master's heartbeat is sent only while the dump
// thread waits at the end of the binlog. Before it sends an event it reads the
// whole event into memory (and, at a GTID start, reads every event before it),
// and meanwhile nothing is sent. A 128 MB row event took 0.45 s of silence on an
// idle MariaDB 10.11 here, and more than the 1 s window of heartbeat_ms = 500 on a
// loaded CI machine; every reconnect met the same event and the same silence, so a
// fixed window retried for ever without making progress (the big_data test, CI
// run of 2026-12-02). A dead link and a busy master look the same from here, so:
//
//   * the window starts at StreamReadTimeout() (2 x heartbeat), which notices a
//     stalled network quickly;
//   * each time the connection is given up after a full window of silence at the
//     same stream position, the next connection waits twice as long (a silence
//     at a new position starts again from the base: one network stall does not
//     lengthen the next); at most `max` (the larger of read_timeout and 600 s);
//   * the window is back to the base as soon as the stream delivers an event
//     that ends past the position where it stalled.
// A loss that is not a full window of silence (a reset, a master shutdown) leaves
// the window as it is.
//
// Thread-safety: none (one per stream).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vomsrepl::source {

class SilenceWindow {
 public:
  using Seconds = std::chrono::seconds;
  using Millis = std::chrono::milliseconds;

  // `base` > 0; `max` >= `base` (smaller values are raised to `base`).
  SilenceWindow(Seconds base, Seconds max);

  Seconds current() const { return current_; }
  Seconds base() const { return base_; }
  bool widened() const { return current_ > base_; }

  // The dump connection was lost after `silent` without any event, with the
  // stream at `file`:`pos` (an empty file: before the stream's first event).
  // Returns true when that was a full window of silence (the window may have
  // grown: compare current() before and after).
  bool OnLoss(const std::string& file, uint64_t pos, Millis silent);
  // The stream delivered an event; it ends at `file`:`pos`.
  void OnEvent(const std::string& file, uint64_t pos);

 private:
  Seconds base_;
  Seconds max_;
  Seconds current_;
  bool stalled_ = false;  // a full silence since the last progress, at:
  std::string stalled_file_;
  uint64_t stalled_pos_ = 0;
};

}  // namespace vomsrepl::source
