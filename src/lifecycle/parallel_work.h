// Items shared out to worker threads, and the first error among them: each
// worker takes the next item until none is left or one of them failed (the
// others stop at their next item). Used by bootstrap (tables copied in
// parallel) and verify (tables compared in parallel).
//
// Thread-safety: every member may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <utility>

#include <vomsrepl/status.h>

namespace vomsrepl::lifecycle {

class ParallelWork {
 public:
  explicit ParallelWork(size_t items) : items_(items) {}

  // The index of the next item; none when every item is taken or a worker failed.
  std::optional<size_t> Next() {
    if (failed_.load()) return std::nullopt;
    const size_t i = next_++;
    if (i >= items_) return std::nullopt;
    return i;
  }

  // A worker's outcome: an error is kept if it is the first, and stops the others.
  void Finish(Status st) {
    if (st.ok()) return;
    std::lock_guard lock(mu_);
    if (first_error_.ok()) first_error_ = std::move(st);
    failed_ = true;
  }

  // After the workers are joined: OK, or the first error.
  Status Result() {
    std::lock_guard lock(mu_);
    return std::move(first_error_);
  }

 private:
  const size_t items_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mu_;
  Status first_error_;
};

}  // namespace vomsrepl::lifecycle
