#include "app/status_command.h"

#include <ctime>
#include <string>
#include <vector>

#include <vomsrepl/json.h>
#include <vomsrepl/progress.h>

#include "journal/journal.h"

namespace vomsrepl::app {
namespace {

struct ReplicaLine {
  std::string name;
  journal::ReplicaMirror mirror;
  uint64_t behind_transactions = 0;
  bool seconds_known = false;
  int64_t behind_seconds = 0;
};

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

  std::vector<ReplicaLine> lines;
  for (auto& [name, m] : mirrors) {
    ReplicaLine l;
    l.name = name;
    l.mirror = m;
    l.behind_transactions = cp.seq > m.seq ? cp.seq - m.seq : 0;
    if (l.behind_transactions == 0) {
      l.seconds_known = true;
    } else if (m.commit_time != 0 && cp.source.commit_time != 0) {
      l.seconds_known = true;
      l.behind_seconds = cp.source.commit_time > m.commit_time ? int64_t(cp.source.commit_time) - m.commit_time : 0;
    }
    lines.push_back(std::move(l));
  }

  std::string s;
  if (options.format == OutputFormat::kJson) {
    Json j;
    j["state_dir"] = options.state_dir;
    j["source"] = Json{{"checkpoint_seq", cp.seq},
                       {"position", cp.source.position.empty() ? std::string() : cp.source.position.ToString()},
                       {"gtid", cp.source.gtid},
                       {"gtid_state", cp.source.gtid_state.ToString()},
                       {"commit_time", uint64_t(cp.source.commit_time)}};
    j["journal"] = Json{{"first_seq", stats.first_seq},
                        {"last_seq", stats.last_seq},
                        {"transactions", stats.transactions},
                        {"disk_bytes", stats.disk_bytes},
                        {"sst_bytes", stats.sst_bytes}};
    Json& replicas = j["replicas"] = Json::array();
    for (const auto& l : lines) {
      Json r;
      r["name"] = l.name;
      r["seq"] = l.mirror.seq;
      r["gtid"] = l.mirror.gtid;
      r["position"] = l.mirror.position.empty() ? std::string() : l.mirror.position.ToString();
      r["applied_time"] = uint64_t(l.mirror.applied_time > 0 ? l.mirror.applied_time : 0);
      r["commit_time"] = uint64_t(l.mirror.commit_time);
      r["behind_transactions"] = l.behind_transactions;
      r["behind_seconds"] = l.seconds_known ? Json(l.behind_seconds) : Json(nullptr);
      r["state"] = l.mirror.state;
      replicas.push_back(std::move(r));
    }
    s = JsonText(j) + "\n";
  } else {
    char buf[512];
    auto line = [&](const char* label, const std::string& v) {
      std::snprintf(buf, sizeof(buf), "%-18s %s\n", label, v.c_str());
      s += buf;
    };
    line("state directory", options.state_dir);
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
                      static_cast<unsigned long long>(l.mirror.seq),
                      static_cast<unsigned long long>(l.behind_transactions),
                      l.seconds_known ? std::to_string(l.behind_seconds).c_str() : "?",
                      l.mirror.position.empty() ? "-" : l.mirror.position.ToString().c_str(),
                      Or(l.mirror.gtid).c_str(), UtcTime(l.mirror.applied_time).c_str(), Or(l.mirror.state).c_str());
        s += buf;
      }
    }
  }
  if (std::fwrite(s.data(), 1, s.size(), out) != s.size()) return Unavailable("status: cannot write the output");
  return Status::OK();
}

}  // namespace vomsrepl::app
