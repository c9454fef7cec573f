// The public progress vocabulary (include/vomsrepl/progress.h), with the other
// public types in common; it writes through the caller's callback only.
#include <vomsrepl/progress.h>

#include <cinttypes>
#include <cstdio>

namespace vomsrepl {

std::string HumanBytes(uint64_t n) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = double(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, kUnits[u]);
  return buf;
}

std::string GroupedCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

std::string Amount(const std::string& unit, uint64_t n) {
  return unit == "bytes" ? HumanBytes(n) : GroupedCount(n) + " " + unit;
}

std::string Duration(double seconds) {
  char buf[32];
  if (seconds < 100) {
    std::snprintf(buf, sizeof(buf), "%.0f s", seconds);
  } else if (seconds < 6000) {
    std::snprintf(buf, sizeof(buf), "%.0f min", seconds / 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f h", seconds / 3600);
  }
  return buf;
}

}  // namespace

std::string ProgressReporter::FormatLine(const std::string& label, const std::string& unit, uint64_t done,
                                         uint64_t total, double seconds, const std::string& detail) {
  std::string line = label + ": ";
  if (total > 0) {
    char pct[16];
    std::snprintf(pct, sizeof(pct), "%.1f%%", 100.0 * double(done) / double(total));
    line += (unit == "bytes" ? HumanBytes(done) : GroupedCount(done)) + " of " + Amount(unit, total) + " (" + pct + ")";
  } else {
    line += Amount(unit, done);
  }
  line += detail;
  const double rate = seconds > 0 ? double(done) / seconds : 0;
  if (unit == "bytes") {
    line += ", " + HumanBytes(uint64_t(rate)) + "/s";
  } else if (rate < 10) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f", rate);  // 0.3 tables/s, not 0
    line += std::string(", ") + buf + " " + unit + "/s";
  } else {
    line += ", " + GroupedCount(uint64_t(rate)) + " " + unit + "/s";
  }
  if (total > done && rate > 0) {
    line += ", ETA " + Duration(double(total - done) / rate);
  } else if (total > done) {
    line += ", ETA unknown (no progress yet)";
  }
  line += ", " + Duration(seconds) + " elapsed";
  return line;
}

ProgressReporter::ProgressReporter(Options options)
    : options_(std::move(options)), started_(std::chrono::steady_clock::now()) {
  if (!options_.write) options_.write = [](const std::string&) {};
  thread_ = std::thread([this] { Run(); });
}

ProgressReporter::~ProgressReporter() { Stop(); }

void ProgressReporter::SetDetail(std::string detail) {
  std::lock_guard lock(mu_);
  detail_ = std::move(detail);
}

void ProgressReporter::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProgressReporter::WriteLine() {
  if (options_.poll) options_.poll(*this);
  std::string detail;
  {
    std::lock_guard lock(mu_);
    detail = detail_;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  std::string line = FormatLine(options_.label, options_.unit, done_.load(std::memory_order_relaxed),
                                total_.load(std::memory_order_relaxed), seconds, detail);
  if (options_.terminal) {
    options_.write("\r" + line + "\033[K");
  } else {
    options_.write(line + "\n");
  }
  wrote_ = true;
}

void ProgressReporter::Run() {
  const auto period = options_.terminal ? std::chrono::milliseconds(500) : options_.interval;
  std::unique_lock lock(mu_);
  for (;;) {
    if (cv_.wait_for(lock, period, [this] { return stopping_; })) break;
    lock.unlock();
    WriteLine();
    lock.lock();
  }
  lock.unlock();
  // The final state on a terminal (the line then ends); a log keeps its last
  // periodic line and the command's own summary.
  if (options_.terminal) {
    if (wrote_) {
      WriteLine();
      options_.write("\n");
    }
  }
}

}  // namespace vomsrepl
