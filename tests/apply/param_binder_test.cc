// Binlog cell bytes to statement parameters, without a server. Byte forms
// from binlog/temporal.h, decimal.h (MySQL my_time.cc, strings/decimal.cc).
#include "apply/param_binder.h"

#include "binlog/value_text.h"

#include <gtest/gtest.h>

#include <cstring>
#include <initializer_list>

namespace vomsrepl::apply {
namespace {

using binlog::ColumnType;

struct CellFixture {
  binlog::ColumnDesc column;
  std::vector<std::byte> bytes;
  std::string arena;
  BoundValue value;

  CellFixture(ColumnType type, uint16_t meta, std::initializer_list<int> b) {
    column.type = column.wire_type = type;
    column.meta = meta;
    column.name = "c";
    for (int x : b) bytes.push_back(std::byte(x));
  }
  Status Convert(bool is_unsigned = false, bool is_null = false, uint32_t fixed_binary_length = 0) {
    binlog::Cell cell;
    cell.column = &column;
    cell.is_null = is_null;
    cell.bytes = binlog::Bytes(bytes.data(), bytes.size());
    return ConvertCell(cell, ValueTarget{is_unsigned, fixed_binary_length}, arena, &value);
  }
  std::string Bytes() const { return arena.substr(value.offset, value.length); }
};

TEST(ConvertCell, IntegersFollowTheResolvedSignedness) {
  CellFixture tiny(ColumnType::kTiny, 0, {0xff});
  ASSERT_TRUE(tiny.Convert(false).ok());
  EXPECT_EQ(tiny.value.type, ParamType::kLongLong);
  EXPECT_EQ(tiny.value.num.i, -1);
  ASSERT_TRUE(tiny.Convert(true).ok());
  EXPECT_EQ(tiny.value.num.i, 255);
  EXPECT_TRUE(tiny.value.is_unsigned);

  CellFixture m(ColumnType::kInt24, 0, {0x00, 0x00, 0x80});
  ASSERT_TRUE(m.Convert(false).ok());
  EXPECT_EQ(m.value.num.i, -8388608);
  ASSERT_TRUE(m.Convert(true).ok());
  EXPECT_EQ(m.value.num.i, 8388608);

  CellFixture big(ColumnType::kLongLong, 0, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  ASSERT_TRUE(big.Convert(true).ok());
  EXPECT_EQ(uint64_t(big.value.num.i), UINT64_MAX);
  EXPECT_EQ(DescribeValue(big.value, big.arena), "18446744073709551615");

  CellFixture bad(ColumnType::kLong, 0, {1, 2, 3});
  EXPECT_EQ(bad.Convert().code(), StatusCode::kCorruption);
}

TEST(ConvertCell, FloatDoubleAndDecimalAreExact) {
  float f = 1.5f;
  CellFixture fl(ColumnType::kFloat, 4, {});
  fl.bytes.resize(4);
  std::memcpy(fl.bytes.data(), &f, 4);
  ASSERT_TRUE(fl.Convert().ok());
  EXPECT_EQ(fl.value.type, ParamType::kFloat);
  EXPECT_EQ(fl.value.num.f, 1.5f);

  // DECIMAL(5,2): 3 integer digits in 2 bytes, 2 fraction digits in 1; sign bit flipped.
  CellFixture pos(ColumnType::kNewDecimal, (5 << 8) | 2, {0x80, 0x01, 0x32});
  ASSERT_TRUE(pos.Convert().ok());
  EXPECT_EQ(pos.value.type, ParamType::kNewDecimal);
  EXPECT_EQ(pos.Bytes(), "1.50");
  CellFixture neg(ColumnType::kNewDecimal, (5 << 8) | 2, {0x7f, 0xfe, 0xcd});
  ASSERT_TRUE(neg.Convert().ok());
  EXPECT_EQ(neg.Bytes(), "-1.50");
}

TEST(ConvertCell, TemporalsKeepNegativeTimesZeroDatesAndUtc) {
  // TIME2(0) 838:59:59 = 0x800000 + (838 << 12 | 59 << 6 | 59), big-endian.
  uint32_t packed = 0x800000 + ((838u << 12) | (59u << 6) | 59u);
  CellFixture t(ColumnType::kTime2, 0, {int(packed >> 16), int((packed >> 8) & 0xff), int(packed & 0xff)});
  ASSERT_TRUE(t.Convert().ok());
  EXPECT_EQ(t.value.type, ParamType::kTime);
  EXPECT_FALSE(t.value.num.t.neg);
  EXPECT_EQ(t.value.num.t.day * 24 + t.value.num.t.hour, 838u);  // sent as days + hours
  EXPECT_LT(t.value.num.t.hour, 24u);
  EXPECT_EQ(t.value.num.t.minute, 59u);
  EXPECT_EQ(DescribeValue(t.value, t.arena), "'838:59:59.000000'");

  // -00:00:01: two's complement of the packed value.
  uint32_t negp = 0x800000 - 1;
  CellFixture nt(ColumnType::kTime2, 0, {int(negp >> 16), int((negp >> 8) & 0xff), int(negp & 0xff)});
  ASSERT_TRUE(nt.Convert().ok());
  EXPECT_TRUE(nt.value.num.t.neg);
  EXPECT_EQ(nt.value.num.t.second, 1u);
  EXPECT_EQ(nt.value.num.t.hour + nt.value.num.t.day + nt.value.num.t.minute, 0u);

  // DATE: day | month << 5 | year << 9, little-endian; the zero date stays zero.
  uint32_t d = 29 | (2 << 5) | (2024 << 9);
  CellFixture date(ColumnType::kDate, 0, {int(d & 0xff), int((d >> 8) & 0xff), int(d >> 16)});
  ASSERT_TRUE(date.Convert().ok());
  EXPECT_EQ(DescribeValue(date.value, date.arena), "'2024-02-29'");
  CellFixture zero(ColumnType::kDate, 0, {0, 0, 0});
  ASSERT_TRUE(zero.Convert().ok());
  EXPECT_EQ(DescribeValue(zero.value, zero.arena), "'0000-00-00'");

  // TIMESTAMP2(0): big-endian UTC seconds.
  uint32_t secs = 1493012711;  // 2017-04-24 05:45:11 UTC
  CellFixture ts(ColumnType::kTimestamp2, 0,
                 {int(secs >> 24), int((secs >> 16) & 0xff), int((secs >> 8) & 0xff), int(secs & 0xff)});
  ASSERT_TRUE(ts.Convert().ok());
  EXPECT_EQ(ts.value.type, ParamType::kTimestamp);
  EXPECT_EQ(DescribeValue(ts.value, ts.arena), "'2017-04-24 05:45:11.000000'");
  CellFixture ts0(ColumnType::kTimestamp2, 0, {0, 0, 0, 0});
  ASSERT_TRUE(ts0.Convert().ok());
  EXPECT_EQ(DescribeValue(ts0.value, ts0.arena), "'0000-00-00 00:00:00.000000'");
}

TEST(ConvertCell, StringsAreRawBytesWithoutTheirLengthPrefix) {
  CellFixture v(ColumnType::kVarchar, 20, {3, 'a', 0, 'b'});
  ASSERT_TRUE(v.Convert().ok());
  EXPECT_EQ(v.value.type, ParamType::kBlob);
  EXPECT_EQ(v.Bytes(), std::string("a\0b", 3));
  EXPECT_EQ(DescribeValue(v.value, v.arena), "'a\\x00b'");

  CellFixture badlen(ColumnType::kVarchar, 20, {5, 'a'});
  EXPECT_EQ(badlen.Convert().code(), StatusCode::kCorruption);

  // BINARY(4) lost its trailing zeros in the row image: padded back to the
  // length the catalog resolved (TABLE_MAP charset or the replica's type).
  CellFixture bin(ColumnType::kString, 0, {2, 'a', 'b'});
  bin.column.max_length = 4;
  ASSERT_TRUE(bin.Convert(false, false, 4).ok());
  EXPECT_EQ(bin.Bytes(), std::string("ab\0\0", 4));
  // An all-zero UUID / INET6 arrives empty: 16 zero bytes, not an empty string.
  CellFixture zero(ColumnType::kString, 0, {0});
  zero.column.max_length = 16;
  ASSERT_TRUE(zero.Convert(false, false, 16).ok());
  EXPECT_EQ(zero.Bytes(), std::string(16, '\0'));
  // CHAR(4) latin1: the server pads with spaces itself; bytes untouched.
  CellFixture chr(ColumnType::kString, 0, {2, 0xff, 'b'});
  chr.column.charset = 8;
  chr.column.max_length = 4;
  ASSERT_TRUE(chr.Convert().ok());
  EXPECT_EQ(chr.Bytes(), "\xff" "b");

  // 4-byte UTF-8 in a BLOB with a 2-byte prefix.
  CellFixture blob(ColumnType::kBlob, 2, {4, 0, 0xf0, 0x9f, 0x98, 0x80});
  ASSERT_TRUE(blob.Convert().ok());
  EXPECT_EQ(blob.Bytes(), "\xf0\x9f\x98\x80");
}

TEST(ConvertCell, EnumSetBitAndNull) {
  CellFixture e(ColumnType::kEnum, 1, {3});
  ASSERT_TRUE(e.Convert().ok());
  EXPECT_EQ(e.value.num.i, 3);
  CellFixture s(ColumnType::kSet, 2, {0x01, 0x80});
  ASSERT_TRUE(s.Convert().ok());
  EXPECT_EQ(s.value.num.i, 0x8001);
  // A SET of 64 members holding member 64: the same bits, bound signed (the
  // server compares a SET column as a signed integer).
  CellFixture s64(ColumnType::kSet, 8, {0x01, 0, 0, 0, 0, 0, 0, 0x80});
  ASSERT_TRUE(s64.Convert().ok());
  EXPECT_FALSE(s64.value.is_unsigned);
  EXPECT_EQ(uint64_t(s64.value.num.i), 0x8000000000000001ULL);
  CellFixture b(ColumnType::kBit, (2 << 8) | 1, {0x01, 0x55, 0x55});  // BIT(17): 2 bytes + 1 bit
  ASSERT_TRUE(b.Convert().ok());
  EXPECT_EQ(b.value.num.i, 0x15555);
  CellFixture n(ColumnType::kLong, 0, {});
  ASSERT_TRUE(n.Convert(false, true).ok());
  EXPECT_TRUE(n.value.is_null());
  EXPECT_EQ(DescribeValue(n.value, n.arena), "NULL");
}

TEST(ConvertCell, PartialJsonIsRefused) {
  CellFixture j(ColumnType::kJson, 4, {0, 0, 0, 0});
  binlog::Cell cell;
  cell.column = &j.column;
  cell.is_partial_json = true;
  cell.bytes = binlog::Bytes(j.bytes.data(), j.bytes.size());
  Status st = ConvertCell(cell, ValueTarget{}, j.arena, &j.value);
  EXPECT_EQ(st.code(), StatusCode::kNotSupported);
  EXPECT_NE(st.message().find("PARTIAL_JSON"), std::string_view::npos);
}

// One decode (binlog::VisitCell) serves the text, the JSON and the binding:
// a value inconsistent with its column is refused by all three with the same
// message, naming the column.
TEST(ConvertCell, BadBytesAreRefusedAlikeByEveryOutput) {
  struct Case {
    ColumnType type;
    uint16_t meta;
    std::initializer_list<int> bytes;
  };
  const Case cases[] = {
      {ColumnType::kLong, 0, {1, 2, 3}},                 // 3 bytes for an INT
      {ColumnType::kVarchar, 20, {5, 'a'}},              // prefix says 5, 1 byte follows
      {ColumnType::kDate, 0, {0xff, 0xff}},              // DATE is 3 bytes
      {ColumnType::kTime2, 0, {0x80, 0, 0, 0}},          // TIME2(0) is 3 bytes
      {ColumnType::kBit, (1 << 8) | 1, {0x01}},          // BIT(9) is 2 bytes
      {ColumnType::kEnum, 3, {1, 0, 0}},                 // ENUM packs in 1 or 2 bytes
      {ColumnType::kDecimal, 0, {0}},                    // old DECIMAL: no decoder
  };
  for (const Case& c : cases) {
    CellFixture f(c.type, c.meta, c.bytes);
    Status bound = f.Convert();
    ASSERT_FALSE(bound.ok()) << binlog::ColumnTypeName(c.type);
    EXPECT_NE(bound.message().find("column `c` (#0, "), std::string_view::npos) << bound.ToString();
    binlog::Cell cell;
    cell.column = &f.column;
    cell.bytes = binlog::Bytes(f.bytes.data(), f.bytes.size());
    for (auto style : {binlog::TextStyle::kMariadbBinlog, binlog::TextStyle::kJson}) {
      std::string text = "kept";
      Status st = binlog::AppendCellText(cell, style, text);
      EXPECT_EQ(st.ToString(), bound.ToString());
      EXPECT_EQ(text, "kept");  // nothing appended on error
    }
  }
}

TEST(DescribeValue, EscapesAndTruncates) {
  std::string arena = std::string("it's\n") + std::string(100, 'a');
  BoundValue v;
  v.type = ParamType::kBlob;
  v.length = uint32_t(arena.size());
  std::string d = DescribeValue(v, arena, 10);
  EXPECT_EQ(d, "'it\\x27s\\x0aaaaaa'...(105 bytes)");
}

}  // namespace
}  // namespace vomsrepl::apply
