// Test-only: sandbox.env reader and option-file connections (see sandbox_client.h).
#include "sandbox_client.h"

#include <mysql.h>

#include <cstdlib>
#include <fstream>
#include <utility>

namespace vomsrepl::testing {

std::optional<SandboxEnv> SandboxEnv::FromEnvironment(std::string* error) {
  const char* dir = std::getenv("VOMSREPL_SANDBOX_DIR");
  if (dir == nullptr || *dir == '\0') {
    *error = "VOMSREPL_SANDBOX_DIR is not set (start one with tools/sandbox start)";
    return std::nullopt;
  }
  return FromDir(dir, error);
}

std::optional<SandboxEnv> SandboxEnv::FromDir(const std::string& dir, std::string* error) {
  const std::string path = dir + "/sandbox.env";
  std::ifstream in(path);
  if (!in) {
    *error = "cannot read " + path + " (is the sandbox started?)";
    return std::nullopt;
  }
  SandboxEnv env;
  env.dir_ = dir;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    env.vars_[line.substr(0, eq)] = value;
  }
  if (env.Get("VOMSREPL_MASTER_PORT").empty()) {
    *error = path + " has no VOMSREPL_MASTER_PORT";
    return std::nullopt;
  }
  return env;
}

std::string SandboxEnv::Get(const std::string& key) const {
  auto it = vars_.find(key);
  return it == vars_.end() ? std::string() : it->second;
}

int SandboxEnv::ReplicaCount() const {
  return std::atoi(Get("VOMSREPL_REPLICA_COUNT").c_str());
}

std::string SandboxEnv::MasterOptionFile(const std::string& account) const {
  return dir_ + "/master/" + account + ".cnf";
}

std::string SandboxEnv::ReplicaOptionFile(int i, const std::string& account) const {
  return dir_ + "/replica" + std::to_string(i) + "/" + account + ".cnf";
}

SandboxConnection::~SandboxConnection() { Close(); }

SandboxConnection::SandboxConnection(SandboxConnection&& other) noexcept
    : mysql_(std::exchange(other.mysql_, nullptr)),
      error_number_(other.error_number_),
      error_(std::move(other.error_)) {}

SandboxConnection& SandboxConnection::operator=(SandboxConnection&& other) noexcept {
  if (this != &other) {
    Close();
    mysql_ = std::exchange(other.mysql_, nullptr);
    error_number_ = other.error_number_;
    error_ = std::move(other.error_);
  }
  return *this;
}

void SandboxConnection::Close() {
  if (mysql_ != nullptr) {
    mysql_close(mysql_);
    mysql_ = nullptr;
  }
}

void SandboxConnection::RecordError() {
  error_number_ = mysql_errno(mysql_);
  error_ = mysql_error(mysql_);
}

bool SandboxConnection::Connect(const std::string& option_file, const std::string& database) {
  Close();
  error_number_ = 0;
  error_.clear();
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) {
    error_ = "mysql_init failed";
    return false;
  }
  const unsigned int timeout_s = 10;
  mysql_options(m, MYSQL_READ_DEFAULT_FILE, option_file.c_str());
  mysql_options(m, MYSQL_READ_DEFAULT_GROUP, "client");
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
  // Host, port, user, password and socket all come from the option file.
  if (mysql_real_connect(m, nullptr, nullptr, nullptr,
                         database.empty() ? nullptr : database.c_str(), 0, nullptr, 0) ==
      nullptr) {
    error_number_ = mysql_errno(m);
    error_ = std::string(mysql_error(m)) + " (option file " + option_file + ")";
    mysql_close(m);
    return false;
  }
  mysql_ = m;
  return true;
}

bool SandboxConnection::Execute(const std::string& sql) {
  auto rows = Query(sql);
  return rows.has_value();
}

std::optional<std::vector<Row>> SandboxConnection::Query(const std::string& sql) {
  error_number_ = 0;
  error_.clear();
  if (mysql_ == nullptr) {
    error_ = "not connected";
    return std::nullopt;
  }
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    RecordError();
    return std::nullopt;
  }
  std::vector<Row> rows;
  MYSQL_RES* res = mysql_store_result(mysql_);
  if (res == nullptr) {
    if (mysql_field_count(mysql_) != 0) {  // a result was expected but could not be read
      RecordError();
      return std::nullopt;
    }
    return rows;
  }
  const unsigned int n = mysql_num_fields(res);
  while (MYSQL_ROW r = mysql_fetch_row(res)) {
    const unsigned long* lengths = mysql_fetch_lengths(res);
    Row row;
    row.reserve(n);
    for (unsigned int i = 0; i < n; ++i) {
      if (r[i] == nullptr) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(r[i], lengths[i]));
      }
    }
    rows.push_back(std::move(row));
  }
  mysql_free_result(res);
  return rows;
}

std::optional<std::string> SandboxConnection::QueryValue(const std::string& sql) {
  auto rows = Query(sql);
  if (!rows || rows->empty() || rows->front().empty()) return std::nullopt;
  return rows->front().front();
}

}  // namespace vomsrepl::testing
