#include "source/master_preflight.h"

#include <mysqld_error.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include <unistd.h>

#include <vomsrepl/ascii.h>

#include "common/enum_names.h"

namespace vomsrepl::source {
namespace {

std::string ValueOr(const std::optional<std::string>& v, std::string_view fallback) {
  return v ? *v : std::string(fallback);
}

void Add(PreflightReport* r, std::string name, CheckOutcome outcome, std::string detail, std::string fix = {},
         StatusCode code = StatusCode::kFailedPrecondition) {
  r->checks.push_back(PreflightCheck{std::move(name), outcome, std::move(detail), std::move(fix), code});
}

bool SplitBinlogName(std::string_view name, std::string_view* base, uint64_t* index) {
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot + 1 >= name.size()) return false;
  std::string_view ext = name.substr(dot + 1);
  auto [p, ec] = std::from_chars(ext.data(), ext.data() + ext.size(), *index);
  if (ec != std::errc() || p != ext.data() + ext.size()) return false;
  *base = name.substr(0, dot);
  return true;
}

bool IsLoopback(const MasterConfig& c) {
  return !c.socket.empty() || c.host == "127.0.0.1" || c.host == "::1" || c.host == "localhost";
}

// binlog_row_metadata (MariaDB 10.5+, MySQL 8.0+): NO_LOG is MariaDB's
// default, MINIMAL MySQL's. vomsrepl handles all three; without FULL the
// replicas' schemas supply column names, keys, binary-ness and signedness
// (apply/table_catalog.h), so a replica schema that differs from the master's
// is caught only where a value does not fit (the applier's strict mode).
void CheckRowMetadata(MasterSession& s, PreflightReport* report) {
  auto rows = s.Query("SELECT @@global.binlog_row_metadata");
  if (!rows.ok() || rows->empty() || rows->front().empty() || !rows->front()[0]) {
    Add(report, "binlog_row_metadata", CheckOutcome::kInfo,
        "not known to this server (no column metadata in TABLE_MAP events)",
        "column names, keys and types come from each replica's schema");
    return;
  }
  std::string meta = AsciiUpper(*rows->front()[0]);
  if (meta == "FULL") {
    Add(report, "binlog_row_metadata", CheckOutcome::kOk, "FULL");
    return;
  }
  Add(report, "binlog_row_metadata", CheckOutcome::kInfo,
      meta + (meta == "NO_LOG" ? " (MariaDB's default)" : meta == "MINIMAL" ? " (MySQL's default)" : "") +
          ": column names, keys" + (meta == "MINIMAL" ? "" : ", binary-ness, signedness") +
          " come from each replica's schema at that point of the stream; a replica table whose schema differs from "
          "the master's is caught only where a value does not fit (strict mode, warnings)",
      "SET GLOBAL binlog_row_metadata=FULL on the master makes every TABLE_MAP self-describing");
}

void CheckVariables(MasterSession& s, const MasterConfig& config, PreflightReport* report) {
  auto rows = s.Query(
      "SELECT VERSION(), @@server_id, @@global.log_bin, @@global.binlog_format, "
      "@@global.binlog_row_image, @@global.binlog_checksum");
  if (!rows.ok() || rows->empty() || rows->front().size() < 6) {
    Add(report, "variables", CheckOutcome::kFail,
        "cannot read the master's variables: " + std::string(rows.ok() ? "no row" : rows.status().message()),
        "make sure the account may run SELECT @@global.binlog_format");
    return;
  }
  const SqlRow& r = rows->front();
  report->server_version = ValueOr(r[0], "");
  report->master_server_id = static_cast<uint32_t>(std::strtoul(ValueOr(r[1], "0").c_str(), nullptr, 10));
  bool mariadb = report->server_version.find("MariaDB") != std::string::npos;
  Add(report, "server", CheckOutcome::kOk,
      (mariadb ? "MariaDB " : "MySQL ") + report->server_version + ", server_id " +
          std::to_string(report->master_server_id));

  std::string log_bin = AsciiUpper(ValueOr(r[2], ""));
  if (log_bin == "1" || log_bin == "ON") {
    Add(report, "log_bin", CheckOutcome::kOk, "ON");
  } else {
    Add(report, "log_bin", CheckOutcome::kFail, "the master writes no binary log (log_bin is OFF)",
        "set log_bin=<path>/<name> in the master's [mariadbd] section and restart it");
  }
  std::string format = AsciiUpper(ValueOr(r[3], ""));
  if (format == "ROW") {
    Add(report, "binlog_format", CheckOutcome::kOk, "ROW");
  } else {
    Add(report, "binlog_format", CheckOutcome::kFail, "binlog_format is " + format + ", vomsrepl needs ROW",
        "SET GLOBAL binlog_format=ROW and binlog_format=ROW in the master's my.cnf");
  }
  std::string image = AsciiUpper(ValueOr(r[4], ""));
  if (image == "FULL") {
    Add(report, "binlog_row_image", CheckOutcome::kOk, "FULL");
  } else {
    Add(report, "binlog_row_image", CheckOutcome::kWarn,
        "binlog_row_image is " + image + ": rows carry only some columns (updates still apply by key)",
        "SET GLOBAL binlog_row_image=FULL and binlog_row_image=FULL in the master's my.cnf");
  }
  std::string checksum = AsciiUpper(ValueOr(r[5], ""));
  if (checksum == "CRC32" || checksum == "NONE") {
    Add(report, "binlog_checksum", CheckOutcome::kOk, checksum);
  } else {
    Add(report, "binlog_checksum", CheckOutcome::kFail, "unknown binlog_checksum " + checksum,
        "SET GLOBAL binlog_checksum=CRC32", StatusCode::kNotSupported);
  }
  CheckRowMetadata(s, report);
  if (config.start.from == StartFrom::kGtid && !mariadb) {
    Add(report, "gtid_start", CheckOutcome::kFail,
        "starting from a GTID on MySQL needs COM_BINLOG_DUMP_GTID, which MariaDB Connector/C 3.3 cannot send",
        "start from a file:pos instead (SHOW MASTER STATUS / the journal's checkpoint)", StatusCode::kNotSupported);
  }
}

// Is a vomsrepl feeder's server-id lock on `id` held (by a live session)?
bool FeederLockHeld(MasterSession& s, uint32_t id) {
  auto used = s.Query("SELECT IS_USED_LOCK('" + ServerIdLockName(id) + "')");
  return used.ok() && !used->empty() && !used->front().empty() && used->front()[0].has_value();
}

void CheckServerIds(MasterSession& s, const MasterConfig& config, PreflightReport* report) {
  const std::string id = std::to_string(config.server_id);
  if (report->master_server_id != 0 && config.server_id == report->master_server_id) {
    Add(report, "server_id", CheckOutcome::kFail, "server_id " + id + " is the master's own @@server_id",
        "choose a server_id no server of this replication topology uses", StatusCode::kInvalidArgument);
    return;
  }
  const bool feeder_alive = FeederLockHeld(s, config.server_id);
  if (feeder_alive && !config.holds_server_id_lock) {
    Add(report, "server_id", CheckOutcome::kFail,
        "server_id " + id + " belongs to a running vomsrepl feeder (it holds the user lock '" +
            ServerIdLockName(config.server_id) + "' on the master); a second stream with it would make the master "
            "drop the feeder",
        "leave --server-id out (a free one is picked) or give one that no replica uses (for a feeder: another "
        "[master] server_id)",
        StatusCode::kFailedPrecondition);
    return;
  }
  auto hosts = s.Query("SHOW SLAVE HOSTS");
  if (!hosts.ok()) {
    if (s.error_number() == ER_SPECIFIC_ACCESS_DENIED_ERROR && config.pick_server_id) {
      // A diagnostic's own id, picked away from every running feeder's: nothing to warn about.
      Add(report, "server_id", CheckOutcome::kInfo,
          id + " picked for this stream (not the master's, nor a running vomsrepl feeder's; other replicas' ids "
               "are not listed to this account: SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN)");
    } else if (s.error_number() == ER_SPECIFIC_ACCESS_DENIED_ERROR) {
      Add(report, "server_id", CheckOutcome::kWarn,
          "cannot check that server_id " + id + " is unused: SHOW SLAVE HOSTS is denied to this account",
          "GRANT REPLICATION MASTER ADMIN ON *.* to the replication account (MariaDB >= 10.5), "
          "or make sure by hand that no replica uses this server_id");
    } else {
      Add(report, "server_id", CheckOutcome::kWarn,
          "cannot check that server_id is unused: " + std::string(hosts.status().message()), "");
    }
    return;
  }
  for (const SqlRow& row : *hosts) {
    if (row.empty() || !row[0]) continue;
    if (std::strtoul(row[0]->c_str(), nullptr, 10) != config.server_id) continue;
    std::string where = row.size() > 2 ? ValueOr(row[1], "?") + ":" + ValueOr(row[2], "?") : "?";
    // Ours when it comes from our report host and no live vomsrepl holds the
    // id's lock but us: every vomsrepl feeder holds it while it streams, so
    // this is one that has stopped (the master lists a dump thread until it
    // notices the client left) and the master replaces it when we register.
    if (row.size() > 1 && ValueOr(row[1], "") == config.report_host &&
        (config.holds_server_id_lock || (config.feeder_server_id && !feeder_alive))) {
      Add(report, "server_id", CheckOutcome::kInfo,
          id + " (the master lists a vomsrepl stream with it, registered from " + where +
              ": this feeder's, or one that has ended, since no other live vomsrepl holds its server-id lock; a "
              "new stream replaces it)");
      return;
    }
    Add(report, "server_id", CheckOutcome::kFail,
        "server_id " + id + " is already used by the replica registered from " + where +
            " (SHOW SLAVE HOSTS); a second one would make the master drop the first",
        "choose another server_id (unique among the master and all its replicas)", StatusCode::kFailedPrecondition);
    return;
  }
  Add(report, "server_id", CheckOutcome::kOk,
      id + " (master " + std::to_string(report->master_server_id) + ", " + std::to_string(hosts->size()) +
          " replica(s) registered)");
}

// SHOW GRANTS lines carry password hashes: only keywords are looked at, and
// nothing of them is ever logged or put in a message.
void CheckPrivileges(MasterSession& s, PreflightReport* report) {
  auto grants = s.Query("SHOW GRANTS");
  if (!grants.ok()) {
    Add(report, "privileges", CheckOutcome::kWarn, "cannot read SHOW GRANTS", "");
    return;
  }
  bool all = false, repl_slave = false, monitor = false, roles = false;
  for (const SqlRow& row : *grants) {
    if (row.empty() || !row[0]) continue;
    std::string g = AsciiUpper(*row[0]);
    size_t on = g.find(" ON *.* TO ");
    if (on == std::string::npos) {
      if (g.rfind("GRANT ", 0) == 0 && g.find(" ON ") == std::string::npos) roles = true;
      continue;
    }
    std::string privs = g.substr(0, on);
    if (privs.find("ALL PRIVILEGES") != std::string::npos) all = true;
    if (privs.find("REPLICATION SLAVE") != std::string::npos ||
        privs.find("REPLICATION REPLICA") != std::string::npos)
      repl_slave = true;
    if (privs.find("BINLOG MONITOR") != std::string::npos || privs.find("REPLICATION CLIENT") != std::string::npos ||
        privs.find("SUPER") != std::string::npos)
      monitor = true;
  }
  repl_slave = repl_slave || all;
  monitor = monitor || all;
  std::string missing;
  if (!repl_slave) missing += "REPLICATION SLAVE";
  if (!monitor) missing += std::string(missing.empty() ? "" : ", ") + "BINLOG MONITOR (MySQL: REPLICATION CLIENT)";
  if (missing.empty()) {
    Add(report, "privileges", CheckOutcome::kOk, all ? "ALL PRIVILEGES" : "REPLICATION SLAVE, BINLOG MONITOR");
  } else {
    Add(report, "privileges", roles ? CheckOutcome::kWarn : CheckOutcome::kFail,
        "the account lacks " + missing + (roles ? " (unless granted through a role)" : ""),
        "GRANT " + missing + " ON *.* TO the replication account");
  }
}

// TLS as it ended up: from [master.tls], or from the option file's ssl-* keys
// (dump/stats --master). MasterSession::Open already refused a session that
// asked for TLS and got none; this reports what protects the session.
void CheckTls(MasterSession& s, const MasterConfig& config, PreflightReport* report) {
  std::string cipher = s.TlsCipher();
  MasterSession::TlsState tls = s.Tls();
  std::string what = tls.version.empty() ? cipher : tls.version + " " + cipher;
  if (config.tls.enabled) {
    if (cipher.empty()) {
      Add(report, "tls", CheckOutcome::kFail, "TLS is configured but the session is not encrypted",
          "enable TLS on the master (ssl_cert, ssl_key) or fix [master.tls] in the configuration");
    } else if (config.tls.verify_server_cert) {
      Add(report, "tls", CheckOutcome::kOk, what + ", server certificate verified against " + config.tls.ca_file);
    } else {
      Add(report, "tls", CheckOutcome::kWarn,
          what + (config.tls.ca_file.empty()
                      ? ", server certificate NOT verified (verify_server_cert = false, no ca_file): anyone "
                        "between here and the master can pose as it"
                      : ", host name NOT checked (verify_server_cert = false; the chain is checked against " +
                            config.tls.ca_file + ")"),
          "set [master.tls] verify_server_cert = true and ca_file to the CA that signed the master's certificate");
    }
    return;
  }
  if (!cipher.empty()) {
    std::string fix = "add ssl-ca=<the master's CA> and ssl-verify-server-cert=1 (with the value: Connector/C "
                      "ignores the bare key) to " + config.defaults_file;
    if (tls.verifies_server && !tls.ca_file.empty()) {
      Add(report, "tls", CheckOutcome::kOk,
          what + ", server certificate verified against " + tls.ca_file + " (ssl-* keys of the option file)");
    } else if (!tls.ca_file.empty()) {
      Add(report, "tls", CheckOutcome::kWarn,
          what + ", host name NOT checked (no ssl-verify-server-cert=1 in the option file; the chain is checked "
                 "against " + tls.ca_file + ")",
          fix);
    } else {
      Add(report, "tls", CheckOutcome::kWarn, what + ", server certificate NOT verified (no ssl-ca in the option file)",
          fix);
    }
    return;
  }
  if (!IsLoopback(config) && !config.host.empty()) {
    Add(report, "tls", CheckOutcome::kWarn, "binlog and credentials travel unencrypted to " + config.host,
        "set [master.tls] enabled = true, ca_file and verify_server_cert = true");
  } else {
    Add(report, "tls", CheckOutcome::kOk, "off (loopback or option file)");
  }
}

void CheckStartPosition(MasterSession& s, const MasterConfig& config, PreflightReport* report) {
  if (config.start.from != StartFrom::kPosition) return;
  auto logs = s.Query("SHOW BINARY LOGS");
  if (!logs.ok()) {
    Add(report, "start_position", CheckOutcome::kWarn,
        "cannot list the master's binlogs: " + std::string(logs.status().message()),
        "GRANT BINLOG MONITOR ON *.* to the replication account");
    return;
  }
  const BinlogPosition& want = config.start.position;
  std::string oldest, newest;
  for (const SqlRow& row : *logs) {
    if (row.empty() || !row[0]) continue;
    if (oldest.empty()) oldest = *row[0];
    newest = *row[0];
    if (*row[0] != want.file) continue;
    uint64_t size = row.size() > 1 && row[1] ? std::strtoull(row[1]->c_str(), nullptr, 10) : 0;
    if (want.offset < 4 || want.offset > size) {
      Add(report, "start_position", CheckOutcome::kFail,
          "offset " + std::to_string(want.offset) + " is outside " + want.file + " (size " + std::to_string(size) + ")",
          "use an event boundary of that file (mariadb-binlog or SHOW BINLOG EVENTS)", StatusCode::kInvalidArgument);
    } else {
      Add(report, "start_position", CheckOutcome::kOk, want.ToString());
    }
    return;
  }
  if (!oldest.empty() && BinlogFileIsOlder(want.file, oldest)) {
    Add(report, "start_position", CheckOutcome::kFail,
        "binlog " + want.file + " was purged from the master (its oldest is now " + oldest + ")",
        PurgedBinlogAdvice(), StatusCode::kBinlogPurged);
  } else {
    Add(report, "start_position", CheckOutcome::kFail,
        "binlog " + want.file + " does not exist on the master (it has " +
            (oldest.empty() ? std::string("none") : oldest + " .. " + newest) + ")",
        "check the start position", StatusCode::kNotFound);
  }
}

}  // namespace

std::string PurgedBinlogAdvice() {
  return "run `vomsrepl bootstrap` for the database(s) to start again from a fresh copy (the changes in between "
         "can no longer be streamed)";
}

bool BinlogFileIsOlder(std::string_view file, std::string_view oldest) {
  std::string_view b1, b2;
  uint64_t i1 = 0, i2 = 0;
  if (!SplitBinlogName(file, &b1, &i1) || !SplitBinlogName(oldest, &b2, &i2)) return false;
  return b1 == b2 && i1 < i2;
}

std::string ServerIdLockName(uint32_t server_id) { return "vomsrepl.server_id." + std::to_string(server_id); }

Result<uint32_t> PickServerId(MasterSession& s, const MasterConfig& config) {
  uint32_t master_id = 0;
  {
    VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT @@server_id"));
    if (!rows.empty() && !rows[0].empty() && rows[0][0]) master_id = uint32_t(std::strtoul(rows[0][0]->c_str(), nullptr, 10));
  }
  std::vector<uint32_t> taken = config.avoid_server_ids;
  taken.push_back(master_id);
  if (auto hosts = s.Query("SHOW SLAVE HOSTS"); hosts.ok()) {  // denied to least-privilege accounts: the locks remain
    for (const SqlRow& row : *hosts)
      if (!row.empty() && row[0]) taken.push_back(uint32_t(std::strtoul(row[0]->c_str(), nullptr, 10)));
  }
  // FNV-1a of the host name, mixed with the process id.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  uint32_t h = 2166136261u;
  for (const char* p = host; *p != '\0'; ++p) h = (h ^ uint8_t(*p)) * 16777619u;
  h ^= uint32_t(::getpid()) * 2654435761u;
  constexpr uint32_t kBase = 1u << 30;
  for (uint32_t i = 0; i < 1000; ++i) {
    uint32_t id = kBase + (h + i) % kBase;
    if (std::find(taken.begin(), taken.end(), id) != taken.end() || FeederLockHeld(s, id)) continue;
    return id;
  }
  return FailedPrecondition("no free server id found for this stream: give one with --server-id");
}

Status StatusForDuplicateServerId(const MasterConfig& config, std::string_view msg) {
  const std::string id = std::to_string(config.server_id);
  std::string text = "the master dropped this binlog stream because another replica connected with the same "
                     "server_id " + id + " (error 4052: " + std::string(msg) + ")";
  if (config.retry_duplicate_server_id)
    return Unavailable(text + "; something else uses server_id " + id + ": a `vomsrepl dump/stats --master "
                       "--server-id " + id + "` (leave --server-id out: a free one is picked) or a replica with "
                       "server_id=" + id + " in its my.cnf (give it another one, or change [master] server_id here); "
                       "reconnecting");
  return FailedPrecondition(text + "; that is most likely the vomsrepl feeder or a replica using it: leave "
                            "--server-id out (a free one is picked) or give one no replica uses");
}

Status StatusForDumpError(unsigned int err, std::string_view msg, std::string_view wanted) {
  std::string text = "the master refused the binlog dump from " + std::string(wanted) + ": error " +
                     std::to_string(err) + ": " + std::string(msg);
  if (err == ER_MASTER_FATAL_ERROR_READING_BINLOG) {
    bool purged = msg.find("Could not find first log file name in binary log index file") != std::string_view::npos ||
                  msg.find("Could not find GTID state requested by slave in any binlog files") != std::string_view::npos ||
                  msg.find("purged binary logs") != std::string_view::npos ||
                  msg.find("purged required binary logs") != std::string_view::npos ||
                  msg.find("purged binlog") != std::string_view::npos;
    if (purged) {
      return Status(StatusCode::kBinlogPurged,
                    "binlog " + std::string(wanted) + " is no longer on the master (purged): " + PurgedBinlogAdvice() +
                        " [master: " + std::string(msg) + "]");
    }
  }
  return FailedPrecondition(std::move(text));
}

void RunPreflightChecks(MasterSession& session, const MasterConfig& config, PreflightReport* report) {
  Add(report, "reachable", CheckOutcome::kOk, session.HostInfo());
  CheckTls(session, config, report);
  CheckVariables(session, config, report);
  CheckServerIds(session, config, report);
  CheckPrivileges(session, report);
  CheckStartPosition(session, config, report);
}

// ---- MasterConfig, PreflightReport ----

Status MasterConfig::Validate() const {
  if (server_id == 0 && !pick_server_id)
    return InvalidArgument("master: server_id must be set (non-zero, unique among the replicas)");
  if (defaults_file.empty() && user.empty())
    return InvalidArgument("master: set defaults_file (an option file with [client] user and password)");
  if (!socket.empty() && !host.empty() && host != "localhost")
    return InvalidArgument("master: give either a host or a socket, not both");
  if (start.from == StartFrom::kPosition) {
    if (start.position.file.empty()) return InvalidArgument("master: start position needs a binlog file name");
    if (start.position.file.find('/') != std::string::npos)
      return InvalidArgument("master: start position file '" + start.position.file + "' must not contain '/'");
    if (start.position.offset < 4)
      return InvalidArgument("master: start position offset must be >= 4 (after the binlog magic)");
  }
  if (read_timeout.count() <= 0) return InvalidArgument("master: read_timeout must be > 0");
  if (connect_timeout.count() <= 0) return InvalidArgument("master: connect_timeout must be > 0");
  if (heartbeat_period.count() < 0) return InvalidArgument("master: heartbeat_period must be >= 0");
  if (blocking && heartbeat_period.count() == 0)
    return InvalidArgument("master: a following (blocking) stream needs a heartbeat_period > 0");
  if (heartbeat_period >= read_timeout)
    return InvalidArgument("master: heartbeat_period must be shorter than read_timeout, or an idle master looks dead");
  if (backoff_initial.count() <= 0) return InvalidArgument("master: backoff_initial must be > 0");
  if (backoff_max < backoff_initial) return InvalidArgument("master: backoff_max must be >= backoff_initial");
  if (report_host.empty() || report_host.size() > 60) return InvalidArgument("master: report_host must be 1..60 characters");
  if (tls.enabled) {
    if (tls.verify_server_cert && tls.ca_file.empty())
      return InvalidArgument("master: [master.tls] verify_server_cert = true needs ca_file (the CA that signed the "
                             "master's certificate)");
    if (tls.cert_file.empty() != tls.key_file.empty())
      return InvalidArgument("master: [master.tls] cert_file and key_file go together (a client certificate and its key)");
    for (const std::string* f : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
      if (!f->empty() && ::access(f->c_str(), R_OK) != 0)
        return InvalidArgument("master: [master.tls] cannot read " + *f + ": " + std::strerror(errno));
    }
  }
  return Status::OK();
}

std::string MasterConfig::Describe() const {
  std::string who = user.empty() ? std::string("[") + defaults_group + "] of " + defaults_file : user;
  if (!socket.empty()) return who + " via " + socket;
  std::string h = host.empty() ? "(host from option file)" : host;
  return who + " at " + h + (port ? ":" + std::to_string(port) : "");
}

std::string_view CheckOutcomeName(CheckOutcome o) {
  static constexpr std::string_view kNames[] = {"ok", "info", "warn", "FAIL"};
  return EnumName(o, kNames);
}

bool PreflightReport::ok() const {
  return std::none_of(checks.begin(), checks.end(), [](const PreflightCheck& c) { return c.outcome == CheckOutcome::kFail; });
}

Status PreflightReport::ToStatus() const {
  for (const PreflightCheck& c : checks) {
    if (c.outcome != CheckOutcome::kFail) continue;
    std::string m = "preflight " + c.name + ": " + c.detail;
    if (!c.fix.empty()) m += "; fix: " + c.fix;
    return Status(c.code, std::move(m));
  }
  return Status::OK();
}

std::string PreflightReport::ToString() const {
  std::string out;
  for (const PreflightCheck& c : checks) {
    std::string_view n = CheckOutcomeName(c.outcome);
    out += std::string(n) + std::string(5 - std::min<size_t>(n.size(), 4), ' ') + c.name + ": " + c.detail;
    if (!c.fix.empty() && c.outcome != CheckOutcome::kOk) out += c.outcome == CheckOutcome::kInfo ? "; " + c.fix
                                                                                                  : "; fix: " + c.fix;
    out += '\n';
  }
  return out;
}

}  // namespace vomsrepl::source
