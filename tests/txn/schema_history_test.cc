// SchemaHistory: drift detection, DDL resets, serialization.
#include "txn/schema_history.h"

#include <gtest/gtest.h>

namespace vomsrepl::txn {
namespace {

using binlog::ColumnType;

binlog::TableSchema Table(std::vector<std::pair<ColumnType, uint16_t>> cols) {
  binlog::TableSchema s;
  s.database = "voms_x";
  s.table = "t";
  for (auto [type, meta] : cols) {
    binlog::ColumnDesc c;
    c.type = c.wire_type = type;
    c.wire_meta = c.meta = meta;
    s.columns.push_back(c);
  }
  return s;
}

BinlogPosition At(uint64_t off) { return {"bin.000001", off}; }

TEST(SchemaHistory, DriftNamesTableColumnAndTypes) {
  SchemaHistory h;
  auto v1 = Table({{ColumnType::kLong, 0}, {ColumnType::kLong, 0}, {ColumnType::kLong, 0}});
  auto v2 = Table({{ColumnType::kLong, 0}, {ColumnType::kLong, 0}, {ColumnType::kVarchar, 10}});
  ASSERT_TRUE(h.Check("voms_x", "t", v1, At(100)).ok());
  ASSERT_TRUE(h.Check("voms_x", "t", v1, At(200)).ok());
  EXPECT_EQ(h.Versions("voms_x", "t")->size(), 1u);  // identical maps add nothing
  Status s = h.Check("voms_x", "t", v2, At(300));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  std::string m(s.message());
  EXPECT_NE(m.find("schema drift on `voms_x`.`t` at bin.000001:300: column 3 was INT NULL, now VARCHAR(10 bytes) NULL"), std::string::npos) << m;
  EXPECT_NE(m.find("now VARCHAR(10 bytes)"), std::string::npos) << m;
  EXPECT_NE(m.find("no DDL in between"), std::string::npos) << m;
  auto fewer = Table({{ColumnType::kLong, 0}});
  Status c = h.Check("voms_x", "t", fewer, At(300));
  EXPECT_NE(std::string(c.message()).find("3 columns before, now 1"), std::string::npos) << c.ToString();
  // Another table with the other shape is fine.
  EXPECT_TRUE(h.Check("voms_x", "u", v2, At(300)).ok());
  // After a DDL the new shape is accepted, and then enforced.
  h.ResetTable("voms_x", "t", At(250));
  ASSERT_TRUE(h.Check("voms_x", "t", v2, At(300)).ok());
  EXPECT_FALSE(h.Check("voms_x", "t", v1, At(400)).ok());
  h.ResetDatabase("voms_x", At(450));
  EXPECT_TRUE(h.Check("voms_x", "t", v1, At(500)).ok());
  EXPECT_TRUE(h.Check("voms_x", "u", v1, At(500)).ok());
}

TEST(SchemaHistory, NullabilityAndSignednessCount) {
  SchemaHistory h;
  auto a = Table({{ColumnType::kLong, 0}});
  auto b = a;
  b.columns[0].nullable = false;
  ASSERT_TRUE(h.Check("voms_x", "t", a, At(1)).ok());
  EXPECT_FALSE(h.Check("voms_x", "t", b, At(2)).ok());
  // Signedness only when both maps carry it.
  SchemaHistory h2;
  auto u = a;
  u.columns[0].has_signedness = true;
  u.columns[0].is_unsigned = true;
  ASSERT_TRUE(h2.Check("voms_x", "t", a, At(1)).ok());
  ASSERT_TRUE(h2.Check("voms_x", "t", u, At(2)).ok());
  auto sgn = u;
  sgn.columns[0].is_unsigned = false;
  EXPECT_FALSE(h2.Check("voms_x", "t", sgn, At(3)).ok());
}

TEST(SchemaHistory, SerializeRoundTripKeepsDetection) {
  SchemaHistory h;
  auto v1 = Table({{ColumnType::kLong, 0}, {ColumnType::kNewDecimal, (10 << 8) | 2}});
  ASSERT_TRUE(h.Check("voms_x", "t", v1, At(100)).ok());
  ASSERT_TRUE(h.Check("voms_y", "t", v1, At(120)).ok());
  h.ResetTable("voms_y", "t", At(130));
  auto bytes = h.Serialize();
  auto back = SchemaHistory::Deserialize(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Serialize(), bytes);
  EXPECT_EQ(back->table_count(), 2u);
  auto v2 = Table({{ColumnType::kLong, 0}, {ColumnType::kNewDecimal, (12 << 8) | 2}});
  Status s = back->Check("voms_x", "t", v2, At(200));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("DECIMAL(10,2)"), std::string::npos) << s.ToString();
  EXPECT_TRUE(back->Check("voms_y", "t", v2, At(200)).ok());  // the reset survived
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto cut = SchemaHistory::Deserialize(std::span(bytes).first(n));
    EXPECT_FALSE(cut.ok()) << n;
  }
  auto longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_FALSE(SchemaHistory::Deserialize(longer).ok());
}

}  // namespace
}  // namespace vomsrepl::txn
