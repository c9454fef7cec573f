// The VOMSREPL_CRASH_AT test hook (src/ops/crash_point.h): parsing, the
// startup errors, and that an armed point kills the process with SIGKILL on
// exactly its Nth pass (death tests: the child process dies, not the test).
#include "ops/crash_point.h"

#include <signal.h>
#include <stdlib.h>

#include <gtest/gtest.h>

#include "ops/logging.h"

namespace vomsrepl::ops {
namespace {

TEST(CrashPointParse, NameAlonePassOne) {
  auto s = ParseCrashAt("feeder.before_append");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "feeder.before_append");
  EXPECT_EQ(s->at, 1u);
  EXPECT_EQ(s->replica, "");
}

TEST(CrashPointParse, NameAndPass) {
  auto s = ParseCrashAt("feeder.after_append:250");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "feeder.after_append");
  EXPECT_EQ(s->at, 250u);
}

TEST(CrashPointParse, ReplicaPointsNameTheReplica) {
  auto s = ParseCrashAt("replica.replica1.after_commit:3");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->name, "replica.replica1.after_commit");
  EXPECT_EQ(s->replica, "replica1");
  EXPECT_EQ(s->at, 3u);
  s = ParseCrashAt("replica.site-b_2.before_commit");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->replica, "site-b_2");
  EXPECT_EQ(s->at, 1u);
  s = ParseCrashAt("replica.r1.after_ddl:2");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->replica, "r1");
  EXPECT_EQ(s->at, 2u);
}

TEST(CrashPointParse, BadValuesAreInvalidArgumentNamingTheValue) {
  for (const char* bad : {"", ":3", "nosuch", "nosuch:2", "feeder.before_append:", "feeder.before_append:0",
                          "feeder.before_append:-1", "feeder.before_append:x", "feeder.before_append:3x",
                          "feeder.before_append:99999999999999999999999", " feeder.before_append",
                          "feeder.before_append ", "replica..after_commit", "replica.r1", "replica.r1.commit",
                          "replica.after_commit", "Feeder.before_append"}) {
    auto s = ParseCrashAt(bad);
    ASSERT_FALSE(s.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << bad;
    std::string m(s.status().message());
    EXPECT_NE(m.find(std::string("VOMSREPL_CRASH_AT='") + bad + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("feeder.before_append, feeder.after_append"), std::string::npos) << m;  // lists the points
  }
  EXPECT_NE(std::string(ParseCrashAt("feeder.before_append:0").status().message()).find("counts from 1"),
            std::string::npos);
  EXPECT_NE(std::string(ParseCrashAt("nosuch").status().message()).find("unknown point 'nosuch'"), std::string::npos);
}

class CrashPointEnv : public ::testing::Test {
 protected:
  void TearDown() override { ::unsetenv(kCrashAtVariable); }
};

TEST_F(CrashPointEnv, UnsetOrEmptyArmsNothing) {
  ::unsetenv(kCrashAtVariable);
  auto s = CrashPointFromEnvironment({"replica1"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->has_value());
  ::setenv(kCrashAtVariable, "", 1);
  s = CrashPointFromEnvironment({"replica1"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(s->has_value());
}

TEST_F(CrashPointEnv, ReadsTheVariable) {
  ::setenv(kCrashAtVariable, "replica.replica2.before_commit:7", 1);
  auto s = CrashPointFromEnvironment({"replica1", "replica2"});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_TRUE(s->has_value());
  EXPECT_EQ((*s)->name, "replica.replica2.before_commit");
  EXPECT_EQ((*s)->at, 7u);
}

TEST_F(CrashPointEnv, UnknownReplicaIsAnError) {
  ::setenv(kCrashAtVariable, "replica.replica3.after_commit", 1);
  auto s = CrashPointFromEnvironment({"replica1", "replica2"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(s.status().message()).find("no [[replica]] named 'replica3'"), std::string::npos)
      << s.status().ToString();
  ::setenv(kCrashAtVariable, "bogus:1", 1);
  EXPECT_EQ(CrashPointFromEnvironment({}).status().code(), StatusCode::kInvalidArgument);
}

TEST(CrashPointFire, DisarmedPointsDoNothing) {
  DisarmCrashPoint();
  EXPECT_FALSE(CrashPointArmed());
  for (int i = 0; i < 1000; ++i) CrashPoint("feeder.before_append");
}

void PassAndSurvive(std::string_view name, int times) {
  for (int i = 0; i < times; ++i) CrashPoint(name);
}

TEST(CrashPointFireDeathTest, KillsOnTheNthPassOfItsOwnName) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  CrashPointSpec spec{"feeder.after_append", 3, ""};
  // Passes 1 and 2, and any number of other points' passes, leave the process alive
  // (the child exits 0 by itself); the 3rd pass kills it with SIGKILL.
  EXPECT_EXIT(
      {
        ArmCrashPoint(spec);
        PassAndSurvive("feeder.before_append", 10);
        PassAndSurvive("replica.replica1.after_commit", 10);
        PassAndSurvive("feeder.after_append", 2);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        ArmCrashPoint(spec);
        PassAndSurvive("feeder.after_append", 2);
        PassAndSurvive("feeder.before_append", 5);
        CrashPoint("feeder.after_append");
        std::exit(0);  // not reached when the hook works
      },
      ::testing::KilledBySignal(SIGKILL), "");
  // Arming resets the count.
  EXPECT_EXIT(
      {
        ArmCrashPoint(spec);
        PassAndSurvive("feeder.after_append", 2);
        ArmCrashPoint(spec);
        PassAndSurvive("feeder.after_append", 2);
        std::exit(0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(CrashPointFireDeathTest, LogsThePointBeforeRaising) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        (void)SetupLogging("info", "");  // stderr, where the death test looks
        ArmCrashPoint({"replica.replica1.before_commit", 1, "replica1"});
        CrashPoint("replica.replica1.before_commit");
      },
      ::testing::KilledBySignal(SIGKILL), "crash point replica.replica1.before_commit reached \\(pass 1");
}

}  // namespace
}  // namespace vomsrepl::ops
