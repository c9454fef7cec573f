// dump and stats over the real-server fixtures: the values a DBA sees are the
// gold values of tests/data/binlogs/MANIFEST.md.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "app/argv_secrets.h"
#include "app/dump_command.h"
#include "app/exit_codes.h"
#include "app/stats_command.h"

namespace vomsrepl::app {
namespace {

std::string Fixture(const std::string& rel) { return std::string(VOMSREPL_TEST_DATA_DIR) + "/binlogs/" + rel; }

struct Captured {
  Status status;
  std::string out;
};

template <class Fn>
Captured Capture(Fn fn) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  Captured c;
  c.status = fn(f);
  std::fclose(f);
  c.out.assign(buf, len);
  std::free(buf);
  return c;
}

Captured Dump(std::vector<std::string> files, OutputFormat format = OutputFormat::kText, WalkFilters filters = {}) {
  DumpOptions o;
  for (auto& f : files) o.input.files.files.push_back(Fixture(f));
  o.format = format;
  o.filters = filters;
  return Capture([&](std::FILE* f) { return RunDump(o, f); });
}

Captured Stats(std::vector<std::string> files, WalkFilters filters = {}) {
  StatsOptions o;
  for (auto& f : files) o.input.files.files.push_back(Fixture(f));
  o.format = OutputFormat::kJson;
  o.filters = filters;
  return Capture([&](std::FILE* f) { return RunStats(o, f); });
}

bool Has(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

TEST(Dump, MariadbFullMetadataRowsWithColumnNames) {
  auto c = Dump({"rust_mysql_common/mariadb-bin.000001"});
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_TRUE(Has(c.out, "### INSERT INTO `toddy_test`.`outbox`\n### SET\n###   @1=62 /* id INT"));
  EXPECT_TRUE(Has(c.out, "###   @2='foo' /* topic VARCHAR"));
  EXPECT_TRUE(Has(c.out, "###   @4='{\"foo\":1}' /* event BLOB"));
  EXPECT_TRUE(Has(c.out, "###   @5=1650493084 /* created TIMESTAMP2"));
  EXPECT_TRUE(Has(c.out, "###   @1=63 /* id INT"));
  EXPECT_TRUE(Has(c.out, "Gtid 0-1-1 trans"));
  EXPECT_TRUE(Has(c.out, "#Q> insert into outbox"));
  EXPECT_TRUE(Has(c.out, "# at 612\n"));
}

TEST(Dump, JsonLinesAreTypedPerColumn) {
  auto c = Dump({"rust_mysql_common/mariadb-bin.000001"}, OutputFormat::kJson);
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_TRUE(Has(c.out, "\"op\":\"insert\",\"rows\":[{\"after\":{\"id\":62,\"topic\":\"foo\""));
  // One JSON object per line.
  std::istringstream in(c.out);
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.front(), '{');
    EXPECT_EQ(line.back(), '}');
  }
  EXPECT_GT(lines, 10);
}

TEST(Dump, UpdatePairsAreBeforeThenAfter) {
  // MANIFEST: update after = ("field1","field_2", enum 2, set 0b1010, 300-char string).
  auto c = Dump({"rust_mysql_common/mysql-enum-string-set.000001"});
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  size_t upd = c.out.find("### UPDATE ");
  ASSERT_NE(upd, std::string::npos);
  size_t where = c.out.find("### WHERE", upd);
  size_t set = c.out.find("### SET", upd);
  ASSERT_LT(where, set);
  EXPECT_TRUE(Has(c.out.substr(set, 400), "@1='field1'"));
  EXPECT_TRUE(Has(c.out.substr(set, 400), "@2='field_2'"));
  EXPECT_TRUE(Has(c.out.substr(set, 600), "@3=2 "));
  EXPECT_TRUE(Has(c.out, "### DELETE FROM "));
}

TEST(Dump, NegativeTimeAndPartialImages) {
  auto t = Dump({"rust_mysql_common/time_issue.000001"});
  ASSERT_TRUE(t.status.ok());
  EXPECT_TRUE(Has(t.out, "@1='-507:48:27'"));
  // MINIMAL image: only columns 1, 3, 5 present; unsigned INT 3230202323.
  auto m = Dump({"rust_mysql_common/minimal_row_metadata.000001"});
  ASSERT_TRUE(m.status.ok()) << m.status.ToString();
  EXPECT_TRUE(Has(m.out, "@5=-1064764973 (3230202323)"));
  EXPECT_FALSE(Has(m.out, "###   @2="));
  EXPECT_FALSE(Has(m.out, "###   @4="));
}

TEST(Dump, CompressedTransactionPayloadIsExpanded) {
  auto c = Dump({"rust_mysql_common/transaction_compression.000001"});
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_TRUE(Has(c.out, "Transaction_payload\tcompression_type=ZSTD"));
  EXPECT_TRUE(Has(c.out, "(inside Transaction_payload)"));
  EXPECT_TRUE(Has(c.out, "### INSERT INTO `test`.`tb1`\n### SET\n###   @1=1 "));
}

TEST(Dump, JsonOpaqueValues) {
  auto c = Dump({"rust_mysql_common/json-opaque.binlog"}, OutputFormat::kJson);
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  for (const char* v : {"{\"a\":\"base64:type15:VQ==\"}", "{\"b\":\"2012-03-18\"}",
                        "{\"c\":\"2012-03-18 11:30:45.000000\"}", "{\"c\":\"87:31:46.654321\"}", "{\"e\":\"9.00\"}",
                        "{\"e\":[0,1,true,false]}", "{\"e\":null}"})
    EXPECT_TRUE(Has(c.out, v)) << v;
}

TEST(Dump, DatabaseAndTableFilters) {
  WalkFilters only_other;
  only_other.databases = txn::NameFilter({"voms_*"}, {});
  auto c = Dump({"rust_mysql_common/mariadb-bin.000001"}, OutputFormat::kText, only_other);
  ASSERT_TRUE(c.status.ok());
  EXPECT_FALSE(Has(c.out, "### INSERT"));
  EXPECT_FALSE(Has(c.out, "Table_map"));
  WalkFilters table;
  table.tables = txn::NameFilter({"toddy_test.out*"}, {});
  auto t = Dump({"rust_mysql_common/mariadb-bin.000001"}, OutputFormat::kText, table);
  EXPECT_TRUE(Has(t.out, "### INSERT INTO `toddy_test`.`outbox`"));
}

TEST(Dump, GtidRange) {
  DumpOptions o;
  o.input.files.files = {Fixture("mariadb-poc/domain_id_0/mariadb-repl-bin.000010")};
  o.input.files.start_gtids = *MariadbGtidList::Parse("0-10-292200");
  o.input.files.stop_gtids = *MariadbGtidList::Parse("0-10-292202");
  auto c = Capture([&](std::FILE* f) { return RunDump(o, f); });
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_FALSE(Has(c.out, "Gtid 0-10-292200"));
  EXPECT_TRUE(Has(c.out, "Gtid 0-10-292201"));
  EXPECT_TRUE(Has(c.out, "Gtid 0-10-292202"));
  EXPECT_FALSE(Has(c.out, "Gtid 0-10-292203"));
}

TEST(Dump, PositionRange) {
  DumpOptions o;
  o.input.files.files = {Fixture("rust_mysql_common/mariadb-bin.000001")};
  o.input.files.start_position = 702;
  o.input.files.stop_position = 1043;
  auto c = Capture([&](std::FILE* f) { return RunDump(o, f); });
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_FALSE(Has(c.out, "@1=62 "));
  EXPECT_TRUE(Has(c.out, "@1=63 "));
  EXPECT_FALSE(Has(c.out, "Xid = 820"));
  EXPECT_TRUE(Has(c.out, "# at 702\n"));
}

TEST(Dump, ErrorsNameFilePositionEventAndNothingHalfPrinted) {
  auto c = Dump({"rust_mysql_common/corrupt-relay-bin.000624"});
  EXPECT_EQ(c.status.code(), StatusCode::kCorruption);
  EXPECT_TRUE(Has(std::string(c.status.message()), "Query event at "));
  EXPECT_TRUE(Has(std::string(c.status.message()), "corrupt-relay-bin.000624:91204"));
  EXPECT_FALSE(Has(c.out, "# at 91204"));
  auto t = Dump({"rust_mysql_common/binlog_truncated_prev_gtid_event.000001"});
  EXPECT_EQ(t.status.code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Has(std::string(t.status.message()), ":120"));
  auto missing = Dump({"no/such.000001"});
  EXPECT_EQ(missing.status.code(), StatusCode::kNotFound);
}

TEST(Stats, CountsRowsPerTableAcrossFiles) {
  // MANIFEST: ids 1..6 inserted; UPDATE 1,2,3; DELETE 4,5,6.
  auto c = Stats({"percona-binlog-server/data_80045_gtid/binlog.000001",
                  "percona-binlog-server/data_80045_gtid/binlog.000002"});
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_TRUE(Has(c.out, "{\"db\":\"test\",\"table\":\"t1\",\"events\":8,\"inserted\":6,\"updated\":3,\"deleted\":3,"))
      << c.out;
  EXPECT_TRUE(Has(c.out, "\"rows\":12,"));
}

TEST(Stats, FilteredTablesAreNotCounted) {
  WalkFilters f;
  f.databases = txn::NameFilter({"voms_*"}, {});
  auto c = Stats({"percona-binlog-server/data_80045_gtid/binlog.000001"}, f);
  ASSERT_TRUE(c.status.ok());
  EXPECT_TRUE(Has(c.out, "\"rows\":0,"));
  EXPECT_TRUE(Has(c.out, "\"tables\":[]"));
}

// Passwords on argv are refused before parsing, without echoing the value:
// every option whose name contains "pass" in any case, and every -p form.
TEST(Cli, PasswordOptionsAreRefusedWithoutTheirValue) {
  const std::string secret = "S3cretValue42";
  struct Case {
    std::vector<std::string> args;
    const char* named;  // how the message names the option
  } cases[] = {
      {{"run", "--config", "c.toml", "--password", secret}, "option --password refused"},
      {{"run", "--config", "c.toml", "--password=" + secret}, "option --password refused"},
      {{"check-config", "--pass=" + secret}, "option --pass refused"},
      {{"dump", "--master", "--passwd", secret}, "option --passwd refused"},
      {{"run", "--master-password=" + secret}, "option --master-password refused"},
      {{"run", "--master-password", secret}, "option --master-password refused"},
      {{"run", "--PASSWORD=" + secret}, "option --PASSWORD refused"},
      {{"verify", "--replica-Pass", secret}, "option --replica-Pass refused"},
      {{"bootstrap", "--db-passphrase=" + secret}, "option --db-passphrase refused"},
      {{"catchup", "--x_password=" + secret}, "argument 2 (an option whose name contains \"pass\") refused"},
      {{"stats", "--pass" + secret}, "argument 2 (an option whose name contains \"pass\") refused"},
      {{"stats", "--" + secret + "Pass"}, "argument 2 (an option whose name contains \"pass\") refused"},
      {{"status", "-PASS=" + secret}, "argument 2 (an option whose name contains \"pass\") refused"},
      {{"status", "-Password", secret}, "argument 2 (an option whose name contains \"pass\") refused"},
      {{"verify", "-p" + secret}, "option -p refused"},
      {{"verify", "-p=" + secret}, "option -p refused"},
      {{"stats", "-p"}, "option -p refused"},
      {{"--log-level", "info", "switch-master", "--password"}, "option --password refused"},
      // After "--" too: a "file" named like this is only ever a mistyped secret.
      {{"dump", "--", "--password=" + secret}, "option --password refused"},
  };
  for (const Case& k : cases) {
    std::vector<std::string_view> views(k.args.begin(), k.args.end());
    Status st = RefusePasswordArguments(views);
    ASSERT_EQ(st.code(), StatusCode::kInvalidArgument) << k.args[1];
    EXPECT_EQ(ExitCodeFor(st), kExitUsage);
    std::string m(st.message());
    EXPECT_EQ(m.find(secret), std::string::npos) << m;
    EXPECT_EQ(m.rfind(k.named, 0), 0u) << m;
    EXPECT_NE(m.find("option file"), std::string::npos) << m;
    EXPECT_NE(m.find("0600"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

TEST(Cli, OrdinaryArgumentsPass) {
  for (std::vector<std::string_view> args : std::vector<std::vector<std::string_view>>{
           {"run", "--config", "/etc/vomsrepl/p.toml"},
           {"run", "--config=/etc/vomsrepl/passwords.toml"},  // a value, not a name
           {"dump", "--master", "--master-defaults-file", "/x/repl.cnf", "--start-position", "4", "mysql-bin.000001"},
           {"catchup", "--until", "0-1-42", "--plan"},
           {"verify", "--pause-ms", "5", "--db", "voms_pass"},
           {"dump", "--", "passwords.bin"},
           {"dump", "-", "--"},
           {"--version"},
       }) {
    EXPECT_TRUE(RefusePasswordArguments(args).ok()) << args[0] << " " << args.back();
  }
}

// Every option the CLI defines passes: nothing legitimate is refused.
TEST(Cli, NoDefinedOptionLooksLikeAPassword) {
  std::ifstream in(VOMSREPL_SOURCE_DIR "/src/app/main.cc");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(text.empty());
  size_t n = 0;
  for (size_t at = text.find("add_option(\""); at != std::string::npos; at = text.find("add_option(\"", at + 1)) {
    size_t b = at + 12, e = text.find('"', b);
    std::string names = text.substr(b, e - b);
    for (size_t p = 0; p <= names.size();) {
      size_t q = names.find(',', p);
      if (q == std::string::npos) q = names.size();
      std::string name = names.substr(p, q - p);
      EXPECT_FALSE(IsPasswordArgument(name)) << name;
      EXPECT_FALSE(IsPasswordArgument(name + "=x")) << name;
      ++n;
      p = q + 1;
    }
  }
  EXPECT_GT(n, 30u);
}

}  // namespace
}  // namespace vomsrepl::app
