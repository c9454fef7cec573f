// apply::ReplayChannel and the hold states' names (apply/database_hold.h).
#include "apply/database_hold.h"

#include <gtest/gtest.h>

namespace vomsrepl::apply {
namespace {

TEST(DatabaseHold, ReplayChannelIsStableShortAndPerChannelAndDatabase) {
  const std::string a = ReplayChannel("replica1", "voms_newvo");
  EXPECT_EQ(a, ReplayChannel("replica1", "voms_newvo"));
  EXPECT_EQ(a.rfind("hold:", 0), 0u);
  EXPECT_EQ(a.size(), 21u);  // within the progress table's VARCHAR(64), whatever the names
  EXPECT_NE(a, ReplayChannel("replica2", "voms_newvo"));
  EXPECT_NE(a, ReplayChannel("replica1", "voms_other"));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  EXPECT_NE(ReplayChannel("ab", "c"), ReplayChannel("a", "bc"));
  EXPECT_EQ(ReplayChannel(std::string(64, 'r'), std::string(64, 'd')).size(), 21u);
}

TEST(DatabaseHold, StateNames) {
  EXPECT_EQ(HoldStateName(HoldState::kPending), "pending");
  EXPECT_EQ(HoldStateName(HoldState::kHeld), "held");
  EXPECT_EQ(HoldStateName(HoldState::kCopied), "copied");
}

}  // namespace
}  // namespace vomsrepl::apply
