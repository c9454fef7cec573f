// JournalWriter: the assembler's sink in the daemon. The feeder thread hands
// over transactions (and filtered-traffic checkpoints); one writer thread
// appends whatever has queued up meanwhile in one Journal::AppendBatch (group
// commit: while one fsync runs, the next batch gathers), so fsync-per-commit
// safety does not cap the feeder at one transaction per fsync.
//
// Memory: the queue holds at most `max_queued_bytes` of encoded changes; a
// full queue blocks the feeder (backpressure), so a burst never grows memory
// past the budget (a chunked transaction's chunks count one by one).
//
// Order: items are journaled in the order pushed. A checkpoint advance that
// follows a transaction in the same batch is written after it (and a
// transaction supersedes earlier advances).
//
// Abandon (the live stream restarts a transaction): chunks still queued are
// dropped; chunks already journaled are removed by
// Journal::AbandonOpenTransaction.
//
// Errors: the first journal error stops the writer; every later call
// returns it (the daemon stops and says so).
//
// Thread-safety: the sink methods from one feeder thread; Drain/Stop from
// any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include <vomsrepl/status.h>

#include "journal/journal.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::daemon {

class JournalWriter final : public txn::TransactionSink {
 public:
  // `on_written` (optional) is called on the writer thread after each batch
  // with the transactions journaled and the time Journal::AppendBatch took
  // (metrics: the journal's busy share of the stream's time).
  using OnWritten = std::function<void(const std::vector<txn::Transaction>&, std::chrono::nanoseconds append_time)>;
  JournalWriter(journal::Journal& journal, size_t max_queued_bytes, OnWritten on_written = {});
  ~JournalWriter() override;

  Status OnTransaction(txn::Transaction&& txn) override;
  Status OnPositionAdvanced(const txn::SourcePoint& point) override;
  Status OnAbandon(uint32_t chunks_delivered) override;

  // Waits until everything pushed is journaled (or an error).
  Status Drain();
  // Drains, then stops the thread.
  Status Stop();
  Status status() const;

 private:
  struct Item {
    std::optional<txn::Transaction> txn;
    txn::SourcePoint advance;  // when !txn
  };
  void Loop();
  Status Push(Item item, size_t bytes);

  journal::Journal& journal_;
  size_t max_queued_bytes_;
  OnWritten on_written_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // items arrived / stop
  std::condition_variable space_cv_;  // room in the queue / batch written
  std::deque<Item> queue_;
  size_t queued_bytes_ = 0;
  bool busy_ = false;                 // the writer holds a batch
  bool stop_ = false;
  Status error_;
  std::thread thread_;
};

}  // namespace vomsrepl::daemon
