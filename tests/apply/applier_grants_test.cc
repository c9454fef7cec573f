// SHOW GRANTS parsing and the applier account's needs (apply/applier_grants.h),
// on lines as MariaDB 10.11 prints them.
#include "apply/applier_grants.h"

#include <gtest/gtest.h>

namespace vomsrepl::apply {
namespace {

const char* kPrivs =
    "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE VIEW, SHOW VIEW, TRIGGER";

std::vector<std::string> Sandbox() {  // tools/sandbox's vomsrepl_apply
  return {"GRANT READ_ONLY ADMIN ON *.* TO `vomsrepl_apply`@`127.0.0.1` IDENTIFIED BY PASSWORD "
          "'*0123456789ABCDEF0123456789ABCDEF01234567'",
          std::string("GRANT ") + kPrivs + " ON `vomsrepl`.* TO `vomsrepl_apply`@`127.0.0.1`",
          std::string("GRANT ") + kPrivs + " ON `voms\\_%`.* TO `vomsrepl_apply`@`127.0.0.1`"};
}

TEST(ApplierGrants, ParsesLevelsPrivilegesAndGrantOption) {
  auto g = ParseGrantLine(Sandbox()[0]);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->level, GrantLine::Level::kGlobal);
  EXPECT_EQ(g->privileges, std::vector<std::string>{"READ ONLY ADMIN"});
  EXPECT_FALSE(g->grant_option);
  g = ParseGrantLine(Sandbox()[2]);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->level, GrantLine::Level::kDatabase);
  EXPECT_EQ(g->database, "voms\\_%");
  EXPECT_EQ(g->privileges.size(), 12u);
  EXPECT_EQ(g->privileges[9], "CREATE VIEW");
  g = ParseGrantLine("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->privileges, std::vector<std::string>{"ALL PRIVILEGES"});
  EXPECT_TRUE(g->grant_option);
  g = ParseGrantLine("GRANT SELECT (`id`, `a, b`), UPDATE (`x ON y`) ON `voms_a`.`t``1` TO `u`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->level, GrantLine::Level::kTable);
  EXPECT_EQ(g->privileges, (std::vector<std::string>{"SELECT", "UPDATE"}));
  EXPECT_EQ(g->database, "voms_a");
  g = ParseGrantLine("GRANT `vomsrepl_role` TO `u`@`127.0.0.1`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->level, GrantLine::Level::kRole);
  g = ParseGrantLine("GRANT PROXY ON ''@'%' TO 'root'@'localhost' WITH GRANT OPTION");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->level, GrantLine::Level::kOther);
  g = ParseGrantLine("GRANT EXECUTE ON PROCEDURE `voms_a`.`p` TO `u`@`%`");
  ASSERT_TRUE(g);
  EXPECT_EQ(g->level, GrantLine::Level::kOther);
  EXPECT_FALSE(ParseGrantLine("REVOKE SELECT ON *.* FROM u"));
  EXPECT_FALSE(ParseGrantLine("GRANT SELECT"));
}

TEST(ApplierGrants, PatternsMatchLikeTheServer) {
  EXPECT_TRUE(GrantPatternMatches("voms\\_%", "voms_otest"));
  EXPECT_FALSE(GrantPatternMatches("voms\\_%", "vomsrepl"));
  EXPECT_TRUE(GrantPatternMatches("voms_%", "vomsrepl"));  // unescaped _ is a wildcard
  EXPECT_TRUE(GrantPatternMatches("%", "vomsrepl"));
  EXPECT_TRUE(GrantPatternMatches("vomsrepl", "vomsrepl"));
  EXPECT_FALSE(GrantPatternMatches("vomsrepl", "vomsrepl2"));
  EXPECT_TRUE(GrantPatternMatches("v_msrepl", "vomsrepl"));
}

TEST(ApplierGrants, LeastPrivilegeAccountPassesWithoutWarnings) {
  ApplierGrantReport r = CheckApplierGrants(Sandbox(), "vomsrepl", true);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_TRUE(r.missing_ddl.empty());
  EXPECT_TRUE(r.excess.empty());
  EXPECT_FALSE(r.unsure);
}

TEST(ApplierGrants, MissingPrivilegesAreNamed) {
  // No INSERT on the VOMS databases.
  std::vector<std::string> g = Sandbox();
  g[2] = "GRANT SELECT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON `voms\\_%`.* TO `a`@`h`";
  ApplierGrantReport r = CheckApplierGrants(g, "vomsrepl", true);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].privileges, "INSERT");
  EXPECT_EQ(r.missing[0].on, "the replicated databases");
  EXPECT_FALSE(r.unsure);
  // No READ ONLY ADMIN: needed only on a read-only replica.
  g = Sandbox();
  g.erase(g.begin());
  r = CheckApplierGrants(g, "vomsrepl", true);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].privileges, "READ ONLY ADMIN");
  EXPECT_EQ(r.missing[0].fix_on, "*.*");
  EXPECT_TRUE(CheckApplierGrants(g, "vomsrepl", false).missing.empty());
  // SUPER is not READ ONLY ADMIN (and is too much).
  g.push_back("GRANT SUPER ON *.* TO `a`@`h`");
  r = CheckApplierGrants(g, "vomsrepl", true);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].privileges, "READ ONLY ADMIN");
  EXPECT_EQ(r.excess, std::vector<std::string>{"SUPER ON *.*"});
  // Nothing on the state schema; the reader-like account; DDL only warned.
  g = {"GRANT USAGE ON *.* TO `r`@`h`", "GRANT SELECT, INSERT, UPDATE, DELETE ON `voms\\_%`.* TO `r`@`h`"};
  r = CheckApplierGrants(g, "vomsrepl", true);
  ASSERT_EQ(r.missing.size(), 2u);
  EXPECT_EQ(r.missing[1].privileges, "SELECT, INSERT, UPDATE, DELETE");
  EXPECT_EQ(r.missing[1].on, "the state schema `vomsrepl`");
  ASSERT_EQ(r.missing_ddl.size(), 1u);
  EXPECT_EQ(r.missing_ddl[0].privileges, "CREATE, DROP, ALTER, INDEX");
  EXPECT_TRUE(r.excess.empty());
  // A state-schema-only account has nothing on the data.
  g = {"GRANT READ_ONLY ADMIN ON *.* TO `a`@`h`", std::string("GRANT ") + kPrivs + " ON `vomsrepl`.* TO `a`@`h`"};
  r = CheckApplierGrants(g, "vomsrepl", true);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].on, "the replicated databases");
  // A role may give what is missing: unsure.
  g.push_back("GRANT `applier` TO `a`@`h`");
  EXPECT_TRUE(CheckApplierGrants(g, "vomsrepl", true).unsure);
}

TEST(ApplierGrants, PreservingGtidsNeedsBinlogReplay) {
  std::vector<std::string> g = Sandbox();
  ApplierGrantReport r = CheckApplierGrants(g, "vomsrepl", true, /*need_binlog_replay=*/true);
  ASSERT_EQ(r.missing.size(), 1u);
  EXPECT_EQ(r.missing[0].privileges, "BINLOG REPLAY");
  EXPECT_EQ(r.missing[0].fix_on, "*.*");
  g[0] = "GRANT READ_ONLY ADMIN, BINLOG REPLAY ON *.* TO `a`@`h`";
  r = CheckApplierGrants(g, "vomsrepl", true, true);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_TRUE(r.excess.empty());
  // Without preserve_gtid the same grant is more than the applier needs.
  r = CheckApplierGrants(g, "vomsrepl", true, false);
  EXPECT_EQ(r.excess, std::vector<std::string>{"BINLOG REPLAY ON *.*"});
  // SUPER gives it (and is still too much).
  g[0] = "GRANT SUPER, READ_ONLY ADMIN ON *.* TO `a`@`h`";
  r = CheckApplierGrants(g, "vomsrepl", true, true);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_EQ(r.excess, std::vector<std::string>{"SUPER ON *.*"});
}

TEST(ApplierGrants, TooMuchPrivilegeIsNamed) {
  ApplierGrantReport r =
      CheckApplierGrants({"GRANT ALL PRIVILEGES ON *.* TO `a`@`h` WITH GRANT OPTION"}, "vomsrepl", true);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_TRUE(r.missing_ddl.empty());
  EXPECT_EQ(r.excess, (std::vector<std::string>{"ALL PRIVILEGES ON *.*", "WITH GRANT OPTION ON *.*"}));
  std::vector<std::string> g = Sandbox();
  g[0] = "GRANT FILE, READ_ONLY ADMIN ON *.* TO `a`@`h`";
  g[2] += " WITH GRANT OPTION";
  r = CheckApplierGrants(g, "vomsrepl", true);
  EXPECT_TRUE(r.missing.empty());
  EXPECT_EQ(r.excess, (std::vector<std::string>{"FILE ON *.*", "WITH GRANT OPTION ON `voms\\_%`.*"}));
}

}  // namespace
}  // namespace vomsrepl::apply
