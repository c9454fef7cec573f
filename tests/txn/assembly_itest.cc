// Integration: a real MariaDB master (tools/sandbox, own sandbox) with two
// VOMS databases loaded (35 CREATE TABLEs each, foreign keys, latin1), the
// VOMS-Admin-like workload on both, a cross-database ALTER and a database we
// do not keep; its binlog files are assembled with include voms_* and the
// rename voms_alpha -> voms_renamed. Every rows event of a voms_* table
// must come out exactly once, in order and byte for byte; nothing of
// other_db; every TABLE_MAP renamed; the final MariaDB GTID state equals the
// master's @@gtid_binlog_pos.
#include <gtest/gtest.h>

#include <cstdlib>

#include "assembler_test_util.h"
#include "binlog/rows_event.h"
#include "sandbox_client.h"
#include "txn/change_format.h"

namespace vomsrepl::txn {
namespace {

class AssemblyOnMaster : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto env = ::vomsrepl::testing::SandboxEnv::FromEnvironment(&error);
    ASSERT_TRUE(env) << error;
    env_ = *env;
    ASSERT_TRUE(admin_.Connect(env_.MasterOptionFile("admin"))) << admin_.error();
  }
  void Sql(const std::string& s) { ASSERT_TRUE(admin_.Execute(s)) << s << ": " << admin_.error(); }
  // The test reads the master's whole binlog: every run starts from an empty one and
  // freshly loaded VOs (ctest --repeat runs it again on the same master).
  void FreshMaster() {
    for (const char* db : {"voms_alpha", "voms_beta", "other_db"}) Sql(std::string("DROP DATABASE IF EXISTS ") + db);
    Sql("RESET MASTER");
    for (const char* vo : {"alpha", "beta"}) {
      std::string cmd = std::string(VOMSREPL_SOURCE_DIR) + "/tools/sandbox load-voms --vo " + vo + " --dir " +
                        env_.dir() + " > /dev/null";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
  }
  void Workload(const std::string& vo, int transactions, int seed) {
    std::string cmd = std::string(VOMSREPL_SOURCE_DIR) + "/tools/voms-workload --vo " + vo + " --transactions " +
                      std::to_string(transactions) + " --seed " + std::to_string(seed) + " --dir " + env_.dir();
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  ::vomsrepl::testing::SandboxEnv env_;
  ::vomsrepl::testing::SandboxConnection admin_;
};

TEST_F(AssemblyOnMaster, KeptRowsEventsComeOutExactlyOnceRenamed) {
  ASSERT_NO_FATAL_FAILURE(FreshMaster());
  Workload("alpha", 150, 1);
  Workload("beta", 80, 2);
  Sql("USE voms_beta");
  Sql("ALTER TABLE voms_alpha.usr ADD COLUMN itest_note VARCHAR(20) NULL");
  Workload("alpha", 100, 3);  // TABLE_MAPs of usr change shape after the DDL: not drift
  // CREATE TABLE ... SELECT: in row format the CREATE and the rows form one group.
  Sql("CREATE TABLE voms_alpha.usr_copy SELECT * FROM voms_alpha.usr");
  Sql("CREATE TABLE scratch (a INT PRIMARY KEY)");  // default database voms_beta
  Sql("INSERT INTO scratch VALUES (1), (2), (3)");
  Sql("TRUNCATE TABLE scratch");
  Sql("DROP TABLE voms_alpha.usr_copy");
  Sql("CREATE DATABASE IF NOT EXISTS other_db");
  Sql("CREATE TABLE other_db.t (a INT PRIMARY KEY)");
  Sql("INSERT INTO other_db.t VALUES (1), (2)");
  Sql("FLUSH BINARY LOGS");
  auto gtid_pos = admin_.QueryValue("SELECT @@gtid_binlog_pos");
  ASSERT_TRUE(gtid_pos);
  auto logs = admin_.Query("SHOW BINARY LOGS");
  ASSERT_TRUE(logs);
  std::vector<std::string> files;
  for (const auto& row : *logs) files.push_back(env_.Get("VOMSREPL_MASTER_BINLOG_DIR") + "/" + *row[0]);
  files.pop_back();  // the new empty file after FLUSH still being written

  FilterConfig config;
  config.renames = {{"voms_alpha", "voms_renamed"}};
  auto rules = FilterRules::Create(config);
  ASSERT_TRUE(rules.ok());
  testing::CollectingSink sink;
  TransactionAssembler a(*rules, sink);
  Status s = testing::AssembleFiles(a, files);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(a.gtid_state().ToString(), *gtid_pos);

  // Oracle: the rows events of voms_* tables in the files, in order.
  std::vector<std::vector<std::byte>> expected;
  for (const auto& path : files) {
    std::vector<std::byte> bytes = testing::ReadFileBytes(path);
    binlog::EventReader reader(bytes, "x");
    binlog::TableMapCache cache;
    binlog::ReadEvent ev;
    while (reader.Next(&ev).ok()) {
      if (ev.frame.header.type == EventType::kTableMap) {
        ASSERT_TRUE(cache.Update(ev.frame.body, reader.format()).ok());
      } else if (binlog::IsRowsEvent(ev.frame.header.type)) {
        uint64_t id = 0;
        ASSERT_TRUE(binlog::PeekTableId(ev.frame.header.type, ev.frame.body, reader.format(), &id));
        const binlog::TableSchema* t = cache.Find(id);
        ASSERT_NE(t, nullptr);
        if (t->database.rfind("voms_", 0) == 0) expected.emplace_back(ev.frame.body.begin(), ev.frame.body.end());
      }
    }
  }
  ASSERT_GT(expected.size(), 200u);

  std::vector<std::vector<std::byte>> got;
  bool saw_alter = false, saw_ctas = false;
  size_t create_tables = 0;
  for (const auto& t : sink.transactions) {
    ASSERT_TRUE(t.last_chunk);
    for (const Change& c : testing::Changes(t)) {
      if (c.kind == ChangeKind::kRows) {
        got.emplace_back(c.body.begin(), c.body.end());
      } else if (c.kind == ChangeKind::kTableMap) {
        binlog::TableSchema schema;
        ASSERT_TRUE(binlog::DecodeTableMap(c.body, ChangeFormat(t.mariadb_source), schema).ok());
        EXPECT_TRUE(schema.database == "voms_renamed" || schema.database == "voms_beta") << schema.database;
      } else {
        std::string sql(c.sql);
        EXPECT_EQ(sql.find("other_db"), std::string::npos) << sql;
        if (sql.find("ALTER TABLE `voms_renamed`.usr ADD COLUMN itest_note") != std::string::npos) {
          saw_alter = true;
          EXPECT_EQ(c.database, "voms_beta");
        }
        if (sql.find("usr_copy") != std::string::npos && sql.rfind("CREATE TABLE", 0) == 0) {
          saw_ctas = true;
          EXPECT_EQ(c.database, "voms_beta");  // the session's default database (USE voms_beta)
          EXPECT_NE(sql.find("`voms_renamed`.`usr_copy`"), std::string::npos) << sql;
        }
        if (sql.rfind("CREATE TABLE", 0) == 0 && sql.find("usr_copy") == std::string::npos &&
            sql.find("scratch") == std::string::npos) {
          ++create_tables;
          EXPECT_TRUE(c.database == "voms_renamed" || c.database == "voms_beta") << c.database;
        }
      }
    }
  }
  EXPECT_TRUE(saw_alter);
  EXPECT_TRUE(saw_ctas);
  EXPECT_EQ(create_tables, 70u);  // voms_schema.sql: 35 tables, loaded twice
  EXPECT_EQ(got.size(), expected.size());
  EXPECT_TRUE(got == expected) << "kept rows events differ from the master's voms_* rows events";
  EXPECT_GT(a.stats().filtered_transactions, 0u);  // other_db and account set-up
}

}  // namespace
}  // namespace vomsrepl::txn
