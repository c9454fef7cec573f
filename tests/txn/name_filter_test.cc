#include "txn/name_filter.h"

#include <gtest/gtest.h>

namespace vomsrepl::txn {
namespace {

TEST(GlobMatch, StarsAndQuestionMarks) {
  EXPECT_TRUE(GlobMatch("voms_*", "voms_atlas"));
  EXPECT_TRUE(GlobMatch("voms_*", "voms_"));
  EXPECT_FALSE(GlobMatch("voms_*", "vomsatlas"));
  EXPECT_FALSE(GlobMatch("voms_*", "xvoms_a"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYYbd"));
  EXPECT_TRUE(GlobMatch("t?", "t1"));
  EXPECT_FALSE(GlobMatch("t?", "t12"));
  EXPECT_FALSE(GlobMatch("Voms_*", "voms_a"));  // case-sensitive
}

TEST(NameFilter, IncludeThenExclude) {
  NameFilter f({"voms_*"}, {"voms_test*"});
  EXPECT_TRUE(f.Matches("voms_atlas"));
  EXPECT_FALSE(f.Matches("voms_test1"));
  EXPECT_FALSE(f.Matches("mysql"));
  NameFilter all;
  EXPECT_TRUE(all.Matches("anything"));
  EXPECT_FALSE(NameFilter::ValidatePattern("").ok());
  EXPECT_FALSE(NameFilter::ValidatePattern("a\nb").ok());
}

}  // namespace
}  // namespace vomsrepl::txn
