// Test-only helpers for integration tests against the servers of tools/sandbox.
//
// SandboxEnv reads D/sandbox.env (KEY='value' lines written by `tools/sandbox start`),
// where D comes from the VOMSREPL_SANDBOX_DIR environment variable (set by ctest through
// the ENVIRONMENT test property). SandboxConnection is one MariaDB Connector/C session
// opened from a client option file ([client] group: user, password, host/port or socket),
// so no credential ever appears in test code or on a command line.
//
// Errors are plain strings (no vomsrepl::Status) so that these helpers depend on nothing
// but Connector/C and can be linked by any integration test. Not thread-safe: one
// connection per thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct st_mysql;  // MYSQL from <mysql.h>

namespace vomsrepl::testing {

// The variables of D/sandbox.env.
class SandboxEnv {
 public:
  // Loads $VOMSREPL_SANDBOX_DIR/sandbox.env. On failure returns nullopt and sets *error.
  static std::optional<SandboxEnv> FromEnvironment(std::string* error);
  // Loads DIR/sandbox.env.
  static std::optional<SandboxEnv> FromDir(const std::string& dir, std::string* error);

  const std::string& dir() const { return dir_; }
  // The value of KEY, or "" when absent.
  std::string Get(const std::string& key) const;
  int ReplicaCount() const;
  // Option file of ACCOUNT on the master: "admin", "repl" (replication), "app" (voms_app).
  std::string MasterOptionFile(const std::string& account) const;
  // Option file of ACCOUNT on replica I (1-based): "admin", "apply", "reader".
  std::string ReplicaOptionFile(int i, const std::string& account) const;

 private:
  std::string dir_;
  std::map<std::string, std::string> vars_;
};

// A row of text values; NULL is nullopt.
using Row = std::vector<std::optional<std::string>>;

class SandboxConnection {
 public:
  SandboxConnection() = default;
  ~SandboxConnection();
  SandboxConnection(const SandboxConnection&) = delete;
  SandboxConnection& operator=(const SandboxConnection&) = delete;
  SandboxConnection(SandboxConnection&& other) noexcept;
  SandboxConnection& operator=(SandboxConnection&& other) noexcept;

  // Connects with the [client] group of OPTION_FILE (MYSQL_READ_DEFAULT_FILE/GROUP), to
  // DATABASE if not empty. Returns false and sets error()/error_number() on failure.
  bool Connect(const std::string& option_file, const std::string& database = "");
  bool connected() const { return mysql_ != nullptr; }

  // Runs a statement and discards any result. False on error (see error_number()).
  bool Execute(const std::string& sql);
  // Runs a query; nullopt on error.
  std::optional<std::vector<Row>> Query(const std::string& sql);
  // First column of the first row; nullopt on error, on no row or on NULL.
  std::optional<std::string> QueryValue(const std::string& sql);

  // The server's error number (e.g. 1290 ER_OPTION_PREVENTS_STATEMENT) of the last call,
  // 0 after success; the message with it.
  unsigned int error_number() const { return error_number_; }
  const std::string& error() const { return error_; }

 private:
  void Close();
  void RecordError();

  st_mysql* mysql_ = nullptr;
  unsigned int error_number_ = 0;
  std::string error_;
};

}  // namespace vomsrepl::testing
