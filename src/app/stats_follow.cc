#include "app/stats_follow.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <cmath>

#include <vomsrepl/json.h>

#include "apply/sql_identifier.h"
#include "common/utc_time.h"

namespace vomsrepl::app {
namespace {

constexpr size_t kLineTables = 5;     // tables on a plain line
constexpr size_t kScreenTables = 20;  // tables on a redrawn screen

std::string UtcText(std::chrono::system_clock::time_point at) {
  return UtcTimeText(std::chrono::system_clock::to_time_t(at));
}

std::string Fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

double PerSecond(uint64_t n, double seconds) { return seconds > 0 ? double(n) / seconds : 0.0; }

std::string Bytes(double bytes_per_s) {
  if (bytes_per_s >= 1e6) return Fixed(bytes_per_s / 1e6) + " MB/s";
  if (bytes_per_s >= 1e3) return Fixed(bytes_per_s / 1e3) + " kB/s";
  return Fixed(bytes_per_s, 0) + " B/s";
}

std::string Lag(const StatsFollow::Interval& v) {
  if (v.lag_seconds < 0) return "lag unknown (no event yet)";
  if (v.caught_up) return "lag 0 s (caught up)";
  return "lag " + std::to_string(v.lag_seconds) + " s";
}

std::string TableName(const std::pair<std::string, std::string>& name) {
  return apply::QualifiedName(name.first, name.second);
}

// The interval's tables, most row changes first (then most bytes, then name).
std::vector<std::pair<std::pair<std::string, std::string>, StatsFollow::Table>> Busiest(
    const StatsFollow::Interval& v, size_t n) {
  std::vector<std::pair<std::pair<std::string, std::string>, StatsFollow::Table>> all(v.tables.begin(),
                                                                                      v.tables.end());
  std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return a.second.rows != b.second.rows ? a.second.rows > b.second.rows : a.second.bytes > b.second.bytes;
  });
  if (all.size() > n) all.resize(n);
  return all;
}

}  // namespace

StatsFollow::StatsFollow(std::FILE* out, OutputFormat format, std::chrono::milliseconds interval, bool terminal)
    : out_(out),
      format_(format),
      interval_(std::max(interval, std::chrono::milliseconds(100))),
      terminal_(terminal),
      started_(std::chrono::steady_clock::now()) {
  // SIGINT / SIGTERM stay with the walk's signal thread (binlog_walk.h
  // StopOnSignal): the reporter is created with them blocked.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  reporter_ = std::thread([this] { Loop(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

StatsFollow::~StatsFollow() { Stop(); }

void StatsFollow::AttachMaster(const source::MasterStream* master) {
  std::lock_guard lock(mu_);
  master_ = master;
}

void StatsFollow::OnEvent(uint64_t bytes, uint32_t timestamp) {
  std::lock_guard lock(mu_);
  ++current_.events;
  current_.bytes += bytes;
  if (timestamp != 0) last_timestamp_ = std::max(last_timestamp_, timestamp);
  if (master_ != nullptr) heartbeats_at_last_event_ = master_->heartbeat_count();
}

void StatsFollow::OnRows(const std::string& db, const std::string& table, uint64_t rows, uint64_t bytes) {
  std::lock_guard lock(mu_);
  current_.rows += rows;
  Table& t = current_.tables[{db, table}];
  t.rows += rows;
  t.bytes += bytes;
}

void StatsFollow::OnTransaction(uint64_t bytes, std::string name) {
  std::lock_guard lock(mu_);
  ++current_.transactions;
  auto& largest = current_.largest;
  if (largest.size() == kLargest && bytes <= largest.back().first) return;
  auto at = std::find_if(largest.begin(), largest.end(), [&](const auto& l) { return bytes > l.first; });
  largest.insert(at, {bytes, std::move(name)});
  if (largest.size() > kLargest) largest.pop_back();
}

void StatsFollow::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (reporter_.joinable()) reporter_.join();
}

void StatsFollow::Loop() {
  std::unique_lock lock(mu_);
  auto next = started_ + interval_;
  for (;;) {
    // Stopping: what came in since the last line is its own, shorter line
    // (the lines add up to the totals), unless nothing did.
    const bool stopping = wake_.wait_until(lock, next, [&] { return stop_; });
    if (stopping && current_.events == 0) break;
    next += interval_;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + interval_;  // a stalled reporter does not print a burst of lines
    Interval v = std::move(current_);
    current_ = Interval{};
    v.seconds = std::chrono::duration<double>(now - started_).count();
    started_ = now;
    if (last_timestamp_ != 0) {
      const int64_t wall = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
      v.caught_up = master_ != nullptr && master_->heartbeat_count() > heartbeats_at_last_event_;
      v.lag_seconds = v.caught_up ? 0 : std::max<int64_t>(0, wall - int64_t(last_timestamp_));
    }
    lock.unlock();
    const auto at = std::chrono::system_clock::now();
    std::string text = format_ == OutputFormat::kJson ? JsonLine(v, at)
                       : terminal_                    ? Screen(v, at)
                                                      : Line(v, at);
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fflush(out_);
    lock.lock();
    if (stopping) break;
  }
}

std::string StatsFollow::Line(const Interval& v, std::chrono::system_clock::time_point at) {
  std::string s = UtcText(at) + " " + Fixed(v.seconds) + " s: " + Fixed(PerSecond(v.transactions, v.seconds)) +
                  " trx/s, " + Fixed(PerSecond(v.rows, v.seconds)) + " row changes/s, " +
                  Bytes(PerSecond(v.bytes, v.seconds)) + ", " + Lag(v);
  auto busiest = Busiest(v, kLineTables);
  if (!busiest.empty()) {
    s += "; tables:";
    for (size_t i = 0; i < busiest.size(); ++i) {
      s += (i ? ", " : " ") + TableName(busiest[i].first) + " " + Fixed(PerSecond(busiest[i].second.rows, v.seconds)) +
           " rows/s " + Bytes(PerSecond(busiest[i].second.bytes, v.seconds));
    }
    if (v.tables.size() > busiest.size()) s += " (+" + std::to_string(v.tables.size() - busiest.size()) + " more)";
  }
  if (!v.largest.empty()) {
    s += "; largest transactions:";
    for (size_t i = 0; i < v.largest.size(); ++i)
      s += (i ? ", " : " ") + std::to_string(v.largest[i].first) + " B " + v.largest[i].second;
  }
  return s + "\n";
}

std::string StatsFollow::Screen(const Interval& v, std::chrono::system_clock::time_point at) {
  std::string s = "\033[H\033[2J";  // home, clear: the view is redrawn
  s += "vomsrepl stats --follow  " + UtcText(at) + "  (last " + Fixed(v.seconds) + " s; Ctrl-C ends with totals)\n\n";
  s += "  " + Fixed(PerSecond(v.transactions, v.seconds)) + " transactions/s   " +
       Fixed(PerSecond(v.rows, v.seconds)) + " row changes/s   " + Bytes(PerSecond(v.bytes, v.seconds)) + "   " +
       Lag(v) + "\n\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-52s %14s %14s\n", "table", "rows/s", "bytes/s");
  s += buf;
  for (const auto& [name, t] : Busiest(v, kScreenTables)) {
    std::snprintf(buf, sizeof buf, "  %-52s %14s %14s\n", TableName(name).c_str(),
                  Fixed(PerSecond(t.rows, v.seconds)).c_str(), Bytes(PerSecond(t.bytes, v.seconds)).c_str());
    s += buf;
  }
  if (!v.largest.empty()) {
    s += "\n  largest transactions\n";
    for (const auto& [bytes, name] : v.largest) s += "  " + std::to_string(bytes) + " B  " + name + "\n";
  }
  return s;
}

std::string StatsFollow::JsonLine(const Interval& v, std::chrono::system_clock::time_point at) {
  Json j;
  j["time"] = UtcText(at);
  j["seconds"] = std::round(v.seconds * 1000) / 1000;
  j["transactions"] = v.transactions;
  j["rows"] = v.rows;
  j["bytes"] = v.bytes;
  j["events"] = v.events;
  j["transactions_per_second"] = PerSecond(v.transactions, v.seconds);
  j["rows_per_second"] = PerSecond(v.rows, v.seconds);
  j["bytes_per_second"] = PerSecond(v.bytes, v.seconds);
  if (v.lag_seconds >= 0) j["lag_seconds"] = v.lag_seconds;
  j["caught_up"] = v.caught_up;
  Json& tables = j["tables"] = Json::array();
  for (const auto& [name, t] : Busiest(v, v.tables.size())) {
    tables.push_back(
        Json{{"db", JsonBytes(name.first)}, {"table", JsonBytes(name.second)}, {"rows", t.rows}, {"bytes", t.bytes}});
  }
  Json& largest = j["largest_transactions"] = Json::array();
  for (const auto& [bytes, name] : v.largest) largest.push_back(Json{{"bytes", bytes}, {"transaction", name}});
  return JsonText(j) + "\n";
}

}  // namespace vomsrepl::app
