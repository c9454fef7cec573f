#include "daemon/journal_writer.h"

#include <vector>

#include "ops/crash_point.h"

namespace vomsrepl::daemon {

JournalWriter::JournalWriter(journal::Journal& journal, size_t max_queued_bytes,
                             OnWritten on_written)
    : journal_(journal), max_queued_bytes_(max_queued_bytes), on_written_(std::move(on_written)) {
  thread_ = std::thread([this] { Loop(); });
}

JournalWriter::~JournalWriter() { (void)Stop(); }

Status JournalWriter::Push(Item item, size_t bytes) {
  std::unique_lock lock(mu_);
  // A single item larger than the budget still goes (alone).
  space_cv_.wait(lock, [&] { return !error_.ok() || stop_ || queued_bytes_ == 0 || queued_bytes_ + bytes <= max_queued_bytes_; });
  if (!error_.ok()) return error_;
  if (stop_) return Aborted("journal writer stopped");
  queued_bytes_ += bytes;
  queue_.push_back(std::move(item));
  cv_.notify_one();
  return Status::OK();
}

Status JournalWriter::OnTransaction(txn::Transaction&& txn) {
  size_t bytes = txn.changes.size() + 256;
  Item item;
  item.txn.emplace(std::move(txn));
  return Push(std::move(item), bytes);
}

Status JournalWriter::OnPositionAdvanced(const txn::SourcePoint& point) {
  {
    std::lock_guard lock(mu_);
    // Coalesce: a later advance supersedes a queued one right before it.
    if (!queue_.empty() && !queue_.back().txn) {
      queue_.back().advance = point;
      return error_;
    }
  }
  Item item;
  item.advance = point;
  return Push(std::move(item), 128);
}

Status JournalWriter::OnAbandon(uint32_t chunks_delivered) {
  std::unique_lock lock(mu_);
  // Drop queued chunks of the open transaction (the tail of the queue).
  uint32_t dropped = 0;
  while (!queue_.empty() && queue_.back().txn && !queue_.back().txn->last_chunk) {
    queued_bytes_ -= queue_.back().txn->changes.size() + 256;
    queue_.pop_back();
    ++dropped;
  }
  if (dropped == chunks_delivered) return Status::OK();
  // Some reached the journal: wait for the writer to finish its batch, then
  // remove them there.
  space_cv_.wait(lock, [&] { return !busy_ || !error_.ok(); });
  if (!error_.ok()) return error_;
  return journal_.AbandonOpenTransaction();
}

void JournalWriter::Loop() {
  std::vector<txn::Transaction> batch;
  for (;;) {
    std::optional<txn::SourcePoint> advance;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and drained
      batch.clear();
      while (!queue_.empty()) {
        Item& item = queue_.front();
        if (item.txn) {
          batch.push_back(std::move(*item.txn));
          advance.reset();
        } else {
          advance = item.advance;
        }
        queue_.pop_front();
      }
      queued_bytes_ = 0;
      busy_ = true;
      space_cv_.notify_all();
    }
    Status st;
    std::chrono::nanoseconds append_time{0};
    if (!batch.empty()) {
      // Test hook (crash_point.h): the batch's WriteBatch carries the checkpoint.
      ops::CrashPoint("feeder.before_append");
      const auto t0 = std::chrono::steady_clock::now();
      st = journal_.AppendBatch(batch);
      append_time = std::chrono::steady_clock::now() - t0;
      if (st.ok()) ops::CrashPoint("feeder.after_append");
    }
    if (st.ok() && advance) st = journal_.AdvanceSource(*advance);
    if (st.ok() && on_written_ && !batch.empty()) on_written_(batch, append_time);
    std::lock_guard lock(mu_);
    busy_ = false;
    if (!st.ok() && error_.ok()) error_ = st.WithContext("journal");
    space_cv_.notify_all();
    if (!error_.ok()) {
      queue_.clear();
      queued_bytes_ = 0;
      return;
    }
  }
}

Status JournalWriter::Drain() {
  std::unique_lock lock(mu_);
  space_cv_.wait(lock, [&] { return !error_.ok() || (queue_.empty() && !busy_); });
  return error_;
}

Status JournalWriter::Stop() {
  Status st = Drain();
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
    space_cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  return st;
}

Status JournalWriter::status() const {
  std::lock_guard lock(mu_);
  return error_;
}

}  // namespace vomsrepl::daemon
