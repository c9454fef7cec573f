// Metrics: the figures an operator watches, as Prometheus metrics
// (prometheus-cpp core: metric types and the text exposition format; the
// HTTP endpoint is ours, see http_server.h).
//
// Every metric is named vomsrepl_*; per-database and per-replica series carry
// `database`, `operation` and `replica` labels. No label ever carries a
// secret (database and replica names only).
//
// Thread-safety: counters and gauges are atomic (prometheus-cpp); Rows() and
// Replica() create series under the registry's lock, so callers on a hot
// path keep the returned reference.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace vomsrepl::ops {

class Metrics {
 public:
  Metrics();

  // Source (master stream).
  prometheus::Counter& events() { return *events_; }          // events read
  prometheus::Counter& bytes() { return *bytes_; }            // raw event bytes read
  prometheus::Counter& transactions() { return *transactions_; }  // source transactions kept (journaled)
  prometheus::Counter& reconnects() { return *reconnects_; }
  prometheus::Gauge& master_up() { return *master_up_; }      // 1 while the dump connection streams
  prometheus::Gauge& source_commit_time() { return *source_commit_time_; }  // commit time of the last journaled transaction
  // Rows journaled, by (renamed) database and operation ("insert", "update", "delete").
  prometheus::Counter& Rows(std::string_view database, std::string_view operation);
  // Errors by component ("source", "journal", "apply").
  prometheus::Counter& Errors(std::string_view component);

  // Journal.
  prometheus::Gauge& journal_bytes() { return *journal_bytes_; }
  prometheus::Gauge& journal_last_seq() { return *journal_last_seq_; }
  prometheus::Gauge& journal_first_seq() { return *journal_first_seq_; }
  // Wall time the journal writer spent in Journal::AppendBatch, and the
  // batches: rate(append_seconds) is the journal's busy share (1 = the
  // journal is the bottleneck; 0.5 = it could take twice the stream).
  prometheus::Counter& journal_append_seconds() { return *journal_append_seconds_; }
  prometheus::Counter& journal_append_batches() { return *journal_append_batches_; }
  prometheus::Counter& journal_syncs() { return *journal_syncs_; }

  // Replicas.
  struct ReplicaSeries {
    prometheus::Gauge* applied_seq;
    prometheus::Gauge* lag_seconds;
    prometheus::Gauge* running;  // 1 running, 0 stopped or failed
    prometheus::Counter* transactions;
    prometheus::Counter* rows;
    prometheus::Counter* commits;          // replica transactions (groups) committed
    prometheus::Counter* careful_retries;  // groups rolled back and applied again row by row
    prometheus::Counter* skips;            // transactions skipped on operator request (POST .../skip)
  };
  ReplicaSeries Replica(std::string_view name);

  // Text exposition format (version 0.0.4).
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* rows_family_;
  prometheus::Family<prometheus::Counter>* errors_family_;
  prometheus::Family<prometheus::Gauge>* replica_seq_family_;
  prometheus::Family<prometheus::Gauge>* replica_lag_family_;
  prometheus::Family<prometheus::Gauge>* replica_running_family_;
  prometheus::Family<prometheus::Counter>* replica_txn_family_;
  prometheus::Family<prometheus::Counter>* replica_rows_family_;
  prometheus::Family<prometheus::Counter>* replica_commits_family_;
  prometheus::Family<prometheus::Counter>* replica_careful_family_;
  prometheus::Family<prometheus::Counter>* replica_skips_family_;
  prometheus::Counter* events_;
  prometheus::Counter* bytes_;
  prometheus::Counter* transactions_;
  prometheus::Counter* reconnects_;
  prometheus::Gauge* master_up_;
  prometheus::Gauge* source_commit_time_;
  prometheus::Gauge* journal_bytes_;
  prometheus::Gauge* journal_last_seq_;
  prometheus::Gauge* journal_first_seq_;
  prometheus::Counter* journal_append_seconds_;
  prometheus::Counter* journal_append_batches_;
  prometheus::Counter* journal_syncs_;
};

}  // namespace vomsrepl::ops
