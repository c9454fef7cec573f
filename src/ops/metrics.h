// Metrics: the figures an operator watches, as Prometheus metrics
// (prometheus-cpp core: metric types and the text exposition format; the
// HTTP endpoint is ours, see http_server.h).
//
// Every metric is named vomsrepl_*; per-database and per-replica series carry
// `database`, `operation` and `replica` labels. No label ever carries a
// secret (database and replica names only).
//
// Every series without a data-dependent label (and errors_total for each
// component, the per-replica series once Replica() is called: the daemon
// calls it for every configured replica at start) is exported from the
// start with 0, so rate() and absent() alerts work on a fresh daemon;
// vomsrepl_build_info{version,commit} is 1.
//
// Thread-safety: counters and gauges are atomic (prometheus-cpp); Rows() and
// Replica() create series under the registry's lock, so callers on a hot
// path keep the returned reference.
#pragma once

#include <array>
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
  // The file system holding the state directory (statvfs): what a journal
  // that grows while a replica is down eats into.
  prometheus::Gauge& journal_disk_available() { return *journal_disk_available_; }
  prometheus::Gauge& journal_disk_size() { return *journal_disk_size_; }

  // Replicas.
  struct ReplicaSeries {
    prometheus::Gauge* applied_seq;
    prometheus::Gauge* lag_seconds;       // now - commit time of the oldest unapplied transaction (replica_status.h)
    prometheus::Gauge* lag_transactions;  // journal transactions not applied yet
    prometheus::Gauge* delay_seconds;     // [[replica]] delay_s (0: none); lag includes it
    prometheus::Gauge* running;  // 1 running, 0 stopped or failed
    // vomsrepl_replica_state{state=kReplicaStates[i]}: 1 for the current state, 0 for the others.
    std::array<prometheus::Gauge*, 5> state;
    prometheus::Counter* transactions;
    prometheus::Counter* rows;
    prometheus::Counter* commits;          // replica transactions (groups) committed
    prometheus::Counter* careful_retries;  // groups rolled back and applied again row by row
    prometheus::Counter* skips;            // transactions skipped on operator request (POST .../skip)
    prometheus::Gauge* held_databases;     // databases held back until bootstrapped (abandoned ones not counted)
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
  prometheus::Family<prometheus::Gauge>* replica_lag_txn_family_;
  prometheus::Family<prometheus::Gauge>* replica_delay_family_;
  prometheus::Family<prometheus::Gauge>* replica_held_family_;
  prometheus::Family<prometheus::Gauge>* replica_state_family_;
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
  prometheus::Gauge* journal_disk_available_;
  prometheus::Gauge* journal_disk_size_;
};

}  // namespace vomsrepl::ops
