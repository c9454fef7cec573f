// TABLE_MAP decoding on hand-built bodies: every per-type metadata rule,
// every optional-metadata TLV, corruption, and the TableMapCache.
#include "binlog/table_map.h"

#include <gtest/gtest.h>

#include <random>

#include "rows_test_util.h"

namespace vomsrepl::binlog {
namespace {

using testing::ByteBuilder;
using testing::TestFde;

// Header of a TABLE_MAP body up to (and including) the column types.
ByteBuilder Head(uint64_t table_id, std::string_view db, std::string_view table,
                 std::initializer_list<uint8_t> types, int id_width = 6) {
  ByteBuilder b;
  b.Int(table_id, id_width).U16(1).U8(db.size()).Raw(db).U8(0).U8(table.size()).Raw(table).U8(0);
  b.Packed(types.size()).Bytes1(types);
  return b;
}

Status Decode(const ByteBuilder& b, TableSchema& t, const FormatDescription& fde = TestFde()) {
  return DecodeTableMap(b.span(), fde, t);
}

TEST(TableMap, BasicFieldsAndFixedSizes) {
  // TINY SHORT INT24 LONG LONGLONG FLOAT DOUBLE YEAR DATE TIME TIMESTAMP DATETIME NEWDATE NULL
  auto b = Head(0x010203040506, "db", "t", {1, 2, 9, 3, 8, 4, 5, 13, 10, 11, 7, 12, 14, 6});
  b.Packed(2).Bytes1({4, 8});          // FLOAT meta 4, DOUBLE meta 8
  b.Bytes1({0x01, 0x20});             // nullable: col 0 and col 13
  TableSchema t;
  ASSERT_TRUE(Decode(b, t).ok());
  EXPECT_EQ(t.table_id, 0x010203040506u);
  EXPECT_EQ(t.flags, 1);
  EXPECT_EQ(t.database, "db");
  EXPECT_EQ(t.table, "t");
  ASSERT_EQ(t.columns.size(), 14u);
  const uint16_t sizes[] = {1, 2, 3, 4, 8, 4, 8, 1, 3, 3, 4, 8, 3, 0};
  for (size_t i = 0; i < 14; ++i) {
    EXPECT_EQ(t.layout[i].length_bytes, 0) << i;
    EXPECT_EQ(t.layout[i].fixed_size, sizes[i]) << i;
    EXPECT_TRUE(t.layout[i].supported) << i;
  }
  EXPECT_EQ(t.columns[5].meta, 4);
  EXPECT_EQ(t.columns[6].meta, 8);
  EXPECT_TRUE(t.columns[0].nullable);
  EXPECT_FALSE(t.columns[1].nullable);
  EXPECT_TRUE(t.columns[13].nullable);
  EXPECT_EQ(t.unknown_metadata_fields, 0u);
  EXPECT_FALSE(t.has_primary_key_metadata);
}

TEST(TableMap, FourByteTableIdForOldServers) {
  auto b = Head(0x0A0B0C0D, "d", "t", {3}, 4);
  b.Packed(0).Bytes1({0});
  TableSchema t;
  ASSERT_TRUE(Decode(b, t, TestFde(6)).ok());
  EXPECT_EQ(t.table_id, 0x0A0B0C0Du);
  uint64_t id = 0;
  ASSERT_TRUE(PeekTableId(EventType::kTableMap, b.span(), TestFde(6), &id));
  EXPECT_EQ(id, 0x0A0B0C0Du);
}

TEST(TableMap, TemporalFractionalSizes) {
  // TIME2, DATETIME2, TIMESTAMP2 with fsp 0..6
  for (uint8_t fsp = 0; fsp <= 6; ++fsp) {
    auto b = Head(1, "d", "t", {19, 18, 17});
    b.Packed(3).Bytes1({fsp, fsp, fsp}).Bytes1({0});
    TableSchema t;
    ASSERT_TRUE(Decode(b, t).ok());
    uint16_t frac = uint16_t((fsp + 1) / 2);
    EXPECT_EQ(t.layout[0].fixed_size, 3 + frac);
    EXPECT_EQ(t.layout[1].fixed_size, 5 + frac);
    EXPECT_EQ(t.layout[2].fixed_size, 4 + frac);
  }
  auto bad = Head(1, "d", "t", {18});
  bad.Packed(1).Bytes1({7}).Bytes1({0});
  TableSchema t;
  EXPECT_EQ(Decode(bad, t).code(), StatusCode::kCorruption);
}

TEST(TableMap, DecimalSizes) {
  struct Case { uint8_t precision, scale; uint16_t size; };
  // decimal_bin_size: 9 digits per 4 bytes, leftovers by dig2bytes {0,1,1,2,2,3,3,4,4,4}.
  const Case cases[] = {{10, 5, 6}, {10, 2, 5}, {65, 30, 30}, {1, 0, 1}, {9, 9, 4}, {18, 9, 8}, {5, 2, 3}};
  for (const Case& c : cases) {
    auto b = Head(1, "d", "t", {246});
    b.Packed(2).Bytes1({c.precision, c.scale}).Bytes1({0});
    TableSchema t;
    ASSERT_TRUE(Decode(b, t).ok());
    EXPECT_EQ(t.columns[0].meta, (c.precision << 8) | c.scale);
    EXPECT_EQ(t.layout[0].fixed_size, c.size) << int(c.precision) << "," << int(c.scale);
  }
  auto bad = Head(1, "d", "t", {246});
  bad.Packed(2).Bytes1({66, 0}).Bytes1({0});
  TableSchema t;
  EXPECT_EQ(Decode(bad, t).code(), StatusCode::kCorruption);
}

TEST(TableMap, BitMetadataIsBitsThenBytes) {
  // Field_bit metadata: byte0 = bits % 8, byte1 = bits / 8.
  struct Case { uint8_t bits, bytes; uint16_t size; };
  const Case cases[] = {{3, 0, 1}, {0, 1, 1}, {1, 1, 2}, {0, 8, 8}, {7, 7, 8}};
  for (const Case& c : cases) {
    auto b = Head(1, "d", "t", {16});
    b.Packed(2).Bytes1({c.bits, c.bytes}).Bytes1({0});
    TableSchema t;
    ASSERT_TRUE(Decode(b, t).ok());
    EXPECT_EQ(t.columns[0].meta, (c.bytes << 8) | c.bits);
    EXPECT_EQ(t.layout[0].fixed_size, c.size);
  }
}

TEST(TableMap, VarcharAndStringLengthBytes) {
  // VARCHAR(255 bytes), VARCHAR(256), VAR_STRING(10), CHAR(255 bytes), CHAR(400 bytes), BINARY(16)
  auto b = Head(1, "d", "t", {15, 15, 253, 254, 254, 254});
  b.Packed(12).Bytes1({0xff, 0x00, 0x00, 0x01, 10, 0, 0xfe, 0xff, 0xee, 0x90, 0xfe, 16}).Bytes1({0});
  TableSchema t;
  ASSERT_TRUE(Decode(b, t).ok());
  EXPECT_EQ(t.columns[0].max_length, 255u);
  EXPECT_EQ(t.layout[0].length_bytes, 1);
  EXPECT_EQ(t.columns[1].max_length, 256u);
  EXPECT_EQ(t.layout[1].length_bytes, 2);
  EXPECT_EQ(t.layout[2].length_bytes, 1);
  EXPECT_EQ(t.columns[3].type, ColumnType::kString);
  EXPECT_EQ(t.columns[3].max_length, 255u);
  EXPECT_EQ(t.layout[3].length_bytes, 1);
  // CHAR > 255 bytes: 400 = 0x190, bits 8-9 (01) inverted into bits 4-5 of byte 0: 0xfe ^ 0x10 = 0xee.
  EXPECT_EQ(t.columns[4].type, ColumnType::kString);
  EXPECT_EQ(t.columns[4].wire_type, ColumnType::kString);
  EXPECT_EQ(t.columns[4].wire_meta, 0xee90);
  EXPECT_EQ(t.columns[4].max_length, 400u);
  EXPECT_EQ(t.columns[4].meta, 400);
  EXPECT_EQ(t.layout[4].length_bytes, 2);
  EXPECT_EQ(t.columns[5].max_length, 16u);  // MariaDB INET6/UUID arrive like this
  EXPECT_EQ(t.layout[5].length_bytes, 1);
}

TEST(TableMap, EnumAndSetFromStringMetadata) {
  auto b = Head(1, "d", "t", {254, 254, 254});
  b.Packed(6).Bytes1({247, 1, 248, 8, 247, 2}).Bytes1({0});
  TableSchema t;
  ASSERT_TRUE(Decode(b, t).ok());
  EXPECT_EQ(t.columns[0].type, ColumnType::kEnum);
  EXPECT_EQ(t.columns[0].wire_type, ColumnType::kString);
  EXPECT_EQ(t.columns[0].meta, 1);
  EXPECT_EQ(t.layout[0].fixed_size, 1);
  EXPECT_EQ(t.columns[1].type, ColumnType::kSet);
  EXPECT_EQ(t.layout[1].fixed_size, 8);
  EXPECT_EQ(t.layout[2].fixed_size, 2);

  auto bad = Head(1, "d", "t", {254});
  bad.Packed(2).Bytes1({0x3f, 1}).Bytes1({0});  // real type 0x3f: nonsense
  EXPECT_EQ(Decode(bad, t).code(), StatusCode::kCorruption);
}

TEST(TableMap, LengthPrefixedTypes) {
  // BLOB(meta 1..4), GEOMETRY, JSON, VECTOR
  auto b = Head(1, "d", "t", {252, 252, 252, 252, 255, 245, 242});
  b.Packed(7).Bytes1({1, 2, 3, 4, 4, 4, 4}).Bytes1({0});
  TableSchema t;
  ASSERT_TRUE(Decode(b, t).ok());
  for (int i = 0; i < 4; ++i) EXPECT_EQ(t.layout[i].length_bytes, i + 1);
  EXPECT_EQ(t.layout[4].length_bytes, 4);
  EXPECT_EQ(t.layout[5].length_bytes, 4);
  EXPECT_TRUE(t.layout[5].is_json);
  EXPECT_EQ(t.json_column_count, 1u);
  EXPECT_EQ(t.layout[6].length_bytes, 4);

  auto bad = Head(1, "d", "t", {252});
  bad.Packed(1).Bytes1({5}).Bytes1({0});
  EXPECT_EQ(Decode(bad, t).code(), StatusCode::kCorruption);
}

TEST(TableMap, UnknownTypeCodeIsNotSupported) {
  auto b = Head(1, "d", "t", {3, 100});
  b.Packed(0).Bytes1({0});
  TableSchema t;
  Status st = Decode(b, t);
  EXPECT_EQ(st.code(), StatusCode::kNotSupported);
  EXPECT_NE(st.message().find("100"), std::string_view::npos);
}

TEST(TableMap, TypeWithoutRowFormatIsFlaggedNotRejected) {
  auto b = Head(1, "d", "t", {0, 3});  // old DECIMAL
  b.Packed(0).Bytes1({0});
  TableSchema t;
  ASSERT_TRUE(Decode(b, t).ok());
  EXPECT_FALSE(t.layout[0].supported);
  EXPECT_TRUE(t.layout[1].supported);
}

// Columns: 0 INT, 1 VARCHAR, 2 ENUM, 3 SET, 4 BIGINT, 5 BLOB, 6 GEOMETRY,
// 7 CHAR, 8 DOUBLE, 9 VECTOR, 10 ENUM, 11 GEOMETRY
TEST(TableMap, EveryOptionalMetadataField) {
  auto b = Head(7, "voms_atlas", "usr", {3, 15, 254, 254, 8, 252, 255, 254, 5, 242, 254, 255});
  ByteBuilder meta;
  meta.Bytes1({40, 0})     // VARCHAR(40)
      .Bytes1({247, 1})   // ENUM
      .Bytes1({248, 1})   // SET
      .Bytes1({2})        // BLOB
      .Bytes1({4})        // GEOMETRY
      .Bytes1({254, 12})  // CHAR(12)
      .Bytes1({8})        // DOUBLE
      .Bytes1({4})        // VECTOR
      .Bytes1({247, 1})   // ENUM
      .Bytes1({4});       // GEOMETRY
  b.Packed(meta.size()).Raw(meta.bytes()).Bytes1({0xff, 0x0f});
  // Numeric columns: 0 INT, 4 BIGINT, 8 DOUBLE -> unsigned, signed, unsigned (MSB first: 101)
  b.Tlv(1, ByteBuilder().Bytes1({0xa0}));
  // Character columns: 1 VARCHAR, 5 BLOB, 7 CHAR. Default 45, exception: char column #1 (BLOB) -> 63.
  b.Tlv(2, ByteBuilder().Packed(45).Packed(1).Packed(63));
  // Names.
  ByteBuilder names;
  for (const char* n : {"id", "dn", "state", "roles", "big", "cert", "geo", "code", "score", "emb", "kind", "area"})
    names.PackedString(n);
  b.Tlv(4, names);
  b.Tlv(5, ByteBuilder().Packed(2).PackedString("r").PackedString("w"));
  b.Tlv(6, ByteBuilder().Packed(2).PackedString("on").PackedString("off").Packed(1).PackedString("x"));
  b.Tlv(7, ByteBuilder().Packed(1).Packed(3));
  b.Tlv(9, ByteBuilder().Packed(0).Packed(0).Packed(1).Packed(10));
  b.Tlv(10, ByteBuilder().Packed(8).Packed(1).Packed(33));  // ENUM/SET default 8, #1 (SET) -> 33
  b.Tlv(12, ByteBuilder().Bytes1({0xef, 0xf0}));           // col 3 invisible (MSB first)
  b.Tlv(13, ByteBuilder().Packed(1024));
  b.Tlv(200, ByteBuilder().Bytes1({1, 2, 3}));  // unknown, skipped by length
  TableSchema t;
  Status st = Decode(b, t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(t.columns.size(), 12u);
  EXPECT_EQ(t.unknown_metadata_fields, 1u);
  // Signedness
  EXPECT_TRUE(t.columns[0].has_signedness);
  EXPECT_TRUE(t.columns[0].is_unsigned);
  EXPECT_FALSE(t.columns[4].is_unsigned);
  EXPECT_TRUE(t.columns[4].has_signedness);
  EXPECT_TRUE(t.columns[8].is_unsigned);
  EXPECT_FALSE(t.columns[1].has_signedness);
  // Charsets
  EXPECT_EQ(t.columns[1].charset, 45u);
  EXPECT_EQ(t.columns[5].charset, 63u);
  EXPECT_EQ(t.columns[7].charset, 45u);
  EXPECT_EQ(t.columns[2].charset, 8u);
  EXPECT_EQ(t.columns[3].charset, 33u);
  EXPECT_EQ(t.columns[10].charset, 8u);
  EXPECT_EQ(t.columns[0].charset, 0u);
  // Names
  EXPECT_EQ(t.columns[0].name, "id");
  EXPECT_EQ(t.columns[11].name, "area");
  // SET / ENUM strings
  EXPECT_EQ(t.columns[3].enum_values, (std::vector<std::string>{"r", "w"}));
  EXPECT_EQ(t.columns[2].enum_values, (std::vector<std::string>{"on", "off"}));
  EXPECT_EQ(t.columns[10].enum_values, (std::vector<std::string>{"x"}));
  // Geometry types
  EXPECT_EQ(t.columns[6].geometry_type, 1u);
  EXPECT_EQ(t.columns[11].geometry_type, 3u);
  // Primary key with prefix
  EXPECT_TRUE(t.has_primary_key_metadata);
  EXPECT_EQ(t.primary_key, (std::vector<uint32_t>{0, 1}));
  EXPECT_TRUE(t.columns[0].is_primary_key);
  EXPECT_EQ(t.columns[0].primary_key_prefix, 0u);
  EXPECT_TRUE(t.columns[1].is_primary_key);
  EXPECT_EQ(t.columns[1].primary_key_prefix, 10u);
  EXPECT_FALSE(t.columns[2].is_primary_key);
  // Visibility
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(t.columns[i].visible, i != 3) << i;
  // Vector
  EXPECT_EQ(t.columns[9].vector_dimensions, 1024u);
}

TEST(TableMap, ColumnCharsetAndSimplePrimaryKeyAndEnumSetColumnCharset) {
  auto b = Head(9, "d", "t", {15, 3, 252, 254});
  b.Packed(6).Bytes1({20, 0, 2, 247, 1}).Bytes1({0});  // VARCHAR 2 + BLOB 1 + STRING 2 = 5, declared 6
  TableSchema t;
  EXPECT_EQ(Decode(b, t).code(), StatusCode::kCorruption);

  auto g = Head(9, "d", "t", {15, 3, 252, 254});
  g.Packed(5).Bytes1({20, 0, 2, 247, 1}).Bytes1({0});
  g.Tlv(3, ByteBuilder().Packed(255).Packed(63));
  g.Tlv(8, ByteBuilder().Packed(1));
  g.Tlv(11, ByteBuilder().Packed(224));
  Status st = Decode(g, t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(t.columns[0].charset, 255u);
  EXPECT_EQ(t.columns[2].charset, 63u);
  EXPECT_EQ(t.columns[3].charset, 224u);
  EXPECT_EQ(t.primary_key, (std::vector<uint32_t>{1}));
  EXPECT_TRUE(t.columns[1].is_primary_key);
}

TEST(TableMap, OptionalMetadataErrors) {
  auto base = [] {
    auto b = Head(9, "d", "t", {15, 3});
    b.Packed(2).Bytes1({20, 0}).Bytes1({0});
    return b;
  };
  TableSchema t;
  {
    auto b = base();
    b.Tlv(8, ByteBuilder().Packed(2));  // PK column 2 of 2
    EXPECT_EQ(Decode(b, t).code(), StatusCode::kCorruption);
  }
  {
    auto b = base();
    b.Tlv(2, ByteBuilder().Packed(33).Packed(1).Packed(8));  // only one character column
    EXPECT_EQ(Decode(b, t).code(), StatusCode::kCorruption);
  }
  {
    auto b = base();
    b.Tlv(4, ByteBuilder().PackedString("a"));  // one name for two columns
    EXPECT_EQ(Decode(b, t).code(), StatusCode::kCorruption);
  }
  {
    auto b = base();
    b.U8(4).Packed(10).Bytes1({1, 'a'});  // TLV longer than the event
    EXPECT_EQ(Decode(b, t).code(), StatusCode::kCorruption);
  }
  {
    auto b = base();
    b.Tlv(12, ByteBuilder());  // empty visibility bitmap for 2 columns
    EXPECT_EQ(Decode(b, t).code(), StatusCode::kCorruption);
  }
}

TEST(TableMap, ReuseClearsPreviousOptionalMetadata) {
  auto a = Head(1, "d", "t", {3});
  a.Packed(0).Bytes1({0});
  a.Tlv(4, ByteBuilder().PackedString("x"));
  a.Tlv(8, ByteBuilder().Packed(0));
  auto plain = Head(1, "d", "t", {3});
  plain.Packed(0).Bytes1({0});
  TableSchema t;
  ASSERT_TRUE(Decode(a, t).ok());
  EXPECT_EQ(t.columns[0].name, "x");
  ASSERT_TRUE(Decode(plain, t).ok());
  EXPECT_EQ(t.columns[0].name, "");
  EXPECT_FALSE(t.columns[0].is_primary_key);
  EXPECT_TRUE(t.primary_key.empty());
}

ByteBuilder RichTableMap() {
  auto b = Head(7, "voms_atlas", "usr", {3, 15, 254, 246, 18, 252});
  b.Packed(8).Bytes1({40, 0, 247, 1, 10, 2, 3, 2}).Bytes1({0x3e});
  b.Tlv(1, ByteBuilder().Bytes1({0x80}));
  b.Tlv(2, ByteBuilder().Packed(45));
  ByteBuilder names;
  for (const char* n : {"id", "dn", "state", "amount", "created", "cert"}) names.PackedString(n);
  b.Tlv(4, names);
  b.Tlv(6, ByteBuilder().Packed(2).PackedString("on").PackedString("off"));
  b.Tlv(8, ByteBuilder().Packed(0));
  return b;
}

TEST(TableMap, TruncatedAtEveryLengthNeverCrashes) {
  auto b = Head(7, "voms_atlas", "usr", {3, 15, 254, 246, 18, 252});
  b.Packed(8).Bytes1({40, 0, 247, 1, 10, 2, 3, 2}).Bytes1({0x3e});
  b.Tlv(4, ByteBuilder().PackedString("id").PackedString("dn").PackedString("s").PackedString("a")
                .PackedString("c").PackedString("e"));
  b.Tlv(8, ByteBuilder().Packed(0));
  TableSchema t;
  ASSERT_TRUE(Decode(b, t).ok());
  const auto& full = b.bytes();
  // Cutting inside a TLV is an error; cutting exactly between TLVs is a
  // valid (shorter) table map.
  size_t ok_count = 0;
  for (size_t n = 0; n < full.size(); ++n) {
    Status st = DecodeTableMap(Bytes(full.data(), n), TestFde(), t);
    if (st.ok()) ++ok_count;
    else EXPECT_EQ(st.code(), StatusCode::kCorruption) << n << " " << st.ToString();
  }
  EXPECT_EQ(ok_count, 2u);  // before the names TLV and before the PK TLV
}

TEST(TableMap, FlippedBytesNeverCrash) {
  auto rich = RichTableMap();
  std::vector<std::byte> bytes = rich.bytes();
  std::mt19937 rng(42);
  TableSchema t;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::byte> m = bytes;
    int flips = 1 + int(rng() % 3);
    for (int f = 0; f < flips; ++f) m[rng() % m.size()] ^= std::byte(uint8_t(1 + rng() % 255));
    DecodeTableMap(Bytes(m.data(), m.size()), TestFde(), t).IgnoreError();
  }
}

TEST(TableMapCache, SkipsIdenticalBodiesAndForgetsOnClear) {
  auto b = Head(5, "d", "t", {3});
  b.Packed(0).Bytes1({0});
  TableMapCache cache;
  const TableSchema* s = nullptr;
  ASSERT_TRUE(cache.Update(b.span(), TestFde(), &s).ok());
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->table_id, 5u);
  EXPECT_EQ(cache.Find(5), s);
  EXPECT_EQ(cache.Find(6), nullptr);
  ASSERT_TRUE(cache.Update(b.span(), TestFde()).ok());
  EXPECT_EQ(cache.decode_count(), 1u);
  cache.Clear();
  EXPECT_EQ(cache.Find(5), nullptr);
  EXPECT_EQ(cache.live_count(), 0u);
  ASSERT_TRUE(cache.Update(b.span(), TestFde()).ok());
  EXPECT_EQ(cache.decode_count(), 1u);  // same bytes: recognised, not decoded
  EXPECT_EQ(cache.Find(5), s);

  // Same id, different table: decoded again.
  auto other = Head(5, "d", "u", {8, 8});
  other.Packed(0).Bytes1({0});
  ASSERT_TRUE(cache.Update(other.span(), TestFde()).ok());
  EXPECT_EQ(cache.decode_count(), 2u);
  EXPECT_EQ(cache.Find(5)->table, "u");
  EXPECT_EQ(cache.Find(5)->columns.size(), 2u);

  // A bad body leaves the id unmapped.
  auto bad = Head(5, "d", "u", {8, 8});
  bad.Packed(7);
  EXPECT_FALSE(cache.Update(bad.span(), TestFde()).ok());
  EXPECT_EQ(cache.Find(5), nullptr);
  EXPECT_FALSE(cache.Update(Bytes(), TestFde()).ok());
}

}  // namespace
}  // namespace vomsrepl::binlog

namespace vomsrepl::binlog {
namespace {

FormatDescription MariaDbFde() {
  FormatDescription fde = testing::TestFde();
  fde.server_version = "10.11.19-MariaDB-0+deb12u1";
  fde.flavor = ServerFlavor::kMariaDB;
  return fde;
}

// vt.others of mariadb-types/types-bin.000001 (INT, GEOMETRY, POINT, INET4,
// INET6, UUID, JSON), bytes as the server wrote them: MariaDB counts GEOMETRY
// among the character columns, so DEFAULT_CHARSET exception #5 is the JSON.
ByteBuilder MariaDbOthers() {
  auto b = testing::ByteBuilder();
  b.Int(42, 6).U16(1).U8(2).Raw("vt").U8(0).U8(6).Raw("others").U8(0);
  b.Packed(7).Bytes1({3, 255, 255, 254, 254, 254, 252});
  b.Packed(9).Bytes1({0x04, 0x04, 0xfe, 0x04, 0xfe, 0x10, 0xfe, 0x10, 0x04});
  b.Bytes1({0xfe});
  b.Tlv(1, ByteBuilder().Bytes1({0x00}));
  b.Tlv(2, ByteBuilder().Bytes1({0x3f, 0x05, 0x2e}));
  b.Tlv(7, ByteBuilder().Bytes1({0x00, 0x01}));
  return b;
}

TEST(TableMap, MariaDbCountsGeometryAsCharacterColumn) {
  TableSchema t;
  Status st = DecodeTableMap(MariaDbOthers().span(), MariaDbFde(), t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  for (size_t i = 1; i <= 5; ++i) EXPECT_EQ(t.columns[i].charset, 63u) << i;
  EXPECT_EQ(t.columns[6].charset, 46u);
  EXPECT_EQ(t.columns[0].charset, 0u);
  EXPECT_EQ(t.columns[1].geometry_type, 0u);
  EXPECT_EQ(t.columns[2].geometry_type, 1u);
  // MySQL does not count GEOMETRY: exception #5 is past its 4 character columns.
  EXPECT_EQ(DecodeTableMap(MariaDbOthers().span(), testing::TestFde(), t).code(), StatusCode::kCorruption);
}

TEST(TableMap, MariaDbCountsYearInSignedness) {
  // vt.temporals of types-bin.000001 up to TIME: INT, DATE, YEAR, TIME2(0);
  // SIGNEDNESS 0x40 marks the second numeric column, YEAR, UNSIGNED.
  auto b = testing::ByteBuilder();
  b.Int(7, 6).U16(1).U8(2).Raw("vt").U8(0).U8(9).Raw("temporals").U8(0);
  b.Packed(4).Bytes1({3, 10, 13, 19}).Packed(1).Bytes1({0}).Bytes1({0x0e});
  b.Tlv(1, ByteBuilder().Bytes1({0x40}));
  TableSchema t;
  Status st = DecodeTableMap(b.span(), MariaDbFde(), t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(t.columns[0].has_signedness);
  EXPECT_FALSE(t.columns[0].is_unsigned);
  EXPECT_FALSE(t.columns[1].has_signedness);
  EXPECT_TRUE(t.columns[2].has_signedness);
  EXPECT_TRUE(t.columns[2].is_unsigned);
  EXPECT_FALSE(t.columns[3].has_signedness);
  // MySQL leaves YEAR out: the same bitmap marks only the INT (signed).
  st = DecodeTableMap(b.span(), testing::TestFde(), t);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(t.columns[0].has_signedness);
  EXPECT_FALSE(t.columns[0].is_unsigned);
  EXPECT_FALSE(t.columns[2].has_signedness);
}

TEST(TableMap, DecimalScaleUpTo38) {
  // DECIMAL(38,38) (MariaDB) is 17 bytes; DECIMAL(65,30) 30; scale 39 impossible.
  TableSchema t;
  auto one = [&](uint8_t precision, uint8_t scale) {
    auto b = testing::ByteBuilder();
    b.Int(1, 6).U16(1).U8(1).Raw("d").U8(0).U8(1).Raw("t").U8(0);
    b.Packed(1).Bytes1({246}).Packed(2).Bytes1({precision, scale}).Bytes1({1});
    return DecodeTableMap(b.span(), testing::TestFde(), t);
  };
  ASSERT_TRUE(one(38, 38).ok());
  EXPECT_EQ(t.layout[0].fixed_size, 17);
  ASSERT_TRUE(one(65, 38).ok());
  EXPECT_EQ(t.layout[0].fixed_size, 29);
  ASSERT_TRUE(one(65, 30).ok());
  EXPECT_EQ(t.layout[0].fixed_size, 30);
  EXPECT_EQ(one(39, 39).code(), StatusCode::kCorruption);
  EXPECT_EQ(one(30, 31).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace vomsrepl::binlog
