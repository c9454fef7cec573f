#include "ops/metrics.h"

#include <prometheus/text_serializer.h>

#include "ops/replica_status.h"

namespace vomsrepl::ops {
namespace {

template <class T>
prometheus::Family<T>& Make(prometheus::Registry& r, const std::string& name, const std::string& help) {
  if constexpr (std::is_same_v<T, prometheus::Counter>) {
    return prometheus::BuildCounter().Name(name).Help(help).Register(r);
  } else {
    return prometheus::BuildGauge().Name(name).Help(help).Register(r);
  }
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  events_ = &Make<prometheus::Counter>(r, "vomsrepl_source_events_total", "Binlog events read from the master").Add({});
  bytes_ = &Make<prometheus::Counter>(r, "vomsrepl_source_bytes_total", "Raw binlog bytes read from the master").Add({});
  transactions_ = &Make<prometheus::Counter>(r, "vomsrepl_source_transactions_total",
                                             "Source transactions kept by the filter and journaled")
                       .Add({});
  reconnects_ = &Make<prometheus::Counter>(r, "vomsrepl_source_reconnects_total", "Reconnects to the master").Add({});
  master_up_ = &Make<prometheus::Gauge>(r, "vomsrepl_master_up", "1 while the binlog dump connection streams").Add({});
  source_commit_time_ = &Make<prometheus::Gauge>(r, "vomsrepl_source_commit_timestamp_seconds",
                                                 "Master commit time of the last journaled transaction")
                             .Add({});
  rows_family_ = &Make<prometheus::Counter>(r, "vomsrepl_rows_total", "Row changes journaled, by database and operation");
  errors_family_ = &Make<prometheus::Counter>(r, "vomsrepl_errors_total", "Errors by component");
  journal_bytes_ = &Make<prometheus::Gauge>(r, "vomsrepl_journal_bytes", "Journal size on disk").Add({});
  journal_last_seq_ = &Make<prometheus::Gauge>(r, "vomsrepl_journal_last_seq", "Last journaled transaction").Add({});
  journal_first_seq_ = &Make<prometheus::Gauge>(r, "vomsrepl_journal_first_seq", "First transaction still journaled").Add({});
  journal_append_seconds_ = &Make<prometheus::Counter>(r, "vomsrepl_journal_append_seconds_total",
                                                       "Wall time spent writing batches to the journal")
                                 .Add({});
  journal_append_batches_ = &Make<prometheus::Counter>(r, "vomsrepl_journal_append_batches_total",
                                                       "Batches (group commits) written to the journal")
                                 .Add({});
  journal_syncs_ = &Make<prometheus::Counter>(r, "vomsrepl_journal_syncs_total",
                                              "WAL syncs (fsync) of the journal ([journal] sync says when)")
                        .Add({});
  journal_disk_available_ = &Make<prometheus::Gauge>(r, "vomsrepl_journal_disk_available_bytes",
                                                     "Bytes available to vomsrepl on the file system of state_dir")
                                .Add({});
  journal_disk_size_ = &Make<prometheus::Gauge>(r, "vomsrepl_journal_disk_size_bytes",
                                                "Size of the file system of state_dir")
                           .Add({});
  replica_seq_family_ = &Make<prometheus::Gauge>(r, "vomsrepl_replica_applied_seq", "Last journal sequence applied, per replica");
  replica_lag_family_ = &Make<prometheus::Gauge>(r, "vomsrepl_replica_lag_seconds",
                                                 "Seconds since the master committed the oldest transaction the replica has not applied (0: it applied everything)");
  replica_running_family_ = &Make<prometheus::Gauge>(r, "vomsrepl_replica_running", "1 while the replica's applier runs");
  replica_lag_txn_family_ = &Make<prometheus::Gauge>(r, "vomsrepl_replica_lag_transactions",
                                                     "Journaled transactions the replica has not applied yet");
  replica_delay_family_ = &Make<prometheus::Gauge>(
      r, "vomsrepl_replica_delay_seconds",
      "The replica's configured delay ([[replica]] delay_s; 0: none): its lag includes it");
  replica_held_family_ = &Make<prometheus::Gauge>(
      r, "vomsrepl_replica_held_databases",
      "Databases the replica holds back until `vomsrepl bootstrap` copies them (reload --hold-new); the journal "
      "keeps their changes meanwhile");
  replica_state_family_ = &Make<prometheus::Gauge>(
      r, "vomsrepl_replica_state",
      "1 for the replica's current applier state (starting, running, reconnecting, stopped, error), 0 for the others");
  Make<prometheus::Gauge>(r, "vomsrepl_build_info", "Always 1: the version and git commit of this vomsrepl binary")
      .Add({{"version", VOMSREPL_VERSION}, {"commit", VOMSREPL_GIT_COMMIT}})
      .Set(1);
  for (const char* component : {"source", "journal", "apply"}) Errors(component);
  replica_txn_family_ = &Make<prometheus::Counter>(r, "vomsrepl_replica_transactions_total", "Source transactions applied, per replica");
  replica_rows_family_ = &Make<prometheus::Counter>(r, "vomsrepl_replica_rows_total", "Row changes applied, per replica");
  replica_commits_family_ = &Make<prometheus::Counter>(r, "vomsrepl_replica_commits_total",
                                                       "Replica transactions committed (groups of source transactions)");
  replica_careful_family_ = &Make<prometheus::Counter>(
      r, "vomsrepl_replica_careful_retries_total",
      "Groups rolled back and applied again row by row (a multi-row statement met a missing, equal or duplicate row)");
  replica_skips_family_ = &Make<prometheus::Counter>(
      r, "vomsrepl_replica_skips_total",
      "Source transactions skipped on operator request (POST /replica/NAME/skip?seq=N): their changes never reached the replica");
}

prometheus::Counter& Metrics::Rows(std::string_view database, std::string_view operation) {
  return rows_family_->Add({{"database", std::string(database)}, {"operation", std::string(operation)}});
}

prometheus::Counter& Metrics::Errors(std::string_view component) {
  return errors_family_->Add({{"component", std::string(component)}});
}

Metrics::ReplicaSeries Metrics::Replica(std::string_view name) {
  prometheus::Labels l{{"replica", std::string(name)}};
  ReplicaSeries s{&replica_seq_family_->Add(l), &replica_lag_family_->Add(l), &replica_lag_txn_family_->Add(l),
                  &replica_delay_family_->Add(l), &replica_running_family_->Add(l), {}, &replica_txn_family_->Add(l), &replica_rows_family_->Add(l),
                  &replica_commits_family_->Add(l), &replica_careful_family_->Add(l), &replica_skips_family_->Add(l),
                  &replica_held_family_->Add(l)};
  for (size_t i = 0; i < kReplicaStates.size(); ++i) {
    s.state[i] = &replica_state_family_->Add({{"replica", std::string(name)}, {"state", std::string(kReplicaStates[i])}});
  }
  return s;
}

std::string Metrics::Serialize() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace vomsrepl::ops
