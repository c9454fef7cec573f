// Opening one Connector/C connection to a MariaDB or MySQL server: the one
// connect routine of vomsrepl, used by both sessions (source/master_session.cc
// for the master, apply/replica_session.cc for each replica), and the text of
// its failures.
//
// Connect() sets, before mysql_real_connect:
//   option file, group   MYSQL_READ_DEFAULT_FILE / _GROUP when a file is named:
//                        host, port, socket, user, password and ssl-* come from it
//   timeouts             MYSQL_OPT_CONNECT_TIMEOUT; MYSQL_OPT_READ_TIMEOUT and
//                        MYSQL_OPT_WRITE_TIMEOUT both read_timeout
//   charset              MYSQL_SET_CHARSET_NAME when one is named (else the
//                        connector's default)
//   TLS (tls.enabled)    MYSQL_OPT_SSL_ENFORCE, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
//                        MYSQL_OPT_SSL_CA / _CERT / _KEY (vomsrepl/tls_config.h)
//   credentials          host, port, socket and user given here win over the
//                        option file; the password is `password`, else the
//                        environment variable named by password_env
//   flags                CLIENT_FOUND_ROWS when found_rows
// A password stays in this process's memory: handed to the connector here,
// never put into the environment, argv, a message or a log.
//
// TLS or nothing: Connector/C 3.3 falls back to plaintext by itself when the
// server offers no TLS and the certificate is not verified
// (MYSQL_OPT_SSL_ENFORCE alone does not stop it). A connection that came up
// unencrypted although TLS was asked for (tls.enabled, or over TCP the option
// file's ssl-ca or ssl-enforce=1) is closed and refused (kPlaintext).
//
// Error text: ConnectError carries the connector's errno and message. The
// connector's messages name the user and the host, never the password, and
// nothing here adds one.
//
// <mysql.h> is included by connection.cc only: the connection is an opaque
// st_mysql here, which the sessions (allowed to include <mysql.h>) use.
//
// Thread-safety: Connect() may be called from any thread (the library is
// initialised once); a connection belongs to one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <vomsrepl/tls_config.h>

struct st_mysql;  // MYSQL

namespace vomsrepl::connect {

struct ConnectOptions {
  std::string defaults_file;  // MySQL option file; empty: none
  std::string defaults_group = "client";
  // Empty / 0: from the option file, then the connector's defaults.
  std::string host;
  uint16_t port = 0;
  std::string socket;
  std::string user;
  std::string password;      // wins over password_env
  std::string password_env;  // name of an environment variable holding it; never a password
  std::string charset;       // empty: the connector's default
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds read_timeout{30};  // also the write timeout
  TlsConfig tls;
  bool found_rows = false;  // CLIENT_FOUND_ROWS: an UPDATE to identical values counts as matched
};

// The options every link takes from its own config section alike (the
// master's and each replica's): option file and group, timeouts, TLS.
template <class LinkConfig>
ConnectOptions CommonConnectOptions(const LinkConfig& c) {
  ConnectOptions o;
  std::tie(o.defaults_file, o.defaults_group) = std::tie(c.defaults_file, c.defaults_group);
  std::tie(o.connect_timeout, o.read_timeout, o.tls) = std::tie(c.connect_timeout, c.read_timeout, c.tls);
  return o;
}

struct ConnectError {
  enum class Kind {
    kOutOfMemory,  // mysql_init failed
    kNoPassword,   // password_env names a variable that is not set
    kRefused,      // the connector or the server refused: code and message
    kTls,          // CR_SSL_CONNECTION_ERROR: handshake, certificate or host name
    kPlaintext,    // TLS asked for, the connection came up unencrypted: closed
  };
  Kind kind = Kind::kRefused;
  unsigned int code = 0;  // the connector's errno (CR_SSL_CONNECTION_ERROR for kPlaintext)
  std::string message;    // the connector's, or ours for the other kinds
};

struct CloseConnection {
  void operator()(st_mysql* connection) const;  // mysql_close
};
using Connection = std::unique_ptr<st_mysql, CloseConnection>;

// Opens a connection as above; null with *error set on failure.
Connection Connect(const ConnectOptions& options, ConnectError* error);

// Errors after which the connection is gone or was never made, and trying
// again later may work: lost connection, server unreachable or shutting
// down, too many connections, connection killed.
bool IsTransientConnectionError(unsigned int code);

// TLS of an open connection as the connector ended up configured (after the
// option file was read).
struct TlsState {
  std::string cipher;   // "" without TLS
  std::string version;  // "TLSv1.3"; "" without TLS
  std::string ca_file;  // "" if none
  bool enforced = false;         // MYSQL_OPT_SSL_ENFORCE
  bool verifies_server = false;  // MYSQL_OPT_SSL_VERIFY_SERVER_CERT
};
TlsState QueryTls(st_mysql* connection);
// "127.0.0.1 via TCP/IP", "Localhost via UNIX socket" (no secrets); "" if unknown.
std::string HostInfo(st_mysql* connection);

// One row of a text-protocol result: a column is nullopt for SQL NULL.
using SqlRow = std::vector<std::optional<std::string>>;

// After a successful mysql_real_query: every row of its result (none for a
// statement without one) into *rows. False when the connector reported an
// error (the caller reads it from the connection).
bool StoreRows(st_mysql* connection, std::vector<SqlRow>* rows);

// How a session's messages name its server (each session keeps its wording):
// the master's and a replica's.
struct ServerWording {
  std::string subject;      // "the master" / "replica1: the server"
  std::string server;       // "the master" / "that server": enable TLS on ...
  std::string owner;        // "the master's" / "its": ... certificate, ... ssl_ca
  std::string object;       // "the master" / "it": issue ... a certificate
  std::string client_side;  // "in the client" / "for it": turn TLS off ...
  std::string tls_table;    // "[master.tls]" / "[replica.tls]"
  // Say that verify_server_cert = false still checks the chain (when it is false).
  bool note_chain_check = false;
};

// The message and the fix of a kTls or kPlaintext failure whose
// ConnectError::message is `error`, told after `prefix` ("cannot connect to
// ...: error 2026: "). The message is "<subject> offers no TLS but TLS is
// required: <prefix><error>; fix: <fix>" (or "<subject>'s TLS certificate
// does not match the host name: ...", "... could not be verified: ...", as
// `error` says); the fix names the setting to change: in tls_table when
// options.tls.enabled, else the option file's ssl-* key.
struct TlsFailureText {
  std::string message;
  std::string fix;
};
TlsFailureText DescribeTlsFailure(const ServerWording& wording, const ConnectOptions& options,
                                  std::string_view prefix, std::string_view error);

}  // namespace vomsrepl::connect
