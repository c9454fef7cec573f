#include "connect/connection.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <cstdlib>
#include <mutex>

namespace vomsrepl::connect {
namespace {

std::once_flag g_library_once;

void InitLibrary() {
  std::call_once(g_library_once, [] { mysql_library_init(0, nullptr, nullptr); });
}

const char* OrNull(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

}  // namespace

void CloseConnection::operator()(st_mysql* connection) const { mysql_close(connection); }

bool IsTransientConnectionError(unsigned int code) {
  switch (code) {
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

Connection Connect(const ConnectOptions& o, ConnectError* error) {
  InitLibrary();
  Connection c(mysql_init(nullptr));
  if (c == nullptr) {
    *error = ConnectError{ConnectError::Kind::kOutOfMemory, 0, "mysql_init failed (out of memory)"};
    return nullptr;
  }
  MYSQL* m = c.get();
  if (!o.defaults_file.empty()) {
    mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, o.defaults_file.c_str());
    mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, o.defaults_group.c_str());
  }
  unsigned int connect_timeout = static_cast<unsigned int>(o.connect_timeout.count());
  unsigned int read_timeout = static_cast<unsigned int>(o.read_timeout.count());
  mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &read_timeout);
  if (!o.charset.empty()) mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, o.charset.c_str());
  if (o.tls.enabled) {
    my_bool enforce = 1;
    my_bool verify = o.tls.verify_server_cert ? 1 : 0;
    mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
    mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
    if (!o.tls.ca_file.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CA, o.tls.ca_file.c_str());
    if (!o.tls.cert_file.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_CERT, o.tls.cert_file.c_str());
    if (!o.tls.key_file.empty()) mysql_optionsv(m, MYSQL_OPT_SSL_KEY, o.tls.key_file.c_str());
  }

  // The password goes from this process's memory to the connector, never
  // through the environment of a child, argv or a message.
  const char* password = OrNull(o.password);
  if (password == nullptr && !o.password_env.empty()) {
    password = std::getenv(o.password_env.c_str());
    if (password == nullptr) {
      *error = ConnectError{ConnectError::Kind::kNoPassword, 0,
                            "password variable " + o.password_env + " is not set in the environment"};
      return nullptr;
    }
  }
  if (mysql_real_connect(m, OrNull(o.host), OrNull(o.user), password, nullptr, o.port, OrNull(o.socket),
                         o.found_rows ? CLIENT_FOUND_ROWS : 0) == nullptr) {
    unsigned int e = mysql_errno(m);
    *error = ConnectError{e == CR_SSL_CONNECTION_ERROR ? ConnectError::Kind::kTls : ConnectError::Kind::kRefused, e,
                          mysql_error(m)};
    return nullptr;
  }
  // Connector/C 3.3 downgrades to plaintext when the server offers no TLS and
  // the certificate is not verified: never keep such a connection when TLS was
  // asked for, here or by the option file's ssl-ca / ssl-enforce over TCP.
  const char* cipher = mysql_get_ssl_cipher(m);
  if (cipher == nullptr || *cipher == '\0') {
    const char* ca = nullptr;
    my_bool enforce = 0;
    mysql_get_optionv(m, MYSQL_OPT_SSL_CA, &ca);
    mysql_get_optionv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
    const char* info = mysql_get_host_info(m);
    bool tcp = info != nullptr && std::string_view(info).find("TCP") != std::string_view::npos;
    if (o.tls.enabled || (tcp && (enforce != 0 || (ca != nullptr && *ca != '\0')))) {
      *error = ConnectError{ConnectError::Kind::kPlaintext, CR_SSL_CONNECTION_ERROR,
                            "SSL is required, but the server does not support it (the connector fell back to an "
                            "unencrypted session, refused here)"};
      return nullptr;
    }
  }
  return c;
}

TlsState QueryTls(st_mysql* m) {
  TlsState t;
  if (m == nullptr) return t;
  const char* cipher = mysql_get_ssl_cipher(m);
  if (cipher != nullptr && *cipher != '\0') {
    t.cipher = cipher;
    const char* version = nullptr;
    if (mariadb_get_infov(m, MARIADB_CONNECTION_TLS_VERSION, &version) == 0 && version != nullptr)
      t.version = version;
  }
  const char* ca = nullptr;
  if (mysql_get_optionv(m, MYSQL_OPT_SSL_CA, &ca) == 0 && ca != nullptr) t.ca_file = ca;
  my_bool enforce = 0, verify = 0;
  mysql_get_optionv(m, MYSQL_OPT_SSL_ENFORCE, &enforce);
  mysql_get_optionv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
  t.enforced = enforce != 0;
  t.verifies_server = verify != 0;
  return t;
}

std::string HostInfo(st_mysql* m) {
  const char* info = m ? mysql_get_host_info(m) : nullptr;
  return info ? info : "";
}

TlsFailureText DescribeTlsFailure(const ServerWording& w, const ConnectOptions& o, std::string_view prefix,
                                  std::string_view error) {
  // Where the setting to change lives: the configuration's TLS table, or the
  // option file's ssl-* keys.
  auto setting = [&](std::string_view key, std::string_view option_file_key) {
    if (o.tls.enabled) return w.tls_table + " " + std::string(key);
    return std::string(option_file_key) + " in " + o.defaults_file;
  };
  const std::string text = std::string(prefix) + std::string(error);
  TlsFailureText out;
  if (error.find("server does not support it") != std::string_view::npos) {
    out.fix = "enable TLS on " + w.server +
              " (ssl_cert, ssl_key and ssl_ca in its [mariadbd] section, then restart it), or turn TLS off " +
              w.client_side + " (" + setting("enabled = false", "the ssl-* keys") + "; only on a trusted network)";
    out.message = w.subject + " offers no TLS but TLS is required: " + text + "; fix: " + out.fix;
    return out;
  }
  if (error.find("Validation of SSL server certificate failed") != std::string_view::npos) {
    out.fix = "connect with a host name or IP address that " + w.owner +
              " certificate lists (subjectAltName), or issue " + w.object + " a certificate for that name; " +
              setting("verify_server_cert = false", "no ssl-verify-server-cert") +
              " skips the name check (the chain is still checked against the CA file)";
    out.message = w.subject + "'s TLS certificate does not match the host name: " + text + "; fix: " + out.fix;
    return out;
  }
  const std::string ca = o.tls.enabled ? o.tls.ca_file : std::string();
  out.fix = "set " + setting("ca_file", "ssl-ca") + " to the CA certificate that signed " + w.owner +
            " certificate (the file " + w.owner + " ssl_ca names)" + (ca.empty() ? std::string() : ", not " + ca) +
            (w.note_chain_check && o.tls.enabled && !o.tls.verify_server_cert
                 ? " (verify_server_cert = false skips only the host name check; the chain is checked whenever "
                   "ca_file is set)"
                 : "");
  out.message = w.subject + "'s TLS certificate could not be verified: " + text + "; fix: " + out.fix;
  return out;
}

bool StoreRows(st_mysql* m, std::vector<SqlRow>* rows) {
  rows->clear();
  MYSQL_RES* r = mysql_store_result(m);
  if (r == nullptr) return mysql_field_count(m) == 0;
  const unsigned int n = mysql_num_fields(r);
  while (MYSQL_ROW row = mysql_fetch_row(r)) {
    const unsigned long* lengths = mysql_fetch_lengths(r);
    SqlRow& out = rows->emplace_back(n);
    for (unsigned int i = 0; i < n; ++i) {
      if (row[i] != nullptr) out[i] = std::string(row[i], lengths[i]);
    }
  }
  // A connection lost while fetching ends the loop like the last row did.
  const bool ok = mysql_errno(m) == 0;
  mysql_free_result(r);
  return ok;
}

}  // namespace vomsrepl::connect
