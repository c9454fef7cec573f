// write_probe: the master's write latency, as a client sees it.
//
//   write_probe DEFAULTS_FILE DATABASE RATE STOP_FILE OUT_FILE
//
// Connects with DEFAULTS_FILE ([client] group), creates DATABASE.probe, and
// commits one single-row INSERT (autocommit) RATE times a second until
// STOP_FILE exists; each write's latency in microseconds, with the UNIX time
// in milliseconds when it began, goes to OUT_FILE ("ms us" per line). A
// failed statement ends it with exit 1 and the server's message.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include <sys/stat.h>

#include "sandbox_client.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: write_probe DEFAULTS_FILE DATABASE RATE STOP_FILE OUT_FILE\n");
    return 2;
  }
  const std::string db = argv[2];
  const int rate = std::atoi(argv[3]);
  if (rate <= 0 || db.find('`') != std::string::npos) {
    std::fprintf(stderr, "write_probe: RATE must be positive, DATABASE without backquotes\n");
    return 2;
  }
  vomsrepl::testing::SandboxConnection m;
  if (!m.Connect(argv[1])) {
    std::fprintf(stderr, "write_probe: connect: %s\n", m.error().c_str());
    return 1;
  }
  auto run = [&](const std::string& sql) {
    if (!m.Execute(sql)) {
      std::fprintf(stderr, "write_probe: %s: %s\n", sql.c_str(), m.error().c_str());
      std::exit(1);
    }
  };
  run("CREATE DATABASE IF NOT EXISTS `" + db + "`");
  run("CREATE TABLE IF NOT EXISTS `" + db + "`.probe (id BIGINT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(64))");
  std::FILE* out = std::fopen(argv[5], "w");
  if (!out) {
    std::perror(argv[5]);
    return 1;
  }
  const std::string insert = "INSERT INTO `" + db + "`.probe (v) VALUES ('a probe of the write latency')";
  const auto period = std::chrono::microseconds(1000000 / rate);
  auto next = std::chrono::steady_clock::now();
  struct stat st;
  while (stat(argv[4], &st) != 0) {
    const auto begin = std::chrono::steady_clock::now();
    const long long wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch()).count();
    run(insert);
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - begin);
    std::fprintf(out, "%lld %lld\n", wall_ms, static_cast<long long>(us.count()));
    std::fflush(out);
    next += period;
    std::this_thread::sleep_until(next);
    if (std::chrono::steady_clock::now() > next + period * 10) next = std::chrono::steady_clock::now();
  }
  std::fclose(out);
  return 0;
}
