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

#include <vomsrepl/json.h>

#include "app/argv_secrets.h"
#include "app/dump_command.h"
#include "app/exit_codes.h"
#include "app/replica_command.h"
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
  EXPECT_TRUE(Has(c.out, "GTID 0-1-1 trans"));
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
  EXPECT_FALSE(Has(c.out, "GTID 0-10-292200"));
  EXPECT_TRUE(Has(c.out, "GTID 0-10-292201"));
  EXPECT_TRUE(Has(c.out, "GTID 0-10-292202"));
  EXPECT_FALSE(Has(c.out, "GTID 0-10-292203"));
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

// The labels and line shapes of mariadb-binlog -vv (issue 21); the differential
// integration test compares them byte for byte with Debian's mariadb-binlog.
TEST(Dump, HeaderLinesAsMariadbBinlogPrintsThem) {
  DumpOptions o;
  o.input.files.files = {Fixture("rust_mysql_common/mariadb-bin.000001")};
  o.utc = true;
  auto c = Capture([&](std::FILE* f) { return RunDump(o, f); });
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  EXPECT_EQ(c.out.rfind("# Event times are UTC (--utc)\n# at 4\n#", 0), 0u) << c.out.substr(0, 200);
  EXPECT_TRUE(Has(c.out, "\tStart: binlog v 4, server v "));
  EXPECT_TRUE(Has(c.out, "\tGTID 0-1-1 trans\n/*M!100001 SET @@session.gtid_seq_no=1*//*!*/;\nSTART TRANSACTION\n"));
  EXPECT_TRUE(Has(c.out, "\tAnnotate_rows:\n#Q> insert into outbox"));
  EXPECT_TRUE(Has(c.out, "\tWrite_rows: table id "));
  EXPECT_TRUE(Has(c.out, "\n# Number of rows: 1\n"));
  EXPECT_TRUE(Has(c.out, "\tXid = "));
  for (const char* old : {"Format_desc", "Write_rows_v1", "\tGtid 0-", "Gtid_list", "Binlog_checkpoint"})
    EXPECT_FALSE(Has(c.out, old)) << old;
}

TEST(Dump, LocalTimeByDefaultUtcOnRequest) {
  // A zone 5:30 east of UTC: every header time moves by 5 h 30 min.
  const char* old_tz = std::getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  ::setenv("TZ", "Asia/Kolkata", 1);
  ::tzset();
  DumpOptions o;
  o.input.files.files = {Fixture("mariadb-poc/domain_id_0/mariadb-repl-bin.000010")};
  auto local = Capture([&](std::FILE* f) { return RunDump(o, f); });
  o.utc = true;
  auto utc = Capture([&](std::FILE* f) { return RunDump(o, f); });
  if (old_tz) {
    ::setenv("TZ", saved.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
  ASSERT_TRUE(local.status.ok() && utc.status.ok());
  // mariadb-binlog under TZ=UTC prints "#251231 11:39:42 server id 10  end_log_pos 256".
  EXPECT_TRUE(Has(utc.out, "#251231 11:39:42 server id 10  end_log_pos 256 "));
  EXPECT_TRUE(Has(local.out, "#251231 17:09:42 server id 10  end_log_pos 256 "));
  EXPECT_TRUE(Has(local.out, "created 251231 17:09:42 at startup") || Has(local.out, "created 251231 17:09:42\n"))
      << local.out.substr(0, 400);
  EXPECT_EQ(local.out.rfind("# Event times are local time: IST (UTC+0530) at the first event; --utc prints UTC\n", 0),
            0u)
      << local.out.substr(0, 200);
}

TEST(Dump, JsonRowsCarryTheirTransactionsGtid) {
  auto c = Dump({"rust_mysql_common/mariadb-bin.000001"}, OutputFormat::kJson);
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  std::istringstream in(c.out);
  std::string line, gtid;
  int rows_events = 0;
  while (std::getline(in, line)) {
    const Json ev = Json::parse(line);  // every line is one valid JSON document
    if (ev["type"] == "Gtid") gtid = ev["gtid"];
    if (!ev.contains("op")) continue;
    ++rows_events;
    ASSERT_FALSE(gtid.empty());
    EXPECT_EQ(ev["gtid"], gtid) << line;
  }
  EXPECT_GT(rows_events, 1);
  EXPECT_TRUE(Has(c.out, "\"gtid\":\"0-1-1\",\"op\":\"insert\",\"rows\":[{\"after\":{\"id\":62,"));
}

TEST(Json, BytesThatAreNotUtf8BecomeBase64) {
  EXPECT_EQ(JsonText(JsonBytes("voms_atlas")), "\"voms_atlas\"");
  EXPECT_EQ(JsonText(JsonBytes("\xc3\xa9t\xc3\xa9")), "\"\xc3\xa9t\xc3\xa9\"");  // UTF-8 passes through
  EXPECT_EQ(JsonText(JsonBytes(std::string("a\xff", 2))), "\"base64:Yf8=\"");
  EXPECT_EQ(JsonText(JsonBytes("tab\tquote\"\x01")), "\"tab\\tquote\\\"\\u0001\"");
}

TEST(Stats, JsonIsOneDocument) {
  auto c = Stats({"percona-binlog-server/data_80045_gtid/binlog.000001",
                  "percona-binlog-server/data_80045_gtid/binlog.000002"});
  ASSERT_TRUE(c.status.ok()) << c.status.ToString();
  const Json j = Json::parse(c.out);
  EXPECT_EQ(j["rows"], 12);
  ASSERT_EQ(j["tables"].size(), 1u);
  EXPECT_EQ(j["tables"][0]["inserted"], 6);
  EXPECT_TRUE(j["decode_seconds"].is_number());
}

TEST(Replica, FailedTransactionIsReadFromStatusJson) {
  const std::string doc =
      R"({"source":{},"journal":{},"replicas":[{"name":"r1","state":"running","failed_seq":0,"last_error":""},)"
      R"({"name":"r2","state":"error","applied_seq":4,"failed_seq":5,"last_error":"duplicate key \"x\""}]})";
  auto f = FailedTransactionOf(doc, "r2");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->seq, 5u);
  EXPECT_EQ(f->state, "error");
  EXPECT_EQ(f->last_error, "duplicate key \"x\"");
  EXPECT_EQ(FailedTransactionOf(doc, "r3").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(FailedTransactionOf("not json", "r1").ok());
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
