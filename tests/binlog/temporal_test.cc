// Temporal types: decoders and text, hand-built bytes (layouts per MySQL
// sql-common/my_time.cc), edge values from tests/data/mariadb-types.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "binlog/temporal.h"

namespace vomsrepl::binlog {
namespace {

std::vector<std::byte> Be(uint64_t v, int n) {
  std::vector<std::byte> out;
  for (int i = n - 1; i >= 0; --i) out.push_back(std::byte(uint8_t(v >> (8 * i))));
  return out;
}
std::vector<std::byte> Le(uint64_t v, int n) {
  std::vector<std::byte> out;
  for (int i = 0; i < n; ++i) out.push_back(std::byte(uint8_t(v >> (8 * i))));
  return out;
}
std::vector<std::byte> Cat(std::vector<std::byte> a, const std::vector<std::byte>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
Bytes V(const std::vector<std::byte>& v) { return Bytes(v.data(), v.size()); }

// TIME2 bytes the way the server writes them (my_time_packed_to_binary).
std::vector<std::byte> Time2(bool neg, int h, int m, int s, int us, unsigned fsp) {
  int64_t packed = (int64_t((h << 12) | (m << 6) | s) << 24) + us;
  if (neg) packed = -packed;
  switch ((fsp + 1) / 2) {
    case 0: return Be(uint64_t(packed / (int64_t(1) << 24) + 0x800000), 3);
    case 1: {
      int64_t ip = packed / (int64_t(1) << 24), fr = (packed % (int64_t(1) << 24)) / 10000;
      if (fr < 0) { ip -= 1; fr += 0x100; }
      return Cat(Be(uint64_t(ip + 0x800000), 3), Be(uint64_t(fr), 1));
    }
    case 2: {
      int64_t ip = packed / (int64_t(1) << 24), fr = (packed % (int64_t(1) << 24)) / 100;
      if (fr < 0) { ip -= 1; fr += 0x10000; }
      return Cat(Be(uint64_t(ip + 0x800000), 3), Be(uint64_t(fr), 2));
    }
    default: return Be(uint64_t(packed + 0x800000000000LL), 6);
  }
}

std::string TimeText(const std::vector<std::byte>& b, unsigned fsp) {
  auto t = DecodeTime2(V(b), fsp);
  if (!t.ok()) return "ERROR " + t.status().ToString();
  std::string out;
  AppendTime(*t, fsp, out);
  return out;
}

TEST(Temporal, Time2AllPrecisions) {
  struct C { bool neg; int h, m, s, us; unsigned fsp; const char* want; } cases[] = {
      {true, 507, 48, 27, 0, 0, "-507:48:27"},
      {false, 838, 59, 59, 0, 0, "838:59:59"},
      {false, 0, 0, 0, 0, 0, "00:00:00"},
      {true, 0, 0, 0, 100000, 1, "-00:00:00.1"},
      {true, 1, 2, 3, 400000, 1, "-01:02:03.4"},
      {false, 12, 0, 0, 500000, 1, "12:00:00.5"},
      {true, 0, 0, 0, 10000, 2, "-00:00:00.01"},
      {true, 838, 59, 59, 0, 3, "-838:59:59.000"},
      {true, 0, 0, 0, 1000, 3, "-00:00:00.001"},
      {true, 12, 34, 56, 789000, 3, "-12:34:56.789"},
      {false, 100, 0, 0, 10000, 3, "100:00:00.010"},
      {true, 0, 0, 0, 100, 4, "-00:00:00.0001"},
      {true, 0, 0, 0, 10, 5, "-00:00:00.00001"},
      {true, 0, 0, 0, 1, 6, "-00:00:00.000001"},
      {true, 0, 0, 0, 500000, 6, "-00:00:00.500000"},
      {true, 12, 34, 56, 789012, 6, "-12:34:56.789012"},
      {false, 87, 31, 46, 654321, 6, "87:31:46.654321"},
  };
  for (const C& c : cases) EXPECT_EQ(TimeText(Time2(c.neg, c.h, c.m, c.s, c.us, c.fsp), c.fsp), c.want) << c.want;
}

TEST(Temporal, DateTime2AndTimestamp2) {
  auto dt2 = [](int y, int mo, int d, int h, int mi, int s, uint64_t frac, unsigned fsp) {
    uint64_t ymd = ((uint64_t(y) * 13 + mo) << 5) | d;
    uint64_t v = 0x8000000000ULL + ((ymd << 17) | uint64_t((h << 12) | (mi << 6) | s));
    auto b = Be(v, 5);
    if (fsp) b = Cat(b, Be(frac, int((fsp + 1) / 2)));
    return b;
  };
  auto text = [](const std::vector<std::byte>& b, unsigned fsp) {
    auto d = DecodeDateTime2(V(b), fsp);
    if (!d.ok()) return "ERROR " + d.status().ToString();
    std::string out;
    AppendDateTime(*d, fsp, out);
    return out;
  };
  EXPECT_EQ(text(dt2(2017, 4, 24, 5, 45, 11, 0, 0), 0), "2017-04-24 05:45:11");
  EXPECT_EQ(text(dt2(2017, 4, 24, 5, 45, 11, 12, 2), 2), "2017-04-24 05:45:11.12");
  EXPECT_EQ(text(dt2(9999, 12, 31, 23, 59, 59, 9999, 4), 4), "9999-12-31 23:59:59.9999");
  EXPECT_EQ(text(dt2(1000, 1, 1, 0, 0, 0, 1, 6), 6), "1000-01-01 00:00:00.000001");
  EXPECT_EQ(text(dt2(0, 0, 0, 0, 0, 0, 0, 6), 6), "0000-00-00 00:00:00.000000");
  EXPECT_EQ(text(dt2(2012, 3, 18, 11, 30, 45, 5, 4), 4), "2012-03-18 11:30:45.0005");
  EXPECT_EQ(text(dt2(2012, 3, 18, 11, 60, 45, 0, 0), 0).rfind("ERROR Corruption", 0), 0u);  // minute 60
  EXPECT_EQ(text(dt2(2012, 3, 18, 24, 0, 0, 0, 0), 0).rfind("ERROR Corruption", 0), 0u);     // hour 24
  EXPECT_EQ(text(Be(0x7fffffffffULL, 5), 0).rfind("ERROR Corruption", 0), 0u);               // negative
  EXPECT_EQ(text(dt2(2012, 3, 18, 0, 0, 0, 0, 0), 3).rfind("ERROR Corruption", 0), 0u);      // size vs fsp

  auto ts = [](const std::vector<std::byte>& b, unsigned fsp, bool utc) {
    auto t = DecodeTimestamp2(V(b), fsp);
    if (!t.ok()) return "ERROR " + t.status().ToString();
    std::string out;
    if (utc) AppendTimestampUtc(*t, fsp, out); else AppendTimestampEpoch(*t, fsp, out);
    return out;
  };
  EXPECT_EQ(ts(Be(1493012711, 4), 0, false), "1493012711");
  EXPECT_EQ(ts(Be(1493012711, 4), 0, true), "2017-04-24 05:45:11");
  EXPECT_EQ(ts(Cat(Be(1332070245, 4), Be(5000, 3)), 5, false), "1332070245.00500");
  EXPECT_EQ(ts(Cat(Be(2147483647, 4), Be(99, 1)), 2, true), "2038-01-19 03:14:07.99");
  EXPECT_EQ(ts(Cat(Be(0, 4), Be(0, 1)), 1, false), "0.0");
  EXPECT_EQ(ts(Cat(Be(0, 4), Be(0, 1)), 1, true), "0000-00-00 00:00:00.0");
  EXPECT_EQ(ts(Cat(Be(951782400, 4), Be(0, 2)), 3, true), "2000-02-29 00:00:00.000");  // leap day
  EXPECT_EQ(ts(Cat(Be(1, 4), Be(0xffffff, 3)), 6, false).rfind("ERROR Corruption", 0), 0u);
}

TEST(Temporal, OldFormatsAndYear) {
  auto date = DecodeDate(V(Le(24 | 4 << 5 | 2017 << 9, 3)));
  ASSERT_TRUE(date.ok());
  std::string out;
  AppendDate(*date, ':', out);
  EXPECT_EQ(out, "2017:04:24");
  EXPECT_EQ(DecodeDate(V(Le(0, 3)))->year, 0u);
  EXPECT_FALSE(DecodeDate(V(Le(13 << 5, 3))).ok());
  EXPECT_FALSE(DecodeDate(V(Le(0, 2))).ok());

  auto time = DecodeTime(V(Le(uint32_t(-5074827) & 0xffffff, 3)));
  ASSERT_TRUE(time.ok());
  out.clear();
  AppendTime(*time, 0, out);
  EXPECT_EQ(out, "-507:48:27");
  EXPECT_FALSE(DecodeTime(V(Le(8386059, 3))).ok());  // 838:60:59

  auto dt = DecodeDateTime(V(Le(20170424054511ULL, 8)));
  ASSERT_TRUE(dt.ok());
  out.clear();
  AppendDateTime(*dt, 0, out);
  EXPECT_EQ(out, "2017-04-24 05:45:11");
  EXPECT_TRUE(DecodeDateTime(V(Le(0, 8))).ok());
  EXPECT_FALSE(DecodeDateTime(V(Le(20171324054511ULL, 8))).ok());

  EXPECT_EQ(DecodeTimestamp(V(Le(1493012711, 4)))->seconds, 1493012711u);
  EXPECT_EQ(*DecodeYear(V(Le(0, 1))), 0u);
  EXPECT_EQ(*DecodeYear(V(Le(1, 1))), 1901u);
  EXPECT_EQ(*DecodeYear(V(Le(255, 1))), 2155u);
  EXPECT_FALSE(DecodeYear(V(Le(0, 2))).ok());
  EXPECT_FALSE(DecodeTime2(V(Le(0, 3)), 7).ok());
}

TEST(Temporal, PackedForms) {
  int64_t packed = (((((int64_t(2012) * 13 + 3) << 5 | 18) << 17) | (11 << 12 | 30 << 6 | 45)) << 24) + 5;
  auto d = DateTimeFromPacked(packed);
  ASSERT_TRUE(d.ok());
  std::string out;
  AppendDateTime(*d, 6, out);
  EXPECT_EQ(out, "2012-03-18 11:30:45.000005");
  EXPECT_FALSE(DateTimeFromPacked(-1).ok());
  auto t = TimeFromPacked(-((int64_t(87 << 12 | 31 << 6 | 46) << 24) + 654321));
  ASSERT_TRUE(t.ok());
  out.clear();
  AppendTime(*t, 6, out);
  EXPECT_EQ(out, "-87:31:46.654321");
}

}  // namespace
}  // namespace vomsrepl::binlog
