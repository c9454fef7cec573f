// Chunk SQL builders (lifecycle/chunk_sql.h): predicates, parameter order,
// quoting, NULL flags. The statements themselves run against real servers in
// tests/integration/verify_test.sh.
#include "lifecycle/chunk_sql.h"

#include <gtest/gtest.h>

namespace vomsrepl::lifecycle {
namespace {

TableShape TwoColumnKey() {
  TableShape t;
  t.database = "voms_a";
  t.table = "t`x";
  t.columns = {{"k1", "bigint", true, false}, {"k2", "varchar", false, false}, {"v", "decimal", false, true}};
  t.key = {0, 1};
  return t;
}

size_t CountPlaceholders(const std::string& sql) {
  size_t n = 0;
  for (char c : sql) n += c == '?';
  return n;
}

TEST(ChunkSql, SingleColumnKeyIsOneComparison) {
  TableShape t;
  t.database = "d";
  t.table = "t";
  t.columns = {{"id", "int", false}, {"name", "varchar", false}};
  t.key = {0};
  EXPECT_EQ(KeyAfter(t).sql, "(`id` > CAST(? AS SIGNED))");
  EXPECT_EQ(KeyAtMost(t).sql, "(`id` <= CAST(? AS SIGNED))");
  EXPECT_EQ(KeyAfter(t).param_keys, std::vector<size_t>{0});
}

TEST(ChunkSql, CompositeKeyExpandsLexicographically) {
  TableShape t = TwoColumnKey();
  KeyPredicate after = KeyAfter(t);
  EXPECT_EQ(after.sql,
            "((`k1` > CAST(? AS UNSIGNED)) OR (`k1` = CAST(? AS UNSIGNED) AND `k2` > ?))");
  EXPECT_EQ(after.param_keys, (std::vector<size_t>{0, 0, 1}));
  KeyPredicate most = KeyAtMost(t);
  EXPECT_EQ(most.sql, "((`k1` < CAST(? AS UNSIGNED)) OR (`k1` = CAST(? AS UNSIGNED) AND `k2` <= ?))");
  std::vector<std::string> lower{"5", "a"}, upper{"9", "z"};
  EXPECT_EQ(BindKeys({&after, &most}, {&lower, &upper}),
            (std::vector<std::string>{"5", "5", "a", "9", "9", "z"}));
}

// Key values are read as the column's bytes (character_set_results = binary):
// a character key column's parameter is those bytes in the column's character
// set and collation, not a utf8mb4 string to convert (latin1 0x80-0xFF was
// refused with "illegal mix of collations": tests/integration/hostile_test.sh).
TEST(ChunkSql, CharacterKeyParameterIsTheColumnsBytes) {
  TableShape t;
  t.database = "d";
  t.table = "t";
  t.columns = {{"l", "varchar", false, false, "latin1", "latin1_bin"},
               {"u", "char", false, false, "utf8mb4", "utf8mb4_general_ci"},
               {"b", "varbinary", false, false},
               {"e", "enum", false, false, "latin1", "latin1_swedish_ci"}};
  t.key = {0, 1, 2, 3};
  const std::string l = "CONVERT(CAST(? AS BINARY) USING latin1) COLLATE latin1_bin";
  const std::string u = "CONVERT(CAST(? AS BINARY) USING utf8mb4) COLLATE utf8mb4_general_ci";
  EXPECT_EQ(KeyAfter(t).sql, "((`l` > " + l + ") OR (`l` = " + l + " AND `u` > " + u + ") OR (`l` = " + l +
                                 " AND `u` = " + u + " AND `b` > ?) OR (`l` = " + l + " AND `u` = " + u +
                                 " AND `b` = ? AND `e` > ?))");
  EXPECT_EQ(CountPlaceholders(KeyAfter(t).sql), KeyAfter(t).param_keys.size());
  // A name that is not a plain character set / collation name never reaches the SQL.
  t.columns[0].collation = "latin1_bin) OR (1";
  t.key = {0};
  EXPECT_EQ(KeyAtMost(t).sql, "(`l` <= ?)");
}

TEST(ChunkSql, ChecksumStatementHasOneParameterPerKeyUse) {
  TableShape t = TwoColumnKey();
  std::string both = ChunkChecksumSql(t, RowHash::kMd5, true, true);
  EXPECT_EQ(CountPlaceholders(both), KeyAfter(t).param_keys.size() + KeyAtMost(t).param_keys.size());
  EXPECT_EQ(CountPlaceholders(ChunkChecksumSql(t, RowHash::kMd5, false, false)), 0u);
  EXPECT_NE(both.find("FROM `voms_a`.`t``x` WHERE "), std::string::npos) << both;
  EXPECT_NE(both.find("BIT_XOR("), std::string::npos);
  // With a key, duplicates are impossible: no SUM.
  EXPECT_EQ(both.find("SUM("), std::string::npos);
  std::string crc = ChunkChecksumSql(t, RowHash::kCrc32, false, true);
  EXPECT_NE(crc.find("BIT_XOR(CRC32(CONCAT_WS("), std::string::npos) << crc;
  EXPECT_EQ(crc.find("MD5("), std::string::npos);
}

TEST(ChunkSql, NoKeyTableAddsSumSoDuplicatesCount) {
  TableShape t = TwoColumnKey();
  t.key.clear();
  std::string sql = ChunkChecksumSql(t, RowHash::kMd5, false, false);
  EXPECT_NE(sql.find("SUM(CRC32("), std::string::npos) << sql;
  EXPECT_EQ(sql.find("WHERE"), std::string::npos);
}

TEST(ChunkSql, RowImageFlagsNullableColumnsAndReadsCharactersAsBytes) {
  TableShape t = TwoColumnKey();
  EXPECT_EQ(RowImageExpression(t), "CONCAT_WS('#', `k1`, CAST(`k2` AS BINARY), `v`, CONCAT(ISNULL(`v`)))");
  t.columns[2].nullable = false;
  EXPECT_EQ(RowImageExpression(t), "CONCAT_WS('#', `k1`, CAST(`k2` AS BINARY), `v`)");
}

TEST(ChunkSql, ChunkEndAndRowsOrderByKey) {
  TableShape t = TwoColumnKey();
  std::string end = ChunkEndSql(t, true, 1000);
  EXPECT_NE(end.find("ORDER BY `k1`, `k2` LIMIT 1 OFFSET 999"), std::string::npos) << end;
  EXPECT_EQ(CountPlaceholders(end), 3u);
  std::string rows = ChunkRowsSql(t, true, true);
  EXPECT_EQ(rows.rfind("SELECT `k1`, `k2`, MD5(", 0), 0u) << rows;
  EXPECT_NE(rows.find("ORDER BY `k1`, `k2`"), std::string::npos);
}

TEST(ChunkSql, ShapesDescribeTheirFirstDifference) {
  TableShape a = TwoColumnKey(), b = TwoColumnKey();
  EXPECT_EQ(TableShape::DescribeDifference(a, b), "");
  b.columns[2].data_type = "varchar";
  EXPECT_NE(TableShape::DescribeDifference(a, b).find("`v`"), std::string::npos);
  b = TwoColumnKey();
  b.columns[2].nullable = false;
  EXPECT_NE(TableShape::DescribeDifference(a, b).find("NOT NULL"), std::string::npos);
  b = TwoColumnKey();
  b.columns.pop_back();
  EXPECT_NE(TableShape::DescribeDifference(a, b).find("3 columns"), std::string::npos);
  b = TwoColumnKey();
  b.key = {0};
  EXPECT_EQ(TableShape::DescribeDifference(a, b), "the primary keys differ");
}

TEST(ChunkSql, RowHashNames) {
  EXPECT_EQ(*ParseRowHash("md5"), RowHash::kMd5);
  EXPECT_EQ(*ParseRowHash("crc32"), RowHash::kCrc32);
  EXPECT_FALSE(ParseRowHash("sha1").ok());
}

}  // namespace
}  // namespace vomsrepl::lifecycle
