#include "lifecycle/master_switch.h"

#include "apply/transaction_applier.h"
#include "common/utc_time.h"
#include "journal/journal.h"
#include "source/master_session.h"

namespace vomsrepl::lifecycle {

namespace {

void Say(const MasterSwitchOptions& o, const std::string& line) {
  if (o.out) {
    std::fprintf(o.out, "%s\n", line.c_str());
    std::fflush(o.out);
  }
}

std::string Value(const source::SqlRow& row, size_t i) { return i < row.size() ? row[i].value_or("") : ""; }

struct NewMasterFacts {
  uint32_t server_id = 0;
  bool read_only = false;
  MariadbGtidList gtid_binlog_pos;
  BinlogPosition position;  // SHOW MASTER STATUS
};

Result<NewMasterFacts> ReadNewMaster(const source::MasterConfig& config) {
  source::MasterSession s;
  VOMSREPL_RETURN_IF_ERROR(s.Open(config));
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT @@server_id, @@read_only, @@gtid_binlog_pos"));
  if (rows.empty()) return Internal("new master: SELECT @@server_id returned nothing");
  NewMasterFacts f;
  f.server_id = uint32_t(std::strtoul(Value(rows[0], 0).c_str(), nullptr, 10));
  f.read_only = Value(rows[0], 1) == "1";
  VOMSREPL_ASSIGN_OR_RETURN(f.gtid_binlog_pos, MariadbGtidList::Parse(Value(rows[0], 2)));
  VOMSREPL_ASSIGN_OR_RETURN(auto status, s.Query("SHOW MASTER STATUS"));
  if (status.empty())
    return FailedPrecondition("the new master has no binary log (SHOW MASTER STATUS is empty): start it with log_bin");
  f.position.file = Value(status[0], 0);
  f.position.offset = std::strtoull(Value(status[0], 1).c_str(), nullptr, 10);
  return f;
}

// The journal's GTIDs the new master lacks ("" when it holds them all).
std::string MissingGtids(const MariadbGtidList& need, const MariadbGtidList& have) {
  std::string missing;
  for (const MariadbGtid& g : need.gtids()) {
    const MariadbGtid* h = have.Find(g.domain_id);
    if (h != nullptr && h->seq_no >= g.seq_no) continue;
    if (!missing.empty()) missing += ", ";
    missing += g.ToString() + " (it has " + (h ? h->ToString() : std::string("nothing")) + " in domain " +
               std::to_string(g.domain_id) + ")";
  }
  return missing;
}

// A replica vomsrepl fed becomes the master: it must be the server the new
// master's settings reach, have applied the whole journal and still be
// read-only; the stream resumes at its binlog position now.
Status ResumeOnPromotedReplica(const MasterSwitchOptions& o, journal::Journal& journal,
                               const journal::SourceCheckpoint& cp, const NewMasterFacts& facts,
                               MasterSwitchResult* out) {
  MasterSwitchResult& result = *out;
  // A replica vomsrepl fed becomes the master.
  apply::ReplicaConfig rc = o.promoted;
  rc.allow_writable = true;  // only read here
  apply::ReplicaSession session;
  VOMSREPL_RETURN_IF_ERROR(session.Open(rc));
  VOMSREPL_ASSIGN_OR_RETURN(auto ids, session.Query("SELECT @@server_id"));
  const std::string replica_id = ids.empty() ? "" : ids[0][0].value_or("");
  if (replica_id != std::to_string(facts.server_id))
    return InvalidArgument("--to " + o.promoted_replica + " is the server with server_id " + replica_id +
                           ", but the new master's option file reaches server_id " +
                           std::to_string(facts.server_id) + ": they must be the same server");
  apply::ApplierOptions ao;
  ao.channel = o.promoted_replica;
  apply::TransactionApplier reader(session, ao);
  VOMSREPL_ASSIGN_OR_RETURN(apply::Progress p, reader.ReadProgress());
  Say(o, "  promoted:   replica " + o.promoted_replica + " has applied journal seq " + std::to_string(p.seq) +
             " (source " + p.position.ToString() + ")");
  if (p.seq != result.journal_last_seq) {
    std::string others;
    if (auto mirrors = journal.ListReplicaMirrors(); mirrors.ok()) {
      for (const auto& [name, m] : *mirrors) others += " " + name + "=" + std::to_string(m.seq);
    }
    return FailedPrecondition(
        "replica " + o.promoted_replica + " has applied journal seq " + std::to_string(p.seq) +
        " but the journal holds " + std::to_string(result.journal_last_seq) + ": as the master it would lack " +
        std::to_string(result.journal_last_seq - p.seq) +
        " transaction(s) that other replicas have or will get (a silent gap); let it apply them first (`vomsrepl "
        "catchup --replica " + o.promoted_replica + " --until " +
        (cp.source.gtid_state.empty() ? cp.source.position.ToString() : cp.source.gtid_state.ToString()) +
        "` reads them from the journal, no master needed), or promote the most advanced replica (applied seqs:" +
        others + ")");
  }
  if (!facts.read_only)
    return FailedPrecondition("replica " + o.promoted_replica +
                              " is already writable: switch-master must run while it is still read_only=ON, so that "
                              "its binlog position now is where its own writes begin (writes made since it became "
                              "writable would never reach the other replicas); SET GLOBAL read_only=ON, check that "
                              "nothing was written, and run switch-master again");
  result.resume.position = facts.position;
  result.resume.gtid_state = facts.gtid_binlog_pos;
  result.resume.server_id = facts.server_id;
  result.resume.commit_time = cp.source.commit_time;
  Say(o, "  resume:     the new master's binlog from " + facts.position.ToString() +
             (facts.gtid_binlog_pos.empty() ? "" : " (after GTID " + facts.gtid_binlog_pos.ToString() + ")") +
             "; journal seqs continue after " + std::to_string(result.journal_last_seq));
  return Status::OK();
}

// Same GTID history: resume at the journal's GTID state, which the new master
// must hold and accept a dump from.
Status ResumeOnSameGtidHistory(const MasterSwitchOptions& o, const journal::Journal& journal,
                               journal::SourceCheckpoint cp, const NewMasterFacts& facts, MasterSwitchResult* out) {
  MasterSwitchResult& result = *out;
  // Same GTID history: resume at the journal's GTID state.
  if (cp.source.gtid_state.empty())
    return FailedPrecondition("the journal has no MariaDB GTID state to resume from on another server; promote a "
                              "replica with --to NAME instead");
  // A domain the new master has nothing of, and of which nothing was ever
  // journaled, carried no kept change (the old master's own writes, such as
  // vomsrepl's state domain on a preserve_gtid replica a second-tier feeder
  // read): it is left out of the resume point. Unknown without the journal's
  // record of its domains (journals older than that record): kept, and
  // refused below as before.
  if (auto kept = journal.GetMeta(journal::kKeptDomainsMeta); kept.ok() || kept.status().code() == StatusCode::kNotFound) {
    const bool known = kept.ok() || journal.last_seq() == 0;
    const std::set<uint32_t> domains = kept.ok() ? journal::ParseKeptDomains(*kept) : std::set<uint32_t>();
    MariadbGtidList reduced;
    for (const MariadbGtid& g : cp.source.gtid_state.gtids()) {
      const bool never_kept = known && domains.count(g.domain_id) == 0;
      if (facts.gtid_binlog_pos.Find(g.domain_id) == nullptr && never_kept) {
        Say(o, "  domain " + std::to_string(g.domain_id) + ": the new master has nothing in it and the journal "
                   "never kept a transaction of it (" + g.ToString() + "): left out of the resume point");
        continue;
      }
      reduced.Update(g);
    }
    cp.source.gtid_state = std::move(reduced);
  }
  std::string missing = MissingGtids(cp.source.gtid_state, facts.gtid_binlog_pos);
  if (!missing.empty())
    return FailedPrecondition("the new master does not hold every transaction the feeder has read: it lacks " +
                              missing + "; switching would lose them (a silent gap). Promote the most advanced "
                              "replica with --to NAME, or let this server catch up first");
  source::MasterConfig trial = o.new_master;
  trial.start = source::StartPoint::AfterGtids(cp.source.gtid_state);
  trial.blocking = false;
  trial.max_reconnects = 1;
  source::MasterStream stream(trial);
  Status st = stream.Connect();
  if (st.ok()) {
    SourceEvent ev;
    st = stream.Next(&ev);
    if (st.code() == StatusCode::kOutOfRange) st = Status::OK();
  }
  if (!st.ok())
    return FailedPrecondition("the new master refuses to stream from GTID " + cp.source.gtid_state.ToString() +
                              ": " + st.ToString());
  result.resume = cp.source;
  result.resume.server_id = facts.server_id;
  Say(o, "  resume:     after GTID " + cp.source.gtid_state.ToString() +
             " (the new master holds it; a trial dump from there was accepted)");
  return Status::OK();
}

// Writes the resume point, the new server_id and a line of switch history.
Status RecordSwitch(const MasterSwitchOptions& o, journal::Journal& journal, MasterSwitchResult* result) {
  VOMSREPL_RETURN_IF_ERROR(journal.AdvanceSource(result->resume));
  VOMSREPL_RETURN_IF_ERROR(journal.PutMeta(journal::kSourceServerIdMeta, std::to_string(result->new_server_id)));
  std::string history;
  if (auto h = journal.GetMeta(journal::kMasterSwitchMeta); h.ok()) history = *h;
  history += UtcNowText() + " server_id " + std::to_string(result->old_server_id) + " -> " +
             std::to_string(result->new_server_id) + " at journal seq " + std::to_string(result->journal_last_seq) +
             ", resume " + result->resume.position.ToString() + " GTID " + result->resume.gtid_state.ToString() +
             (o.promoted_replica.empty() ? "" : " (promoted replica " + o.promoted_replica + ")") + "\n";
  VOMSREPL_RETURN_IF_ERROR(journal.PutMeta(journal::kMasterSwitchMeta, history));
  VOMSREPL_RETURN_IF_ERROR(journal.Sync());
  result->written = true;
  return Status::OK();
}

}  // namespace

Result<MasterSwitchResult> SwitchMaster(const MasterSwitchOptions& o) {
  MasterSwitchResult result;
  journal::JournalOptions jo;
  jo.directory = o.state_dir;
  auto opened = journal::Journal::Open(jo);
  if (!opened.ok()) {
    return Status(opened.status().code(), std::string(opened.status().message()) +
                                              " (switch-master needs the daemon stopped: it owns the state directory)");
  }
  std::unique_ptr<journal::Journal> journal = std::move(*opened);
  VOMSREPL_ASSIGN_OR_RETURN(journal::SourceCheckpoint cp, journal->checkpoint());
  result.journal_last_seq = journal->last_seq();
  if (auto id = journal->GetMeta(journal::kSourceServerIdMeta); id.ok())
    result.old_server_id = uint32_t(std::strtoul(id->c_str(), nullptr, 10));

  Say(o, "switch-master plan:");
  Say(o, "  journal:    last seq " + std::to_string(result.journal_last_seq) + ", the feeder had read " +
             (cp.source.position.empty() ? std::string("nothing") : cp.source.position.ToString()) +
             " (GTID state " + (cp.source.gtid_state.empty() ? std::string("none") : cp.source.gtid_state.ToString()) +
             ") of the master with server_id " +
             (result.old_server_id ? std::to_string(result.old_server_id) : std::string("(unknown)")));

  // The new master as a replication source.
  source::MasterStream probe(o.new_master);
  VOMSREPL_ASSIGN_OR_RETURN(source::PreflightReport report, probe.Preflight());
  if (!report.ok()) return report.ToStatus().WithContext("new master " + o.new_master.Describe());
  VOMSREPL_ASSIGN_OR_RETURN(NewMasterFacts facts, ReadNewMaster(o.new_master));
  result.new_server_id = facts.server_id;
  Say(o, "  new master: " + o.new_master.Describe() + ", server_id " + std::to_string(facts.server_id) +
             ", binlog at " + facts.position.ToString() + ", @@gtid_binlog_pos " +
             (facts.gtid_binlog_pos.empty() ? std::string("(empty)") : facts.gtid_binlog_pos.ToString()) +
             (facts.read_only ? ", read-only" : ", writable"));
  if (result.old_server_id != 0 && facts.server_id == result.old_server_id)
    Say(o, "  note: the new master has the old one's server_id " + std::to_string(facts.server_id) +
               " (a restored master): it is checked like any other");

  if (!o.promoted_replica.empty()) {
    VOMSREPL_RETURN_IF_ERROR(ResumeOnPromotedReplica(o, *journal, cp, facts, &result));
  } else {
    VOMSREPL_RETURN_IF_ERROR(ResumeOnSameGtidHistory(o, *journal, cp, facts, &result));
  }
  if (o.check_only) {
    Say(o, "  --check: nothing written");
    return result;
  }
  VOMSREPL_RETURN_IF_ERROR(RecordSwitch(o, *journal, &result));
  return result;
}

}  // namespace vomsrepl::lifecycle
