// Statement text and table descriptions, without a server.
#include "apply/row_statements.h"

#include <gtest/gtest.h>

#include <array>

#include "apply/table_catalog.h"

namespace vomsrepl::apply {
namespace {

binlog::TableSchema Schema(const std::string& db, const std::string& table, std::vector<std::string> names) {
  binlog::TableSchema s;
  s.database = db;
  s.table = table;
  for (auto& n : names) {
    binlog::ColumnDesc c;
    c.type = c.wire_type = binlog::ColumnType::kLong;
    c.name = n;
    s.columns.push_back(c);
  }
  return s;
}

TEST(BuildTableInfo, QuotesHostileNamesAndTakesTheKeyFromTheTableMap) {
  auto s = Schema("voms_x", "we`ird tab'le \xc3\xa7", {"id`x", "sel ect", "\"q\"", "\xc3\xb1" "ame"});
  s.has_primary_key_metadata = true;
  s.primary_key = {0};
  auto t = BuildTableInfo(s, {}, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->quoted_name, "`voms_x`.`we``ird tab'le \xc3\xa7`");
  EXPECT_EQ(t->key, std::vector<uint32_t>{0});
  EXPECT_TRUE(t->key_from_table_map);

  std::array<uint32_t, 3> cols{0, 1, 3};
  EXPECT_EQ(BuildInsertSql(*t, cols, 2, InsertMode::kPlain),
            "INSERT INTO `voms_x`.`we``ird tab'le \xc3\xa7` (`id``x`,`sel ect`,`\xc3\xb1" "ame`) VALUES (?,?,?),(?,?,?)");
  std::array<uint32_t, 1> key{0};
  std::array<uint32_t, 2> set{1, 2};
  EXPECT_EQ(BuildUpdateSql(*t, set, key, true),
            "UPDATE `voms_x`.`we``ird tab'le \xc3\xa7` SET `sel ect`=?,`\"q\"`=? WHERE `id``x`=?");
  EXPECT_EQ(BuildDeleteSql(*t, key, 3, true), "DELETE FROM `voms_x`.`we``ird tab'le \xc3\xa7` WHERE `id``x` IN (?,?,?)");
}

// The before-image check: the key with `=`, every checked column with the
// NULL-safe `<=>`, placeholders only; a multi-row DELETE becomes an OR of
// one conjunction per row (each still matches at most one row by its key).
TEST(BuildStatements, BeforeImageCheckColumnsFollowTheKey) {
  auto s = Schema("voms_x", "t", {"id", "v`x", "w"});
  s.has_primary_key_metadata = true;
  s.primary_key = {0};
  auto t = BuildTableInfo(s, {}, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::array<uint32_t, 1> key{0};
  std::array<uint32_t, 2> check{1, 2};
  std::array<uint32_t, 1> set{2};
  EXPECT_EQ(BuildUpdateSql(*t, set, key, true, check),
            "UPDATE `voms_x`.`t` SET `w`=? WHERE `id`=? AND `v``x`<=>? AND `w`<=>?");
  EXPECT_EQ(BuildUpdateSql(*t, set, key, true), "UPDATE `voms_x`.`t` SET `w`=? WHERE `id`=?");
  EXPECT_EQ(BuildDeleteSql(*t, key, 1, true, check), "DELETE FROM `voms_x`.`t` WHERE `id`=? AND `v``x`<=>? AND `w`<=>?");
  EXPECT_EQ(BuildDeleteSql(*t, key, 2, true, check),
            "DELETE FROM `voms_x`.`t` WHERE (`id`=? AND `v``x`<=>? AND `w`<=>?) OR (`id`=? AND `v``x`<=>? AND `w`<=>?)");
  EXPECT_EQ(BuildDeleteSql(*t, key, 2, true), "DELETE FROM `voms_x`.`t` WHERE `id` IN (?,?)");
  std::array<uint32_t, 2> key2{0, 1};
  std::array<uint32_t, 1> check2{2};
  EXPECT_EQ(BuildDeleteSql(*t, key2, 2, true, check2),
            "DELETE FROM `voms_x`.`t` WHERE (`id`=? AND `v``x`=? AND `w`<=>?) OR (`id`=? AND `v``x`=? AND `w`<=>?)");
  // No usable key: every column with <=> and LIMIT 1, as before (the check adds nothing).
  std::array<uint32_t, 3> all{0, 1, 2};
  EXPECT_EQ(BuildUpdateSql(*t, set, all, false, check),
            "UPDATE `voms_x`.`t` SET `w`=? WHERE `id`<=>? AND `v``x`<=>? AND `w`<=>? LIMIT 1");
  EXPECT_EQ(BuildKeyExistsSql(*t, key2), "SELECT 1 FROM `voms_x`.`t` WHERE `id`=? AND `v``x`=? LIMIT 1");
}

// Checked batches as one joined statement: the rows' parameters as a
// derived table (a UNION of one SELECT per row, never a table value
// constructor), the replica's key index forced, the table never aliased
// (hostile names stay quoted), strings checked by their bytes; only for an
// integer key the replica has an index over.
TEST(BuildStatements, JoinedUpdateAndDeleteNameEveryRowsValuesInOrder) {
  auto s = Schema("voms_x", "we`t", {"id", "s`x", "n"});
  s.has_primary_key_metadata = true;
  s.primary_key = {0};
  auto t = BuildTableInfo(s, {}, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(JoinKeyed(*t)) << "no key index, no replica type";
  t->key_index = "PRIMARY";
  EXPECT_FALSE(JoinKeyed(*t)) << "the key's type on the replica is unknown";
  t->columns[0].data_type = "bigint";
  EXPECT_TRUE(JoinKeyed(*t));
  t->columns[1].compare_bytes = true;
  std::array<uint32_t, 1> key{0};
  std::array<uint32_t, 2> check{1, 2};
  std::array<uint32_t, 1> set{2};
  // Parameters per row: set (v0), key (v1), check (v2, v3).
  EXPECT_EQ(BuildJoinUpdateSql(*t, set, key, check, 3),
            "UPDATE (SELECT ? AS `v0`,? AS `v1`,? AS `v2`,? AS `v3` UNION ALL SELECT ?,?,?,? UNION ALL SELECT ?,?,?,?) "
            "AS `v` STRAIGHT_JOIN `voms_x`.`we``t` FORCE INDEX (`PRIMARY`) ON `voms_x`.`we``t`.`id`=`v`.`v1` AND "
            "BINARY `voms_x`.`we``t`.`s``x`<=>`v`.`v2` AND `voms_x`.`we``t`.`n`<=>`v`.`v3` "
            "SET `voms_x`.`we``t`.`n`=`v`.`v0`");
  EXPECT_EQ(BuildJoinDeleteSql(*t, key, check, 2),
            "DELETE `voms_x`.`we``t` FROM (SELECT ? AS `v0`,? AS `v1`,? AS `v2` UNION ALL SELECT ?,?,?) AS `v` "
            "STRAIGHT_JOIN `voms_x`.`we``t` FORCE INDEX (`PRIMARY`) ON `voms_x`.`we``t`.`id`=`v`.`v0` AND "
            "BINARY `voms_x`.`we``t`.`s``x`<=>`v`.`v1` AND `voms_x`.`we``t`.`n`<=>`v`.`v2`");
  // A composite key, no check; a table named v takes the alias w; the
  // index name is quoted too.
  auto sv = Schema("voms_x", "V", {"a", "b"});
  sv.has_primary_key_metadata = true;
  sv.primary_key = {0, 1};
  auto v = BuildTableInfo(sv, {}, {});
  ASSERT_TRUE(v.ok());
  v->key_index = "u`k";
  std::array<uint32_t, 2> both{0, 1};
  EXPECT_EQ(BuildJoinDeleteSql(*v, both, {}, 1),
            "DELETE `voms_x`.`V` FROM (SELECT ? AS `v0`,? AS `v1`) AS `w` STRAIGHT_JOIN `voms_x`.`V` FORCE INDEX "
            "(`u``k`) ON `voms_x`.`V`.`a`=`w`.`v0` AND `voms_x`.`V`.`b`=`w`.`v1`");
  for (const char* type : {"tinyint", "smallint", "mediumint", "int"}) {
    v->columns[0].data_type = v->columns[1].data_type = type;
    EXPECT_TRUE(JoinKeyed(*v)) << type;
  }
  for (const char* type : {"varchar", "char", "decimal", "datetime", "uuid", "binary", "enum", ""}) {
    v->columns[1].data_type = type;
    EXPECT_FALSE(JoinKeyed(*v)) << type;
  }
}

TEST(BuildTableInfo, FallsBackToReplicaNamesAndKey) {
  auto s = Schema("voms_x", "t", {"", "", ""});
  std::vector<ColumnInfo> replica(3);
  replica[0].name = "a";
  replica[1].name = "b";
  replica[1].is_unsigned = true;
  replica[2].name = "g";
  replica[2].generated = true;
  auto t = BuildTableInfo(s, replica, {"b", "a"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->columns[1].name, "b");
  EXPECT_TRUE(t->columns[1].is_unsigned);   // no signedness metadata: the replica's
  EXPECT_TRUE(t->columns[2].generated);
  EXPECT_EQ(t->key, (std::vector<uint32_t>{1, 0}));
  EXPECT_FALSE(t->key_from_table_map);
  std::array<uint32_t, 2> key{1, 0};
  EXPECT_EQ(BuildDeleteSql(*t, key, 2, true), "DELETE FROM `voms_x`.`t` WHERE (`b`=? AND `a`=?) OR (`b`=? AND `a`=?)");

  // Metadata signedness wins over the replica's.
  s.columns[1].has_signedness = true;
  s.columns[1].is_unsigned = false;
  auto t2 = BuildTableInfo(s, replica, {});
  ASSERT_TRUE(t2.ok());
  EXPECT_FALSE(t2->columns[1].is_unsigned);
  EXPECT_TRUE(t2->key.empty());
}

// Binary-ness of CHAR/BINARY columns: the TABLE_MAP's charset when logged
// (binlog_row_metadata MINIMAL / FULL), else the replica's DATA_TYPE (NO_LOG).
TEST(BuildTableInfo, FixedBinaryColumnsFromMetadataElseFromTheReplica) {
  auto s = Schema("voms_x", "t", {"", "", "", "", ""});
  const char* types[] = {"binary", "uuid", "inet6", "char", "varbinary"};
  std::vector<ColumnInfo> replica(5);
  for (size_t i = 0; i < 5; ++i) {
    s.columns[i].type = s.columns[i].wire_type = i == 4 ? binlog::ColumnType::kVarchar : binlog::ColumnType::kString;
    s.columns[i].max_length = 16;
    replica[i].name = std::string("c") + char('0' + i);
    replica[i].data_type = types[i];
  }
  auto t = BuildTableInfo(s, replica, {});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->columns[0].fixed_binary_length, 16u);
  EXPECT_EQ(t->columns[1].fixed_binary_length, 16u);
  EXPECT_EQ(t->columns[2].fixed_binary_length, 16u);
  EXPECT_EQ(t->columns[3].fixed_binary_length, 0u);  // CHAR: the server pads with spaces
  EXPECT_EQ(t->columns[4].fixed_binary_length, 0u);  // VARBINARY keeps its length
  EXPECT_EQ(t->columns[1].target().fixed_binary_length, 16u);

  // Logged charsets win: utf8mb4 CHAR where the replica says binary (a
  // schema difference the strict-mode check reports), binary where it says char.
  s.columns[0].charset = 45;
  s.columns[3].charset = 63;
  auto m = BuildTableInfo(s, replica, {});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->columns[0].fixed_binary_length, 0u);
  EXPECT_EQ(m->columns[3].fixed_binary_length, 16u);
}

TEST(BuildTableInfo, RefusesWhatCannotBeNamed) {
  auto s = Schema("voms_x", "t", {"", "b"});
  auto t = BuildTableInfo(s, {}, {});
  EXPECT_EQ(t.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(t.status().message().find("column 1"), std::string_view::npos);
  std::vector<ColumnInfo> three(3);
  EXPECT_EQ(BuildTableInfo(Schema("voms_x", "t", {"a", "b"}), three, {}).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(BuildTableInfo(Schema("voms_x", std::string("t\0u", 3), {"a"}), {}, {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BuildTableInfo(Schema("voms_x", "t", {"bad\xff"}), {}, {}).status().code(),
            StatusCode::kInvalidArgument);
}

// Strings are found by their bytes where a row is looked for by value: in the
// column's collation 'a' <=> 'A' and 'a ' <=> 'a' hold, and the wrong row of a table
// without a key would be changed (or a row changed since pass the before-image check).
TEST(RowStatements, StringsCompareByTheirBytesOutsideTheKey) {
  auto s = Schema("d", "t", {"id", "s", "u"});
  s.columns[1].type = s.columns[1].wire_type = binlog::ColumnType::kVarchar;
  s.columns[2].type = s.columns[2].wire_type = binlog::ColumnType::kString;  // a UUID on the server
  std::vector<ColumnInfo> server(3);
  server[0].name = "id", server[0].data_type = "int";
  server[1].name = "s", server[1].data_type = "varchar";
  server[2].name = "u", server[2].data_type = "uuid";
  auto t = BuildTableInfo(s, server, {"id"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_FALSE(t->columns[0].compare_bytes);
  EXPECT_TRUE(t->columns[1].compare_bytes);
  EXPECT_FALSE(t->columns[2].compare_bytes);  // exact already; its BINARY form is its text
  std::array<uint32_t, 3> all{0, 1, 2};
  EXPECT_EQ(BuildDeleteSql(*t, all, 1, false), "DELETE FROM `d`.`t` WHERE `id`<=>? AND BINARY `s`<=>? AND `u`<=>? LIMIT 1");
  std::array<uint32_t, 1> key{0};
  std::array<uint32_t, 2> check{1, 2};
  EXPECT_EQ(BuildDeleteSql(*t, key, 1, true, check), "DELETE FROM `d`.`t` WHERE `id`=? AND BINARY `s`<=>? AND `u`<=>?");
}

TEST(RowStatements, UpsertIgnoreAndKeylessForms) {
  auto t = BuildTableInfo(Schema("d", "t", {"id", "v"}), {}, {});
  ASSERT_TRUE(t.ok());
  std::array<uint32_t, 2> all{0, 1};
  EXPECT_EQ(BuildInsertSql(*t, all, 1, InsertMode::kUpsert),
            "INSERT INTO `d`.`t` (`id`,`v`) VALUES (?,?) ON DUPLICATE KEY UPDATE `id`=VALUES(`id`),`v`=VALUES(`v`)");
  EXPECT_EQ(BuildInsertSql(*t, all, 1, InsertMode::kIgnore), "INSERT IGNORE INTO `d`.`t` (`id`,`v`) VALUES (?,?)");
  EXPECT_EQ(BuildUpdateSql(*t, std::span<const uint32_t>(all).subspan(1), all, false),
            "UPDATE `d`.`t` SET `v`=? WHERE `id`<=>? AND `v`<=>? LIMIT 1");
  EXPECT_EQ(BuildDeleteSql(*t, all, 1, false), "DELETE FROM `d`.`t` WHERE `id`<=>? AND `v`<=>? LIMIT 1");
  std::array<uint32_t, 1> key{0};
  EXPECT_EQ(BuildDeleteSql(*t, key, 1, true), "DELETE FROM `d`.`t` WHERE `id`=?");
  // No value ever appears in the text: one placeholder per value.
  std::string big = BuildInsertSql(*t, all, 500, InsertMode::kPlain);
  EXPECT_EQ(std::count(big.begin(), big.end(), '?'), 1000);
}

}  // namespace
}  // namespace vomsrepl::apply
