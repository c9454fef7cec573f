// The per-interval view of `stats --master --follow` (stats_follow.h), without
// a master: what the walk feeds comes out in the next line, the busiest table
// first, the largest transactions in order, and lines add up to what was fed.
#include "app/stats_follow.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

namespace vomsrepl::app {
namespace {

TEST(StatsFollow, LinesOfTextAndJsonNameRatesTablesLargestAndLag) {
  StatsFollow::Interval v;
  v.seconds = 2.0;
  v.transactions = 10;
  v.rows = 300;
  v.bytes = 4000;
  v.events = 40;
  v.tables[{"voms_a", "m`x"}] = {100, 1000};
  v.tables[{"voms_b", "cert"}] = {200, 3000};
  v.largest = {{900, "0-1-7"}, {500, "0-1-3"}};
  v.lag_seconds = 0;
  v.caught_up = true;
  const auto at = std::chrono::system_clock::from_time_t(1765000000);
  EXPECT_EQ(StatsFollow::Line(v, at),
            "2025-12-06T05:46:40Z 2.0 s: 5.0 trx/s, 150.0 row changes/s, 2.0 kB/s, lag 0 s (caught up); tables: "
            "`voms_b`.`cert` 100.0 rows/s 1.5 kB/s, `voms_a`.`m``x` 50.0 rows/s 500 B/s; largest transactions: "
            "900 B 0-1-7, 500 B 0-1-3\n");
  auto j = nlohmann::json::parse(StatsFollow::JsonLine(v, at));
  EXPECT_EQ(j["rows"], 300);
  EXPECT_DOUBLE_EQ(j["rows_per_second"].get<double>(), 150.0);
  EXPECT_EQ(j["tables"][0]["table"], "cert");
  EXPECT_EQ(j["tables"][1]["table"], "m`x");
  EXPECT_EQ(j["largest_transactions"][0]["transaction"], "0-1-7");
  EXPECT_EQ(j["caught_up"], true);
  v.caught_up = false;
  v.lag_seconds = 12;
  EXPECT_NE(StatsFollow::Line(v, at).find(", lag 12 s;"), std::string::npos);
  v.lag_seconds = -1;
  EXPECT_NE(StatsFollow::Line(v, at).find("lag unknown (no event yet)"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(StatsFollow::JsonLine(v, at)).contains("lag_seconds"));
}

TEST(StatsFollow, WhatIsFedComesOutOnceAndTheLargestThreeInOrder) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&buf, &size);
  ASSERT_NE(out, nullptr);
  {
    StatsFollow view(out, OutputFormat::kJson, std::chrono::hours(1), false);  // Stop prints the one line
    for (uint64_t b : {10u, 50u, 30u, 70u, 20u}) {
      view.OnEvent(b, 0);
      view.OnRows("voms_a", "t", 2, b);
      view.OnTransaction(b, "trx" + std::to_string(b));
    }
    view.Stop();  // the last, partial interval is printed
  }
  std::fclose(out);
  uint64_t rows = 0, transactions = 0, bytes = 0;
  std::string largest;
  std::string text(buf, size);
  std::free(buf);
  size_t lines = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    auto j = nlohmann::json::parse(text.substr(pos, end - pos));
    ++lines;
    rows += j["rows"].get<uint64_t>();
    transactions += j["transactions"].get<uint64_t>();
    bytes += j["bytes"].get<uint64_t>();
    for (const auto& l : j["largest_transactions"]) largest += l["transaction"].get<std::string>() + " ";
    pos = end + 1;
  }
  EXPECT_EQ(lines, 1u);
  EXPECT_EQ(rows, 10u);
  EXPECT_EQ(transactions, 5u);
  EXPECT_EQ(bytes, 180u);
  EXPECT_EQ(largest, "trx70 trx50 trx30 ");
}

}  // namespace
}  // namespace vomsrepl::app
