#include "apply/replica_session.h"

#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <cstring>

#include <vomsrepl/ascii.h>

#include "apply/applier_grants.h"
#include "apply/database_hold.h"
#include "apply/sql_identifier.h"
#include "connect/connection.h"

namespace vomsrepl::apply {
namespace {

connect::ConnectOptions ConnectOptionsOf(const ReplicaConfig& c) {
  connect::ConnectOptions o = connect::CommonConnectOptions(c);
  o.charset = "utf8mb4";
  o.found_rows = true;
  return o;
}

// The connector's name of each parameter type (param_binder.h).
enum_field_types FieldType(ParamType type) {
  switch (type) {
    case ParamType::kNull: return MYSQL_TYPE_NULL;
    case ParamType::kLongLong: return MYSQL_TYPE_LONGLONG;
    case ParamType::kFloat: return MYSQL_TYPE_FLOAT;
    case ParamType::kDouble: return MYSQL_TYPE_DOUBLE;
    case ParamType::kNewDecimal: return MYSQL_TYPE_NEWDECIMAL;
    case ParamType::kDate: return MYSQL_TYPE_DATE;
    case ParamType::kTime: return MYSQL_TYPE_TIME;
    case ParamType::kDateTime: return MYSQL_TYPE_DATETIME;
    case ParamType::kTimestamp: return MYSQL_TYPE_TIMESTAMP;
    case ParamType::kBlob: return MYSQL_TYPE_BLOB;
    case ParamType::kString: return MYSQL_TYPE_STRING;
  }
  return MYSQL_TYPE_NULL;
}

// A temporal value in the connector's form: a TIMESTAMP goes as a DATETIME
// (in the session's UTC), a DATE and a TIME as their own kinds.
MYSQL_TIME ToMysqlTime(const BoundValue& v) {
  MYSQL_TIME t;
  std::memset(&t, 0, sizeof t);
  t.year = v.num.t.year;
  t.month = v.num.t.month;
  t.day = v.num.t.day;
  t.hour = v.num.t.hour;
  t.minute = v.num.t.minute;
  t.second = v.num.t.second;
  t.second_part = v.num.t.second_part;
  t.neg = v.num.t.neg;
  t.time_type = v.type == ParamType::kDate   ? MYSQL_TIMESTAMP_DATE
                : v.type == ParamType::kTime ? MYSQL_TIMESTAMP_TIME
                                             : MYSQL_TIMESTAMP_DATETIME;
  return t;
}

// The connector reads parameter buffers, never writes them: the casts only
// fit its non-const `void* buffer`.
void* ParamBuffer(const void* p) { return const_cast<void*>(p); }

}  // namespace

struct ReplicaSession::ParamBuffers {
  struct Column {  // one bulk parameter, column-wise (ExecuteBulk)
    std::vector<int64_t> ints;
    std::vector<float> floats;
    std::vector<double> doubles;
    std::vector<MYSQL_TIME> times;
    std::vector<char*> pointers;
    std::vector<unsigned long> lengths;
    std::vector<char> indicators;
  };
  std::vector<MYSQL_BIND> binds;
  std::vector<MYSQL_TIME> times;  // BindValues
  std::vector<Column> columns;    // ExecuteBulk
};

void BindValues(std::span<const BoundValue> values, const std::string& arena, std::vector<MYSQL_BIND>& binds,
                std::vector<MYSQL_TIME>& times) {
  binds.resize(values.size());
  times.resize(values.size());
  std::memset(binds.data(), 0, binds.size() * sizeof(MYSQL_BIND));
  for (size_t i = 0; i < values.size(); ++i) {
    const BoundValue& v = values[i];
    MYSQL_BIND& b = binds[i];
    b.buffer_type = FieldType(v.type);
    switch (v.type) {
      case ParamType::kNull:
        break;
      case ParamType::kLongLong:
        b.buffer = ParamBuffer(&v.num.i);
        b.is_unsigned = v.is_unsigned;
        break;
      case ParamType::kFloat:
        b.buffer = ParamBuffer(&v.num.f);
        break;
      case ParamType::kDouble:
        b.buffer = ParamBuffer(&v.num.d);
        break;
      case ParamType::kDate: case ParamType::kTime: case ParamType::kDateTime: case ParamType::kTimestamp:
        times[i] = ToMysqlTime(v);
        b.buffer = &times[i];
        b.buffer_length = sizeof(MYSQL_TIME);
        break;
      default:  // bytes
        b.buffer = ParamBuffer(v.length ? arena.data() + v.offset : "");
        b.buffer_length = v.length;
        break;
    }
  }
}

bool IsRetryableReplicaError(unsigned int e) {
  return connect::IsTransientConnectionError(e) ||
         e == ER_LOCK_DEADLOCK ||     // 1213: the transaction was rolled back
         e == ER_LOCK_WAIT_TIMEOUT;   // 1205
}

ReplicaSession::ReplicaSession() : params_(std::make_unique<ParamBuffers>()) {}

ReplicaSession::~ReplicaSession() { Close(); }

void ReplicaSession::ClearStatements() {
  for (auto& [sql, cached] : statements_) mysql_stmt_close(cached.stmt);
  statements_.clear();
  lru_.clear();
}

void ReplicaSession::Close() {
  // Best effort, and not after a client-side error (2000-2999: lost or
  // broken connection), which could block for the read timeout: the server
  // releases a dead connection's locks itself.
  if (mysql_ != nullptr && !(last_errno_ >= 2000 && last_errno_ < 3000)) {
    // Newest first: the channel lock goes last, so that whoever takes it next
    // also finds its holder lock free (apply/channel_lock.h).
    for (auto it = user_locks_.rbegin(); it != user_locks_.rend(); ++it)
      if (!QueryPrepared("SELECT RELEASE_LOCK(?)", {*it}).ok()) break;
  }
  user_locks_.clear();
  ClearStatements();
  if (mysql_ != nullptr) mysql_close(mysql_);
  mysql_ = nullptr;
  source_gtid_set_ = false;
  foreign_key_checks_ = unique_checks_ = -1;
}

Status ReplicaSession::ErrorStatus(std::string_view what, st_mysql_stmt* stmt) {
  unsigned int e = stmt ? mysql_stmt_errno(stmt) : (mysql_ ? mysql_errno(mysql_) : 0);
  const char* m = stmt ? mysql_stmt_error(stmt) : (mysql_ ? mysql_error(mysql_) : "no session");
  last_errno_ = e;
  std::string msg = config_.name + ": " + std::string(what) + ": error " + std::to_string(e) + ": " + m;
  if (IsRetryableReplicaError(e)) return Unavailable(std::move(msg));
  return FailedPrecondition(std::move(msg));
}

Status ReplicaSession::Open(const ReplicaConfig& config) {
  Close();
  config_ = config;
  warnings_.clear();
  last_errno_ = 0;
  connect::ConnectError error;
  connect::Connection connection = connect::Connect(ConnectOptionsOf(config), &error);
  if (connection == nullptr) {
    if (error.kind == connect::ConnectError::Kind::kOutOfMemory) return Internal(error.message);
    if (error.kind == connect::ConnectError::Kind::kNoPassword) return InvalidArgument(error.message);
    const std::string prefix = config.name + ": cannot connect (option file " + config.defaults_file + "): ";
    const unsigned int e = error.code;
    last_errno_ = e;
    if (error.kind == connect::ConnectError::Kind::kPlaintext) return TlsFailure(prefix, error.message);
    std::string msg = prefix + "error " + std::to_string(e) + ": " + error.message;
    if (IsRetryableReplicaError(e)) return Unavailable(std::move(msg));
    if (error.kind == connect::ConnectError::Kind::kTls)
      return TlsFailure(prefix + "error " + std::to_string(e) + ": ", error.message);
    return FailedPrecondition(std::move(msg));
  }
  MYSQL* m = connection.release();
  mysql_ = m;
  unsigned long server_caps = 0, extended_caps = 0;
  mariadb_get_infov(m, MARIADB_CONNECTION_SERVER_CAPABILITIES, &server_caps);
  mariadb_get_infov(m, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended_caps);
  mariadb_ = !(server_caps & CLIENT_MYSQL);
  supports_bulk_ = mariadb_ && (extended_caps & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32));
  VOMSREPL_RETURN_IF_ERROR(RestoreSessionSettings());
  auto rows = Query("SELECT @@session.max_allowed_packet");
  if (!rows.ok()) return rows.status();
  if (!rows->empty() && (*rows)[0][0]) max_allowed_packet_ = std::strtoull((*rows)[0][0]->c_str(), nullptr, 10);
  if (config.preserve_gtid) VOMSREPL_RETURN_IF_ERROR(OpenPreservingGtid());
  return Status::OK();
}

Status ReplicaSession::TlsFailure(const std::string& prefix, std::string_view error) const {
  // How TLS failures name a replica; its settings are in its TLS table, or the
  // ssl-* keys of its option file.
  const connect::ServerWording wording{config_.name + ": the server", "that server", "its", "it", "for it",
                                       config_.tls_table, false};
  return FailedPrecondition(connect::DescribeTlsFailure(wording, ConnectOptionsOf(config_), prefix, error).message);
}

std::string ReplicaSession::TlsDescription() const {
  const connect::TlsState tls = connect::QueryTls(mysql_);
  if (tls.cipher.empty()) return {};
  return (tls.version.empty() ? std::string() : tls.version + " ") + tls.cipher;
}

Status ReplicaSession::OpenPreservingGtid() {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, Query("SELECT @@global.log_bin, @@global.server_id, VERSION()"));
  if (rows.empty() || rows[0].size() < 3 || !rows[0][0] || !rows[0][1] || !rows[0][2])
    return Internal(config_.name + ": no answer to SELECT @@global.log_bin, @@global.server_id");
  if (rows[0][2]->find("MariaDB") == std::string::npos) {
    return FailedPrecondition(config_.name + ": preserve_gtid needs a MariaDB replica (server " + *rows[0][2] +
                              "): MariaDB GTIDs cannot be given to a MySQL server");
  }
  if (*rows[0][0] == "0") {
    return FailedPrecondition(config_.name +
                              ": preserve_gtid is set but the replica has no binary log (log_bin=OFF): there is "
                              "no GTID to preserve; start it with log_bin, or remove preserve_gtid");
  }
  own_server_id_ = uint32_t(std::strtoul(rows[0][1]->c_str(), nullptr, 10));
  source_gtid_set_ = true;  // force the SET: the session starts in the server's default domain
  return UseStateGtid();
}

Status ReplicaSession::UseStateGtid() {
  if (!config_.preserve_gtid || !source_gtid_set_) return Status::OK();
  Status st = Execute("SET gtid_domain_id = " + std::to_string(config_.state_gtid_domain) +
                      ", server_id = " + std::to_string(own_server_id_));
  if (!st.ok() && last_errno_ == ER_SPECIFIC_ACCESS_DENIED_ERROR) {
    auto who = Query("SELECT CURRENT_USER()");
    std::string user = (who.ok() && !who->empty() && (*who)[0][0]) ? *(*who)[0][0] : "the applier account";
    return FailedPrecondition(config_.name + ": preserve_gtid needs the BINLOG REPLAY privilege to set the session's "
                              "gtid_domain_id, server_id and gtid_seq_no (fix: GRANT BINLOG REPLAY ON *.* TO " +
                              user + "): " + std::string(st.message()));
  }
  VOMSREPL_RETURN_IF_ERROR(st);
  source_gtid_set_ = false;
  return Status::OK();
}

Status ReplicaSession::SetSourceGtid(const MariadbGtid& gtid) {
  if (!config_.preserve_gtid) return Status::OK();
  if (gtid.domain_id == config_.state_gtid_domain) {
    return FailedPrecondition(config_.name + ": source GTID " + gtid.ToString() + " is in domain " +
                              std::to_string(gtid.domain_id) +
                              ", the state_gtid_domain of this replica (vomsrepl's own writes): choose another "
                              "state_gtid_domain, one the master never uses");
  }
  source_gtid_set_ = true;  // even on error: the session may be half set
  // Two statements: the server checks every assignment of one SET before it makes any,
  // so gtid_seq_no would be checked against the state domain still in effect.
  VOMSREPL_RETURN_IF_ERROR(Execute("SET gtid_domain_id = " + std::to_string(gtid.domain_id) +
                                   ", server_id = " + std::to_string(gtid.server_id)));
  Status st = Execute("SET gtid_seq_no = " + std::to_string(gtid.seq_no));
  if (!st.ok() && last_errno_ == ER_GTID_STRICT_OUT_OF_ORDER) {
    auto pos = GtidBinlogPos();
    std::string held = pos.ok() ? pos->ToString() : "?";
    return FailedPrecondition(
        config_.name + ": preserve_gtid: the replica's binlog already holds a GTID of domain " +
        std::to_string(gtid.domain_id) + " with a sequence number of " + std::to_string(gtid.seq_no) +
        " or more (its gtid_binlog_pos is " + held + "), and gtid_strict_mode refuses " + gtid.ToString() +
        " (its own writes logged in the master's domain, e.g. a bootstrap or a manual change: give the replica a "
        "gtid_domain_id of its own, or RESET MASTER on it if nothing needs its binlog): " + std::string(st.message()));
  }
  return st;
}

Result<MariadbGtidList> ReplicaSession::GtidBinlogPos() {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, Query("SELECT @@global.gtid_binlog_pos"));
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return MariadbGtidList{};
  auto pos = MariadbGtidList::Parse(*rows[0][0]);
  if (!pos.ok()) return pos.status().WithContext(config_.name + ": @@gtid_binlog_pos");
  return pos;
}

Status ReplicaSession::RestoreSessionSettings() {
  std::string sql =
      "SET NAMES utf8mb4, character_set_results = binary, time_zone = '+00:00', autocommit = 1, "
      "sql_mode = '";
  sql += kSqlMode;
  sql += "', foreign_key_checks = 1, unique_checks = 1, timestamp = DEFAULT, collation_server = DEFAULT";
  if (mariadb_) sql += ", explicit_defaults_for_timestamp = DEFAULT, check_constraint_checks = DEFAULT";
  VOMSREPL_RETURN_IF_ERROR(Execute(sql));
  foreign_key_checks_ = unique_checks_ = 1;
  return Status::OK();
}

Status ReplicaSession::Preflight() {
  // TLS as it ended up (Open refused every session that should be TLS and is not).
  const std::string tls = TlsDescription();
  if (config_.tls.enabled && !config_.tls.verify_server_cert) {
    warnings_.push_back(config_.name + ": TLS " + tls + ", " +
                        (config_.tls.ca_file.empty()
                             ? std::string("server certificate NOT verified (no ca_file): anyone on the path can "
                                           "pose as the replica")
                             : "host name NOT checked (chain verified against " + config_.tls.ca_file + ")") +
                        "; set " + config_.tls_table + " verify_server_cert = true and ca_file");
  } else if (tls.empty() && mysql_ != nullptr) {
    const char* info = mysql_get_host_info(mysql_);
    std::string_view host = info ? std::string_view(info) : std::string_view();
    if (host.find("TCP") != std::string_view::npos && host.rfind("127.", 0) != 0 && host.rfind("localhost", 0) != 0 &&
        host.rfind("::1", 0) != 0) {
      warnings_.push_back(config_.name + ": changes and credentials travel unencrypted (" + std::string(host) +
                          "); set " + config_.tls_table + " enabled = true and ca_file");
    }
  }
  auto ro = Query("SELECT @@global.read_only, CURRENT_USER(), VERSION()");
  if (!ro.ok()) return ro.status();
  bool read_only = !ro->empty() && (*ro)[0][0] && *(*ro)[0][0] != "0" && AsciiUpper(*(*ro)[0][0]) != "OFF";
  std::string user = (!ro->empty() && (*ro)[0][1]) ? *(*ro)[0][1] : "?";
  if (!read_only) {
    if (!config_.allow_writable) {
      return FailedPrecondition(config_.name +
                                ": the replica is writable (read_only=OFF); vomsrepl applies only to read-only "
                                "replicas and never changes read_only (set read_only=ON on the replica, or "
                                "allow_writable for a test set-up)");
    }
    warnings_.push_back(config_.name + ": replica is writable (read_only=OFF), accepted by allow_writable");
  }
  // SHOW GRANTS lines carry password hashes: only keywords and names are
  // taken from them (applier_grants.h), and nothing of a line is logged.
  auto grants = Query("SHOW GRANTS FOR CURRENT_USER()");
  if (!grants.ok()) return grants.status();
  std::vector<std::string> lines;
  for (const SqlRow& r : *grants) {
    if (!r.empty() && r[0]) lines.push_back(*r[0]);
  }
  // READ ONLY ADMIN is MariaDB's (10.5+); a MySQL replica is not checked for
  // the privilege that lets it write under read_only (SUPER, CONNECTION_ADMIN).
  bool mariadb = !ro->empty() && ro->front().size() > 2 && (*ro)[0][2] &&
                 (*ro)[0][2]->find("MariaDB") != std::string::npos;
  ApplierGrantReport g = CheckApplierGrants(lines, config_.state_schema, read_only && mariadb, config_.preserve_gtid);
  auto list = [](const std::vector<MissingGrant>& v, bool with_fix, const std::string& who) {
    std::string out;
    for (const MissingGrant& m : v) {
      out += (out.empty() ? "" : "; ") + m.privileges + " on " + m.on;
      if (with_fix) out += " (fix: GRANT " + m.privileges + " ON " + m.fix_on + " TO " + who + ")";
    }
    return out;
  };
  if (!g.missing.empty()) {
    std::string m = config_.name + ": account " + user + " lacks " + list(g.missing, true, user);
    if (read_only && std::any_of(g.missing.begin(), g.missing.end(),
                                 [](const MissingGrant& x) { return x.privileges == "READ ONLY ADMIN"; })) {
      m += "; without READ ONLY ADMIN its writes are refused while read_only=ON (MariaDB 10.11: SUPER does not "
           "include it)";
    }
    if (!g.unsure) return FailedPrecondition(std::move(m));
    warnings_.push_back(m + " (unless a role or a table-level grant gives it)");
  }
  if (!g.missing_ddl.empty()) {
    warnings_.push_back(config_.name + ": account " + user + " lacks " + list(g.missing_ddl, false, user) +
                        ": the master's DDL (CREATE/ALTER/DROP TABLE) would stop this replica");
  }
  if (!g.excess.empty()) {
    std::string e;
    for (const std::string& x : g.excess) e += (e.empty() ? "" : ", ") + x;
    warnings_.push_back(config_.name + ": account " + user + " has more privilege than the applier needs: " + e +
                        " (it needs only READ ONLY ADMIN" + (config_.preserve_gtid ? " and BINLOG REPLAY" : "") +
                        " on *.* and DML/DDL on the replicated databases and on " +
                        QuoteIdentifier(config_.state_schema) + ")");
  }
  // Can it write its own state? Create the table (the applier needs it
  // anyway), then a write that changes nothing: read_only (1290) and missing
  // grants (1142) refuse it all the same.
  if (EnsureProgressTable().ok()) {
    Status w = Execute("UPDATE " + QuoteIdentifier(config_.state_schema) + ".`progress` SET `seq` = `seq` WHERE FALSE");
    if (!w.ok()) {
      warnings_.push_back(config_.name + ": account " + user + " cannot write " +
                          QuoteIdentifier(config_.state_schema) + ".`progress`: " + std::string(w.message()));
    }
  }
  return Status::OK();
}

Status ReplicaSession::EnsureProgressTable() {
  VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(config_.state_schema));
  std::string schema = QuoteIdentifier(config_.state_schema);
  Status st = Execute("CREATE DATABASE IF NOT EXISTS " + schema);
  if (!st.ok()) {
    warnings_.push_back(config_.name + ": cannot create or write the state schema " + schema + ": " +
                        std::string(st.message()));
    return st;
  }
  st = Execute("CREATE TABLE IF NOT EXISTS " + schema +
               ".`progress` ("
               "`channel` VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL PRIMARY KEY, "
               "`seq` BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'journal sequence of the last applied transaction', "
               "`gtid` VARCHAR(255) CHARACTER SET utf8mb4 NOT NULL DEFAULT '' COMMENT 'its source GTID', "
               "`gtid_state` TEXT CHARACTER SET utf8mb4 NULL COMMENT 'MariaDB GTID position including it', "
               "`file` VARCHAR(512) CHARACTER SET utf8mb4 NOT NULL DEFAULT '' COMMENT 'source binlog file', "
               "`pos` BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'source position after it', "
               "`applied_at` DATETIME(6) NULL COMMENT 'UTC', "
               "`ddl_seq_pending` BIGINT UNSIGNED NULL COMMENT 'a DDL that may or may not have run'"
               ") ENGINE=InnoDB");
  if (!st.ok()) {
    warnings_.push_back(config_.name + ": cannot create " + schema + ".`progress`: " + std::string(st.message()));
    return st;
  }
  st = EnsureHoldTable(*this);
  if (!st.ok()) {
    warnings_.push_back(config_.name + ": cannot create " + schema + ".`held_database`: " + std::string(st.message()));
    return st;
  }
  return Status::OK();
}

Status ReplicaSession::Execute(std::string_view sql) {
  if (mysql_ == nullptr) return Unavailable(config_.name + ": statement on a closed session");
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    std::string what(sql.substr(0, 200));
    return ErrorStatus(what);
  }
  if (MYSQL_RES* r = mysql_store_result(mysql_)) mysql_free_result(r);
  last_errno_ = 0;
  return Status::OK();
}

unsigned long ReplicaSession::connection_id() const { return mysql_ ? mysql_thread_id(mysql_) : 0; }

uint64_t ReplicaSession::affected_rows() const {
  return mysql_ ? static_cast<uint64_t>(mysql_affected_rows(mysql_)) : 0;
}

Result<std::vector<SqlRow>> ReplicaSession::Query(std::string_view sql) {
  if (mysql_ == nullptr) return Unavailable(config_.name + ": query on a closed session");
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return ErrorStatus(sql.substr(0, 200));
  std::vector<SqlRow> rows;
  if (!connect::StoreRows(mysql_, &rows)) return ErrorStatus(sql.substr(0, 200));
  last_errno_ = 0;
  return rows;
}

Result<std::vector<SqlRow>> ReplicaSession::QueryPrepared(const std::string& sql,
                                                          const std::vector<std::string>& params) {
  VOMSREPL_ASSIGN_OR_RETURN(MYSQL_STMT * stmt, Prepare(sql));
  std::vector<MYSQL_BIND> in(params.size());
  std::memset(in.data(), 0, in.size() * sizeof(MYSQL_BIND));
  for (size_t i = 0; i < params.size(); ++i) {
    in[i].buffer_type = MYSQL_TYPE_STRING;
    in[i].buffer = const_cast<char*>(params[i].data());
    in[i].buffer_length = params[i].size();
  }
  std::string what = sql.substr(0, 200);
  if (!in.empty() && mysql_stmt_bind_param(stmt, in.data()) != 0) return ErrorStatus(what, stmt);
  if (mysql_stmt_execute(stmt) != 0) return ErrorStatus(what, stmt);
  unsigned int n = mysql_stmt_field_count(stmt);
  std::vector<SqlRow> rows;
  if (n == 0) return rows;
  if (mysql_stmt_store_result(stmt) != 0) return ErrorStatus(what, stmt);
  constexpr size_t kBuf = 512;
  std::vector<std::string> buffers(n, std::string(kBuf, '\0'));
  std::vector<unsigned long> lengths(n);
  std::vector<my_bool> nulls(n);
  std::vector<MYSQL_BIND> out(n);
  std::memset(out.data(), 0, out.size() * sizeof(MYSQL_BIND));
  for (unsigned int i = 0; i < n; ++i) {
    out[i].buffer_type = MYSQL_TYPE_STRING;
    out[i].buffer = buffers[i].data();
    out[i].buffer_length = kBuf;
    out[i].length = &lengths[i];
    out[i].is_null = &nulls[i];
  }
  if (mysql_stmt_bind_result(stmt, out.data()) != 0) {
    Status st = ErrorStatus(what, stmt);
    mysql_stmt_free_result(stmt);
    return st;
  }
  while (true) {
    int rc = mysql_stmt_fetch(stmt);
    if (rc == MYSQL_NO_DATA) break;
    if (rc == 1) {
      Status st = ErrorStatus(what, stmt);
      mysql_stmt_free_result(stmt);
      return st;
    }
    SqlRow row(n);
    for (unsigned int i = 0; i < n; ++i) {
      if (nulls[i]) continue;
      if (lengths[i] <= kBuf) {
        row[i] = std::string(buffers[i].data(), lengths[i]);
      } else {  // MYSQL_DATA_TRUNCATED: fetch the whole value
        std::string big(lengths[i], '\0');
        MYSQL_BIND b;
        std::memset(&b, 0, sizeof b);
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = big.data();
        b.buffer_length = big.size();
        if (mysql_stmt_fetch_column(stmt, &b, i, 0) != 0) {
          Status st = ErrorStatus(what, stmt);
          mysql_stmt_free_result(stmt);
          return st;
        }
        row[i] = std::move(big);
      }
    }
    rows.push_back(std::move(row));
  }
  mysql_stmt_free_result(stmt);
  last_errno_ = 0;
  return rows;
}

Result<st_mysql_stmt*> ReplicaSession::Prepare(const std::string& sql) {
  if (mysql_ == nullptr) return Unavailable(config_.name + ": prepare on a closed session");
  auto it = statements_.find(sql);
  if (it != statements_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.stmt;
  }
  if (statements_.size() >= kMaxStatements) {
    const std::string& victim = lru_.back();
    auto v = statements_.find(victim);
    mysql_stmt_close(v->second.stmt);
    statements_.erase(v);
    lru_.pop_back();
  }
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (stmt == nullptr) return Internal("mysql_stmt_init failed (out of memory)");
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    Status st = ErrorStatus("prepare " + sql.substr(0, 300), stmt);
    mysql_stmt_close(stmt);
    return st;
  }
  lru_.push_front(sql);
  statements_.emplace(sql, CachedStatement{stmt, lru_.begin()});
  return stmt;
}

Status ReplicaSession::ExecutePrepared(st_mysql_stmt* stmt, std::span<const BoundValue> values,
                                       const std::string& arena, uint64_t* affected, std::string_view what) {
  if (values.empty()) return ExecuteBound(stmt, nullptr, affected, what);
  BindValues(values, arena, params_->binds, params_->times);
  return ExecuteBound(stmt, params_->binds.data(), affected, what);
}

Status ReplicaSession::ExecuteBulk(st_mysql_stmt* stmt, std::span<const BoundValue> values, size_t width,
                                   const std::string& arena, uint64_t* affected, std::string_view what) {
  if (width == 0) return Internal("bulk execution without parameters in " + std::string(what));
  const size_t rows = values.size() / width;
  std::vector<ParamBuffers::Column>& columns = params_->columns;
  std::vector<MYSQL_BIND>& binds = params_->binds;
  columns.resize(width);
  binds.resize(width);
  std::memset(binds.data(), 0, binds.size() * sizeof(MYSQL_BIND));
  for (size_t p = 0; p < width; ++p) {
    ParamBuffers::Column& a = columns[p];
    a.indicators.assign(rows, STMT_INDICATOR_NONE);
    // The column's type: the first non-NULL value's (every value of a column converts alike).
    const BoundValue* typed = nullptr;
    for (size_t r = 0; r < rows && typed == nullptr; ++r) {
      const BoundValue& v = values[r * width + p];
      if (!v.is_null()) typed = &v;
    }
    MYSQL_BIND& bind = binds[p];
    bind.u.indicator = a.indicators.data();
    // A column NULL in every row goes as the NULL type: any other type takes
    // part in the comparison's type check (`uuid_col <=> ?` typed BIGINT is
    // error 4078, "Illegal parameter data types").
    const ParamType type = typed ? typed->type : ParamType::kNull;
    bind.buffer_type = FieldType(type);
    bind.is_unsigned = typed ? typed->is_unsigned : false;
    switch (type) {
      case ParamType::kLongLong: a.ints.assign(rows, 0); bind.buffer = a.ints.data(); break;
      case ParamType::kFloat: a.floats.assign(rows, 0); bind.buffer = a.floats.data(); break;
      case ParamType::kDouble: a.doubles.assign(rows, 0); bind.buffer = a.doubles.data(); break;
      case ParamType::kDate: case ParamType::kTime: case ParamType::kDateTime: case ParamType::kTimestamp:
        // Connector/C reads types without a fixed wire size (temporals,
        // strings) column-wise as an array of pointers, one per row.
        a.times.assign(rows, MYSQL_TIME{});
        a.pointers.resize(rows);
        a.lengths.assign(rows, sizeof(MYSQL_TIME));
        for (size_t r = 0; r < rows; ++r) a.pointers[r] = reinterpret_cast<char*>(&a.times[r]);
        bind.buffer = a.pointers.data();
        bind.length = a.lengths.data();
        break;
      default:
        a.pointers.assign(rows, nullptr);
        a.lengths.assign(rows, 0);
        bind.buffer = a.pointers.data();
        bind.length = a.lengths.data();
        break;
    }
    for (size_t r = 0; r < rows; ++r) {
      const BoundValue& v = values[r * width + p];
      if (v.is_null()) {
        a.indicators[r] = STMT_INDICATOR_NULL;
        continue;
      }
      if (v.type != type) return Internal("bulk parameter of mixed types in " + std::string(what));
      switch (type) {
        case ParamType::kLongLong: a.ints[r] = v.num.i; break;
        case ParamType::kFloat: a.floats[r] = v.num.f; break;
        case ParamType::kDouble: a.doubles[r] = v.num.d; break;
        case ParamType::kDate: case ParamType::kTime: case ParamType::kDateTime: case ParamType::kTimestamp:
          a.times[r] = ToMysqlTime(v);
          break;
        default:
          a.pointers[r] = const_cast<char*>(arena.data()) + v.offset;
          a.lengths[r] = v.length;
          break;
      }
    }
  }
  unsigned int array_size = unsigned(rows);
  mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size);
  Status st = ExecuteBound(stmt, binds.data(), affected, what);
  // The attribute stays set on the statement (FACTS.md bulk pitfall 4): reset it.
  array_size = 0;
  mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size);
  return st;
}

Result<bool> ReplicaSession::ExecuteFindsRow(st_mysql_stmt* stmt, std::span<const BoundValue> values,
                                             const std::string& arena, std::string_view what) {
  BindValues(values, arena, params_->binds, params_->times);
  if (mysql_stmt_bind_param(stmt, params_->binds.data()) != 0 || mysql_stmt_execute(stmt) != 0 ||
      mysql_stmt_store_result(stmt) != 0)
    return ErrorStatus(what, stmt);
  bool found = mysql_stmt_num_rows(stmt) > 0;
  mysql_stmt_free_result(stmt);
  return found;
}

Status ReplicaSession::ExecuteBound(st_mysql_stmt* stmt, st_mysql_bind* binds, uint64_t* affected,
                                    std::string_view what) {
  last_was_warning_ = false;
  if (binds != nullptr && mysql_stmt_bind_param(stmt, binds) != 0) return ErrorStatus(what, stmt);
  if (mysql_stmt_execute(stmt) != 0) return ErrorStatus(what, stmt);
  if (affected) *affected = static_cast<uint64_t>(mysql_stmt_affected_rows(stmt));
  // Statements of the applier return no result set; free one if there is.
  if (mysql_stmt_field_count(stmt) != 0) mysql_stmt_free_result(stmt);
  last_errno_ = 0;
  // The count is in the statement's OK packet: checking it costs nothing.
  if (mysql_stmt_warning_count(stmt) > 0) return WarningStatus(what);
  return Status::OK();
}

std::string ReplicaSession::WarningsText(unsigned int* first_code) {
  auto rows = Query("SHOW WARNINGS");
  std::string text;
  if (first_code) *first_code = 0;
  if (!rows.ok()) return "(SHOW WARNINGS failed: " + std::string(rows.status().message()) + ")";
  for (const SqlRow& r : *rows) {
    if (r.size() < 3) continue;
    if (!text.empty()) text += "; ";
    text += r[0].value_or("?") + " " + r[1].value_or("?") + ": " + r[2].value_or("");
    if (first_code && *first_code == 0)
      *first_code = unsigned(std::strtoul(r[1].value_or("0").c_str(), nullptr, 10));
  }
  return text;
}

std::string ReplicaSession::LastStatementWarnings() {
  if (mysql_ == nullptr || mysql_warning_count(mysql_) == 0) return {};
  return WarningsText(nullptr);
}

Status ReplicaSession::WarningStatus(std::string_view what) {
  unsigned int first = 0;
  std::string text = WarningsText(&first);
  last_errno_ = first;
  last_was_warning_ = true;
  return FailedPrecondition(config_.name + ": " + std::string(what) + ": the replica warned: " + text +
                            " (a warning means the replica did not store the source's value exactly)");
}

Status ReplicaSession::SetChecks(bool foreign_key_checks, bool unique_checks) {
  int fk = foreign_key_checks ? 1 : 0, uc = unique_checks ? 1 : 0;
  if (fk == foreign_key_checks_ && uc == unique_checks_) return Status::OK();
  std::string sql = "SET foreign_key_checks = ";
  sql += fk ? '1' : '0';
  sql += ", unique_checks = ";
  sql += uc ? '1' : '0';
  VOMSREPL_RETURN_IF_ERROR(Execute(sql));
  foreign_key_checks_ = fk;
  unique_checks_ = uc;
  return Status::OK();
}

}  // namespace vomsrepl::apply
