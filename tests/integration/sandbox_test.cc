// Integration: the servers and accounts of tools/sandbox are what vomsrepl relies on.
//
// Runs against the sandbox started by the ctest fixture `sandbox` (sandbox_start:
// master + 2 replicas, voms_itest loaded on the master only); VOMSREPL_SANDBOX_DIR names
// its directory. Every account connects through its own 0600 option file.
#include <mysqld_error.h>

#include <cstdlib>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "sandbox_client.h"
#include "sandbox_fixture.h"

namespace vomsrepl::testing {
namespace {

class SandboxTest : public SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_GE(env_.ReplicaCount(), 1);
  }

  // Connects or fails the test with the connector's message.
  SandboxConnection MustConnect(const std::string& option_file, const std::string& db = "") {
    SandboxConnection c;
    EXPECT_TRUE(c.Connect(option_file, db)) << c.error();
    return c;
  }
};

// Sequence number of domain 0 in a MariaDB GTID list such as "0-1-57,1-3-9"; -1 if none.
long long DomainZeroSeq(const std::string& gtid_list) {
  size_t start = 0;
  while (start < gtid_list.size()) {
    size_t end = gtid_list.find(',', start);
    if (end == std::string::npos) end = gtid_list.size();
    const std::string gtid = gtid_list.substr(start, end - start);
    if (gtid.rfind("0-", 0) == 0) {
      return std::atoll(gtid.substr(gtid.rfind('-') + 1).c_str());
    }
    start = end + 1;
  }
  return -1;
}

// What vomsrepl requires (ROW, FULL image) and otherwise the server's own
// defaults, as on a stock master: no row metadata, no GTID strict mode.
TEST_F(SandboxTest, MasterWritesRowBasedFullImageGtidBinlogAtServerDefaults) {
  auto admin = MustConnect(env_.MasterOptionFile("admin"));
  auto row = admin.Query(
      "SELECT @@log_bin, @@binlog_format, @@binlog_row_image, @@binlog_row_metadata, "
      "@@gtid_strict_mode, @@binlog_checksum, @@server_id, @@read_only, @@bind_address");
  ASSERT_TRUE(row.has_value()) << admin.error();
  ASSERT_EQ(row->size(), 1u);
  const Row& r = row->front();
  EXPECT_EQ(r[0], "1");  // log_bin
  EXPECT_EQ(r[1], "ROW");
  EXPECT_EQ(r[2], "FULL");
  EXPECT_EQ(r[3], "NO_LOG");  // binlog_row_metadata: MariaDB's default
  EXPECT_EQ(r[4], "0");       // gtid_strict_mode: the default
  EXPECT_EQ(r[5], "CRC32");
  EXPECT_EQ(r[6], "1");  // server_id
  EXPECT_EQ(r[7], "0");  // read_only
  EXPECT_EQ(r[8], "127.0.0.1");
}

TEST_F(SandboxTest, VomsDatabaseIsLoadedOnTheMaster) {
  auto admin = MustConnect(env_.MasterOptionFile("admin"));
  EXPECT_EQ(admin.QueryValue("SELECT COUNT(*) FROM information_schema.tables "
                             "WHERE table_schema = 'voms_itest'"),
            "35");
  EXPECT_EQ(admin.QueryValue("SELECT COUNT(*) FROM voms_itest.usr WHERE userid <= 50"), "50");
  EXPECT_EQ(admin.QueryValue("SELECT admin_version FROM voms_itest.version"), "3.3.3");
}

TEST_F(SandboxTest, WriteOnMasterAdvancesGtidBinlogPos) {
  auto app = MustConnect(env_.MasterOptionFile("app"), "voms_itest");
  auto before = app.QueryValue("SELECT @@global.gtid_binlog_pos");
  ASSERT_TRUE(before.has_value()) << app.error();
  // A value that differs from the stored one, so the UPDATE really changes a row.
  ASSERT_TRUE(app.Execute("UPDATE usr SET phone_number = CONCAT('+39 ', UUID_SHORT()) "
                          "WHERE userid = 1"))
      << app.error();
  auto after = app.QueryValue("SELECT @@global.gtid_binlog_pos");
  ASSERT_TRUE(after.has_value()) << app.error();
  EXPECT_GT(DomainZeroSeq(*after), DomainZeroSeq(*before))
      << "before " << *before << ", after " << *after;
  auto last = app.QueryValue("SELECT @@session.last_gtid");
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->rfind("0-1-", 0), 0u) << *last;  // domain 0, server_id 1
}

TEST_F(SandboxTest, ReplicasAreReadOnlyWithoutBinlog) {
  for (int i = 1; i <= env_.ReplicaCount(); ++i) {
    SCOPED_TRACE("replica" + std::to_string(i));
    auto admin = MustConnect(env_.ReplicaOptionFile(i, "admin"));
    auto row = admin.Query("SELECT @@read_only, @@server_id, @@log_bin, @@bind_address");
    ASSERT_TRUE(row.has_value()) << admin.error();
    const Row& r = row->front();
    EXPECT_EQ(r[0], "1");
    EXPECT_EQ(r[1], std::to_string(i + 1));
    EXPECT_EQ(r[2], "0");
    EXPECT_EQ(r[3], "127.0.0.1");
  }
}

// On each replica: the applier account writes (DDL and DML) despite read_only; the
// ordinary account with the same DML grants is refused with 1290.
TEST_F(SandboxTest, ReplicaRefusesOrdinaryWritesAndAcceptsTheApplier) {
  for (int i = 1; i <= env_.ReplicaCount(); ++i) {
    SCOPED_TRACE("replica" + std::to_string(i));
    auto apply = MustConnect(env_.ReplicaOptionFile(i, "apply"));
    ASSERT_TRUE(apply.Execute("CREATE DATABASE IF NOT EXISTS voms_itest_probe")) << apply.error();
    ASSERT_TRUE(apply.Execute("CREATE TABLE IF NOT EXISTS voms_itest_probe.t "
                              "(id INT PRIMARY KEY, who VARCHAR(20)) ENGINE=InnoDB"))
        << apply.error();
    ASSERT_TRUE(apply.Execute("REPLACE INTO voms_itest_probe.t VALUES (1, 'applier')"))
        << apply.error();
    ASSERT_TRUE(apply.Execute("CREATE DATABASE IF NOT EXISTS vomsrepl")) << apply.error();
    ASSERT_TRUE(apply.Execute("CREATE TABLE IF NOT EXISTS vomsrepl.itest_probe (id INT PRIMARY KEY)"))
        << apply.error();
    ASSERT_TRUE(apply.Execute("DROP TABLE vomsrepl.itest_probe")) << apply.error();

    auto reader = MustConnect(env_.ReplicaOptionFile(i, "reader"));
    EXPECT_EQ(reader.QueryValue("SELECT who FROM voms_itest_probe.t WHERE id = 1"), "applier")
        << reader.error();
    EXPECT_FALSE(reader.Execute("INSERT INTO voms_itest_probe.t VALUES (2, 'reader')"));
    EXPECT_EQ(reader.error_number(), static_cast<unsigned>(ER_OPTION_PREVENTS_STATEMENT))
        << reader.error();
    EXPECT_FALSE(reader.Execute("DELETE FROM voms_itest_probe.t"));
    EXPECT_EQ(reader.error_number(), static_cast<unsigned>(ER_OPTION_PREVENTS_STATEMENT))
        << reader.error();

    ASSERT_TRUE(apply.Execute("DROP DATABASE voms_itest_probe")) << apply.error();
  }
}

// The applier may write voms_* and vomsrepl, nothing else. Note: on MariaDB 10.11,
// READ ONLY ADMIN also permits SET GLOBAL read_only, so that one is the applier's own
// contract (it never turns read_only off), not something the grants can refuse.
TEST_F(SandboxTest, ApplierAccountCannotDoWhatItMustNot) {
  for (int i = 1; i <= env_.ReplicaCount(); ++i) {
    SCOPED_TRACE("replica" + std::to_string(i));
    auto apply = MustConnect(env_.ReplicaOptionFile(i, "apply"));

    EXPECT_FALSE(apply.Execute("UPDATE mysql.global_priv SET priv = priv WHERE user = 'root'"));
    EXPECT_EQ(apply.error_number(), static_cast<unsigned>(ER_TABLEACCESS_DENIED_ERROR))
        << apply.error();
    EXPECT_FALSE(apply.Execute("INSERT INTO mysql.db (Host, Db, User) VALUES ('%', 'x', 'y')"));
    EXPECT_EQ(apply.error_number(), static_cast<unsigned>(ER_TABLEACCESS_DENIED_ERROR))
        << apply.error();
    EXPECT_FALSE(apply.Execute("CREATE USER 'intruder'@'127.0.0.1'"));
    EXPECT_EQ(apply.error_number(), static_cast<unsigned>(ER_SPECIFIC_ACCESS_DENIED_ERROR))
        << apply.error();
    EXPECT_FALSE(apply.Execute("CREATE DATABASE not_a_voms_db"));
    EXPECT_EQ(apply.error_number(), static_cast<unsigned>(ER_DBACCESS_DENIED_ERROR))
        << apply.error();
    EXPECT_FALSE(apply.Execute("SET GLOBAL max_connections = 10"));
    EXPECT_EQ(apply.error_number(), static_cast<unsigned>(ER_SPECIFIC_ACCESS_DENIED_ERROR))
        << apply.error();
    EXPECT_FALSE(apply.Execute("SET SESSION sql_log_bin = 0"));
    EXPECT_EQ(apply.error_number(), static_cast<unsigned>(ER_SPECIFIC_ACCESS_DENIED_ERROR))
        << apply.error();

    // Exactly the documented grants: READ ONLY ADMIN globally, DML + DDL on two schemas.
    auto grants = apply.Query("SHOW GRANTS");
    ASSERT_TRUE(grants.has_value()) << apply.error();
    std::set<std::string> lines;
    for (const Row& r : *grants) {
      std::string g = r[0].value_or("");
      const size_t pw = g.find(" IDENTIFIED BY PASSWORD");
      if (pw != std::string::npos) g.resize(pw);
      lines.insert(g);
    }
    const std::string privs =
        "SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, CREATE VIEW, "
        "SHOW VIEW, TRIGGER";
    const std::set<std::string> expected = {
        "GRANT READ_ONLY ADMIN ON *.* TO `vomsrepl_apply`@`127.0.0.1`",
        "GRANT " + privs + " ON `vomsrepl`.* TO `vomsrepl_apply`@`127.0.0.1`",
        "GRANT " + privs + " ON `voms\\_%`.* TO `vomsrepl_apply`@`127.0.0.1`",
    };
    EXPECT_EQ(lines, expected);
  }
}

TEST_F(SandboxTest, ReplicationAccountSeesBinlogButNoVoData) {
  auto repl = MustConnect(env_.MasterOptionFile("repl"));
  auto status = repl.Query("SHOW BINLOG STATUS");
  ASSERT_TRUE(status.has_value()) << repl.error();
  ASSERT_EQ(status->size(), 1u);
  EXPECT_EQ(status->front()[0].value_or("").rfind("master-bin.", 0), 0u);
  EXPECT_TRUE(repl.Execute("SHOW MASTER STATUS")) << repl.error();
  EXPECT_TRUE(repl.Execute("SHOW BINARY LOGS")) << repl.error();
  EXPECT_TRUE(repl.QueryValue("SELECT @@global.gtid_binlog_pos").has_value()) << repl.error();

  // No SELECT was granted on purpose: streaming needs none (see tools/sandbox).
  EXPECT_FALSE(repl.Execute("SELECT COUNT(*) FROM voms_itest.usr"));
  EXPECT_EQ(repl.error_number(), static_cast<unsigned>(ER_TABLEACCESS_DENIED_ERROR))
      << repl.error();
  EXPECT_FALSE(repl.Execute("INSERT INTO voms_itest.version VALUES (99, 'x')"));
  EXPECT_EQ(repl.error_number(), static_cast<unsigned>(ER_TABLEACCESS_DENIED_ERROR))
      << repl.error();
  EXPECT_FALSE(repl.Execute("CREATE DATABASE voms_intruder"));
  EXPECT_EQ(repl.error_number(), static_cast<unsigned>(ER_DBACCESS_DENIED_ERROR))
      << repl.error();
}

TEST_F(SandboxTest, ApplicationAccountHasDmlOnlyOnVoDatabases) {
  auto app = MustConnect(env_.MasterOptionFile("app"), "voms_itest");
  EXPECT_TRUE(app.Execute("SELECT COUNT(*) FROM usr")) << app.error();
  EXPECT_FALSE(app.Execute("CREATE TABLE app_probe (id INT)"));
  EXPECT_EQ(app.error_number(), static_cast<unsigned>(ER_TABLEACCESS_DENIED_ERROR))
      << app.error();
  EXPECT_FALSE(app.Execute("SHOW BINLOG STATUS"));
  EXPECT_EQ(app.error_number(), static_cast<unsigned>(ER_SPECIFIC_ACCESS_DENIED_ERROR))
      << app.error();
}

TEST(SandboxClientTest, MissingOptionFileIsAnError) {
  SandboxConnection c;
  EXPECT_FALSE(c.Connect("/nonexistent/vomsrepl/option.cnf"));
  EXPECT_FALSE(c.error().empty());
}

}  // namespace
}  // namespace vomsrepl::testing
