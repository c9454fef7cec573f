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

// A table is known as `t` and as `db.t`: an exclude glob matching either form
// excludes it (dump --exclude-table t kept it when the two were ORed).
TEST(NameFilter, OneObjectUnderSeveralNames) {
  NameFilter exclude({}, {"ci"});
  EXPECT_FALSE(exclude.MatchesAny({"ci", "u.ci"}));
  EXPECT_TRUE(exclude.MatchesAny({"cj", "u.cj"}));
  NameFilter qualified({}, {"u.ci"});
  EXPECT_FALSE(qualified.MatchesAny({"ci", "u.ci"}));
  EXPECT_TRUE(qualified.MatchesAny({"ci", "v.ci"}));
  NameFilter include({"u.*", "x"}, {"*tmp"});
  EXPECT_TRUE(include.MatchesAny({"t", "u.t"}));
  EXPECT_TRUE(include.MatchesAny({"x", "v.x"}));
  EXPECT_FALSE(include.MatchesAny({"t", "v.t"}));
  EXPECT_FALSE(include.MatchesAny({"tmp", "u.tmp"}));
  EXPECT_TRUE(NameFilter().MatchesAny({"a", "b.a"}));
}

}  // namespace
}  // namespace vomsrepl::txn
