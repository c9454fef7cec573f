// rpl_fetch_loop: the baseline for live decoding (issue 4). A bare MariaDB
// Connector/C binlog dump that only counts what `mariadb_rpl_fetch` hands over,
// decodes nothing and verifies no checksum: the fastest a client of this
// connector can receive a master's binlog. `vomsrepl stats --master` is measured
// against it (bench/run-all).
//
// usage: rpl_fetch_loop --defaults-file FILE [--server-id N] [--file NAME]
//
// Connects with the [client] group of FILE (user, password, host/port or socket;
// the password is never taken from argv), sets the session variables a MariaDB
// master needs (checksum-aware, GTID-capable replica, as src/source does), dumps
// from the start of NAME (default: the master's oldest binlog, from SHOW BINARY
// LOGS) with MARIADB_RPL_BINLOG_DUMP_NON_BLOCK, and stops at the master's end.
// Prints one line: events, bytes (event bytes, without the OK byte), seconds,
// MB/s. Exit 0 at the normal end, 1 on any error (message on stderr).
// Single-threaded; no state beyond main().
#include <mysql.h>
#include <mariadb_rpl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int Fail(MYSQL* m, const char* what) {
  std::fprintf(stderr, "rpl_fetch_loop: %s: error %u: %s\n", what, mysql_errno(m), mysql_error(m));
  return 1;
}

int Usage() {
  std::fprintf(stderr, "usage: rpl_fetch_loop --defaults-file FILE [--server-id N] [--file NAME]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string defaults_file, start_file;
  unsigned int server_id = 4343;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    if (a == "--defaults-file") defaults_file = argv[++i];
    else if (a == "--server-id") server_id = unsigned(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--file") start_file = argv[++i];
    else return Usage();
  }
  if (defaults_file.empty()) return Usage();

  mysql_library_init(0, nullptr, nullptr);
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) return 1;
  mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, defaults_file.c_str());
  mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "client");
  if (mysql_real_connect(m, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr)
    return Fail(m, "connect");

  if (start_file.empty()) {
    if (mysql_query(m, "SHOW BINARY LOGS") != 0) return Fail(m, "SHOW BINARY LOGS");
    MYSQL_RES* res = mysql_store_result(m);
    if (res == nullptr) return Fail(m, "SHOW BINARY LOGS");
    MYSQL_ROW row = mysql_fetch_row(res);
    if (row == nullptr || row[0] == nullptr) {
      std::fprintf(stderr, "rpl_fetch_loop: the master has no binary log\n");
      return 1;
    }
    start_file = row[0];
    mysql_free_result(res);
  }
  const char* setup[] = {"SET @master_binlog_checksum = @@global.binlog_checksum",
                         "SET @mariadb_slave_capability = 4"};
  for (const char* q : setup)
    if (mysql_query(m, q) != 0) return Fail(m, q);

  MARIADB_RPL* rpl = mariadb_rpl_init(m);
  if (rpl == nullptr) return Fail(m, "mariadb_rpl_init");
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_SERVER_ID, server_id);
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FLAGS, static_cast<unsigned int>(MARIADB_RPL_BINLOG_DUMP_NON_BLOCK));
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_FILENAME, start_file.c_str(), start_file.size());
  mariadb_rpl_optionsv(rpl, MARIADB_RPL_START, static_cast<unsigned long>(4));

  const auto t0 = std::chrono::steady_clock::now();
  if (mariadb_rpl_open(rpl) != 0) return Fail(m, "mariadb_rpl_open");
  unsigned long long events = 0, bytes = 0;
  MARIADB_RPL_EVENT* ev = nullptr;
  while ((ev = mariadb_rpl_fetch(rpl, ev)) != nullptr) {
    ++events;
    bytes += ev->raw_data_size - ev->raw_data_ofs;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const unsigned int err = mysql_errno(m);
  if (err != 0) return Fail(m, "mariadb_rpl_fetch");
  mariadb_rpl_close(rpl);
  mysql_close(m);
  std::printf("events %llu bytes %llu seconds %.3f MB/s %.1f\n", events, bytes, s, double(bytes) / 1e6 / s);
  return 0;
}
