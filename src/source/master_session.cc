#include "source/master_session.h"

#include <mysql.h>  // before mariadb_rpl.h, which needs MYSQL
#include <mysqld_error.h>
#include <mariadb_rpl.h>

#include <sys/ioctl.h>

#include <thread>
#include <tuple>

#include "connect/connection.h"

namespace vomsrepl::source {
namespace {

connect::ConnectOptions ConnectOptionsOf(const MasterConfig& c) {
  connect::ConnectOptions o = connect::CommonConnectOptions(c);
  // The master's account may be given here instead of in the option file.
  std::tie(o.host, o.port, o.socket) = std::tie(c.host, c.port, c.socket);
  std::tie(o.user, o.password, o.password_env) = std::tie(c.user, c.password, c.password_env);
  return o;
}

// How TLS failures name the master; its settings are in [master.tls], or the
// ssl-* keys of the option file (dump/stats --master).
const connect::ServerWording kMasterWording{"the master",    "the master",   "the master's", "the master",
                                            "in the client", "[master.tls]", true};

}  // namespace

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
  if (coalesce_.count() > 0) {
    const auto now = std::chrono::steady_clock::now();
    int pending = 0;
    const my_socket fd = mysql_get_socket(mysql_);
    if (now - last_coalesce_ >= coalesce_ && fd != MARIADB_INVALID_SOCKET && ::ioctl(fd, FIONREAD, &pending) == 0 &&
        pending == 0) {
      std::this_thread::sleep_for(coalesce_);
      last_coalesce_ = std::chrono::steady_clock::now();
    }
  }
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
  std::string out = connect::HostInfo(mysql_);
  const connect::TlsState tls = connect::QueryTls(mysql_);
  if (!tls.cipher.empty()) out += ", TLS " + tls.version + " " + tls.cipher;
  return out;
}

MasterSession::TlsState MasterSession::Tls() const {
  TlsState t;
  if (mysql_ == nullptr) return t;
  const connect::TlsState tls = connect::QueryTls(mysql_);
  t.version = tls.version;
  t.ca_file = tls.ca_file;
  t.requested = tls.enforced || !t.ca_file.empty();
  t.verifies_server = tls.verifies_server;
  return t;
}

std::string MasterSession::TlsCipher() const { return connect::QueryTls(mysql_).cipher; }

Status MasterSession::StatusFromError(std::string_view what) const {
  unsigned int e = error_number();
  std::string msg = std::string(what) + ": error " + std::to_string(e) + ": " + error_message();
  if (connect::IsTransientConnectionError(e)) return Unavailable(std::move(msg));
  return FailedPrecondition(std::move(msg));
}

Status MasterSession::Open(const MasterConfig& config) {
  Close();
  connect::ConnectError error;
  connect::Connection m = connect::Connect(ConnectOptionsOf(config), &error);
  if (m == nullptr && error.kind == connect::ConnectError::Kind::kOutOfMemory) return Internal(error.message);
  if (m == nullptr && error.kind == connect::ConnectError::Kind::kNoPassword) return InvalidArgument(error.message);
  failure_check_ = "reachable";
  failure_fix_.clear();
  if (m == nullptr) {
    const std::string prefix = "cannot connect to the master (" + config.Describe() + "): ";
    if (error.kind == connect::ConnectError::Kind::kPlaintext) return TlsFailure(config, prefix, error.message);
    const unsigned int e = error.code;
    std::string msg = prefix + "error " + std::to_string(e) + ": ";
    if (connect::IsTransientConnectionError(e)) return Unavailable(msg + error.message);
    if (error.kind == connect::ConnectError::Kind::kTls) return TlsFailure(config, msg, error.message);
    if (e == ER_ACCESS_DENIED_ERROR && !config.tls.enabled) {
      failure_fix_ = "check user and password in " + config.defaults_file +
                     " and the account's host; if they are right, the account may require TLS (REQUIRE SSL/X509): "
                     "enable [master.tls] with ca_file (dump/stats --master: ssl-ca and ssl-verify-server-cert=1 in "
                     "the option file)";
    }
    return FailedPrecondition(msg + error.message + (failure_fix_.empty() ? "" : "; fix: " + failure_fix_));
  }
  std::lock_guard<std::mutex> lock(mu_);
  mysql_ = m.release();
  return Status::OK();
}

Status MasterSession::TlsFailure(const MasterConfig& config, const std::string& prefix, std::string_view error) {
  failure_check_ = "tls";
  connect::TlsFailureText text = connect::DescribeTlsFailure(kMasterWording, ConnectOptionsOf(config), prefix, error);
  failure_fix_ = std::move(text.fix);
  return FailedPrecondition(std::move(text.message));
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
  std::vector<SqlRow> rows;
  if (!connect::StoreRows(mysql_, &rows)) return StatusFromError(sql);
  return rows;
}

}  // namespace vomsrepl::source
