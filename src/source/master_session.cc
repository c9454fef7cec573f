#include "source/master_session.h"

#include <errmsg.h>
#include <mysql.h>  // before mariadb_rpl.h, which needs MYSQL
#include <mysqld_error.h>
#include <mariadb_rpl.h>

#include <cstdlib>

namespace vomsrepl::source {
namespace {

std::once_flag g_library_once;

void InitLibrary() {
  std::call_once(g_library_once, [] { mysql_library_init(0, nullptr, nullptr); });
}

// Where TLS settings come from, for messages: the [master.tls] table, or the
// ssl-* keys of the option file (dump/stats --master).
std::string TlsSettingName(const MasterConfig& c, std::string_view key, std::string_view option_file_key) {
  if (c.tls.enabled) return "[master.tls] " + std::string(key);
  return std::string(option_file_key) + " in " + c.defaults_file;
}

}  // namespace

bool IsTransientConnectionError(unsigned int e) {
  switch (e) {
    case CR_CONNECTION_ERROR:      // 2002 socket
    case CR_CONN_HOST_ERROR:       // 2003 TCP refused / unreachable
    case CR_SERVER_GONE_ERROR:     // 2006
    case CR_SERVER_LOST:           // 2013 (also a read timeout)
    case CR_SERVER_LOST_EXTENDED:  // 2055
    case CR_ERR_NET_READ:
    case CR_ERR_NET_WRITE:
    case ER_CON_COUNT_ERROR:       // 1040 too many connections
    case ER_SERVER_SHUTDOWN:       // 1053 shutdown in progress
    case ER_CONNECTION_KILLED:     // 1927
      return true;
    default:
      return false;
  }
}

MasterSession::~MasterSession() { Close(); }

void MasterSession::Close() {
  if (rpl_ != nullptr) {
    mariadb_rpl_close(rpl_);
    rpl_ = nullptr;
  }
  st_mysql* m = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    m = mysql_;
    mysql_ = nullptr;
  }
  if (m != nullptr) mysql_close(m);
}

Result<bool> MasterSession::StartDump(const DumpRequest& request) {
  if (rpl_ != nullptr) {
    mariadb_rpl_close(rpl_);
    rpl_ = nullptr;
  }
  rpl_ = mariadb_rpl_init(mysql_);
  if (rpl_ == nullptr) return Internal("mariadb_rpl_init failed: " + error_message());
  unsigned int flags = request.non_blocking ? MARIADB_RPL_BINLOG_DUMP_NON_BLOCK : 0;
  if (request.send_annotate_rows) flags |= MARIADB_RPL_BINLOG_SEND_ANNOTATE_ROWS;
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_SERVER_ID, static_cast<unsigned int>(request.server_id));
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FLAGS, flags);
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_FILENAME, request.file.c_str(), request.file.size());
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_START, static_cast<unsigned long>(request.position));
  // A report host makes the connector send COM_REGISTER_SLAVE: the stream then
  // shows in SHOW SLAVE HOSTS under our server_id.
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_HOST, request.report_host.c_str());
  mariadb_rpl_optionsv(rpl_, MARIADB_RPL_PORT, static_cast<uint32_t>(0));
  return mariadb_rpl_open(rpl_) == 0;
}

bool MasterSession::ReadPacket(std::span<const std::byte>* packet) {
  *packet = {};
  if (mysql_ == nullptr) return false;
  unsigned long len = mysql_net_read_packet(mysql_);
  if (len == packet_error) return false;
  *packet = std::span<const std::byte>(reinterpret_cast<const std::byte*>(mysql_->net.read_pos), len);
  return true;
}

void MasterSession::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (mysql_ != nullptr) mariadb_cancel(mysql_);
}

unsigned int MasterSession::error_number() const { return mysql_ ? mysql_errno(mysql_) : 0; }

std::string MasterSession::error_message() const { return mysql_ ? mysql_error(mysql_) : std::string(); }

std::string MasterSession::HostInfo() const {
  const char* info = mysql_ ? mysql_get_host_info(mysql_) : nullptr;
  std::string out = info ? info : "";
  std::string cipher = TlsCipher();
  if (!cipher.empty()) out += ", TLS " + Tls().version + " " + cipher;
  return out;
}

MasterSession::TlsState MasterSession::Tls() const {
  TlsState t;
  if (mysql_ == nullptr) return t;
  const char* version = nullptr;
  if (!TlsCipher().empty() && mariadb_get_infov(mysql_, MARIADB_CONNECTION_TLS_VERSION, &version) == 0 &&
      version != nullptr)
    t.version = version;
  const char* ca = nullptr;
  if (mysql_get_optionv(mysql_, MYSQL_OPT_SSL_CA, &ca) == 0 && ca != nullptr) t.ca_file = ca;
  my_bool enforce = 0, verify = 0;
  mysql_get_optionv(mysql_, MYSQL_OPT_SSL_ENFORCE, &enforce);
  mysql_get_optionv(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  t.requested = enforce != 0 || !t.ca_file.empty();
  t.verifies_server = verify != 0;
  return t;
}

std::string MasterSession::TlsCipher() const {
  const char* c = mysql_ ? mysql_get_ssl_cipher(mysql_) : nullptr;
  return c ? c : "";
}

Status MasterSession::StatusFromError(std::string_view what) const {
  unsigned int e = error_number();
  std::string msg = std::string(what) + ": error " + std::to_string(e) + ": " + error_message();
  if (IsTransientConnectionError(e)) return Unavailable(std::move(msg));
  return FailedPrecondition(std::move(msg));
}

Status MasterSession::Open(const MasterConfig& config) {
  Close();
  InitLibrary();
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) return Internal("mysql_init failed (out of memory)");

  if (!config.defaults_file.empty()) {
    mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, config.defaults_file.c_str());
    mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, config.defaults_group.c_str());
  }
  unsigned int connect_timeout = static_cast<unsigned int>(config.connect_timeout.count());
  unsigned int read_timeout = static_cast<unsigned int>(config.read_timeout.count());
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
  if (config.tls.enabled) {
    my_bool enforce = 1;
    my_bool verify = config.tls.verify_server_cert ? 1 : 0;
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    if (!config.tls.ca_file.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, config.tls.ca_file.c_str());
    if (!config.tls.cert_file.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CERT, config.tls.cert_file.c_str());
    if (!config.tls.key_file.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_KEY, config.tls.key_file.c_str());
  }

  // The configuration's password stays in this process's memory: handed to
  // the connector here, never through the environment (/proc/PID/environ,
  // children) or argv.
  const char* password = config.password.empty() ? nullptr : config.password.c_str();
  if (password == nullptr && !config.password_env.empty()) {
    password = std::getenv(config.password_env.c_str());
    if (password == nullptr) {
      mysql_close(m);
      return InvalidArgument("password variable " + config.password_env + " is not set in the environment");
    }
  }
  const char* host = config.host.empty() ? nullptr : config.host.c_str();
  const char* user = config.user.empty() ? nullptr : config.user.c_str();
  const char* socket = config.socket.empty() ? nullptr : config.socket.c_str();
  failure_check_ = "reachable";
  failure_fix_.clear();
  if (mysql_real_connect(m, host, user, password, nullptr, config.port, socket, 0) == nullptr) {
    unsigned int e = mysql_errno(m);
    std::string error = mysql_error(m);
    mysql_close(m);
    std::string msg = "cannot connect to the master (" + config.Describe() + "): error " + std::to_string(e) + ": ";
    if (IsTransientConnectionError(e)) return Unavailable(msg + error);
    if (e == CR_SSL_CONNECTION_ERROR) return TlsFailure(config, msg, error);
    if (e == ER_ACCESS_DENIED_ERROR && !config.tls.enabled) {
      failure_fix_ = "check user and password in " + config.defaults_file +
                     " and the account's host; if they are right, the account may require TLS (REQUIRE SSL/X509): "
                     "enable [master.tls] with ca_file (dump/stats --master: ssl-ca and ssl-verify-server-cert=1 in "
                     "the option file)";
    }
    return FailedPrecondition(msg + error + (failure_fix_.empty() ? "" : "; fix: " + failure_fix_));
  }
  // Connector/C 3.3 downgrades to plaintext when the server offers no TLS and
  // the certificate is not verified: never keep such a session when TLS was
  // asked for.
  const char* cipher = mysql_get_ssl_cipher(m);
  if (cipher == nullptr || *cipher == '\0') {
    const char* ca = nullptr;
    my_bool enforce = 0;
    mysql_get_optionv(m, MYSQL_OPT_SSL_CA, &ca);
    mysql_get_optionv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
    bool tcp = mysql_get_host_info(m) != nullptr && std::string_view(mysql_get_host_info(m)).find("TCP") !=
                                                        std::string_view::npos;
    if (config.tls.enabled || (tcp && (enforce != 0 || (ca != nullptr && *ca != '\0')))) {
      mysql_close(m);
      return TlsFailure(config, "cannot connect to the master (" + config.Describe() + "): ",
                        "SSL is required, but the server does not support it (the connector fell back to an "
                        "unencrypted session, refused here)");
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  mysql_ = m;
  return Status::OK();
}

Status MasterSession::TlsFailure(const MasterConfig& config, const std::string& prefix, std::string_view error) {
  failure_check_ = "tls";
  std::string text = prefix + std::string(error);
  if (error.find("server does not support it") != std::string_view::npos) {
    failure_fix_ = "enable TLS on the master (ssl_cert, ssl_key and ssl_ca in its [mariadbd] section, then restart "
                   "it), or turn TLS off in the client (" +
                   TlsSettingName(config, "enabled = false", "the ssl-* keys") + "; only on a trusted network)";
    return FailedPrecondition("the master offers no TLS but TLS is required: " + text + "; fix: " + failure_fix_);
  }
  if (error.find("Validation of SSL server certificate failed") != std::string_view::npos) {
    failure_fix_ = "connect with a host name or IP address that the master's certificate lists (subjectAltName), "
                   "or issue the master a certificate for that name; " +
                   TlsSettingName(config, "verify_server_cert = false", "no ssl-verify-server-cert") +
                   " skips the name check (the chain is still checked against the CA file)";
    return FailedPrecondition("the master's TLS certificate does not match the host name: " + text + "; fix: " +
                              failure_fix_);
  }
  std::string ca = config.tls.enabled ? config.tls.ca_file : std::string();
  failure_fix_ = "set " + TlsSettingName(config, "ca_file", "ssl-ca") +
                 " to the CA certificate that signed the master's certificate (the file the master's ssl_ca names)" +
                 (ca.empty() ? std::string() : ", not " + ca) +
                 (config.tls.enabled && !config.tls.verify_server_cert
                      ? " (verify_server_cert = false skips only the host name check; the chain is checked whenever "
                        "ca_file is set)"
                      : "");
  return FailedPrecondition("the master's TLS certificate could not be verified: " + text + "; fix: " + failure_fix_);
}

Status MasterSession::Execute(std::string_view sql) {
  if (mysql_ == nullptr) return Internal("query on a closed master session");
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return StatusFromError(sql);
  // Drain any result so that the session stays usable.
  if (MYSQL_RES* r = mysql_store_result(mysql_)) mysql_free_result(r);
  return Status::OK();
}

Result<std::vector<SqlRow>> MasterSession::Query(std::string_view sql) {
  if (mysql_ == nullptr) return Internal("query on a closed master session");
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) return StatusFromError(sql);
  MYSQL_RES* r = mysql_store_result(mysql_);
  std::vector<SqlRow> rows;
  if (r == nullptr) {
    if (mysql_field_count(mysql_) != 0) return StatusFromError(sql);
    return rows;
  }
  unsigned int n = mysql_num_fields(r);
  while (MYSQL_ROW row = mysql_fetch_row(r)) {
    unsigned long* lengths = mysql_fetch_lengths(r);
    SqlRow out(n);
    for (unsigned int i = 0; i < n; ++i) {
      if (row[i] != nullptr) out[i] = std::string(row[i], lengths[i]);
    }
    rows.push_back(std::move(out));
  }
  mysql_free_result(r);
  return rows;
}

}  // namespace vomsrepl::source
