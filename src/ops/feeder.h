// Feeder: the master side of the daemon. Streams the master's binlog
// (source::MasterStream through source::LiveStream), assembles filtered
// transactions (txn::TransactionAssembler) and hands them to the journal
// writer, resuming from the journal's checkpoint.
//
// Start position: the journal's checkpoint when it has one (MariaDB GTID
// position when known, else file:pos); otherwise the configured start.
// A reconnect that cut a transaction makes the assembler abandon it (the
// master sends it again, whole).
//
// Run() blocks until Stop() (kAborted, clean), the end of a non-blocking
// stream (OK), or an error that is not retried (binlog purged, preflight,
// corruption, schema drift, a statement that cannot be attributed): that
// error is returned with the file, position, event type and table in its
// message.
//
// Thread-safety: Run() on one thread; Stop() and the accessors from any.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <vomsrepl/status.h>

#include "journal/journal.h"
#include "ops/journal_writer.h"
#include "ops/metrics.h"
#include "source/master_stream.h"
#include "txn/filter_rules.h"

namespace vomsrepl::ops {

struct FeederOptions {
  source::MasterConfig master;
  txn::FilterRules rules;
  size_t max_transaction_bytes = size_t{64} << 20;
  size_t max_queued_bytes = size_t{256} << 20;  // journal writer queue
};

class Feeder {
 public:
  Feeder(FeederOptions options, journal::Journal& journal, Metrics* metrics);
  ~Feeder();

  Status Run();
  void Stop();

  // "connecting", "streaming", "reconnecting (...)", "stopped", "failed: ..."
  std::string state() const;
  // Where the stream is now (file:pos of the last event read).
  std::string stream_position() const;

 private:
  void SetState(std::string state);

  FeederOptions options_;
  journal::Journal& journal_;
  Metrics* metrics_;
  std::unique_ptr<source::MasterStream> master_;
  std::atomic<bool> stop_{false};
  mutable std::mutex state_mu_;
  std::string state_ = "starting";
  std::string position_;
};

}  // namespace vomsrepl::ops
