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
// Master outages: while the master stream reconnects (master stopped,
// killed, restarting, network cut) the state reads
// "master unreachable since <UTC time> (<cause>)", vomsrepl_master_up is 0
// and each outage counts one vomsrepl_source_reconnects_total when it ends;
// the replicas keep their data and serve reads, the appliers simply find
// nothing new in the journal. The stream resumes by itself after the last
// complete transaction (MasterStream), so nothing is journaled twice.
//
// Thread-safety: Run() on one thread; Stop() and the accessors from any.
#pragma once

#include <algorithm>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include <vomsrepl/status.h>

#include "daemon/journal_writer.h"
#include "journal/journal.h"
#include "ops/metrics.h"
#include "source/master_stream.h"
#include "txn/filter_rules.h"

namespace vomsrepl::daemon {

struct FeederOptions {
  source::MasterConfig master;
  txn::FilterRules rules;
  size_t max_transaction_bytes = size_t{64} << 20;
  // Journal writer queue (chunks assembled but not yet journaled). Memory is
  // bounded by the chunk size, not the transaction size: QueueBytesFor().
  size_t max_queued_bytes = size_t{128} << 20;
};

// Two chunks in flight: the journal writes one while the assembler fills the
// next (plenty for group commit of small transactions too), at least 16 MiB.
inline size_t QueueBytesFor(size_t max_transaction_bytes) {
  return std::max<size_t>(size_t{16} << 20, 2 * max_transaction_bytes);
}

class Feeder {
 public:
  Feeder(FeederOptions options, journal::Journal& journal, ops::Metrics* metrics);
  ~Feeder();

  Status Run();
  void Stop();

  // "connecting to ...", "streaming", "master unreachable since
  // 2026-11-25T10:40:00Z (<cause>)", "stopped", "failed: ..."
  std::string state() const;
  // True while the dump connection streams (false before, during an outage,
  // after the end).
  bool master_connected() const { return master_connected_.load(); }
  // Outages the stream recovered from since Run() began.
  uint64_t outages() const { return outages_.load(); }
  // Where the stream is now (file:pos of the last event read).
  std::string stream_position() const;
  // A reload's [filter] (issue 24): filters from the first transaction that
  // begins after the one being read now (any thread; the later of two calls wins).
  void ReplaceRules(txn::FilterRules rules);

 private:
  void SetState(std::string state);
  // MasterStream's on_connection_change (on the Run() thread).
  void OnConnectionChange(const Status& cause, bool connected);

  FeederOptions options_;
  journal::Journal& journal_;
  ops::Metrics* metrics_;
  std::unique_ptr<source::MasterStream> master_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> master_connected_{false};
  std::atomic<uint64_t> outages_{0};
  mutable std::mutex state_mu_;
  std::string state_ = "starting";
  std::string position_;
  std::atomic<bool> rules_pending_{false};
  std::unique_ptr<txn::FilterRules> pending_rules_;  // under state_mu_
  std::unique_ptr<txn::FilterRules> active_rules_;   // Run() thread: what the assembler filters by
};

}  // namespace vomsrepl::daemon
