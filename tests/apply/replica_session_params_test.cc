// ReplicaSession's parameters in the connector's form (BindValues), without a
// server. One of the few files outside the session classes that includes
// <mysql.h> (tools/check-fences lists it): it checks MYSQL_BIND itself.
#include <mysql.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apply/replica_session.h"

namespace vomsrepl::apply {
namespace {

TEST(BindValues, PointsAtValuesAndArena) {
  std::string arena = "xyz";
  std::vector<BoundValue> values(4);
  values[0].type = ParamType::kLongLong;
  values[0].is_unsigned = true;
  values[0].num.i = 7;
  values[1].type = ParamType::kBlob;
  values[1].offset = 1;
  values[1].length = 2;
  values[3].type = ParamType::kBlob;  // empty: a valid pointer, length 0
  std::vector<MYSQL_BIND> binds;
  std::vector<MYSQL_TIME> times;
  BindValues(values, arena, binds, times);
  ASSERT_EQ(binds.size(), 4u);
  EXPECT_EQ(binds[0].buffer_type, MYSQL_TYPE_LONGLONG);
  EXPECT_EQ(binds[0].buffer, &values[0].num.i);
  EXPECT_TRUE(binds[0].is_unsigned);
  EXPECT_EQ(binds[1].buffer_type, MYSQL_TYPE_BLOB);
  EXPECT_EQ(static_cast<char*>(binds[1].buffer), arena.data() + 1);
  EXPECT_EQ(binds[1].buffer_length, 2u);
  EXPECT_EQ(binds[2].buffer_type, MYSQL_TYPE_NULL);
  EXPECT_NE(binds[3].buffer, nullptr);
  EXPECT_EQ(binds[3].buffer_length, 0u);
}

TEST(BindValues, TemporalsGoAsMysqlTimeOfTheirKind) {
  std::vector<BoundValue> values(4);
  values[0].type = ParamType::kDate;
  values[0].num.t = ParamTime{};
  values[0].num.t.year = 2024;
  values[0].num.t.month = 2;
  values[0].num.t.day = 29;
  values[1].type = ParamType::kTime;
  values[1].num.t = ParamTime{};
  values[1].num.t.neg = true;
  values[1].num.t.day = 34;
  values[1].num.t.hour = 22;
  values[1].num.t.second_part = 5;
  values[2].type = ParamType::kDateTime;
  values[2].num.t = ParamTime{};
  values[2].num.t.minute = 59;
  values[3].type = ParamType::kTimestamp;
  values[3].num.t = ParamTime{};
  values[3].num.t.second = 1;
  std::string arena;
  std::vector<MYSQL_BIND> binds;
  std::vector<MYSQL_TIME> times;
  BindValues(values, arena, binds, times);
  ASSERT_EQ(binds.size(), 4u);
  ASSERT_EQ(times.size(), 4u);
  const enum_field_types types[] = {MYSQL_TYPE_DATE, MYSQL_TYPE_TIME, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP};
  const enum_mysql_timestamp_type kinds[] = {MYSQL_TIMESTAMP_DATE, MYSQL_TIMESTAMP_TIME, MYSQL_TIMESTAMP_DATETIME,
                                             MYSQL_TIMESTAMP_DATETIME};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(binds[i].buffer_type, types[i]) << i;
    EXPECT_EQ(binds[i].buffer, &times[i]) << i;
    EXPECT_EQ(binds[i].buffer_length, sizeof(MYSQL_TIME)) << i;
    EXPECT_EQ(times[i].time_type, kinds[i]) << i;
  }
  EXPECT_EQ(times[0].year, 2024u);
  EXPECT_EQ(times[0].month, 2u);
  EXPECT_EQ(times[0].day, 29u);
  EXPECT_TRUE(times[1].neg);
  EXPECT_EQ(times[1].day, 34u);
  EXPECT_EQ(times[1].hour, 22u);
  EXPECT_EQ(times[1].second_part, 5u);
  EXPECT_EQ(times[2].minute, 59u);
  EXPECT_EQ(times[3].second, 1u);
}

}  // namespace
}  // namespace vomsrepl::apply
