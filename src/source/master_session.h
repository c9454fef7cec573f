// MasterSession: one Connector/C session to the master, opened from a
// MasterConfig (option file, TLS, timeouts), with the few query helpers the
// preflight and the dump set-up need. Internal to the source module; keeps
// <mysql.h> out of every header (forward declaration only).
//
// Thread-safety: one thread uses a session; Cancel() may be called from any
// thread while another is blocked in a read (it shuts the socket down).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "source/master_stream.h"

struct st_mysql;  // MYSQL

namespace vomsrepl::source {

using SqlRow = std::vector<std::optional<std::string>>;

// Connector/C error numbers that mean "the connection went away" or "could
// not reach the server" (retried), as opposed to authentication, privilege or
// protocol errors (not retried).
bool IsTransientConnectionError(unsigned int mysql_errno);

class MasterSession {
 public:
  MasterSession() = default;
  ~MasterSession();
  MasterSession(const MasterSession&) = delete;
  MasterSession& operator=(const MasterSession&) = delete;

  // Connects. kUnavailable for transient failures (server down, refused,
  // timeout, too many connections), kFailedPrecondition for access denied and
  // TLS failures, kInvalidArgument for an unreadable password variable.
  Status Open(const MasterConfig& config);
  void Close();
  bool open() const { return mysql_ != nullptr; }
  st_mysql* handle() { return mysql_; }

  Status Execute(std::string_view sql);
  Result<std::vector<SqlRow>> Query(std::string_view sql);

  // errno and message of the last failed call.
  unsigned int error_number() const;
  std::string error_message() const;
  // "127.0.0.1 via TCP/IP" etc. (the connector's host info; no secrets).
  std::string HostInfo() const;
  // TLS cipher in use, "" without TLS.
  std::string TlsCipher() const;

  // Thread-safe: shuts down the socket of an open session.
  void Cancel();

 private:
  Status StatusFromError(std::string_view what) const;

  st_mysql* mysql_ = nullptr;
  mutable std::mutex mu_;  // guards mysql_ against Cancel() during Open/Close
};

}  // namespace vomsrepl::source
