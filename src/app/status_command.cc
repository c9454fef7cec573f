#include "app/status_command.h"

#include <ctime>
#include <string>
#include <vector>

#include "binlog/json_binary.h"
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

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

std::string Or(const std::string& s, const char* none = "-") { return s.empty() ? none : s; }

void JsonField(std::string& out, const char* name, const std::string& value, bool comma = true) {
  out += '"';
  out += name;
  out += "\":";
  binlog::AppendJsonString(value, out);
  if (comma) out += ',';
}

void JsonField(std::string& out, const char* name, uint64_t value, bool comma = true) {
  out += '"';
  out += name;
  out += "\":" + std::to_string(value);
  if (comma) out += ',';
}

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
    s += '{';
    JsonField(s, "state_dir", options.state_dir);
    s += "\"source\":{";
    JsonField(s, "checkpoint_seq", cp.seq);
    JsonField(s, "position", cp.source.position.empty() ? std::string() : cp.source.position.ToString());
    JsonField(s, "gtid", cp.source.gtid);
    JsonField(s, "gtid_state", cp.source.gtid_state.ToString());
    JsonField(s, "commit_time", uint64_t(cp.source.commit_time), false);
    s += "},\"journal\":{";
    JsonField(s, "first_seq", stats.first_seq);
    JsonField(s, "last_seq", stats.last_seq);
    JsonField(s, "transactions", stats.transactions);
    JsonField(s, "disk_bytes", stats.disk_bytes);
    JsonField(s, "sst_bytes", stats.sst_bytes, false);
    s += "},\"replicas\":[";
    for (size_t i = 0; i < lines.size(); ++i) {
      const auto& l = lines[i];
      if (i) s += ',';
      s += '{';
      JsonField(s, "name", l.name);
      JsonField(s, "seq", l.mirror.seq);
      JsonField(s, "gtid", l.mirror.gtid);
      JsonField(s, "position", l.mirror.position.empty() ? std::string() : l.mirror.position.ToString());
      JsonField(s, "applied_time", uint64_t(l.mirror.applied_time > 0 ? l.mirror.applied_time : 0));
      JsonField(s, "commit_time", uint64_t(l.mirror.commit_time));
      JsonField(s, "behind_transactions", l.behind_transactions);
      s += "\"behind_seconds\":" + (l.seconds_known ? std::to_string(l.behind_seconds) : std::string("null")) + ",";
      JsonField(s, "state", l.mirror.state, false);
      s += '}';
    }
    s += "]}\n";
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
    line("journal size", HumanBytes(stats.disk_bytes) + " on disk (" + HumanBytes(stats.sst_bytes) + " in tables)");
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
