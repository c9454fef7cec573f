// StatementRouter: attribution of DDL by the databases it names, rewriting
// of renamed databases, and the statements that must stop replication.
#include "txn/statement_router.h"

#include <gtest/gtest.h>

namespace vomsrepl::txn {
namespace {

FilterRules Rules() {
  FilterConfig c;
  c.renames = {{"voms_test", "voms_prod"}, {"voms_`odd", "voms_even"}};
  c.include_databases = {"voms_*"};
  c.exclude_tables = {"*.skipme"};
  auto r = FilterRules::Create(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return *r;
}

struct RouteCase {
  const char* default_db;
  const char* sql;
  bool keep;
  const char* rewritten;  // expected SQL when kept (nullptr: unchanged)
  const char* database;   // expected statement database when kept
};

TEST(StatementRouter, KeepDropAndRewrite) {
  FilterRules rules = Rules();
  StatementRouter router(rules);
  const RouteCase cases[] = {
      {"voms_atlas", "CREATE TABLE t (id INT PRIMARY KEY)", true, nullptr, "voms_atlas"},
      {"other", "ALTER TABLE voms_x.t ADD COLUMN c INT", true, nullptr, ""},
      {"other", "ALTER TABLE `voms_x`.`t` ADD COLUMN c INT", true, nullptr, ""},
      {"voms_test", "ALTER TABLE t ADD c INT", true, nullptr, "voms_prod"},
      {"other", "ALTER TABLE voms_test.t ADD c INT", true, "ALTER TABLE `voms_prod`.t ADD c INT", ""},
      {"voms_test", "ALTER TABLE `voms_test`.`t` ADD c INT", true, "ALTER TABLE `voms_prod`.`t` ADD c INT",
       "voms_prod"},
      {"mysql", "CREATE TABLE foo (a INT)", false, nullptr, ""},
      {"", "DROP TABLE mysql.x, other.y", false, nullptr, ""},
      {"voms_a", "GRANT SELECT ON voms_a.* TO 'u'@'%'", false, nullptr, ""},
      {"voms_a", "CREATE USER 'x'@'localhost' IDENTIFIED BY 'secret'", false, nullptr, ""},
      {"voms_a", "SET PASSWORD FOR 'x'@'%' = PASSWORD('p')", false, nullptr, ""},
      {"", "CREATE DATABASE voms_test", true, "CREATE DATABASE `voms_prod`", ""},
      {"", "DROP DATABASE IF EXISTS `voms_test`", true, "DROP DATABASE IF EXISTS `voms_prod`", ""},
      {"", "CREATE DATABASE other", false, nullptr, ""},
      {"x", "RENAME TABLE voms_test.a TO voms_test.b, voms_z.c TO voms_z.d", true,
       "RENAME TABLE `voms_prod`.a TO `voms_prod`.b, voms_z.c TO voms_z.d", ""},
      {"voms_a", "CREATE INDEX i ON voms_test.t (a)", true, "CREATE INDEX i ON `voms_prod`.t (a)", "voms_a"},
      {"voms_a", "DROP INDEX i ON t", true, nullptr, "voms_a"},
      // Comments and executable comments.
      {"other", "/* voms_x.t */ ALTER TABLE -- comment\n voms_y.t # x\n ADD c INT", true, nullptr, ""},
      {"other", "CREATE TABLE voms_test.t (a INT) /*!50100 PARTITION BY HASH (a) */", true,
       "CREATE TABLE `voms_prod`.t (a INT) /*!50100 PARTITION BY HASH (a) */", ""},
      {"other", "CREATE TABLE voms_test.t2 /*M!100100 LIKE voms_test.t */", true,
       "CREATE TABLE `voms_prod`.t2 /*M!100100 LIKE `voms_prod`.t */", ""},
      // Strings never count as names.
      {"other", "ALTER TABLE voms_x.t COMMENT 'moved from other.t'", true, nullptr, ""},
      // Database names needing quotes: a backquote inside.
      {"other", "ALTER TABLE `voms_``odd`.t ADD c INT", true, "ALTER TABLE `voms_even`.t ADD c INT", ""},
      {"voms_`odd", "CREATE TABLE t (a INT)", true, nullptr, "voms_even"},
      // Views, triggers, routines.
      {"voms_test", "CREATE DEFINER=`root`@`localhost` VIEW v AS SELECT t.a FROM t JOIN voms_test.u ON t.a = u.a",
       true, "CREATE DEFINER=`root`@`localhost` VIEW v AS SELECT t.a FROM t JOIN `voms_prod`.u ON t.a = u.a",
       "voms_prod"},
      {"voms_a", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1", true, nullptr, "voms_a"},
      {"voms_a", "DROP PROCEDURE IF EXISTS voms_test.p", true, "DROP PROCEDURE IF EXISTS `voms_prod`.p", "voms_a"},
      {"voms_a", "TRUNCATE TABLE t", true, nullptr, "voms_a"},
      {"voms_a", "TRUNCATE t", true, nullptr, "voms_a"},
      // Table glob: only the excluded table.
      {"voms_a", "DROP TABLE skipme", false, nullptr, ""},
      // Statement-based DML on a database we drop.
      {"voms_a", "INSERT INTO other.t VALUES (1)", false, nullptr, ""},
      {"voms_a", "UPDATE mysql.user SET x = 1", false, nullptr, ""},
  };
  for (const auto& c : cases) {
    auto r = router.Route(c.default_db, c.sql);
    ASSERT_TRUE(r.ok()) << c.sql << ": " << r.status().ToString();
    EXPECT_EQ(r->keep, c.keep) << c.sql;
    if (c.keep && r->keep) {
      EXPECT_EQ(r->sql, c.rewritten ? c.rewritten : c.sql) << c.sql;
      EXPECT_EQ(r->database, c.database) << c.sql;
    }
  }
}

TEST(StatementRouter, ObjectsNameTheTouchedTables) {
  FilterRules rules = Rules();
  StatementRouter router(rules);
  auto r = router.Route("voms_a", "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES voms_a.parent (id)");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].database, "voms_a");
  EXPECT_EQ(r->objects[0].name, "t");
  EXPECT_EQ(r->objects[1].name, "parent");
}

void ExpectRefused(const StatementRouter& router, const char* db, const char* sql, std::string_view needle) {
  auto r = router.Route(db, sql);
  ASSERT_FALSE(r.ok()) << "accepted: " << sql;
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition) << sql;
  EXPECT_NE(r.status().message().find(needle), std::string_view::npos) << r.status().ToString();
}

TEST(StatementRouter, RefusesWhatCannotBeAttributed) {
  FilterRules rules = Rules();
  StatementRouter router(rules);
  ExpectRefused(router, "other", "RENAME TABLE voms_a.t TO other.t", "cannot be attributed safely");
  ExpectRefused(router, "voms_a", "CREATE TABLE t LIKE other.t", "cannot be attributed safely");
  ExpectRefused(router, "voms_a", "DROP TABLE t, other.u", "filtered-out `other`.`u`");
  ExpectRefused(router, "other", "CREATE VIEW voms_a.v AS SELECT * FROM t", "cannot be attributed safely");
  ExpectRefused(router, "voms_a", "ALTER TABLE t RENAME TO other.t", "cannot be attributed safely");
  ExpectRefused(router, "voms_a", "DROP TABLE t, skipme", "cannot be attributed safely");
  ExpectRefused(router, "voms_a", "INSERT INTO t VALUES (1)", "set binlog_format=ROW");
  ExpectRefused(router, "other", "UPDATE voms_a.t SET a = 1", "set binlog_format=ROW");
  ExpectRefused(router, "other", "DELETE FROM x USING voms_a.t AS x", "set binlog_format=ROW");
  ExpectRefused(router, "voms_a", "LOAD DATA INFILE 'f' INTO TABLE t", "set binlog_format=ROW");
  ExpectRefused(router, "voms_a", "ALTER TABLE t COMMENT 'unterminated", "cannot be parsed");
  ExpectRefused(router, "voms_a", "FROBNICATE everything", "does not parse");
  // Unparseable but no kept database in sight: dropped.
  auto r = router.Route("other", "FROBNICATE everything");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->keep);
}

TEST(SqlLexer, QuotingAndComments) {
  auto t = LexSql("SELECT `a``b`, 'it''s', \"q\\\"x\" /* c */ -- d\n#e\n x");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ(t->size(), 7u);
  EXPECT_EQ((*t)[1].text, "a`b");
  EXPECT_EQ((*t)[1].kind, SqlTokenKind::kQuotedIdent);
  EXPECT_EQ((*t)[3].text, "it's");
  EXPECT_EQ((*t)[5].text, "q\"x");
  EXPECT_EQ((*t)[6].text, "x");
  auto ansi = LexSql("\"db\".\"t\"", kSqlModeAnsiQuotes);
  ASSERT_TRUE(ansi.ok());
  EXPECT_EQ((*ansi)[0].kind, SqlTokenKind::kQuotedIdent);
  auto nobs = LexSql("'a\\' x", kSqlModeNoBackslashEscapes);
  ASSERT_TRUE(nobs.ok());
  EXPECT_EQ(nobs->size(), 2u);
  EXPECT_FALSE(LexSql("`open").ok());
  EXPECT_FALSE(LexSql("/* open").ok());
  EXPECT_FALSE(LexSql("/*!40101 open").ok());
  EXPECT_EQ(QuoteIdentifier("a`b"), "`a``b`");
}

TEST(SqlLexer, ControlStatements) {
  EXPECT_EQ(ClassifyControl("BEGIN"), ControlKind::kBegin);
  EXPECT_EQ(ClassifyControl("  begin work"), ControlKind::kBegin);
  EXPECT_EQ(ClassifyControl("BEGIN NOT ATOMIC SELECT 1; END"), ControlKind::kNone);
  EXPECT_EQ(ClassifyControl("COMMIT"), ControlKind::kCommit);
  EXPECT_EQ(ClassifyControl("/* x */ROLLBACK"), ControlKind::kRollback);
  EXPECT_EQ(ClassifyControl("ROLLBACK TO SAVEPOINT s"), ControlKind::kIgnorable);
  EXPECT_EQ(ClassifyControl("SAVEPOINT s"), ControlKind::kIgnorable);
  EXPECT_EQ(ClassifyControl("XA START 'x'"), ControlKind::kBegin);
  EXPECT_EQ(ClassifyControl("XA END 'x'"), ControlKind::kIgnorable);
  EXPECT_EQ(ClassifyControl("XA COMMIT 'x'"), ControlKind::kXaEnd);
  EXPECT_EQ(ClassifyControl("COMMITTED_TABLE"), ControlKind::kNone);
  EXPECT_EQ(ClassifyControl("CREATE TABLE t (a INT)"), ControlKind::kNone);
}

}  // namespace
}  // namespace vomsrepl::txn
