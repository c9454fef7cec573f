// Cell -> text. Table-driven cases with hand-built bytes for both styles, and
// the end-to-end check of tests/data/mariadb-types: every value of
// types-bin.000001 printed with TextStyle::kMariadbBinlog must equal what
// MariaDB 10.11's mariadb-binlog -vv printed for it (the saved .txt).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "binlog/rows_event.h"
#include "binlog/table_map.h"
#include "binlog/value_text.h"
#include "rows_test_util.h"

namespace vomsrepl::binlog {
namespace {

using testing::B;
std::vector<std::byte> S(std::string_view s, int prefix) {
  std::vector<std::byte> out;
  for (int i = 0; i < prefix; ++i) out.push_back(std::byte(uint8_t(s.size() >> (8 * i))));
  for (char c : s) out.push_back(std::byte(uint8_t(c)));
  return out;
}

ColumnDesc Col(ColumnType t, uint16_t meta = 0, bool is_unsigned = false, uint32_t charset = 0) {
  ColumnDesc c;
  c.type = c.wire_type = t;
  c.meta = c.wire_meta = meta;
  c.is_unsigned = is_unsigned;
  c.has_signedness = is_unsigned;
  c.charset = charset;
  c.name = "c";
  return c;
}

std::string Print(const ColumnDesc& c, const std::vector<std::byte>& bytes, TextStyle style, bool partial = false) {
  Cell cell;
  cell.column = &c;
  cell.index = 2;
  cell.is_partial_json = partial;
  cell.bytes = Bytes(bytes.data(), bytes.size());
  std::string out;
  Status st = AppendCellText(cell, style, out);
  return st.ok() ? out : "ERROR " + st.ToString();
}

struct Case {
  ColumnDesc col;
  std::vector<std::byte> bytes;
  std::string mariadb;
  std::string json;
};

TEST(ValueText, TableDriven) {
  const Case cases[] = {
      // Integers: signed reading, unsigned in parentheses after a negative one.
      {Col(ColumnType::kTiny), B({0xff}), "-1 (255)", "-1"},
      {Col(ColumnType::kTiny, 0, true), B({0xff}), "-1 (255)", "255"},
      {Col(ColumnType::kTiny), B({0x7f}), "127", "127"},
      {Col(ColumnType::kShort), B({0x00, 0x80}), "-32768 (32768)", "-32768"},
      {Col(ColumnType::kInt24), B({0xff, 0xff, 0x7f}), "8388607", "8388607"},
      {Col(ColumnType::kInt24, 0, true), B({0x00, 0x00, 0x80}), "-8388608 (8388608)", "8388608"},
      {Col(ColumnType::kLong), B({0xd3, 0xf9, 0x88, 0xc0}), "-1064764973 (3230202323)", "-1064764973"},
      {Col(ColumnType::kLong, 0, true), B({0xd3, 0xf9, 0x88, 0xc0}), "-1064764973 (3230202323)", "3230202323"},
      {Col(ColumnType::kLongLong), B({0, 0, 0, 0, 0, 0, 0, 0x80}), "-9223372036854775808 (9223372036854775808)",
       "-9223372036854775808"},
      {Col(ColumnType::kLongLong, 0, true), B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
       "-1 (18446744073709551615)", "18446744073709551615"},
      // FLOAT "%-20g", DOUBLE "%-.20g".
      {Col(ColumnType::kFloat, 4), B({0x00, 0x00, 0xc0, 0xbf}), "-1.5                ", "-1.5"},
      {Col(ColumnType::kFloat, 4), B({0xd0, 0x0f, 0x49, 0x40}), "3.14159             ", "3.14159"},
      {Col(ColumnType::kFloat, 4), B({0x00, 0x00, 0x00, 0x00}), "0                   ", "0"},
      {Col(ColumnType::kDouble, 8), B({0x18, 0x2d, 0x44, 0x54, 0xfb, 0x21, 0x09, 0x40}), "3.141592653589793116",
       "3.141592653589793"},
      {Col(ColumnType::kDouble, 8), B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0x7f}),
       "1.7976931348623157081e+308", "1.7976931348623157e+308"},
      // DECIMAL(10,2) -1.50.
      {Col(ColumnType::kNewDecimal, 10 << 8 | 2), B({0x7f, 0xff, 0xff, 0xfe, 0xcd}), "-1.50", "\"-1.50\""},
      // DATE 2017-04-24 = 24 | 4 << 5 | 2017 << 9.
      {Col(ColumnType::kDate), B({0x98, 0xc2, 0x0f}), "'2017:04:24'", "\"2017-04-24\""},
      {Col(ColumnType::kDate), B({0, 0, 0}), "'0000:00:00'", "\"0000-00-00\""},
      // Old TIME -507:48:27 = -5074827.
      {Col(ColumnType::kTime), B({0x75, 0x90, 0xb2}), "'-507:48:27'", "\"-507:48:27\""},
      // TIME2(0) -507:48:27: 0x800000 - (507 << 12 | 48 << 6 | 27).
      {Col(ColumnType::kTime2, 0), B({0x60, 0x43, 0xe5}), "'-507:48:27'", "\"-507:48:27\""},
      // TIME2(1) -00:00:00.1: intpart -1, fraction byte 0xf6 (-10).
      {Col(ColumnType::kTime2, 1), B({0x7f, 0xff, 0xff, 0xf6}), "'-00:00:00.1'", "\"-00:00:00.1\""},
      // TIME2(3) 05:45:11.123: 0x800000 + (5 << 12 | 45 << 6 | 11), 1230 (1/10000 s).
      {Col(ColumnType::kTime2, 3), B({0x80, 0x5b, 0x4b, 0x04, 0xce}), "'05:45:11.123'", "\"05:45:11.123\""},
      // TIME2(6) -00:00:00.000001.
      {Col(ColumnType::kTime2, 6), B({0x7f, 0xff, 0xff, 0xff, 0xff, 0xff}), "'-00:00:00.000001'",
       "\"-00:00:00.000001\""},
      // Old DATETIME 2017-04-24 05:45:11 = 20170424054511.
      {Col(ColumnType::kDateTime), B({0xef, 0xf2, 0xf5, 0x4a, 0x58, 0x12, 0x00, 0x00}), "'2017-04-24 05:45:11'",
       "\"2017-04-24 05:45:11\""},
      // DATETIME2(2) 2017-04-24 05:45:11.12.
      {Col(ColumnType::kDateTime2, 2), B({0x99, 0x9c, 0x70, 0x5b, 0x4b, 0x0c}), "'2017-04-24 05:45:11.12'",
       "\"2017-04-24 05:45:11.12\""},
      {Col(ColumnType::kDateTime2, 0), B({0x80, 0, 0, 0, 0}), "'0000-00-00 00:00:00'", "\"0000-00-00 00:00:00\""},
      // TIMESTAMP 1493012711, TIMESTAMP2(5) .12345 (3 bytes: 123450 us).
      {Col(ColumnType::kTimestamp), B({0xe7, 0x90, 0xfd, 0x58}), "1493012711", "\"2017-04-24 05:45:11\""},
      {Col(ColumnType::kTimestamp2, 5), B({0x58, 0xfd, 0x90, 0xe7, 0x01, 0xe2, 0x3a}), "1493012711.12345",
       "\"2017-04-24 05:45:11.12345\""},
      {Col(ColumnType::kTimestamp2, 1), B({0, 0, 0, 0, 0}), "0.0", "\"0000-00-00 00:00:00.0\""},
      // YEAR.
      {Col(ColumnType::kYear), B({117}), "2017", "2017"},
      {Col(ColumnType::kYear), B({0}), "1900", "0"},
      // Strings: only bytes < 0x20 escaped in the mariadb-binlog form.
      {Col(ColumnType::kVarchar, 20, false, 45), S("it's a\\b", 1), "'it's a\\b'", "\"it's a\\\\b\""},
      {Col(ColumnType::kVarchar, 1200, false, 45), S("l1\nl2\t\x1f", 2), "'l1\\x0al2\\x09\\x1f'", "\"l1\\nl2\\t\\u001f\""},
      {Col(ColumnType::kString, 40, false, 45), S("h\xc3\xa9llo \xe2\x82\xac", 1), "'h\xc3\xa9llo \xe2\x82\xac'",
       "\"h\xc3\xa9llo \xe2\x82\xac\""},
      {Col(ColumnType::kString, 20, false, 8), S("caf\xe9", 1), "'caf\xe9'", "\"caf\xc3\xa9\""},  // latin1
      {Col(ColumnType::kString, 4, false, 63), S(std::string("\0\x01\x02\x03", 4), 1), "'\\x00\\x01\\x02\\x03'",
       "\"base64:AAECAw==\""},
      {Col(ColumnType::kVarchar, 10, false, 0), S("\xff", 1), "'\xff'", "\"base64:/w==\""},  // not UTF-8
      {Col(ColumnType::kVarchar, 10, false, 45), S("", 1), "''", "\"\""},
      {Col(ColumnType::kBlob, 2, false, 63), S("blob", 2), "'blob'", "\"base64:YmxvYg==\""},
      {Col(ColumnType::kLongBlob, 4, false, 45), S("{\"a\": 1}", 4), "'{\"a\": 1}'", "\"{\\\"a\\\": 1}\""},
      {Col(ColumnType::kGeometry, 4), S(std::string("\0\0\0\0\x01\x01\0\0\0", 9), 4),
       "'\\x00\\x00\\x00\\x00\\x01\\x01\\x00\\x00\\x00'", "\"base64:AAAAAAEBAAAA\""},
      // ENUM/SET without names: index and bitmask.
      {Col(ColumnType::kEnum, 1), B({3}), "3", "3"},
      {Col(ColumnType::kEnum, 2), B({0x04, 0x01}), "260", "260"},
      {Col(ColumnType::kSet, 1), B({0x05}), "b'00000101'", "5"},
      {Col(ColumnType::kSet, 2), B({0x00, 0x01}), "b'0000000000000001'", "256"},
      // BIT(1), BIT(5), BIT(17) (meta 2 << 8 | 1), BIT(64).
      {Col(ColumnType::kBit, 1), B({1}), "b'1'", "1"},
      {Col(ColumnType::kBit, 5), B({0x15}), "b'10101'", "21"},
      {Col(ColumnType::kBit, 2 << 8 | 1), B({0x01, 0x00, 0x01}), "b'10000000000000001'", "65537"},
      {Col(ColumnType::kBit, 8 << 8), B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),
       "b'1111111111111111111111111111111111111111111111111111111111111111'", "18446744073709551615"},
      // MySQL JSON {"a":1} (small object) and the empty document.
      {Col(ColumnType::kJson, 4), S(std::string("\x00\x01\x00\x0c\x00\x0b\x00\x01\x00\x05\x01\x00\x61", 13), 4),
       "'{\"a\": 1}'", "{\"a\":1}"},
      {Col(ColumnType::kJson, 4), S("", 4), "'null'", "null"},
      // VECTOR of two floats (1.5, -2).
      {Col(ColumnType::kVector, 4), S(std::string("\x00\x00\xc0\x3f\x00\x00\x00\xc0", 8), 4),
       "'\\x00\\x00\xc0?\\x00\\x00\\x00\xc0'", "[1.5,-2]"},
      {Col(ColumnType::kNull), B({}), "NULL", "null"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ColumnTypeName(c.col.type)) + " meta " + std::to_string(c.col.meta));
    EXPECT_EQ(Print(c.col, c.bytes, TextStyle::kMariadbBinlog), c.mariadb);
    EXPECT_EQ(Print(c.col, c.bytes, TextStyle::kJson), c.json);
  }
}

TEST(ValueText, EnumSetNames) {
  ColumnDesc e = Col(ColumnType::kEnum, 1);
  e.enum_values = {"a", "b", "c"};
  EXPECT_EQ(Print(e, B({2}), TextStyle::kJson), "\"b\"");
  EXPECT_EQ(Print(e, B({0}), TextStyle::kJson), "\"\"");
  EXPECT_EQ(Print(e, B({2}), TextStyle::kMariadbBinlog), "2");
  EXPECT_EQ(Print(e, B({4}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  ColumnDesc s = Col(ColumnType::kSet, 1);
  s.enum_values = {"x", "y", "z\"q"};
  EXPECT_EQ(Print(s, B({0x05}), TextStyle::kJson), "\"x,z\\\"q\"");
  EXPECT_EQ(Print(s, B({0x00}), TextStyle::kJson), "\"\"");
  EXPECT_EQ(Print(s, B({0x08}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
}

TEST(ValueText, NullCell) {
  ColumnDesc c = Col(ColumnType::kLong);
  Cell cell;
  cell.column = &c;
  cell.is_null = true;
  std::string out;
  ASSERT_TRUE(AppendCellText(cell, TextStyle::kMariadbBinlog, out).ok());
  ASSERT_TRUE(AppendCellText(cell, TextStyle::kJson, out).ok());
  EXPECT_EQ(out, "NULLnull");
  EXPECT_EQ(CellInt64(cell).status().code(), StatusCode::kInvalidArgument);
}

TEST(ValueText, PartialJson) {
  ColumnDesc c = Col(ColumnType::kJson, 4);
  // REPLACE '$.role' with "IC" (bytes from a MySQL 8 PARTIAL_UPDATE_ROWS event).
  std::string diff("\x00\x06$.role\x04\x0c\x02IC", 13);
  EXPECT_EQ(Print(c, S(diff, 4), TextStyle::kMariadbBinlog, true), "JSON_REPLACE(@3, '$.role', 'IC')");
  EXPECT_EQ(Print(c, S(diff, 4), TextStyle::kJson, true),
            "{\"json_diff\":[{\"op\":\"replace\",\"path\":\"$.role\",\"value\":\"IC\"}]}");
}

TEST(ValueText, Errors) {
  // Wrong sizes are Corruption naming the column.
  std::string r = Print(Col(ColumnType::kLong), B({1, 2}), TextStyle::kMariadbBinlog);
  EXPECT_EQ(r.rfind("ERROR Corruption: column `c` (#2, INT)", 0), 0u) << r;
  EXPECT_EQ(Print(Col(ColumnType::kVarchar, 20), B({5, 'a'}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Print(Col(ColumnType::kDate), B({0xff, 0xff, 0xff}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Print(Col(ColumnType::kTime2, 7), B({0x80, 0, 0, 0, 0, 0, 0}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Print(Col(ColumnType::kBlob, 7), B({0}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  EXPECT_EQ(Print(Col(ColumnType::kJson, 4), S("\x0b\x01", 4), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  // Float NaN has no JSON form.
  EXPECT_EQ(Print(Col(ColumnType::kFloat, 4), B({0, 0, 0xc0, 0x7f}), TextStyle::kJson).rfind("ERROR Corruption", 0), 0u);
  // Types without a value decoder are NotSupported naming the type.
  for (ColumnType t : {ColumnType::kDecimal, ColumnType::kTypedArray, ColumnType::kBool, ColumnType::kInvalid}) {
    std::string e = Print(Col(t), B({0}), TextStyle::kMariadbBinlog);
    EXPECT_EQ(e.rfind("ERROR NotSupported", 0), 0u) << e;
    EXPECT_NE(e.find(std::string(ColumnTypeName(t))), std::string::npos) << e;
  }
  // `out` is left as it was.
  ColumnDesc c = Col(ColumnType::kNewDecimal, 5 << 8);
  auto bad = B({0xff, 0xff, 0xff});
  Cell cell;
  cell.column = &c;
  cell.bytes = Bytes(bad.data(), bad.size());
  std::string out = "keep";
  EXPECT_FALSE(AppendCellText(cell, TextStyle::kMariadbBinlog, out).ok());
  EXPECT_EQ(out, "keep");
  cell.column = nullptr;
  EXPECT_EQ(AppendCellText(cell, TextStyle::kJson, out).code(), StatusCode::kInvalidArgument);
}

TEST(ValueText, Accessors) {
  auto cell_of = [](const ColumnDesc& c, const std::vector<std::byte>& b) {
    Cell cell;
    cell.column = &c;
    cell.bytes = Bytes(b.data(), b.size());
    return cell;
  };
  ColumnDesc i8 = Col(ColumnType::kTiny), u8 = Col(ColumnType::kTiny, 0, true), u64 = Col(ColumnType::kLongLong, 0, true);
  auto ff = B({0xff});
  auto max64 = B({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
  EXPECT_EQ(*CellInt64(cell_of(i8, ff)), -1);
  EXPECT_EQ(*CellInt64(cell_of(u8, ff)), 255);
  EXPECT_EQ(CellUInt64(cell_of(i8, ff)).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(*CellUInt64(cell_of(u64, max64)), UINT64_MAX);
  EXPECT_EQ(CellInt64(cell_of(u64, max64)).status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(*CellDouble(cell_of(u64, max64)), 18446744073709551615.0);
  ColumnDesc f = Col(ColumnType::kFloat, 4), d = Col(ColumnType::kDouble, 8), y = Col(ColumnType::kYear);
  auto f15 = B({0x00, 0x00, 0xc0, 0xbf});
  auto d15 = B({0, 0, 0, 0, 0, 0, 0xf8, 0x3f});
  auto y117 = B({117});
  EXPECT_EQ(*CellDouble(cell_of(f, f15)), -1.5);
  EXPECT_EQ(*CellDouble(cell_of(d, d15)), 1.5);
  EXPECT_EQ(*CellInt64(cell_of(y, y117)), 2017);
  EXPECT_EQ(CellInt64(cell_of(f, f15)).status().code(), StatusCode::kInvalidArgument);
}

// --- End to end: tests/data/mariadb-types ----------------------------------

struct Printed {
  std::string table;  // `db`.`table`
  std::string column;  // @N
  std::string value;
};

struct Printer {
  const TableSchema* schema;
  std::vector<Printed>* out;
  std::vector<std::string>* errors;
  std::string json;
  void BeginRow(RowImage) {}
  void EndRow() {}
  void OnCell(const Cell& c) {
    std::string v;
    Status st = AppendCellText(c, TextStyle::kMariadbBinlog, v);
    if (!st.ok()) errors->push_back(st.ToString());
    json.clear();
    Status js = AppendCellText(c, TextStyle::kJson, json);
    if (!js.ok()) errors->push_back("json: " + js.ToString());
    out->push_back({"`" + schema->database + "`.`" + schema->table + "`", "@" + std::to_string(c.index + 1), v});
  }
};

std::string DataPath(const std::string& rel) { return std::string(VOMSREPL_TEST_DATA_DIR) + "/" + rel; }

TEST(ValueText, MariadbTypesFixtureMatchesMariadbBinlog) {
  // Reference: the lines "### INSERT INTO `db`.`t`" / "### UPDATE" / "### DELETE
  // FROM" name the table; "###   @N=value /* ... */" carry the values.
  std::ifstream ref(DataPath("mariadb-types/types-bin.000001.mariadb-binlog-vv.txt"), std::ios::binary);
  ASSERT_TRUE(ref.good());
  std::vector<Printed> want;
  std::string line, table;
  while (std::getline(ref, line)) {
    for (const char* p : {"### INSERT INTO ", "### UPDATE ", "### DELETE FROM "})
      if (line.rfind(p, 0) == 0) table = line.substr(std::strlen(p));
    if (line.rfind("###   @", 0) != 0) continue;
    size_t eq = line.find('=');
    size_t comment = line.rfind(" /* ");
    ASSERT_NE(eq, std::string::npos);
    ASSERT_NE(comment, std::string::npos);
    want.push_back({table, line.substr(6, eq - 6), line.substr(eq + 1, comment - eq - 1)});
  }
  ASSERT_GT(want.size(), 400u);

  std::vector<std::byte> file = testing::ReadFile(DataPath("mariadb-types/types-bin.000001"));
  ASSERT_FALSE(file.empty());
  TableMapCache cache;
  std::vector<std::byte> scratch;
  std::vector<Printed> got;
  std::vector<std::string> errors;
  std::set<std::string> refused_tables;  // TABLE_MAPs the decoder refused
  bool complete = testing::WalkBinlog(file, [&](const testing::WalkedEvent& e) {
    if (e.type == EventType::kTableMap) {
      const TableSchema* s = nullptr;
      Status st = cache.Update(e.body, *e.fde, &s);
      if (!st.ok()) {
        // Table name straight from the body for the report: after the 6-byte id and 2 flags.
        ByteCursor c(e.body);
        c.Skip(8);
        std::string db(c.ReadLengthPrefixedString());
        c.Skip(1);
        std::string t(c.ReadLengthPrefixedString());
        refused_tables.insert("`" + db + "`.`" + t + "`");
        errors.push_back("TABLE_MAP " + db + "." + t + ": " + st.ToString());
      }
    } else if (IsRowsEvent(e.type)) {
      auto ev = DecodeRowsEvent(e.type, e.body, *e.fde, scratch);
      ASSERT_TRUE(ev.ok()) << ev.status().ToString();
      const TableSchema* s = cache.Find(ev->table_id);
      if (s != nullptr) {
        Printer p{s, &got, &errors, {}};
        Status st = ForEachRow(*ev, *s, p);
        if (!st.ok()) errors.push_back(st.ToString());
      }
      if (ev->end_of_statement) cache.Clear();
    }
  });
  ASSERT_TRUE(complete);
  for (const std::string& t : refused_tables) ADD_FAILURE() << "refused TABLE_MAP " << t;
  std::vector<Printed> want_checked;
  for (const Printed& p : want)
    if (!refused_tables.count(p.table)) want_checked.push_back(p);
  for (const std::string& e : errors)
    if (e.rfind("TABLE_MAP ", 0) != 0) ADD_FAILURE() << e;
  ASSERT_EQ(got.size(), want_checked.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].table, want_checked[i].table) << "value #" << i;
    EXPECT_EQ(got[i].column, want_checked[i].column) << "value #" << i;
    EXPECT_EQ(got[i].value, want_checked[i].value) << "value #" << i << " " << got[i].table << " " << got[i].column;
  }
}

}  // namespace
}  // namespace vomsrepl::binlog
