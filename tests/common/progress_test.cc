// ProgressReporter (include/vomsrepl/progress.h): the line's text, and the
// lines its thread writes off a terminal and on one. No timing assertion: the
// tests wait (with a generous deadline) for the lines to arrive.
#include <vomsrepl/progress.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace vomsrepl {
namespace {

TEST(HumanBytes, BinaryUnits) {
  EXPECT_EQ(HumanBytes(0), "0 B");
  EXPECT_EQ(HumanBytes(812), "812 B");
  EXPECT_EQ(HumanBytes(328602), "320.9 KiB");
  EXPECT_EQ(HumanBytes(3u << 30), "3.0 GiB");
}

TEST(GroupedCount, Commas) {
  EXPECT_EQ(GroupedCount(0), "0");
  EXPECT_EQ(GroupedCount(999), "999");
  EXPECT_EQ(GroupedCount(3035), "3,035");
  EXPECT_EQ(GroupedCount(1234567), "1,234,567");
}

TEST(ProgressLine, KnownTotalHasPercentRateAndEta) {
  // 120,000 of 300,000 rows in 10 s: 12,000 rows/s, 180,000 left: 15 s.
  EXPECT_EQ(ProgressReporter::FormatLine("bootstrap voms_a -> voms_a on r1", "rows", 120000, 300000, 10.0,
                                         ", 3 of 12 tables"),
            "bootstrap voms_a -> voms_a on r1: 120,000 of 300,000 rows (40.0%), 3 of 12 tables, 12,000 rows/s, "
            "ETA 15 s, 10 s elapsed");
}

TEST(ProgressLine, UnknownTotalHasNoEta) {
  EXPECT_EQ(ProgressReporter::FormatLine("dump", "bytes", 3u << 20, 0, 2.0, ""),
            "dump: 3.0 MiB, 1.5 MiB/s, 2 s elapsed");
}

TEST(ProgressLine, NothingDoneYetSaysSo) {
  EXPECT_EQ(ProgressReporter::FormatLine("verify", "tables", 0, 40, 10.0, ""),
            "verify: 0 of 40 tables (0.0%), 0.0 tables/s, ETA unknown (no progress yet), 10 s elapsed");
}

TEST(ProgressLine, SlowRatesKeepADecimalAndLongEtasMinutes) {
  // 3 tables in 10 s: 0.3/s; 37 left: 123 s -> "2 min".
  EXPECT_EQ(ProgressReporter::FormatLine("verify", "tables", 3, 40, 10.0, ""),
            "verify: 3 of 40 tables (7.5%), 0.3 tables/s, ETA 2 min, 10 s elapsed");
}

// Collects what the reporter writes; Wait() blocks until `n` writes arrived.
class Collector {
 public:
  std::function<void(const std::string&)> Sink() {
    return [this](const std::string& text) {
      std::lock_guard lock(mu_);
      writes_.push_back(text);
      cv_.notify_all();
    };
  }
  bool Wait(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return writes_.size() >= n; });
  }
  std::vector<std::string> writes() {
    std::lock_guard lock(mu_);
    return writes_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> writes_;
};

TEST(ProgressReporter, OffATerminalWritesFullLinesWhileNothingMoves) {
  Collector c;
  ProgressReporter::Options o;
  o.label = "catchup r1";
  o.unit = "transactions";
  o.interval = std::chrono::milliseconds(20);
  o.write = c.Sink();
  int polls = 0;
  o.poll = [&polls](ProgressReporter& p) {
    ++polls;
    p.SetDone(5);
    p.SetTotal(10);
    p.SetDetail(", 7 rows");
  };
  ProgressReporter r(std::move(o));
  ASSERT_TRUE(c.Wait(3)) << "no 3 progress lines within 30 s";
  r.Stop();
  const auto w = c.writes();
  EXPECT_EQ(size_t(polls), w.size());  // one poll per line
  for (const std::string& line : w) {
    EXPECT_EQ(line.rfind("catchup r1: 5 of 10 transactions (50.0%), 7 rows, ", 0), 0u) << line;
    EXPECT_EQ(line.back(), '\n') << line;
    EXPECT_EQ(line.find('\r'), std::string::npos) << line;
  }
  r.Stop();  // idempotent
  EXPECT_EQ(c.writes().size(), w.size());
}

TEST(ProgressReporter, OnATerminalRedrawsAndEndsTheLineAtStop) {
  Collector c;
  ProgressReporter::Options o;
  o.label = "bootstrap";
  o.terminal = true;
  o.write = c.Sink();
  ProgressReporter r(std::move(o));
  r.SetDone(42);
  ASSERT_TRUE(c.Wait(1)) << "no redraw within 30 s";
  r.Stop();
  const auto w = c.writes();
  ASSERT_GE(w.size(), 3u);  // >= 1 redraw, the final redraw, the newline
  EXPECT_EQ(w.front().rfind("\rbootstrap: 42 rows", 0), 0u) << w.front();
  EXPECT_EQ(w[w.size() - 2].rfind("\rbootstrap: 42 rows", 0), 0u) << w[w.size() - 2];
  EXPECT_EQ(w.back(), "\n");
}

TEST(ProgressReporter, StoppedBeforeTheFirstLineWritesNothing) {
  Collector c;
  ProgressReporter::Options o;
  o.label = "verify";
  o.interval = std::chrono::hours(1);
  o.write = c.Sink();
  {
    ProgressReporter r(std::move(o));
    r.SetDone(1);
  }  // the destructor stops it
  EXPECT_TRUE(c.writes().empty());
}

}  // namespace
}  // namespace vomsrepl
