// lag_probe: replication lag as a reader of each replica sees it (bench/lag-compare).
//
// One thread commits a probe row on the master at a steady rate (INSERT, autocommit) and
// notes when the server acknowledged the commit; one thread per replica polls
// `SELECT MAX(id)` and notes when each probe row became visible there. The lag of a probe
// row on a replica is "visible on the replica" minus "commit acknowledged by the master",
// both read from one steady clock in this process, so no server clock is involved. Polling
// adds at most one poll interval (plus a round trip) to every figure, the same for every
// replica.
//
// Usage: lag_probe --master-defaults F --db DB --table T --seconds S --rate R
//                  [--poll-us U] [--grace-s G] [--raw-dir DIR] NAME=DEFAULTS_FILE...
// The table must exist on the master and on every replica (id BIGINT PRIMARY KEY);
// lag_probe inserts ids 1..S*R. Prints one tab-separated line per replica:
//   NAME probes seen missing p50_ms p90_ms p99_ms p999_ms max_ms mean_ms
// and, with --raw-dir, DIR/NAME.lag: one lag in microseconds per line (seen probes).
#include <mysql.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string master_defaults, db, table = "probe", raw_dir;
  double seconds = 60, rate = 100, grace_s = 30;
  int poll_us = 1000;
  std::vector<std::pair<std::string, std::string>> replicas;  // name, defaults file
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "lag_probe: %s\n", what.c_str());
  std::exit(2);
}

MYSQL* Connect(const std::string& defaults, const std::string& who) {
  MYSQL* m = mysql_init(nullptr);
  if (m == nullptr) Die("out of memory");
  mysql_optionsv(m, MYSQL_READ_DEFAULT_FILE, defaults.c_str());
  mysql_optionsv(m, MYSQL_READ_DEFAULT_GROUP, "client");
  if (mysql_real_connect(m, nullptr, nullptr, nullptr, nullptr, 0, nullptr, 0) == nullptr) {
    Die(who + ": cannot connect (" + defaults + "): " + mysql_error(m));
  }
  return m;
}

std::string Quote(const std::string& name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  return out + '`';
}

int64_t Micros(Clock::time_point t, Clock::time_point origin) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t - origin).count();
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--master-defaults") o.master_defaults = value();
    else if (a == "--db") o.db = value();
    else if (a == "--table") o.table = value();
    else if (a == "--seconds") o.seconds = std::atof(value().c_str());
    else if (a == "--rate") o.rate = std::atof(value().c_str());
    else if (a == "--poll-us") o.poll_us = std::atoi(value().c_str());
    else if (a == "--grace-s") o.grace_s = std::atof(value().c_str());
    else if (a == "--raw-dir") o.raw_dir = value();
    else if (auto eq = a.find('='); eq != std::string::npos && a[0] != '-') o.replicas.emplace_back(a.substr(0, eq), a.substr(eq + 1));
    else Die("unknown argument " + a);
  }
  if (o.master_defaults.empty() || o.db.empty() || o.replicas.empty()) {
    Die("usage: lag_probe --master-defaults F --db DB [--table T] [--seconds S] [--rate R] [--poll-us U] "
        "[--grace-s G] [--raw-dir DIR] NAME=DEFAULTS_FILE...");
  }
  if (o.seconds <= 0 || o.rate <= 0 || o.poll_us < 0 || o.grace_s < 0) Die("--seconds, --rate must be > 0");
  return o;
}

double Percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t i = static_cast<size_t>(p * double(sorted.size() - 1) + 0.5);
  return double(sorted[std::min(i, sorted.size() - 1)]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = Parse(argc, argv);
  const int64_t probes = static_cast<int64_t>(o.seconds * o.rate);
  const std::string table = Quote(o.db) + "." + Quote(o.table);
  const Clock::time_point origin = Clock::now();

  // committed[i]: microseconds since origin at which the master acknowledged probe i+1
  // (0: not yet); seen[r][i]: when replica r first showed it.
  std::vector<std::atomic<int64_t>> committed(probes);
  std::vector<std::vector<int64_t>> seen(o.replicas.size(), std::vector<int64_t>(probes, 0));
  std::atomic<bool> writer_done{false};

  MYSQL* master = Connect(o.master_defaults, "master");
  std::vector<MYSQL*> replica_conns;
  for (const auto& [name, file] : o.replicas) replica_conns.push_back(Connect(file, name));

  std::vector<std::thread> pollers;
  for (size_t r = 0; r < o.replicas.size(); ++r) {
    pollers.emplace_back([&, r] {
      MYSQL* m = replica_conns[r];
      const std::string sql = "SELECT COALESCE(MAX(id), 0) FROM " + table;
      int64_t shown = 0;
      Clock::time_point give_up{};
      for (;;) {
        if (mysql_real_query(m, sql.data(), sql.size()) != 0) Die(o.replicas[r].first + ": " + mysql_error(m));
        MYSQL_RES* res = mysql_store_result(m);
        if (res == nullptr) Die(o.replicas[r].first + ": " + mysql_error(m));
        MYSQL_ROW row = mysql_fetch_row(res);
        int64_t max_id = row && row[0] ? std::strtoll(row[0], nullptr, 10) : 0;
        mysql_free_result(res);
        const int64_t t = Micros(Clock::now(), origin);
        for (int64_t id = shown + 1; id <= std::min(max_id, probes); ++id) seen[r][id - 1] = t;
        shown = std::max(shown, std::min(max_id, probes));
        if (shown >= probes) return;
        if (writer_done.load()) {
          if (give_up == Clock::time_point{}) give_up = Clock::now() + std::chrono::microseconds(int64_t(o.grace_s * 1e6));
          if (Clock::now() >= give_up) return;
        }
        if (o.poll_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(o.poll_us));
      }
    });
  }

  {
    const std::string sql = "INSERT INTO " + table + " (id) VALUES (?)";
    MYSQL_STMT* st = mysql_stmt_init(master);
    if (st == nullptr || mysql_stmt_prepare(st, sql.data(), sql.size()) != 0) {
      Die(std::string("master: prepare: ") + (st ? mysql_stmt_error(st) : "out of memory"));
    }
    int64_t id = 0;
    MYSQL_BIND bind;
    std::memset(&bind, 0, sizeof bind);
    bind.buffer_type = MYSQL_TYPE_LONGLONG;
    bind.buffer = &id;
    if (mysql_stmt_bind_param(st, &bind) != 0) Die(std::string("master: bind: ") + mysql_stmt_error(st));
    const auto period = std::chrono::duration<double>(1.0 / o.rate);
    const Clock::time_point start = Clock::now();
    for (int64_t i = 0; i < probes; ++i) {
      std::this_thread::sleep_until(start + std::chrono::duration_cast<Clock::duration>(period * double(i)));
      id = i + 1;
      if (mysql_stmt_execute(st) != 0) Die(std::string("master: insert: ") + mysql_stmt_error(st));
      committed[i].store(Micros(Clock::now(), origin));
    }
    mysql_stmt_close(st);
    writer_done.store(true);
  }
  for (auto& t : pollers) t.join();

  for (size_t r = 0; r < o.replicas.size(); ++r) {
    std::vector<int64_t> lag;
    int64_t missing = 0;
    for (int64_t i = 0; i < probes; ++i) {
      if (seen[r][i] == 0) {
        ++missing;
        continue;
      }
      // A poll can show a row before the master's acknowledgement reached us: lag 0.
      lag.push_back(std::max<int64_t>(0, seen[r][i] - committed[i].load()));
    }
    if (!o.raw_dir.empty()) {
      std::ofstream raw(o.raw_dir + "/" + o.replicas[r].first + ".lag");
      for (int64_t v : lag) raw << v << '\n';
    }
    std::sort(lag.begin(), lag.end());
    double mean = 0;
    for (int64_t v : lag) mean += double(v);
    mean = lag.empty() ? 0 : mean / double(lag.size()) / 1000.0;
    std::printf("%s\t%" PRId64 "\t%zu\t%" PRId64 "\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\n", o.replicas[r].first.c_str(),
                probes, lag.size(), missing, Percentile(lag, 0.50), Percentile(lag, 0.90), Percentile(lag, 0.99),
                Percentile(lag, 0.999), lag.empty() ? 0.0 : double(lag.back()) / 1000.0, mean);
  }
  for (MYSQL* m : replica_conns) mysql_close(m);
  mysql_close(master);
  return 0;
}
