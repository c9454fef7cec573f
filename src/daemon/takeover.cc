#include "daemon/takeover.h"

#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "apply/database_hold.h"
#include "apply/replica_session.h"
#include "apply/transaction_applier.h"
#include "daemon/replicator.h"

namespace vomsrepl::daemon {
namespace {

struct ReplicaPoint {
  std::string name;
  apply::Progress progress;
};

std::string Describe(const std::string& gtid, const BinlogPosition& position) {
  return (gtid.empty() ? std::string() : "GTID " + gtid + ", ") + position.ToString();
}

// The source point recorded with the complete transaction `seq` of the journal.
Result<txn::SourcePoint> JournaledSource(const journal::Journal& journal, uint64_t seq) {
  VOMSREPL_ASSIGN_OR_RETURN(auto reader, journal.NewReader(seq));
  txn::Transaction t;
  do {
    VOMSREPL_ASSIGN_OR_RETURN(bool got, reader->Next(&t));
    if (!got || t.seq != seq) return NotFound("journal seq " + std::to_string(seq) + " is not journaled");
  } while (!t.last_chunk);
  return t.source;
}

}  // namespace

Result<std::string> PrepareJournalForTakeover(const ops::Config& config, journal::Journal& journal) {
  std::optional<ReplicaPoint> slowest;
  std::vector<std::string> unreachable;
  for (const auto& r : config.replicas) {
    if (!r.enabled) continue;
    ReplicaRunnerOptions o = ReplicaOptionsFrom(config, r);
    apply::ReplicaSession session;
    Status st = session.Open(o.replica);
    if (!st.ok()) {
      unreachable.push_back(r.name + " (" + std::string(st.message()) + ")");
      continue;
    }
    o.applier.take_channel_lock = false;
    apply::TransactionApplier reader(session, o.applier);
    auto p = reader.ReadProgress();
    if (!p.ok()) {
      spdlog::info("takeover: replica {} has no progress row ({}): it was never fed", r.name, p.status().ToString());
      continue;
    }
    if (p->seq != 0) {
      spdlog::info("takeover: replica {} applied journal seq {} ({})", r.name, p->seq, Describe(p->gtid, p->position));
      if (!slowest || p->seq < slowest->progress.seq) slowest = ReplicaPoint{r.name, *p};
    }
    // A database the replica holds back, copied and not yet caught up
    // (daemon/held_databases.h): its own progress row is a point too.
    auto holds = apply::ReadHolds(session, o.applier.channel);
    if (!holds.ok()) continue;
    for (const auto& h : *holds) {
      if (h.state != apply::HoldState::kCopied) continue;
      apply::ApplierOptions ho = o.applier;
      ho.channel = h.replay_channel;
      apply::TransactionApplier hold_reader(session, ho);
      auto hp = hold_reader.ReadProgress();
      if (!hp.ok() || hp->seq == 0) continue;
      spdlog::info("takeover: replica {} holds {} back, copied at journal seq {} ({})", r.name, h.database, hp->seq,
                   Describe(hp->gtid, hp->position));
      if (!slowest || hp->seq < slowest->progress.seq) slowest = ReplicaPoint{r.name + " (" + h.database + ")", *hp};
    }
  }
  if (!slowest && !unreachable.empty()) {
    // Replicas this feeder cannot read may be anywhere: streaming from the
    // journal or [master] start could skip or repeat what they applied.
    std::string names;
    for (const auto& u : unreachable) names += (names.empty() ? "" : "; ") + u;
    return Unavailable("no replica's progress could be read (unreachable: " + names +
                       "): the point to stream from is unknown; trying again");
  }
  for (const auto& u : unreachable)
    spdlog::warn("takeover: replica {} not reachable: left out of the choice of the point to stream from; if it is "
                 "behind that point it will stop, naming the journal seq it needs",
                 u);
  if (!slowest) return std::string("no replica has applied anything yet: the journal is used as it is");

  const apply::Progress& p = slowest->progress;
  const uint64_t first = journal.first_seq(), last = journal.last_seq();
  if (first != 0 && p.seq >= first && p.seq <= last) {
    auto journaled = JournaledSource(journal, p.seq);
    if (journaled.ok()) {
      const bool same = !p.gtid.empty() && !journaled->gtid.empty() ? p.gtid == journaled->gtid
                                                                     : p.position == journaled->position;
      if (same) {
        return "the journal holds seq " + std::to_string(p.seq) + " (replica " + slowest->name +
               ", the slowest) as the same source transaction: kept, streaming from its end (seq " +
               std::to_string(last) + ")";
      }
      spdlog::warn("takeover: journal seq {} is {} here but replica {} applied it as {}: this journal is from "
                   "another history; rebasing it",
                   p.seq, Describe(journaled->gtid, journaled->position), slowest->name,
                   Describe(p.gtid, p.position));
    }
  } else if (p.seq == last && first == 0) {
    // Rebased here before, nothing journaled since: the checkpoint decides.
    auto cp = journal.checkpoint();
    if (cp.ok() && cp->seq == p.seq && cp->source.position == p.position)
      return "the journal's checkpoint is replica " + slowest->name + "'s point (seq " + std::to_string(p.seq) +
             "): kept";
  }
  auto gtid_state = MariadbGtidList::Parse(p.gtid_state);
  if (!gtid_state.ok())
    return gtid_state.status().WithContext("replica " + slowest->name + "'s progress row (gtid_state)");
  if (p.position.empty() && gtid_state->empty())
    return FailedPrecondition("replica " + slowest->name + "'s progress row names journal seq " +
                              std::to_string(p.seq) + " but neither a source position nor a GTID state: cannot "
                              "stream from it; bring the replica back with `vomsrepl bootstrap`");
  journal::SourceCheckpoint cp;
  cp.seq = p.seq;
  cp.source.position = p.position;
  cp.source.gtid = p.gtid;
  cp.source.gtid_state = std::move(*gtid_state);
  VOMSREPL_RETURN_IF_ERROR(journal.Rebase(cp));
  return "journal rebased at seq " + std::to_string(p.seq) + ", the point of replica " + slowest->name +
         " (the slowest): streaming from " + Describe(p.gtid, p.position) + " (the journal held seqs " +
         (first == 0 ? std::string("none") : std::to_string(first) + ".." + std::to_string(last)) + ")";
}

}  // namespace vomsrepl::daemon
