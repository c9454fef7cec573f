#include "daemon/feeder.h"

#include <chrono>
#include <cstdlib>
#include <set>

#include <spdlog/spdlog.h>

#include "common/utc_time.h"
#include "pipeline/stream_pipeline.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::daemon {

Feeder::Feeder(FeederOptions options, journal::Journal& journal, ops::Metrics* metrics)
    : options_(std::move(options)), journal_(journal), metrics_(metrics) {}

Feeder::~Feeder() = default;

void Feeder::SetState(std::string state) {
  std::lock_guard lock(state_mu_);
  state_ = std::move(state);
}

std::string Feeder::state() const {
  std::lock_guard lock(state_mu_);
  return state_;
}

void Feeder::ReplaceRules(txn::FilterRules rules) {
  std::lock_guard lock(state_mu_);
  pending_rules_ = std::make_unique<txn::FilterRules>(std::move(rules));
  rules_pending_ = true;
}

std::string Feeder::stream_position() const {
  std::lock_guard lock(state_mu_);
  return position_;
}

void Feeder::OnConnectionChange(const Status& cause, bool connected) {
  master_connected_ = connected;
  if (connected) {
    ++outages_;
    SetState("streaming");
  } else {
    SetState("master unreachable since " + UtcNowText() + " (" + std::string(cause.message()) + ")");
  }
  if (metrics_) {
    metrics_->master_up().Set(connected ? 1 : 0);
    if (connected) metrics_->reconnects().Increment();
  }
}

void Feeder::Stop() {
  stop_ = true;
  std::lock_guard lock(state_mu_);
  if (master_) master_->Cancel();
}

Status Feeder::Run() {
  auto checkpoint = journal_.checkpoint();
  if (!checkpoint.ok()) return checkpoint.status();
  source::MasterConfig config = options_.master;
  if (checkpoint->seq > 0 || !checkpoint->source.position.empty()) {
    const txn::SourcePoint& p = checkpoint->source;
    config.start = source::StartPoint::After(p.gtid_state, p.position);
    spdlog::info("feeder: resuming after journal seq {} {}{}", checkpoint->seq, config.start.Describe(),
                 p.gtid_state.empty() ? "" : " (" + p.position.ToString() + ")");
  }

  // The journal follows one master (recorded at the first connect, changed
  // only by `vomsrepl switch-master`): a [master] reaching another server
  // would resume at a position of the old one's binlog.
  auto known = journal_.GetMeta(journal::kSourceServerIdMeta);
  if (!known.ok() && known.status().code() != StatusCode::kNotFound) return known.status();
  const bool identity_known = known.ok();
  if (identity_known) {
    config.expected_server_id = uint32_t(std::strtoul(known->c_str(), nullptr, 10));
    config.expected_server_id_why = "the journal in " + journal_.directory() + " follows the master with server_id " + *known +
                                    "; to move to another master run `vomsrepl switch-master` first, else point "
                                    "[master] back at server_id " + *known;
  }
  {
    std::lock_guard lock(state_mu_);
    if (stop_) return Aborted("stopped");
    config.on_connection_change = [this](const Status& cause, bool connected) { OnConnectionChange(cause, connected); };
    master_ = std::make_unique<source::MasterStream>(config);
    state_ = "connecting to " + config.Describe();
  }
  Status st = master_->Connect();
  if (!st.ok()) {
    SetState("failed: " + st.ToString());
    return st;
  }
  if (!identity_known)
    VOMSREPL_RETURN_IF_ERROR(journal_.PutMeta(journal::kSourceServerIdMeta, std::to_string(master_->master_server_id())));
  SetState("streaming");
  master_connected_ = true;
  if (metrics_) metrics_->master_up().Set(1);

  // The GTID domains of what is journaled (journal.h kKeptDomainsMeta).
  std::set<uint32_t> kept_domains;
  if (auto d = journal_.GetMeta(journal::kKeptDomainsMeta); d.ok()) kept_domains = journal::ParseKeptDomains(*d);
  // Metrics from what the assembler counted (nothing is decoded again here).
  JournalWriter writer(journal_, options_.max_queued_bytes, [this, &kept_domains](
                                                                const std::vector<txn::Transaction>& batch,
                                                                std::chrono::nanoseconds append_time) {
    bool new_domain = false;
    for (const auto& t : batch) {
      if (!t.last_chunk || t.source.gtid.empty()) continue;
      auto g = MariadbGtid::Parse(t.source.gtid);
      if (g.ok()) new_domain |= kept_domains.insert(g->domain_id).second;
    }
    if (new_domain) {
      Status put = journal_.PutMeta(journal::kKeptDomainsMeta, journal::KeptDomainsText(kept_domains));
      if (!put.ok()) spdlog::warn("feeder: cannot record the journaled GTID domains: {}", put.ToString());
    }
    if (!metrics_) return;
    metrics_->journal_append_seconds().Increment(std::chrono::duration<double>(append_time).count());
    metrics_->journal_append_batches().Increment();
    for (const auto& t : batch) {
      if (t.last_chunk) metrics_->transactions().Increment();
      if (t.last_chunk && t.source.commit_time) metrics_->source_commit_time().Set(t.source.commit_time);
      for (const txn::RowTally& r : t.row_tallies)
        metrics_->Rows(r.database, txn::RowOperationName(r.operation)).Increment(double(r.rows));
    }
  });
  txn::AssemblerOptions aopts;
  aopts.max_transaction_bytes = options_.max_transaction_bytes;
  active_rules_ = std::make_unique<txn::FilterRules>(options_.rules);
  txn::TransactionAssembler assembler(*active_rules_, writer, aopts);
  // The GTID state the stream starts after: the configured one, or for a
  // start at a binlog position the master's state there (so that a resume
  // by GTID names every domain, source/master_stream.h).
  assembler.Reset(config.start.gtids.empty() ? master_->start_gtids() : config.start.gtids);
  if (config.start.gtids.empty() && !master_->start_gtids().empty())
    spdlog::info("feeder: the start position is GTID state {} on the master", master_->start_gtids().ToString());
  // Schema history survives restarts in the journal's metadata.
  if (auto blob = journal_.GetMeta(journal::kSchemaHistoryMeta); blob.ok()) {
    auto h = txn::SchemaHistory::Deserialize(std::as_bytes(std::span(blob->data(), blob->size())));
    if (h.ok()) {
      assembler.set_schema_history(std::move(*h));
    } else {
      spdlog::warn("feeder: schema history in the journal unreadable ({}); starting a new one", h.status().ToString());
    }
  }

  uint64_t since_history_save = 0, kept_before = assembler.stats().statements_kept;
  pipeline::StreamPipeline pipeline(assembler);
  pipeline.set_before_event([&](const source::FileEvent& ev) -> Status {
    if (!rules_pending_ || assembler.in_transaction()) return Status::OK();
    // Between two transactions: this event's transaction is filtered by the new rules.
    std::lock_guard lock(state_mu_);
    VOMSREPL_RETURN_IF_ERROR(assembler.SetRules(*pending_rules_));
    active_rules_ = std::move(pending_rules_);
    rules_pending_ = false;
    spdlog::info("feeder: the reloaded [filter] applies from {}:{} on", *ev.file, ev.event.offset);
    return Status::OK();
  });
  st = pipeline.RunMaster(
      *master_, [](const Status& cause) { spdlog::warn("feeder: {}; discarded the partial transaction", cause.ToString()); },
      [&](const source::FileEvent& ev) {
        if (metrics_) {
          metrics_->events().Increment();
          metrics_->bytes().Increment(double(ev.event.frame.header.event_length));
        }
        const uint64_t kept = assembler.stats().statements_kept;
        if (kept != kept_before || ++since_history_save >= 100000) {
          // A DDL changed the schema history: keep it with the journal.
          std::vector<std::byte> h = assembler.schema_history().Serialize();
          Status put = journal_.PutMeta(journal::kSchemaHistoryMeta, std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
          if (!put.ok()) spdlog::warn("feeder: cannot save the schema history: {}", put.ToString());
          since_history_save = 0;
          kept_before = kept;
        }
        std::lock_guard lock(state_mu_);
        position_ = *ev.file + ":" + std::to_string(ev.event.offset);
        return Status::OK();
      });
  master_connected_ = false;
  if (metrics_) metrics_->master_up().Set(0);
  Status drained = writer.Stop();
  if (st.code() == StatusCode::kOutOfRange) st = Status::OK();  // end of a non-blocking stream
  if (st.code() == StatusCode::kAborted && stop_) {
    SetState("stopped");
    return drained.ok() ? Status::OK() : drained;
  }
  if (!drained.ok()) st = drained;
  if (!st.ok()) {
    spdlog::error("feeder: {}", st.ToString());
    if (metrics_) metrics_->Errors("source").Increment();
    SetState("failed: " + st.ToString());
  } else {
    SetState("stopped");
  }
  return st;
}

}  // namespace vomsrepl::daemon
