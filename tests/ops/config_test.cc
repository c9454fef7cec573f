// TOML configuration: defaults, every section, and one precise error per
// kind of mistake (file:line, key, what is wrong).
#include "ops/config.h"
#include "ops/config_diff.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace vomsrepl::ops {
namespace {

constexpr std::string_view kMinimal = R"(
state_dir = "/tmp/vomsrepl-state"
[master]
defaults_file = "/etc/vomsrepl/master.cnf"
)";

Status ErrorOf(std::string_view text, unsigned mode = 0600) {
  auto c = ParseConfig(text, "t.toml", mode);
  return c.ok() ? Status::OK() : c.status();
}

TEST(ConfigTest, MinimalConfigGetsSafeDefaults) {
  auto c = ParseConfig(kMinimal, "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->state_dir, "/tmp/vomsrepl-state");
  EXPECT_EQ(c->master.defaults_file, "/etc/vomsrepl/master.cnf");
  EXPECT_EQ(c->master.server_id, 4242u);
  EXPECT_EQ(c->master.start.from, source::StartFrom::kMasterCurrent);
  auto rules = txn::FilterRules::Create(c->filter);
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules->KeepDatabase("voms_atlas"));
  EXPECT_FALSE(rules->KeepDatabase("mysql"));
  EXPECT_EQ(c->journal.sync, SyncPolicy::kPeriodic);
  EXPECT_EQ(c->apply.on_divergence, DivergencePolicy::kStop);
  EXPECT_TRUE(c->apply.fold_rows);
  EXPECT_TRUE(c->apply.fold_upsert);
  EXPECT_TRUE(c->apply.check_before_image);
  EXPECT_EQ(c->apply.group_transactions, 1000u);
  EXPECT_EQ(c->apply.group_rows, 50000u);
  EXPECT_EQ(c->http.listen, "127.0.0.1:9321");
  EXPECT_TRUE(c->replicas.empty());
}

TEST(ConfigTest, FullConfig) {
  auto c = ParseConfig(R"(
state_dir = "/var/lib/vomsrepl"
[master]
host = "127.0.0.1"
port = 3307
defaults_file = "/etc/vomsrepl/master.cnf"
server_id = 77
start = "gtid:0-1-100,1-1-5"
heartbeat_ms = 2000
read_timeout_s = 10
[master.tls]
enabled = true
ca_file = "/etc/ssl/ca.pem"
[filter]
include_databases = ["voms_*", "vomsdb"]
exclude_databases = ["voms_test"]
exclude_tables = ["voms_*.audit_*"]
[filter.rename]
voms_old = "voms_new"
"voms_a`b" = "voms_c"
[journal]
sync = "periodic"
sync_interval_ms = 50
retention_seconds = 3600
[apply]
group_transactions = 10
fold_rows = false
fold_upsert = false
check_before_image = false
workers = 3
lock_wait_timeout_s = 5
on_divergence = "overwrite"
[[replica]]
name = "r1"
defaults_file = "/etc/vomsrepl/r1.cnf"
[[replica]]
name = "r-2"
defaults_file = "/etc/vomsrepl/r2.cnf"
on_divergence = "skip"
enabled = false
read_timeout_s = 20
workers = 1
preserve_gtid = true
state_gtid_domain = 7
[http]
listen = ""
[log]
level = "debug"
file = "/var/log/vomsrepl.log"
)",
                       "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->master.port, 3307);
  EXPECT_EQ(c->master.server_id, 77u);
  EXPECT_EQ(c->master.start.from, source::StartFrom::kGtid);
  EXPECT_EQ(c->master.start.gtids.ToString(), "0-1-100,1-1-5");
  EXPECT_EQ(c->master.heartbeat_period.count(), 2000);
  EXPECT_TRUE(c->master.tls.enabled);
  EXPECT_TRUE(c->master.tls.verify_server_cert);
  EXPECT_EQ(c->filter.exclude_databases, std::vector<std::string>{"voms_test"});
  ASSERT_EQ(c->filter.renames.size(), 2u);
  EXPECT_EQ(c->journal.sync, SyncPolicy::kPeriodic);
  EXPECT_EQ(c->apply.workers, 3u);
  EXPECT_EQ(c->apply.lock_wait_timeout_s, 5u);
  EXPECT_EQ(c->replicas[0].workers, 3u);  // inherited from [apply]
  EXPECT_EQ(c->replicas[1].workers, 1u);
  EXPECT_FALSE(c->apply.fold_rows);
  EXPECT_FALSE(c->apply.fold_upsert);
  EXPECT_FALSE(c->apply.check_before_image);
  ASSERT_EQ(c->replicas.size(), 2u);
  EXPECT_EQ(c->replicas[0].on_divergence, DivergencePolicy::kOverwrite);  // inherited from [apply]
  EXPECT_EQ(c->replicas[1].on_divergence, DivergencePolicy::kSkip);
  EXPECT_FALSE(c->replicas[1].enabled);
  EXPECT_EQ(c->replicas[0].read_timeout_s, 3600);  // default: a long DDL must fit
  EXPECT_EQ(c->replicas[1].read_timeout_s, 20);
  EXPECT_FALSE(c->replicas[0].preserve_gtid);
  EXPECT_TRUE(c->replicas[1].preserve_gtid);
  EXPECT_EQ(c->replicas[1].state_gtid_domain, 7u);
  EXPECT_TRUE(c->http.listen.empty());
  std::string d = c->Describe();
  EXPECT_NE(d.find("rename voms_old -> voms_new"), std::string::npos) << d;
  EXPECT_NE(d.find("replica r-2 (disabled)"), std::string::npos) << d;
  EXPECT_NE(d.find("source GTIDs preserved (own writes in GTID domain 7)"), std::string::npos) << d;
}

TEST(ConfigTest, MasterReadDefaultsFileIsAKeyOfMaster) {
  auto none = ParseConfig(kMinimal, "t.toml");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->master_read_defaults_file.empty());
  EXPECT_NE(none->Describe().find("through the replication account (no [master] read_defaults_file"),
            std::string::npos)
      << none->Describe();
  auto c = ParseConfig(std::string(kMinimal) + "read_defaults_file = \"/etc/vomsrepl/master-read.cnf\"\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->master_read_defaults_file, "/etc/vomsrepl/master-read.cnf");
  EXPECT_EQ(c->master.defaults_file, "/etc/vomsrepl/master.cnf");  // the feeder's account is unchanged
  EXPECT_NE(c->Describe().find("read the master's tables through /etc/vomsrepl/master-read.cnf"), std::string::npos)
      << c->Describe();
  // Checked like every option file: a missing one names its key.
  char master_cnf[] = "/tmp/vomsrepl-config-test-XXXXXX";
  int fd = ::mkstemp(master_cnf);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, "[client]\nuser=x\n", 16), 16);
  ::close(fd);
  c->master.defaults_file = master_cnf;
  Status missing = CheckOptionFiles(*c);
  ::unlink(master_cnf);
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("master.read_defaults_file"), std::string_view::npos) << missing.ToString();
  // Not a key of another table.
  EXPECT_EQ(ErrorOf("state_dir = \"/tmp/s\"\nread_defaults_file = \"/x.cnf\"\n[master]\ndefaults_file = \"/m.cnf\"\n").code(),
            StatusCode::kInvalidArgument);
}

TEST(ConfigTest, StateGtidDomainNeedsPreserveGtid) {
  const std::string replica = "[[replica]]\nname = \"r1\"\ndefaults_file = \"/etc/r1.cnf\"\n";
  auto c = ParseConfig(std::string(kMinimal) + replica + "state_gtid_domain = 5\n", "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("replica[0].state_gtid_domain"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find("preserve_gtid"), std::string::npos) << c.status().ToString();
  c = ParseConfig(std::string(kMinimal) + replica + "preserve_gtid = true\nstate_gtid_domain = 4294967296\n",
                  "t.toml");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("must be between 0 and 4294967295"), std::string::npos)
      << c.status().ToString();
  c = ParseConfig(std::string(kMinimal) + replica + "preserve_gtid = true\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->replicas[0].state_gtid_domain, 424242u);
}

TEST(ConfigTest, HttpTokenFileAndListenBeyondLoopback) {
  auto c = ParseConfig(kMinimal, "t.toml");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->HttpTokenFile(), "/tmp/vomsrepl-state/http.token");
  EXPECT_EQ(c->http.max_connections, 256u);
  auto set = ParseConfig(std::string(kMinimal) + "[http]\ntoken_file = \"/etc/vomsrepl/http.token\"\nmax_connections = 64\n",
                         "t.toml");
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->HttpTokenFile(), "/etc/vomsrepl/http.token");
  EXPECT_EQ(set->http.max_connections, 64u);
  // No TLS: a listen beyond loopback without an operator's token is refused, naming the key.
  for (const char* listen : {"0.0.0.0:9321", "192.0.2.1:9321", "[::]:9321"}) {
    Status st = ErrorOf(std::string(kMinimal) + "[http]\nlisten = \"" + listen + "\"\n");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(std::string(st.message()).find("key 'http.listen'"), std::string::npos) << st.ToString();
    EXPECT_NE(std::string(st.message()).find("token_file"), std::string::npos) << st.ToString();
  }
  EXPECT_TRUE(ErrorOf(std::string(kMinimal) + "[http]\nlisten = \"0.0.0.0:9321\"\ntoken_file = \"/etc/t\"\n").ok());
  EXPECT_TRUE(ErrorOf(std::string(kMinimal) + "[http]\nlisten = \"[::1]:9321\"\n").ok());
  EXPECT_EQ(ErrorOf(std::string(kMinimal) + "[http]\nmax_connections = 1\n").code(), StatusCode::kInvalidArgument);
  // check-config refuses what run would: a listen that does not parse, a host
  // name other than localhost without a token (it may resolve beyond loopback).
  for (const char* listen : {"nonsense", "127.0.0.1:99999", "feeder.example.org:9321"}) {
    Status st = ErrorOf(std::string(kMinimal) + "[http]\nlisten = \"" + listen + "\"\n");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << listen;
    EXPECT_NE(std::string(st.message()).find("key 'http.listen'"), std::string::npos) << st.ToString();
  }
  EXPECT_TRUE(ErrorOf(std::string(kMinimal) + "[http]\nlisten = \"localhost:9321\"\n").ok());
  EXPECT_TRUE(ErrorOf(std::string(kMinimal) + "[http]\nlisten = \"\"\n").ok());
}

TEST(ConfigTest, LogLevelIsCheckedWhereRunChecksIt) {
  Status st = ErrorOf(std::string(kMinimal) + "[log]\nlevel = \"verbose\"\n");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(st.message()).find("key 'log.level'"), std::string::npos) << st.ToString();
  EXPECT_NE(std::string(st.message()).find("verbose"), std::string::npos) << st.ToString();
  EXPECT_TRUE(ErrorOf(std::string(kMinimal) + "[log]\nlevel = \"warn\"\n").ok());
}

// [standby] (issue 24): the lease reaches a user lock's name in SQL text, so only
// [A-Za-z0-9_-]{1,40} is accepted; without the section there is no lease.
TEST(ConfigTest, StandbyLease) {
  auto none = ParseConfig(std::string(kMinimal), "t.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->standby.lease.empty());
  auto ok = ParseConfig(std::string(kMinimal) + "[standby]\nlease = \"voms-site_1\"\ncheck_interval_ms = 250\n", "t.toml");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->standby.lease, "voms-site_1");
  EXPECT_EQ(ok->standby.check_interval_ms, 250u);
  EXPECT_NE(ok->Describe().find("lease 'voms-site_1'"), std::string::npos) << ok->Describe();
  for (const char* bad : {"", "a'b", "x.y", "voms lease", "0123456789012345678901234567890123456789x"}) {
    Status st = ErrorOf(std::string(kMinimal) + "[standby]\nlease = \"" + bad + "\"\n");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(std::string(st.message()).find("key 'standby.lease'"), std::string::npos) << st.ToString();
  }
  Status fast = ErrorOf(std::string(kMinimal) + "[standby]\nlease = \"v\"\ncheck_interval_ms = 10\n");
  EXPECT_NE(std::string(fast.message()).find("standby.check_interval_ms"), std::string::npos) << fast.ToString();
  EXPECT_EQ(ok->standby.lease_timeout_s, 10u);
  Status short_timeout = ErrorOf(std::string(kMinimal) + "[standby]\nlease = \"v\"\nlease_timeout_s = 2\ncheck_interval_ms = 1500\n");
  EXPECT_NE(std::string(short_timeout.message()).find("standby.lease_timeout_s"), std::string::npos) << short_timeout.ToString();
  EXPECT_TRUE(ErrorOf(std::string(kMinimal) + "[standby]\nlease = \"v\"\nlease_timeout_s = 4\n").ok());
  Status typo = ErrorOf(std::string(kMinimal) + "[standby]\nlease = \"v\"\nleese = 1\n");
  EXPECT_NE(std::string(typo.message()).find("leese"), std::string::npos) << typo.ToString();
}

// [[replica]] delay_s (issue 24): a delayed replica, at most 30 days.
TEST(ConfigTest, ReplicaDelay) {
  const std::string replica = "[[replica]]\nname = \"r\"\ndefaults_file = \"/etc/r.cnf\"\n";
  auto c = ParseConfig(std::string(kMinimal) + replica + "delay_s = 3600\n", "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->replicas[0].delay_s, 3600u);
  EXPECT_NE(c->Describe().find("delayed: each transaction applied 3600 s after the master committed it"),
            std::string::npos) << c->Describe();
  auto none = ParseConfig(std::string(kMinimal) + replica, "t.toml");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->replicas[0].delay_s, 0u);
  Status st = ErrorOf(std::string(kMinimal) + replica + "delay_s = 2592001\n");
  EXPECT_NE(std::string(st.message()).find("delay_s"), std::string::npos) << st.ToString();
  st = ErrorOf(std::string(kMinimal) + replica + "delay_s = -1\n");
  EXPECT_NE(std::string(st.message()).find("delay_s"), std::string::npos) << st.ToString();
}

// A reload's diff (issue 24): key by key, sorted into what a running daemon takes
// and what needs a restart; a password's value is never shown.
TEST(ConfigDiffTest, SortsChangesAndHidesPasswords) {
  const std::string base = std::string(kMinimal) + "password = \"old-secret\"\n[apply]\ngroup_rows = 100\n"
                           "[[replica]]\nname = \"r1\"\ndefaults_file = \"/etc/r1.cnf\"\n"
                           "[[replica]]\nname = \"r2\"\ndefaults_file = \"/etc/r2.cnf\"\n";
  auto a = ParseConfig(base, "a.toml");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto same = DiffConfigs(*a, *a);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());

  std::string changed = base;
  changed.replace(changed.find("group_rows = 100"), 16, "group_rows = 200");
  changed.replace(changed.find("/etc/r2.cnf"), 11, "/etc/r2b.cnf");
  changed += "[[replica]]\nname = \"r3\"\ndefaults_file = \"/etc/r3.cnf\"\n[log]\nlevel = \"debug\"\n";
  auto b = ParseConfig(changed, "b.toml");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  auto d = DiffConfigs(*a, *b);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->apply);
  EXPECT_TRUE(d->log);
  EXPECT_FALSE(d->filter);
  EXPECT_TRUE(d->need_restart.empty());
  EXPECT_EQ(d->replicas_added, std::vector<std::string>{"r3"});
  EXPECT_EQ(d->replicas_changed, std::vector<std::string>{"r2"});
  EXPECT_TRUE(d->replicas_removed.empty());
  std::string all;
  for (const auto& l : d->lines) all += l + "\n";
  EXPECT_NE(all.find("[apply] group_rows: 100 -> 200"), std::string::npos) << all;
  EXPECT_NE(all.find("[replica r2] defaults_file: '/etc/r2.cnf' -> '/etc/r2b.cnf'"), std::string::npos) << all;

  // [master] (its password included) and state_dir need a restart; the password's
  // value never appears.
  std::string restart = base;
  restart.replace(restart.find("old-secret"), 10, "new-secret");
  restart.replace(restart.find("name = \"r2\""), 11, "name = \"r9\"");
  auto c = ParseConfig(restart, "c.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto e = DiffConfigs(*a, *c);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->need_restart.size(), 1u);
  EXPECT_EQ(e->need_restart[0], "[master] password: (changed)");
  EXPECT_EQ(e->replicas_removed, std::vector<std::string>{"r2"});
  EXPECT_EQ(e->replicas_added, std::vector<std::string>{"r9"});
  for (const auto& l : e->lines) {
    EXPECT_EQ(l.find("secret"), std::string::npos) << l;
  }
}

TEST(ConfigTest, StartPositions) {
  auto pos = ParseConfig(std::string(kMinimal) + "start = \"mysql-bin.000003:1234\"\n", "t.toml");
  ASSERT_TRUE(pos.ok()) << pos.status().ToString();
  EXPECT_EQ(pos->master.start.from, source::StartFrom::kPosition);
  EXPECT_EQ(pos->master.start.position.ToString(), "mysql-bin.000003:1234");
  auto oldest = ParseConfig(std::string(kMinimal) + "start = \"oldest\"\n", "t.toml");
  ASSERT_TRUE(oldest.ok());
  EXPECT_EQ(oldest->master.start.from, source::StartFrom::kOldestBinlog);
  Status bad = ErrorOf(std::string(kMinimal) + "start = \"yesterday\"\n");
  EXPECT_NE(bad.message().find("master.start"), std::string::npos) << bad.ToString();
}

struct BadCase {
  std::string text;
  std::string expect;  // substring of the message
};

TEST(ConfigTest, EachMistakeNamesLineAndKey) {
  const std::vector<BadCase> cases = {
      {"state_dir = \"/x\"\n", "missing [master]"},
      {std::string(kMinimal) + "prot = 3306\n", "t.toml:5: key 'master.prot': unknown key"},
      {std::string(kMinimal) + "port = \"3306\"\n", "key 'master.port': expected an integer"},
      {std::string(kMinimal) + "port = 70000\n", "between 0 and 65535"},
      {std::string(kMinimal) + "server_id = 0\n", "master.server_id"},
      {std::string(kMinimal) + "heartbeat_ms = 60000\nread_timeout_s = 30\n", "longer than heartbeat_ms"},
      {"statedir = \"/x\"\n[master]\ndefaults_file = \"m.cnf\"\n", "t.toml:1: key 'statedir': unknown key"},
      {"[master]\nhost = \"h\"\n", "needs defaults_file"},
      {std::string(kMinimal) + "[journal]\nsync = \"sometimes\"\n", "key 'journal.sync'"},
      {std::string(kMinimal) + "[apply]\non_divergence = \"ignore\"\n", "expected stop, overwrite or skip"},
      // Parallel apply is not there yet: refused, not ignored.
      {std::string(kMinimal) + "[apply]\nworkers = 65\n", "key 'apply.workers': must be between 1 and 64, got 65"},
      {std::string(kMinimal) + "[filter]\ninclude_databases = \"voms_*\"\n", "expected a list of strings"},
      {std::string(kMinimal) + "[filter]\ninclude_databases = [\"\"]\n", "filter.include_databases"},
      {std::string(kMinimal) + "[filter.rename]\nvoms_a = \"voms_x\"\nvoms_b = \"voms_x\"\n", "voms_x"},
      {std::string(kMinimal) + "[[replica]]\ndefaults_file = \"r.cnf\"\n", "needs a name"},
      {std::string(kMinimal) + "[[replica]]\nname = \"a b\"\ndefaults_file = \"r.cnf\"\n", "replica[0].name"},
      {std::string(kMinimal) + "[[replica]]\nname = \"a\"\ndefaults_file = \"r.cnf\"\n[[replica]]\nname = \"a\"\n"
                               "defaults_file = \"r2.cnf\"\n",
       "duplicate replica name"},
      {std::string(kMinimal) + "[[replica]]\nname = \"a\"\ndefaults_file = \"r.cnf\"\nallow_writeable = true\n",
       "key 'replica[0].allow_writeable': unknown key"},
      {std::string(kMinimal) + "[[replica]]\nname = \"a\"\ndefaults_file = \"r.cnf\"\nread_timeout_s = 0\n",
       "key 'replica[0].read_timeout_s': must be between 1 and 86400"},
      {"[master\n", "t.toml:1:"},
  };
  for (const auto& c : cases) {
    Status st = ErrorOf(c.text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << st.message();
  }
}

TEST(ConfigTest, PasswordOnlyInAPrivateFile) {
  std::string text = std::string(kMinimal) + "password = \"s3cret-value\"\n";
  Status open = ErrorOf(text, 0644);
  EXPECT_EQ(open.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(open.message().find("mode 0644"), std::string::npos) << open.message();
  EXPECT_EQ(open.message().find("s3cret-value"), std::string::npos);
  auto ok = ParseConfig(text, "t.toml", 0600);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->Describe().find("s3cret-value"), std::string::npos);
  // Same for a replica's password, and through LoadConfig's stat().
  char path[] = "/tmp/vomsrepl-config-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string rtext = std::string(kMinimal) + "password = \"pw-abc\"\n";
  ASSERT_EQ(write(fd, rtext.data(), rtext.size()), ssize_t(rtext.size()));
  close(fd);
  ASSERT_EQ(chmod(path, 0640), 0);
  auto refused = LoadConfig(path);
  EXPECT_FALSE(refused.ok());
  ASSERT_EQ(chmod(path, 0600), 0);
  auto accepted = LoadConfig(path);
  EXPECT_TRUE(accepted.ok()) << accepted.status().ToString();
  unlink(path);
  EXPECT_EQ(LoadConfig("/nonexistent/vomsrepl.toml").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vomsrepl::ops

namespace vomsrepl::ops {
namespace {

TEST(ConfigTest, UnreadableOptionFileIsNamed) {
  auto c = ParseConfig(std::string(kMinimal) + "[[replica]]\nname = \"r1\"\ndefaults_file = \"/nonexistent/r1.cnf\"\n",
                       "t.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  Status st = CheckOptionFiles(*c);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("master.defaults_file"), std::string::npos) << st.message();
  c->master.defaults_file = VOMSREPL_SOURCE_DIR "/conf/vomsrepl.toml";  // any readable file
  st = CheckOptionFiles(*c);
  EXPECT_NE(st.message().find("replica[0].defaults_file"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("/nonexistent/r1.cnf"), std::string::npos) << st.message();
}

// An option file with a password must be private; one without may be 0644.
TEST(ConfigTest, OptionFileWithAPasswordMustBePrivate) {
  EXPECT_TRUE(OptionFileTextHasPassword("[client]\nuser=u\npassword=abc\n"));
  EXPECT_TRUE(OptionFileTextHasPassword("[client]\n  Password = abc\r\n"));
  EXPECT_TRUE(OptionFileTextHasPassword("[client]\npasswd=abc"));
  EXPECT_TRUE(OptionFileTextHasPassword("[mysql]\npassword\n"));
  EXPECT_FALSE(OptionFileTextHasPassword("[client]\nuser=u\nhost=127.0.0.1\n# password=old\n; password=x\n"));
  EXPECT_FALSE(OptionFileTextHasPassword("[client]\nssl-ca=/etc/ca.pem\n!include /etc/other.cnf\n"));

  char path[] = "/tmp/vomsrepl-optfile-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string text = "[client]\nuser=vomsrepl\npassword=Pw-Secret-77\nhost=127.0.0.1\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), ssize_t(text.size()));
  close(fd);
  for (mode_t mode : {0644, 0640, 0604, 0660}) {
    ASSERT_EQ(chmod(path, mode), 0);
    Status st = CheckOptionFile(path, "t.toml: key 'master.defaults_file'");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << mode;
    std::string m(st.message());
    EXPECT_NE(m.find(std::string("chmod 600 ") + path), std::string::npos) << m;
    EXPECT_NE(m.find("master.defaults_file"), std::string::npos) << m;
    EXPECT_EQ(m.find("Pw-Secret-77"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  ASSERT_EQ(chmod(path, 0644), 0);
  auto c = ParseConfig(std::string(kMinimal), "t.toml");
  ASSERT_TRUE(c.ok());
  c->master.defaults_file = path;
  EXPECT_NE(CheckOptionFiles(*c).message().find("mode 0644"), std::string::npos);
  ASSERT_EQ(chmod(path, 0600), 0);
  EXPECT_TRUE(CheckOptionFile(path, "x").ok());
  EXPECT_TRUE(CheckOptionFiles(*c).ok());
  ASSERT_EQ(chmod(path, 0400), 0);
  EXPECT_TRUE(CheckOptionFile(path, "x").ok());
  // Without a password, others may read it (host, port, user only).
  ASSERT_EQ(chmod(path, 0600), 0);
  std::ofstream(path, std::ios::trunc) << "[client]\nuser=reader\nhost=127.0.0.1\n";
  ASSERT_EQ(chmod(path, 0644), 0);
  EXPECT_TRUE(CheckOptionFile(path, "x").ok());
  unlink(path);
}

// The shipped example must stay valid (and documents every key it sets).
TEST(ConfigTest, ShippedExampleParses) {
  auto c = LoadConfig(VOMSREPL_SOURCE_DIR "/conf/vomsrepl.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->replicas.size(), 1u);
  EXPECT_EQ(c->state_dir, "/var/lib/vomsrepl");
}

}  // namespace
}  // namespace vomsrepl::ops
