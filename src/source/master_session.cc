#include "source/master_session.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <cstdlib>

namespace vomsrepl::source {
namespace {

std::once_flag g_library_once;

void InitLibrary() {
  std::call_once(g_library_once, [] { mysql_library_init(0, nullptr, nullptr); });
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
  st_mysql* m = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    m = mysql_;
    mysql_ = nullptr;
  }
  if (m != nullptr) mysql_close(m);
}

void MasterSession::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (mysql_ != nullptr) mariadb_cancel(mysql_);
}

unsigned int MasterSession::error_number() const { return mysql_ ? mysql_errno(mysql_) : 0; }

std::string MasterSession::error_message() const { return mysql_ ? mysql_error(mysql_) : std::string(); }

std::string MasterSession::HostInfo() const {
  const char* info = mysql_ ? mysql_get_host_info(mysql_) : nullptr;
  return info ? info : "";
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

  const char* password = nullptr;
  if (!config.password_env.empty()) {
    password = std::getenv(config.password_env.c_str());
    if (password == nullptr) {
      mysql_close(m);
      return InvalidArgument("password variable " + config.password_env + " is not set in the environment");
    }
  }
  const char* host = config.host.empty() ? nullptr : config.host.c_str();
  const char* user = config.user.empty() ? nullptr : config.user.c_str();
  const char* socket = config.socket.empty() ? nullptr : config.socket.c_str();
  if (mysql_real_connect(m, host, user, password, nullptr, config.port, socket, 0) == nullptr) {
    unsigned int e = mysql_errno(m);
    std::string msg = "cannot connect to the master (" + config.Describe() + "): error " +
                      std::to_string(e) + ": " + mysql_error(m);
    mysql_close(m);
    if (IsTransientConnectionError(e)) return Unavailable(std::move(msg));
    if (e == CR_SSL_CONNECTION_ERROR) return FailedPrecondition(std::move(msg) + " (TLS: check tls.ca_file and the server certificate)");
    return FailedPrecondition(std::move(msg));
  }
  std::lock_guard<std::mutex> lock(mu_);
  mysql_ = m;
  return Status::OK();
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
