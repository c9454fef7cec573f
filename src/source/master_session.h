// MasterSession: one Connector/C session to the master, opened from a
// MasterConfig (option file, TLS, timeouts), with the few query helpers the
// preflight and the dump set-up need, and the binlog dump itself (start it,
// read its packets). Internal to the source module; keeps <mysql.h> and
// <mariadb_rpl.h> out of every header (forward declarations only): only
// master_session.cc sees them.
//
// Thread-safety: one thread uses a session; Cancel() may be called from any
// thread while another is blocked in a read (it shuts the socket down).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "source/master_stream.h"

struct st_mysql;        // MYSQL
struct st_mariadb_rpl;  // MARIADB_RPL

namespace vomsrepl::source {

using SqlRow = std::vector<std::optional<std::string>>;  // the same type as connect::SqlRow

class MasterSession {
 public:
  MasterSession() = default;
  ~MasterSession();
  MasterSession(const MasterSession&) = delete;
  MasterSession& operator=(const MasterSession&) = delete;

  // Connects (connect/connection.h: the option file, timeouts, TLS and
  // credentials of `config`). kUnavailable for transient failures (server
  // down, refused, timeout, too many connections:
  // connect::IsTransientConnectionError), kFailedPrecondition for access
  // denied and TLS failures, kInvalidArgument for an unreadable password
  // variable.
  // With config.tls.enabled the session is TLS or nothing: Connector/C 3.3
  // falls back to plaintext when the server offers no TLS and the server
  // certificate is not verified (MYSQL_OPT_SSL_ENFORCE alone does not stop
  // it), so an unencrypted session is closed here and refused. The same holds
  // when the option file asks for TLS (ssl-ca, ssl-enforce=1).
  Status Open(const MasterConfig& config);
  void Close();
  bool open() const { return mysql_ != nullptr; }

  Status Execute(std::string_view sql);
  Result<std::vector<SqlRow>> Query(std::string_view sql);

  // errno and message of the last failed call.
  unsigned int error_number() const;
  std::string error_message() const;
  // "127.0.0.1 via TCP/IP" etc. (the connector's host info; no secrets).
  std::string HostInfo() const;
  // TLS cipher in use, "" without TLS.
  std::string TlsCipher() const;
  // TLS as the connector ended up configured (after the option file was read):
  // protocol version ("TLSv1.3", "" without TLS), CA file ("" if none), whether
  // TLS was asked for (config or ssl-* keys) and whether the server's name is
  // checked (MYSQL_OPT_SSL_VERIFY_SERVER_CERT). Valid while open.
  struct TlsState {
    std::string version;
    std::string ca_file;
    bool requested = false;
    bool verifies_server = false;
  };
  TlsState Tls() const;

  // After a failed Open(): the preflight check the failure belongs to ("tls"
  // for certificate, host name and no-TLS-offered failures, "reachable"
  // otherwise) and how to fix it. When the fix is not empty, the returned
  // status already ends with "; fix: <fix>"; when empty, the caller gives its
  // own hint.
  const std::string& open_failure_check() const { return failure_check_; }
  const std::string& open_failure_fix() const { return failure_fix_; }

  // The binlog dump, as a replica asks for it.
  struct DumpRequest {
    uint32_t server_id = 0;
    bool non_blocking = false;        // EOF at the end of the binlog instead of waiting
    bool send_annotate_rows = false;  // ANNOTATE_ROWS events (MariaDB)
    std::string file;                 // "": the oldest binlog, or the GTID state of @slave_connect_state
    uint64_t position = 4;
    // Not empty: the connector sends COM_REGISTER_SLAVE first, and the stream
    // shows in SHOW SLAVE HOSTS under server_id.
    std::string report_host;
  };
  // Sends COM_BINLOG_DUMP through the connector's replication handle (closed
  // by Close()). Internal when the connector cannot make the handle; false
  // when the dump could not be started (error_number() and error_message()
  // say why); true when it runs: its packets come from ReadPacket().
  Result<bool> StartDump(const DumpRequest& request);
  // Reads the next reply packet of the dump: true with *packet a view into
  // the connection's network buffer, valid until the next read on this
  // session; false when the read failed (error_number() / error_message()
  // say why: 0 when there is no session).
  bool ReadPacket(std::span<const std::byte>* packet);
  // A follower that needs no millisecond freshness (`stats --follow`): when
  // the socket has nothing pending, ReadPacket first waits `period` (at most
  // once per `period`), so that what the master sends meanwhile is read in
  // one wakeup instead of one per transaction. 0 (the default): never waits.
  void set_coalesce_reads(std::chrono::milliseconds period) { coalesce_ = period; }

  // Thread-safe: shuts down the socket of an open session.
  void Cancel();

 private:
  Status StatusFromError(std::string_view what) const;
  // A TLS failure of Open(): sets failure_check_/failure_fix_, returns the status.
  Status TlsFailure(const MasterConfig& config, const std::string& prefix, std::string_view error);

  st_mysql* mysql_ = nullptr;
  st_mariadb_rpl* rpl_ = nullptr;  // the dump's replication handle (StartDump)
  std::string failure_check_ = "reachable";
  std::string failure_fix_;
  mutable std::mutex mu_;  // guards mysql_ against Cancel() during Open/Close
  std::chrono::milliseconds coalesce_{0};
  std::chrono::steady_clock::time_point last_coalesce_{};
};

}  // namespace vomsrepl::source
