// TlsConfig: TLS of one client connection to a MariaDB/MySQL server (the
// master: [master.tls]; each replica: [replica_tls] and its own [replica.tls]).
//
// Contract (enforced by the session that opens the connection,
// source/master_session.h and apply/replica_session.h)
//   * enabled: the session is TLS or nothing. Connector/C 3.3 falls back to
//     plaintext by itself when the server offers no TLS and the certificate is
//     not verified (MYSQL_OPT_SSL_ENFORCE alone does not stop it), so a session
//     that came up unencrypted is closed and refused (FailedPrecondition naming
//     the server), never used.
//   * verify_server_cert (MYSQL_OPT_SSL_VERIFY_SERVER_CERT): the certificate
//     must name the host connected to; true needs ca_file. false skips only
//     that name check: the chain is still checked against ca_file when one is
//     given; with neither, the server's identity is not checked at all.
//   * cert_file and key_file go together (REQUIRE X509 / SUBJECT accounts).
//   * Paths only; no key material is ever read or logged by vomsrepl itself.
//
// Thread-safety: a plain value.
#pragma once

#include <string>

namespace vomsrepl {

struct TlsConfig {
  bool enabled = false;            // use TLS (required once enabled)
  std::string ca_file;             // MYSQL_OPT_SSL_CA: the CA that signed the server's certificate
  std::string cert_file;           // MYSQL_OPT_SSL_CERT: client certificate (optional)
  std::string key_file;            // MYSQL_OPT_SSL_KEY: its key (optional)
  bool verify_server_cert = true;  // MYSQL_OPT_SSL_VERIFY_SERVER_CERT
};

}  // namespace vomsrepl
