// DECIMAL binary -> text. Vectors: MySQL mysql-test decimal cases as listed
// by go-mysql's TestDecodeDecimal (facts: value, precision, scale, bytes),
// plus the rows of tests/data/mariadb-types (DECIMAL(65,30), (38,38)).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "binlog/decimal.h"
#include "rows_test_util.h"

namespace vomsrepl::binlog {
namespace {

using testing::B;

// Encodes a decimal text the way the server does (for round-trip vectors).
std::vector<std::byte> Encode(const std::string& text, unsigned precision, unsigned scale) {
  static const unsigned kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
  bool neg = text[0] == '-';
  std::string t = neg ? text.substr(1) : text;
  size_t dot = t.find('.');
  std::string ip = t.substr(0, dot), fp = dot == std::string::npos ? "" : t.substr(dot + 1);
  unsigned intg = precision - scale;
  if (ip.size() > intg) ip = ip.substr(ip.size() - intg);  // "0." of DECIMAL(38,38)
  ip = std::string(intg - ip.size(), '0') + ip;
  fp += std::string(scale - fp.size(), '0');
  std::vector<std::byte> out;
  auto put = [&](const std::string& digits, unsigned nbytes) {
    uint32_t v = digits.empty() ? 0 : uint32_t(std::stoul(digits));
    for (unsigned i = nbytes; i > 0; --i) out.push_back(std::byte(uint8_t(v >> (8 * (i - 1)))));
  };
  unsigned lead = intg % 9;
  if (lead) put(ip.substr(0, lead), kDig2Bytes[lead]);
  for (unsigned i = lead; i < intg; i += 9) put(ip.substr(i, 9), 4);
  for (unsigned i = 0; i + 9 <= scale; i += 9) put(fp.substr(i, 9), 4);
  if (scale % 9) put(fp.substr(scale - scale % 9), kDig2Bytes[scale % 9]);
  out[0] ^= std::byte{0x80};
  if (neg)
    for (auto& b : out) b = ~b;
  return out;
}

std::string Text(const std::vector<std::byte>& b, unsigned p, unsigned s) {
  std::string out;
  Status st = AppendDecimalText(Bytes(b.data(), b.size()), p, s, out);
  return st.ok() ? out : "ERROR: " + st.ToString();
}

TEST(Decimal, BinarySize) {
  EXPECT_EQ(DecimalBinarySize(10, 2), 5u);   // 8 int digits: 4 bytes, 2 frac: 1
  EXPECT_EQ(DecimalBinarySize(10, 4), 5u);   // 6 int: 3, 4 frac: 2
  EXPECT_EQ(DecimalBinarySize(65, 30), 30u); // 35 int: 3*4+3, 30 frac: 3*4+2
  EXPECT_EQ(DecimalBinarySize(38, 38), 17u);
  EXPECT_EQ(DecimalBinarySize(1, 0), 1u);
  EXPECT_EQ(DecimalBinarySize(0, 0), 0u);
  EXPECT_EQ(DecimalBinarySize(66, 0), 0u);
  EXPECT_EQ(DecimalBinarySize(5, 6), 0u);
}

TEST(Decimal, HandBuiltBytes) {
  // 1234567890.1234 as DECIMAL(14,4): int 10 digits = 1 digit (1 byte) + 9 (4), frac 4 digits (2 bytes).
  EXPECT_EQ(Text(B({0x81, 0x0d, 0xfb, 0x38, 0xd2, 0x04, 0xd2}), 14, 4), "1234567890.1234");
  // -1234567890.1234: every byte inverted.
  EXPECT_EQ(Text(B({0x7e, 0xf2, 0x04, 0xc7, 0x2d, 0xfb, 0x2d}), 14, 4), "-1234567890.1234");
  // 0 as DECIMAL(10,2) and DECIMAL(5,0).
  EXPECT_EQ(Text(B({0x80, 0, 0, 0, 0}), 10, 2), "0.00");
  EXPECT_EQ(Text(B({0x80, 0, 0}), 5, 0), "0");
}

struct Vector {
  const char* text;
  unsigned precision, scale;
  const char* want;  // nullptr: same as text
};

TEST(Decimal, RoundTripVectors) {
  // From the mysql-test decimal cases (go-mysql TestDecodeDecimal) and the
  // mariadb-types fixture.
  const Vector cases[] = {
      {"-10.55", 4, 2, nullptr},
      {"0.0123456789012345678912345", 30, 25, nullptr},
      {"12345", 5, 0, nullptr},
      {"12345", 10, 3, "12345.000"},
      {"123.45", 10, 3, "123.450"},
      {"-123.45", 20, 10, "-123.4500000000"},
      {"0.00012345000098", 15, 14, nullptr},
      {"0.00012345000098765", 22, 20, "0.00012345000098765000"},
      {"0.12345000098765", 30, 20, "0.12345000098765000000"},
      {"-0.00000001234500009876", 30, 20, nullptr},
      {"1234500009876.5", 30, 5, "1234500009876.50000"},
      {"00000000.01", 10, 2, "0.01"},
      {"000.010", 7, 3, "0.010"},
      {"123.4", 10, 2, "123.40"},
      {"-1.5", 65, 30, "-1.500000000000000000000000000000"},
      {"99999999999999999999999999999999999.999999999999999999999999999999", 65, 30, nullptr},
      {"-99999999999999999999999999999999999.999999999999999999999999999999", 65, 30, nullptr},
      {"1234567890123456789012345678901234.567890123456789012345678901234", 65, 30, nullptr},
      {"-0.000000000000000000000000000001", 65, 30, nullptr},
      {"0.99999999999999999999999999999999999999", 38, 38, nullptr},
      {"-0.00000000000000000000000000000000000001", 38, 38, nullptr},
      {"-9", 1, 0, nullptr},
      {"9", 1, 0, nullptr},
      {"999999999.999999999", 18, 9, nullptr},
      {"100000000.000000000", 18, 9, nullptr},
      {"-999999999999999999999999999999999999999999999999999999999999999", 65, 0, nullptr},
  };
  for (const Vector& v : cases) {
    std::string text = v.text;
    auto bytes = Encode(text, v.precision, v.scale);
    ASSERT_EQ(bytes.size(), DecimalBinarySize(v.precision, v.scale)) << v.text;
    EXPECT_EQ(Text(bytes, v.precision, v.scale), v.want ? v.want : v.text) << v.text << " (" << v.precision << "," << v.scale << ")";
  }
}

TEST(Decimal, AppendsWithoutClobbering) {
  std::string out = "x=";
  auto b = Encode("42", 5, 0);
  out = "x=";
  ASSERT_TRUE(AppendDecimalText(Bytes(b.data(), b.size()), 5, 0, out).ok());
  EXPECT_EQ(out, "x=42");
}

TEST(Decimal, Errors) {
  std::string out = "keep";
  auto b = B({0x80, 0, 0});
  EXPECT_EQ(AppendDecimalText(Bytes(b.data(), 2), 5, 0, out).code(), StatusCode::kCorruption);  // short
  EXPECT_EQ(AppendDecimalText(Bytes(b.data(), 3), 0, 0, out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendDecimalText(Bytes(b.data(), 3), 66, 0, out).code(), StatusCode::kInvalidArgument);
  // A 2-byte group of 3 digits holding 65535 > 999.
  auto bad = B({0x80 | 0x7f, 0xff, 0x00});
  EXPECT_EQ(AppendDecimalText(Bytes(bad.data(), 3), 5, 0, out).code(), StatusCode::kCorruption);
  // A full 4-byte group above 999999999.
  auto bad9 = B({0xbb, 0x9a, 0xca, 0x00});  // 0x3b9aca00 = 1000000000 after the sign flip
  EXPECT_EQ(AppendDecimalText(Bytes(bad9.data(), 4), 9, 0, out).code(), StatusCode::kCorruption);
  EXPECT_EQ(out, "keep");
}

}  // namespace
}  // namespace vomsrepl::binlog
