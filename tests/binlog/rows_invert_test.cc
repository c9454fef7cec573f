// binlog::InvertRowsEvent: the event that undoes another, without a server.
#include "binlog/rows_invert.h"

#include <gtest/gtest.h>

#include "rows_test_util.h"
#include "binlog/table_map.h"

namespace vomsrepl::binlog {
namespace {

using testing::ByteBuilder;
using testing::TestFde;

// TABLE_MAP of `d`.`t` (id 42): INT a, INT b, VARCHAR(20) c, names from FULL metadata.
TableSchema Schema() {
  ByteBuilder b;
  b.Int(42, 6).U16(1).U8(1).Raw("d").U8(0).U8(1).Raw("t").U8(0).Packed(3).Bytes1({3, 3, 15});
  b.Packed(2).Bytes1({20, 0});
  b.U8(0xff);
  ByteBuilder names;
  for (const char* n : {"a", "b", "c"}) names.PackedString(n);
  b.Tlv(4, names);
  TableSchema t;
  Status st = DecodeTableMap(b.span(), TestFde(), t);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return t;
}

// Rows event body, v1: table id 42, flags, 3 columns, bitmaps, rows.
ByteBuilder Body(std::initializer_list<uint8_t> bitmaps, const ByteBuilder& rows) {
  ByteBuilder b;
  b.Int(42, 6).U16(1).Packed(3).Bytes1(bitmaps).Raw(rows.bytes());
  return b;
}

// "B{a,b,c}" / "A{...}" per image: the values as the walker delivers them.
struct Values {
  std::string log;
  void BeginRow(RowImage i) { log += i == RowImage::kBefore ? "B{" : "A{"; }
  void OnCell(const Cell& c) {
    if (c.is_null) {
      log += "N,";
    } else if (c.column->type == ColumnType::kLong) {
      log += std::to_string(LoadLE<4>(c.bytes.data())) + ",";
    } else {
      log += std::string(AsStringView(c.bytes.subspan(1))) + ",";
    }
  }
  void EndRow() { log += "}"; }
};

std::string Walk(const RowsEventView& v, const TableSchema& t) {
  Values w;
  Status st = ForEachRow(v, t, w);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return w.log;
}

// The view points into `body`, which must outlive it.
RowsEventView Decode(EventType type, const ByteBuilder& body, std::vector<std::byte>& scratch) {
  auto v = DecodeRowsEvent(type, body.span(), TestFde(), scratch);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return *v;
}

TEST(InvertRowsEvent, WriteBecomesDeleteOfTheSameRowsLastFirst) {
  TableSchema t = Schema();
  ByteBuilder rows;
  rows.U8(0).U32(1).U32(10).U8(1).Raw("x");
  rows.U8(0b100).U32(2).U32(20);  // c NULL
  std::vector<std::byte> scratch, out;
  const ByteBuilder body_w = Body({0b111}, rows);
  RowsEventView w = Decode(EventType::kWriteRowsV1, body_w, scratch);
  RowsEventView inv;
  Status st = InvertRowsEvent(w, t, out, &inv);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(inv.kind, RowsKind::kDelete);
  EXPECT_EQ(inv.type, EventType::kDeleteRowsV1);
  EXPECT_EQ(Walk(w, t), "A{1,10,x,}A{2,20,N,}");
  EXPECT_EQ(Walk(inv, t), "B{2,20,N,}B{1,10,x,}");
  // Undoing the undo gives the original rows back (in the original order).
  std::vector<std::byte> out2;
  RowsEventView back;
  ASSERT_TRUE(InvertRowsEvent(inv, t, out2, &back).ok());
  EXPECT_EQ(back.kind, RowsKind::kWrite);
  EXPECT_EQ(Walk(back, t), Walk(w, t));
}

TEST(InvertRowsEvent, UpdateGoesBackFromTheAfterImageToTheBeforeImage) {
  TableSchema t = Schema();
  ByteBuilder rows;
  rows.U8(0).U32(1).U32(10).U8(1).Raw("x");   // row 1 before
  rows.U8(0).U32(1).U32(11).U8(2).Raw("xy");  // row 1 after
  rows.U8(0b100).U32(2).U32(20);              // row 2 before, c NULL
  rows.U8(0).U32(2).U32(21).U8(0);            // row 2 after, c ''
  std::vector<std::byte> scratch, out;
  const ByteBuilder body_u = Body({0b111, 0b111}, rows);
  RowsEventView u = Decode(EventType::kUpdateRowsV1, body_u, scratch);
  RowsEventView inv;
  ASSERT_TRUE(InvertRowsEvent(u, t, out, &inv).ok());
  EXPECT_EQ(inv.kind, RowsKind::kUpdate);
  EXPECT_EQ(Walk(inv, t), "B{2,21,,}A{2,20,N,}B{1,11,xy,}A{1,10,x,}");
}

TEST(InvertRowsEvent, PartialImagesAreRefusedNamingTheMissingColumns) {
  TableSchema t = Schema();
  ByteBuilder rows;
  rows.U8(0).U32(1);  // binlog_row_image=MINIMAL: the before image holds the key only
  std::vector<std::byte> scratch, out;
  const ByteBuilder body_d = Body({0b001}, rows);
  RowsEventView d = Decode(EventType::kDeleteRowsV1, body_d, scratch);
  RowsEventView inv;
  Status st = InvertRowsEvent(d, t, out, &inv);
  EXPECT_EQ(st.code(), StatusCode::kNotSupported);
  EXPECT_NE(st.message().find("`b`, `c`"), std::string_view::npos) << st.ToString();
  EXPECT_NE(st.message().find("binlog_row_image=FULL"), std::string_view::npos) << st.ToString();
  // A WRITE's image may be partial: its DELETE finds the row by what it has.
  const ByteBuilder body_w = Body({0b001}, rows);
  RowsEventView w = Decode(EventType::kWriteRowsV1, body_w, scratch);
  EXPECT_TRUE(InvertRowsEvent(w, t, out, &inv).ok());
}

TEST(InvertRowsEvent, TruncatedRowsAreCorruption) {
  TableSchema t = Schema();
  ByteBuilder rows;
  rows.U8(0).U32(1).U32(10).U8(5).Raw("ab");  // c says 5 bytes, has 2
  std::vector<std::byte> scratch, out;
  const ByteBuilder body_w = Body({0b111}, rows);
  RowsEventView w = Decode(EventType::kWriteRowsV1, body_w, scratch);
  RowsEventView inv;
  EXPECT_EQ(InvertRowsEvent(w, t, out, &inv).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace vomsrepl::binlog
