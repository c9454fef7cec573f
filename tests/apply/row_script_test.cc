// Row changes as SQL text (apply/row_script.h), without a server; the round trip
// through a real server is tests/integration/undo_test.sh and dump_sql_test.sh.
#include "apply/row_script.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace vomsrepl::apply {
namespace {

std::string Literal(const BoundValue& v, const std::string& arena = "") {
  std::string out;
  AppendSqlLiteral(v, arena, out);
  return out;
}

BoundValue Bytes(ParamType type, const std::string& arena) {
  BoundValue v;
  v.type = type;
  v.offset = 0;
  v.length = uint32_t(arena.size());
  return v;
}

TEST(AppendSqlLiteral, NumbersReadBackToTheSameValue) {
  BoundValue v;
  EXPECT_EQ(Literal(v), "NULL");
  v.type = ParamType::kLongLong;
  v.num.i = -5;
  EXPECT_EQ(Literal(v), "-5");
  v.is_unsigned = true;
  v.num.i = -1;  // 2^64 - 1 as the server reads an unsigned parameter
  EXPECT_EQ(Literal(v), "18446744073709551615");
  for (double d : {0.1, -2.5e-300, 1e308, 123456789.125, std::numeric_limits<double>::denorm_min(), 0.0}) {
    v.type = ParamType::kDouble;
    v.num.d = d;
    const std::string text = Literal(v);
    EXPECT_NE(text.find('e'), std::string::npos) << text;  // an approximate-value literal
    EXPECT_EQ(std::strtod(text.c_str(), nullptr), d) << text;
  }
  v.type = ParamType::kFloat;
  v.num.f = 0.1f;
  // The float's exact value as a double: a FLOAT column stores 0.1f again.
  EXPECT_EQ(float(std::strtod(Literal(v).c_str(), nullptr)), 0.1f);
  EXPECT_EQ(Literal(v), "1.0000000149011612e-01");
  const std::string decimal = "-12.50";
  EXPECT_EQ(Literal(Bytes(ParamType::kNewDecimal, decimal), decimal), "-12.50");
}

TEST(AppendSqlLiteral, TemporalsAreQuotedWithMicrosecondsWhenNotZero) {
  BoundValue v;
  v.type = ParamType::kDate;
  v.num.t = ParamTime{};
  v.num.t.year = 2026;
  v.num.t.month = 12;
  v.num.t.day = 7;
  EXPECT_EQ(Literal(v), "'2026-12-07'");
  v.type = ParamType::kDateTime;
  v.num.t.hour = 1;
  v.num.t.minute = 2;
  v.num.t.second = 3;
  EXPECT_EQ(Literal(v), "'2026-12-07 01:02:03'");
  v.num.t.second_part = 450;
  EXPECT_EQ(Literal(v), "'2026-12-07 01:02:03.000450'");
  v.type = ParamType::kTime;
  v.num.t = ParamTime{};
  v.num.t.neg = true;
  v.num.t.day = 34;
  v.num.t.hour = 22;
  v.num.t.minute = 59;
  v.num.t.second = 59;
  EXPECT_EQ(Literal(v), "'-838:59:59'");
  v.type = ParamType::kTimestamp;
  v.num.t = ParamTime{};  // the zero timestamp
  EXPECT_EQ(Literal(v), "'0000-00-00 00:00:00'");
}

TEST(AppendSqlLiteral, BytesArePlainOnlyWhenNothingNeedsEscaping) {
  for (auto [in, want] : std::vector<std::pair<std::string, std::string>>{
           {"CN=alice, O=grid", "_binary'CN=alice, O=grid'"},
           {"", "_binary''"},
           {"it's", "X'69742773'"},
           {"a\\b", "X'615C62'"},
           {std::string("\0\x01", 2), "X'0001'"},
           {"caf\xc3\xa9", "X'636166C3A9'"},
       }) {
    EXPECT_EQ(Literal(Bytes(ParamType::kBlob, in), in), want) << in;
  }
  const std::string json = "{\"k\": \"\xc3\xa9\"}";
  EXPECT_EQ(Literal(Bytes(ParamType::kString, json), json), "_utf8mb4 X'7B226B223A2022C3A9227D'");
}

// `d`.`t` (id INT key, name VARCHAR, g generated), resolved as the catalog would.
TableInfo Table() {
  TableInfo t;
  t.database = "d";
  t.table = "t";
  t.quoted_name = "`d`.`t`";
  t.columns.resize(3);
  t.columns[0].name = "id";
  t.columns[1].name = "na`me?";
  t.columns[2].name = "g";
  t.columns[2].generated = true;
  t.key = {0};
  return t;
}

binlog::TableSchema Schema() {
  binlog::TableSchema s;
  s.database = "d";
  s.table = "t";
  for (auto type : {binlog::ColumnType::kLong, binlog::ColumnType::kVarchar, binlog::ColumnType::kLong}) {
    binlog::ColumnDesc c;
    c.type = c.wire_type = type;
    c.meta = type == binlog::ColumnType::kVarchar ? 40 : 0;
    s.columns.push_back(c);
    binlog::ValueLayout l;
    l.supported = true;
    if (type == binlog::ColumnType::kVarchar) {
      l.length_bytes = 1;
    } else {
      l.fixed_size = 4;
    }
    s.layout.push_back(l);
  }
  return s;
}

void Int(std::vector<std::byte>& b, uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(std::byte(uint8_t(v >> (8 * i))));
}
void Str(std::vector<std::byte>& b, const std::string& s) {
  b.push_back(std::byte(uint8_t(s.size())));
  for (char c : s) b.push_back(std::byte(uint8_t(c)));
}

TEST(AppendRowsEventSql, OneStatementPerRowByKeyWithoutGeneratedColumns) {
  const TableInfo t = Table();
  const binlog::TableSchema s = Schema();
  const std::byte all{0b111};
  std::vector<std::byte> rows;
  // UPDATE: before (1, 'a', 7), after (1, 'it''s?', 8).
  rows.push_back(std::byte{0});
  Int(rows, 1), Str(rows, "a"), Int(rows, 7);
  const size_t before_image = rows.size();
  rows.push_back(std::byte{0});
  Int(rows, 1), Str(rows, "it's?"), Int(rows, 8);
  binlog::RowsEventView v;
  v.kind = binlog::RowsKind::kUpdate;
  v.column_count = 3;
  v.columns_before = binlog::Bytes(&all, 1);
  v.columns_after = binlog::Bytes(&all, 1);
  v.rows = binlog::Bytes(rows.data(), rows.size());
  std::string out;
  ScriptChecks checks;
  ASSERT_TRUE(AppendRowsEventSql(t, s, v, checks, out).ok());
  // The `?` inside the backquoted name stays; the value's own `?` is inside X'...'.
  EXPECT_EQ(out, "UPDATE `d`.`t` SET `id`=1,`na``me?`=X'697427733F' WHERE `id`=1;\n");

  out.clear();
  v.kind = binlog::RowsKind::kDelete;
  v.columns_after = {};
  v.rows = binlog::Bytes(rows.data(), before_image);
  ASSERT_TRUE(AppendRowsEventSql(t, s, v, checks, out).ok());
  EXPECT_EQ(out, "DELETE FROM `d`.`t` WHERE `id`=1;\n");

  out.clear();
  v.kind = binlog::RowsKind::kWrite;
  ASSERT_TRUE(AppendRowsEventSql(t, s, v, checks, out).ok());
  EXPECT_EQ(out, "INSERT INTO `d`.`t` (`id`,`na``me?`) VALUES (1,_binary'a');\n");

  // Without a key: every column, NULL-safe, one row.
  TableInfo nokey = t;
  nokey.key.clear();
  out.clear();
  v.kind = binlog::RowsKind::kDelete;
  ASSERT_TRUE(AppendRowsEventSql(nokey, s, v, checks, out).ok());
  EXPECT_EQ(out, "DELETE FROM `d`.`t` WHERE `id`<=>1 AND `na``me?`<=>_binary'a' LIMIT 1;\n");

  // An event logged with foreign key checks off: the script turns them off for it,
  // and on again for the next event logged with them.
  out.clear();
  v.flags = binlog::kRowsFlagNoForeignKeyChecks;
  ASSERT_TRUE(AppendRowsEventSql(t, s, v, checks, out).ok());
  v.flags = 0;
  ASSERT_TRUE(AppendRowsEventSql(t, s, v, checks, out).ok());
  EXPECT_EQ(out,
            "SET SESSION foreign_key_checks = 0, unique_checks = 1;\nDELETE FROM `d`.`t` WHERE `id`=1;\n"
            "SET SESSION foreign_key_checks = 1, unique_checks = 1;\nDELETE FROM `d`.`t` WHERE `id`=1;\n");
}

// ENUM's error value '' (index 0, stored by a non-strict session) is refused by a
// strict one: that statement alone runs without STRICT_ALL_TABLES.
TEST(AppendRowsEventSql, TheEnumErrorValueIsWrittenWithoutStrictMode) {
  TableInfo t = Table();
  t.columns.resize(2);
  binlog::TableSchema s = Schema();
  s.columns.resize(2);
  s.layout.resize(2);
  s.columns[1].type = s.columns[1].wire_type = binlog::ColumnType::kEnum;
  s.columns[1].meta = 1;
  s.layout[1] = binlog::ValueLayout{0, true, false, 1};
  const std::byte both{0b11};
  std::vector<std::byte> rows;
  rows.push_back(std::byte{0});
  Int(rows, 1);
  rows.push_back(std::byte{0});  // index 0
  rows.push_back(std::byte{0});
  Int(rows, 2);
  rows.push_back(std::byte{2});  // the second member
  binlog::RowsEventView v;
  v.kind = binlog::RowsKind::kWrite;
  v.column_count = 2;
  v.columns_before = binlog::Bytes(&both, 1);
  v.rows = binlog::Bytes(rows.data(), rows.size());
  std::string out;
  ScriptChecks checks;
  ASSERT_TRUE(AppendRowsEventSql(t, s, v, checks, out).ok());
  EXPECT_EQ(out,
            "SET STATEMENT sql_mode = 'ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION' FOR "
            "INSERT INTO `d`.`t` (`id`,`na``me?`) VALUES (1,0);\n"
            "INSERT INTO `d`.`t` (`id`,`na``me?`) VALUES (2,2);\n");
}

TEST(ScriptSessionSql, SetsUtcAndTheApplierSqlMode) {
  const std::string s = ScriptSessionSql();
  EXPECT_NE(s.find("time_zone = '+00:00'"), std::string::npos);
  EXPECT_NE(s.find("NO_AUTO_VALUE_ON_ZERO"), std::string::npos);
  EXPECT_NE(s.find("STRICT_ALL_TABLES"), std::string::npos);
}

}  // namespace
}  // namespace vomsrepl::apply
