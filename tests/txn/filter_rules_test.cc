// FilterRules: database/table globs, renames, and the configurations that
// must be refused.
#include "txn/filter_rules.h"

#include <gtest/gtest.h>

namespace vomsrepl::txn {
namespace {

TEST(FilterRules, DefaultKeepsVomsDatabases) {
  FilterRules r;
  EXPECT_TRUE(r.KeepDatabase("voms_atlas"));
  EXPECT_TRUE(r.KeepTable("voms_atlas", "usr"));
  EXPECT_FALSE(r.KeepDatabase("mysql"));
  EXPECT_FALSE(r.KeepDatabase("VOMS_atlas"));  // case-sensitive
  EXPECT_FALSE(r.KeepDatabase(""));
  EXPECT_EQ(r.TargetDatabase("voms_atlas"), "voms_atlas");
}

TEST(FilterRules, DatabaseAndTableGlobs) {
  FilterConfig c;
  c.include_databases = {"voms_*", "test"};
  c.exclude_databases = {"voms_tmp*"};
  c.include_tables = {"usr", "voms_cms.ac?"};
  c.exclude_tables = {"*.audit*", "seqs"};
  auto r = FilterRules::Create(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->KeepTable("voms_atlas", "usr"));       // plain include
  EXPECT_TRUE(r->KeepTable("test", "usr"));
  EXPECT_FALSE(r->KeepTable("voms_atlas", "acl"));      // qualified include is for voms_cms only
  EXPECT_TRUE(r->KeepTable("voms_cms", "acl"));
  EXPECT_FALSE(r->KeepTable("voms_cms", "acls"));       // ? is one character
  EXPECT_FALSE(r->KeepTable("voms_tmp1", "usr"));       // database excluded
  EXPECT_FALSE(r->KeepTable("voms_cms", "seqs"));       // plain exclude
  EXPECT_FALSE(r->KeepTable("other", "usr"));
  FilterConfig c2;
  c2.exclude_tables = {"voms_cms.audit*"};
  auto r2 = FilterRules::Create(c2);
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE(r2->KeepTable("voms_cms", "audit_log"));
  EXPECT_TRUE(r2->KeepTable("voms_atlas", "audit_log"));
  EXPECT_TRUE(r2->KeepTable("voms_cms", "usr"));
}

TEST(FilterRules, Renames) {
  FilterConfig c;
  c.renames = {{"voms_test", "voms_prod"}, {"voms_a", "voms_b"}};
  auto r = FilterRules::Create(c);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->TargetDatabase("voms_test"), "voms_prod");
  EXPECT_EQ(r->TargetDatabase("voms_a"), "voms_b");
  EXPECT_EQ(r->TargetDatabase("voms_c"), "voms_c");
  EXPECT_TRUE(r->IsRenamed("voms_a"));
  EXPECT_FALSE(r->IsRenamed("voms_b"));
}

void ExpectInvalid(const FilterConfig& c, std::string_view needle) {
  auto r = FilterRules::Create(c);
  ASSERT_FALSE(r.ok()) << "accepted a config that should fail with: " << needle;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(needle), std::string_view::npos) << r.status().ToString();
}

TEST(FilterRules, InvalidConfigs) {
  FilterConfig c;
  c.include_databases = {""};
  ExpectInvalid(c, "empty");
  c = {};
  c.exclude_tables = {"a\tb"};
  ExpectInvalid(c, "control character");
  c = {};
  c.renames = {{"", "voms_x"}};
  ExpectInvalid(c, "empty name");
  c = {};
  c.renames = {{"voms_a", std::string(65, 'x')}};
  ExpectInvalid(c, "longer than 64");
  c = {};
  c.renames = {{"voms_a", "voms\nx"}};
  ExpectInvalid(c, "control character");
  c = {};
  c.renames = {{"other", "voms_x"}};
  ExpectInvalid(c, "not kept by the database filter");
  c = {};
  c.exclude_databases = {"voms_old*"};
  c.renames = {{"voms_a", "voms_old_a"}};
  ExpectInvalid(c, "excluded");
  c = {};
  c.renames = {{"voms_a", "voms_x"}, {"voms_b", "voms_x"}};
  ExpectInvalid(c, "two databases are renamed to 'voms_x'");
  c = {};
  c.renames = {{"voms_a", "voms_x"}, {"voms_a", "voms_y"}};
  ExpectInvalid(c, "renamed twice");
  // 64 characters of UTF-8 (two bytes each) are fine.
  c = {};
  std::string wide;
  for (int i = 0; i < 64; ++i) wide += "\xc3\xa9";
  c.renames = {{"voms_a", wide}};
  EXPECT_TRUE(FilterRules::Create(c).ok());
}

}  // namespace
}  // namespace vomsrepl::txn
