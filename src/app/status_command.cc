#include "app/status_command.h"

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include <vomsrepl/json.h>
#include <vomsrepl/progress.h>

#include "common/utc_time.h"
#include "journal/journal.h"
#include "ops/replica_status.h"

namespace vomsrepl::app {
namespace {

std::string UtcTime(int64_t t) {
  if (t <= 0) return "-";
  std::time_t tt = std::time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string Or(const std::string& s, const char* none = "-") { return s.empty() ? none : s; }

}  // namespace

Status RunStatus(const StatusOptions& options, std::FILE* out) {
  if (options.state_dir.empty()) return InvalidArgument("status needs --state-dir");
  VOMSREPL_ASSIGN_OR_RETURN(auto j, journal::Journal::OpenReadOnly(options.state_dir));
  VOMSREPL_ASSIGN_OR_RETURN(auto cp, j->checkpoint());
  VOMSREPL_ASSIGN_OR_RETURN(auto stats, j->Stats());
  VOMSREPL_ASSIGN_OR_RETURN(auto mirrors, j->ListReplicaMirrors());

  ops::StatusDocument doc;
  doc.state_dir = options.state_dir;
  doc.source.checkpoint_seq = cp.seq;
  doc.source.position = cp.source.position.empty() ? std::string() : cp.source.position.ToString();
  doc.source.gtid = cp.source.gtid;
  doc.source.gtid_state = cp.source.gtid_state.ToString();
  doc.source.commit_time = cp.source.commit_time;
  doc.journal = stats;
  // A feeder with a [standby] lease records its role in the journal.
  if (auto role = j->GetMeta(journal::kFeederRoleMeta); role.ok() && !role->empty()) {
    doc.source.role = role->substr(0, role->find(" since "));
    doc.source.role_detail = *role;
  }
  const int64_t now = UnixNow();
  for (auto& [name, m] : mirrors) {
    ops::ReplicaStatus r;
    r.name = name;
    r.state_detail = m.state;
    r.applied_seq = m.seq;
    r.gtid = m.gtid;
    r.position = m.position.empty() ? std::string() : m.position.ToString();
    r.commit_time = m.commit_time;
    r.applied_time = m.applied_time > 0 ? m.applied_time : 0;
    r.lag = ops::ComputeLag(*j, m.seq, now);
    doc.replicas.push_back(std::move(r));
  }
  const auto& lines = doc.replicas;

  std::string s;
  if (options.format == OutputFormat::kJson) {
    s = ops::StatusDocumentJson(doc);
  } else {
    char buf[512];
    auto line = [&](const char* label, const std::string& v) {
      std::snprintf(buf, sizeof(buf), "%-18s %s\n", label, v.c_str());
      s += buf;
    };
    line("state directory", options.state_dir);
    if (doc.source.role_detail) line("feeder role", *doc.source.role_detail + " (as this directory's feeder last recorded it)");
    line("source position", cp.source.position.empty() ? "-" : cp.source.position.ToString());
    line("source GTID", Or(cp.source.gtid));
    line("GTID state", Or(cp.source.gtid_state.ToString()));
    line("source commit", cp.source.commit_time ? UtcTime(cp.source.commit_time) + " UTC" : "-");
    line("checkpoint seq", std::to_string(cp.seq));
    line("journal", stats.transactions == 0 ? std::string("empty")
                                             : "seq " + std::to_string(stats.first_seq) + ".." +
                                                   std::to_string(stats.last_seq) + " (" +
                                                   std::to_string(stats.transactions) + " transactions)");
    // RocksDB keeps recent writes in its write-ahead log and memory tables;
    // flushes move them into sorted table files (SST).
    line("journal size", HumanBytes(stats.disk_bytes) + " on disk" +
                             (stats.sst_bytes >= stats.disk_bytes
                                  ? std::string()
                                  : " (" + HumanBytes(stats.sst_bytes) + " flushed to sorted table files, the rest in "
                                                                         "the write-ahead log and metadata)"));
    s += '\n';
    if (lines.empty()) {
      s += "no replica mirrors yet\n";
    } else {
      std::snprintf(buf, sizeof(buf), "%-16s %12s %10s %10s  %-28s %-20s %-19s  %s\n", "REPLICA", "APPLIED SEQ",
                    "BEHIND", "BEHIND(s)", "POSITION", "GTID", "APPLIED AT (UTC)", "STATE");
      s += buf;
      for (const auto& l : lines) {
        std::snprintf(buf, sizeof(buf), "%-16s %12llu %10llu %10s  %-28s %-20s %-19s  %s\n", l.name.c_str(),
                      static_cast<unsigned long long>(l.applied_seq),
                      static_cast<unsigned long long>(l.lag.transactions),
                      l.lag.seconds ? std::to_string(*l.lag.seconds).c_str() : "?", Or(l.position).c_str(),
                      Or(l.gtid).c_str(), UtcTime(l.applied_time).c_str(), Or(l.state_detail).c_str());
        s += buf;
      }
    }
  }
  if (std::fwrite(s.data(), 1, s.size(), out) != s.size()) return Unavailable("status: cannot write the output");
  return Status::OK();
}

}  // namespace vomsrepl::app
