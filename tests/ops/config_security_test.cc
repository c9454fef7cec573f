// Issue 20: TLS to replicas in the configuration ([replica_tls], each
// replica's own tls table), option-file permission checks that follow
// !include / !includedir, and the configuration's password kept in memory
// (never in the environment).
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "daemon/replicator.h"
#include "ops/config.h"
#include "scratch_dir_test.h"

namespace vomsrepl::ops {
namespace {

constexpr std::string_view kHead = R"(
state_dir = "/tmp/vomsrepl-state"
[master]
defaults_file = "/etc/vomsrepl/master.cnf"
)";

Result<Config> Parse(const std::string& rest) { return ParseConfig(std::string(kHead) + rest, "t.toml", 0600); }

std::string ErrorOf(const std::string& rest) {
  auto c = Parse(rest);
  return c.ok() ? std::string() : std::string(c.status().message());
}

// ---- [replica_tls] and a replica's own tls table ------------------------------------------

TEST(ReplicaTlsConfig, OffByDefault) {
  auto c = Parse("[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_FALSE(c->replicas[0].tls.enabled);
  EXPECT_FALSE(daemon::ReplicaOptionsFrom(*c, c->replicas[0]).replica.tls.enabled);
}

TEST(ReplicaTlsConfig, DefaultsForEveryReplicaAndKeyByKeyOverrides) {
  auto c = Parse(R"(
[replica_tls]
enabled = true
ca_file = "/etc/vomsrepl/ca.pem"

[[replica]]
name = "r1"
defaults_file = "/r1.cnf"

[[replica]]
name = "r2"
defaults_file = "/r2.cnf"
[replica.tls]
ca_file = "/etc/vomsrepl/other-ca.pem"
cert_file = "/etc/vomsrepl/client.pem"
key_file = "/etc/vomsrepl/client.key"

[[replica]]
name = "r3"
defaults_file = "/r3.cnf"
tls = { enabled = false }

[[replica]]
name = "r4"
defaults_file = "/r4.cnf"
tls = { verify_server_cert = false }
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->replicas.size(), 4u);
  const TlsConfig& r1 = c->replicas[0].tls;
  EXPECT_TRUE(r1.enabled);
  EXPECT_EQ(r1.ca_file, "/etc/vomsrepl/ca.pem");
  EXPECT_TRUE(r1.verify_server_cert);
  const TlsConfig& r2 = c->replicas[1].tls;  // [replica.tls] after its [[replica]]
  EXPECT_TRUE(r2.enabled);
  EXPECT_EQ(r2.ca_file, "/etc/vomsrepl/other-ca.pem");
  EXPECT_EQ(r2.cert_file, "/etc/vomsrepl/client.pem");
  EXPECT_EQ(r2.key_file, "/etc/vomsrepl/client.key");
  EXPECT_FALSE(c->replicas[2].tls.enabled);  // inline table, explicitly off
  const TlsConfig& r4 = c->replicas[3].tls;
  EXPECT_TRUE(r4.enabled);
  EXPECT_FALSE(r4.verify_server_cert);
  EXPECT_EQ(r4.ca_file, "/etc/vomsrepl/ca.pem");
  // Every replica connection gets it (run, check-config, catchup, switch-master).
  auto o = daemon::ReplicaOptionsFrom(*c, c->replicas[1]);
  EXPECT_TRUE(o.replica.tls.enabled);
  EXPECT_EQ(o.replica.tls.ca_file, "/etc/vomsrepl/other-ca.pem");
  std::string d = c->Describe();
  EXPECT_NE(d.find("replica r1: /r1.cnf, on divergence stop, TLS required (certificate verified against "
                   "/etc/vomsrepl/ca.pem)"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("chain verified against /etc/vomsrepl/ca.pem, host name NOT checked"), std::string::npos) << d;
}

// Every way of asking for TLS that would end in a silent plaintext or an
// unverified connection, or that cannot work, is refused with file:line.
TEST(ReplicaTlsConfig, MistakesAreRefused) {
  struct Case {
    const char* toml;
    const char* expected;
  } cases[] = {
      {"[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n[replica.tls]\nca_file = \"/ca.pem\"\n",
       "t.toml:8: key 'replica[0].tls': TLS settings for replica \"r1\" but TLS is not enabled"},
      {"[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n[replica.tls]\nenabled = true\n",
       "key 'replica[0].tls.ca_file': replica \"r1\": TLS with verify_server_cert = true needs ca_file"},
      {"[replica_tls]\nenabled = true\n[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n",
       "replica \"r1\": TLS with verify_server_cert = true needs ca_file"},
      {"[replica_tls]\nca_file = \"/ca.pem\"\n[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n",
       "key 'replica_tls': TLS settings but TLS is enabled for no replica"},
      {"[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\ntls = { enabled = true, ca_file = \"/ca.pem\", "
       "cert_file = \"/c.pem\" }\n",
       "cert_file and key_file go together"},
      {"[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\ntls = { enabled = true, cafile = \"/ca.pem\" }\n",
       "key 'replica[0].tls.cafile': unknown key"},
      {"[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\ntls = true\n", "key 'replica[0].tls': expected a table"},
      {"[replica_tls]\nenabled = \"yes\"\n", "key 'replica_tls.enabled': expected true or false"},
  };
  for (const Case& k : cases) {
    std::string e = ErrorOf(k.toml);
    EXPECT_NE(e.find(k.expected), std::string::npos) << "config:\n" << k.toml << "\nerror: " << e;
  }
  // [replica_tls] settings are fine when a replica turns TLS on itself.
  EXPECT_EQ(ErrorOf("[replica_tls]\nca_file = \"/ca.pem\"\n[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n"
                    "tls = { enabled = true }\n"),
            "");
  // verify_server_cert = false said explicitly: no CA needed (a warning at connect time).
  EXPECT_EQ(ErrorOf("[[replica]]\nname = \"r1\"\ndefaults_file = \"/r1.cnf\"\n"
                    "tls = { enabled = true, verify_server_cert = false }\n"),
            "");
}

// ---- the configuration's password stays in memory -------------------------------------------

// [master] password_env: the operator's variable is read once into memory and
// scrubbed (bytes zeroed, unset), so that /proc/PID/environ and children never
// hold it; later builds of the master config still have the password.
TEST(ConfigPassword, PasswordEnvIsReadOnceAndScrubbed) {
  ::setenv("VOMSREPL_TEST_SCRUBBED_PW", "Env-Pw-77", 1);
  auto c = Parse("");
  ASSERT_TRUE(c.ok());
  c->master.password_env = "VOMSREPL_TEST_SCRUBBED_PW";
  source::MasterConfig m = daemon::MasterConfigFrom(*c);
  EXPECT_EQ(m.password, "Env-Pw-77");
  EXPECT_EQ(std::getenv("VOMSREPL_TEST_SCRUBBED_PW"), nullptr);
  for (char** e = environ; *e != nullptr; ++e) {
    EXPECT_EQ(std::string(*e).find("Env-Pw-77"), std::string::npos) << "in the environment: " << *e;
  }
  EXPECT_EQ(daemon::MasterConfigFrom(*c).password, "Env-Pw-77");  // a second build (a reconnect's)
}

TEST(ConfigPassword, NeverPutIntoTheEnvironment) {
  ::unsetenv("VOMSREPL_CONFIG_MASTER_PASSWORD");
  auto c = Parse("");
  ASSERT_TRUE(c.ok());
  c->master_password = "Pw-In-Memory-31";
  source::MasterConfig m = daemon::MasterConfigFrom(*c);
  EXPECT_EQ(m.password, "Pw-In-Memory-31");
  EXPECT_TRUE(m.password_env.empty());
  EXPECT_EQ(std::getenv("VOMSREPL_CONFIG_MASTER_PASSWORD"), nullptr);
  for (char** e = environ; *e != nullptr; ++e) {
    EXPECT_EQ(std::string(*e).find("Pw-In-Memory-31"), std::string::npos) << "in the environment: " << *e;
  }
  EXPECT_EQ(m.Describe().find("Pw-In-Memory-31"), std::string::npos);
  EXPECT_EQ(c->Describe().find("Pw-In-Memory-31"), std::string::npos);
}

// ---- option files: !include and !includedir are checked like the file itself ----------------

class OptionFileIncludes : public testing::ScratchDirTest {
 protected:
  OptionFileIncludes() : ScratchDirTest("inc") {}
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path, std::ios::trunc) << text;
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }
};

TEST_F(OptionFileIncludes, EachIncludedFileMustPass) {
  const std::string secret = "Inc-Secret-5150";
  struct Case {
    const char* name;
    mode_t top_mode;
    const char* included_text;  // "" : the included file holds no password
    mode_t included_mode;
    bool ok;
    const char* expected;  // in the message when refused
  } cases[] = {
      {"0600 includes a 0644 file with a password", 0600, "password=", 0644, false, "mode 0644"},
      {"0600 includes a 0640 file with a password", 0600, "password=", 0640, false, "mode 0640"},
      {"0600 includes a 0600 file with a password", 0600, "password=", 0600, true, ""},
      {"0644 without a password includes a 0600 file with one", 0644, "password=", 0600, true, ""},
      {"0600 with a password includes a 0644 file without one", 0600, "", 0644, true, ""},
      {"0600 with a password includes a group-writable file", 0600, "", 0664, false, "writable by others"},
  };
  for (const Case& k : cases) {
    std::string inc = Write("inc.cnf", std::string("[client]\nhost=127.0.0.1\n") +
                                           (*k.included_text ? std::string(k.included_text) + secret + "\n" : ""),
                            k.included_mode);
    std::string top_pw = *k.included_text ? "" : "password=" + secret + "\n";
    std::string top = Write("top.cnf", "[client]\nuser=u\n" + top_pw + "!include " + inc + "\n", k.top_mode);
    Status st = CheckOptionFile(top, "t.toml: key 'master.defaults_file'");
    EXPECT_EQ(st.ok(), k.ok) << k.name << ": " << st.ToString();
    if (k.ok) continue;
    std::string m(st.message());
    EXPECT_NE(m.find(k.expected), std::string::npos) << k.name << ": " << m;
    EXPECT_NE(m.find("the option file " + inc + " (included by " + top + ")"), std::string::npos) << k.name << ": " << m;
    EXPECT_NE(m.find("chmod 600 " + inc), std::string::npos) << k.name << ": " << m;
    EXPECT_NE(m.find("master.defaults_file"), std::string::npos) << m;
    EXPECT_EQ(m.find(secret), std::string::npos) << m;
  }
}

TEST_F(OptionFileIncludes, IncludedDirectoriesNestingAndCycles) {
  const std::string secret = "Dir-Secret-8086";
  std::string conf_d = dir_ + "/conf.d";
  Write("conf.d/10-host.cnf", "[client]\nhost=127.0.0.1\n", 0644);
  Write("conf.d/20-pw.cnf", "[client]\npassword=" + secret + "\n", 0600);
  Write("conf.d/README", "password=" + secret + "\n", 0644);  // not *.cnf: not read by anyone
  std::string top = Write("top.cnf", "[client]\nuser=u\n!includedir " + conf_d + "\n", 0600);
  EXPECT_TRUE(CheckOptionFile(top, "x").ok()) << CheckOptionFile(top, "x").ToString();

  std::string bad = Write("conf.d/30-pw.cnf", "[client]\npassword=" + secret + "\n", 0644);
  Status st = CheckOptionFile(top, "x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("the option file " + bad + " (included by " + top + " (!includedir " + conf_d + "))"),
            std::string::npos)
      << st.message();
  EXPECT_EQ(st.message().find(secret), std::string::npos);
  ASSERT_EQ(::chmod(bad.c_str(), 0600), 0);
  EXPECT_TRUE(CheckOptionFile(top, "x").ok());

  // Two levels: top -> mid -> deep (0644 with a password).
  std::string deep = Write("deep.cnf", "[client]\npassword=" + secret + "\n", 0644);
  std::string mid = Write("mid.cnf", "[client]\n!include " + deep + "\n", 0600);
  std::string top2 = Write("top2.cnf", "[client]\nuser=u\n  !include   " + mid + "  \n", 0600);
  st = CheckOptionFile(top2, "x");
  EXPECT_NE(st.message().find("the option file " + deep + " (included by " + mid + ")"), std::string::npos)
      << st.message();

  // A cycle is followed once, not forever.
  std::string a = dir_ + "/a.cnf", b = dir_ + "/b.cnf";
  Write("a.cnf", "[client]\npassword=" + secret + "\n!include " + b + "\n", 0600);
  Write("b.cnf", "[client]\n!include " + a + "\n", 0600);
  EXPECT_TRUE(CheckOptionFile(a, "x").ok()) << CheckOptionFile(a, "x").ToString();

  // A missing include or directory is named (the connector would skip it silently).
  std::string missing = Write("m.cnf", "[client]\n!include " + dir_ + "/nope.cnf\n", 0600);
  st = CheckOptionFile(missing, "x");
  EXPECT_NE(st.message().find("cannot read the option file " + dir_ + "/nope.cnf (included by " + missing + ")"),
            std::string::npos)
      << st.message();
  std::string missing_dir = Write("md.cnf", "[client]\n!includedir " + dir_ + "/nodir\n", 0600);
  st = CheckOptionFile(missing_dir, "x");
  EXPECT_NE(st.message().find("!includedir " + dir_ + "/nodir, which is not a readable directory"), std::string::npos)
      << st.message();
}

// Through the configuration: the key is named as for the file itself.
TEST_F(OptionFileIncludes, CheckOptionFilesNamesTheKey) {
  std::string inc = Write("r.cnf", "[client]\npassword=Xyz-12345678\n", 0644);
  std::string top = Write("replica.cnf", "[client]\nuser=u\n!include " + inc + "\n", 0600);
  auto c = Parse("[[replica]]\nname = \"r1\"\ndefaults_file = \"" + top + "\"\n");
  ASSERT_TRUE(c.ok());
  c->master.defaults_file = top;
  Status st = CheckOptionFiles(*c);
  EXPECT_NE(st.message().find("key 'master.defaults_file'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find(inc), std::string::npos) << st.message();
}

// ---- root:GROUP 0640 (issue 21: the layout the unit and the Debian package install) --------

TEST(ExposedMode, RootOwnedGroupReadableByTheServiceGroupIsOwnerOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown the test file";
  char tmpl[] = "/tmp/vomsrepl-mode-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string f = std::string(tmpl) + "/master.cnf";
  std::ofstream(f) << "[client]\nuser=repl\npassword=secret\n";
  auto mode_of = [&](uid_t uid, gid_t gid, mode_t mode) {
    EXPECT_EQ(::chown(f.c_str(), uid, gid), 0);
    EXPECT_EQ(::chmod(f.c_str(), mode), 0);
    struct stat st {};
    EXPECT_EQ(::stat(f.c_str(), &st), 0);
    return ExposedMode(st);
  };
  // As the service runs: under a group of its own (setegid; restored below).
  const gid_t own = 4711, other = 4712;
  ASSERT_EQ(::setegid(own), 0);
  EXPECT_EQ(mode_of(0, own, 0640), 0600u);        // root:<our group> 0640: accepted
  EXPECT_TRUE(CheckOptionFile(f, "t").ok());
  EXPECT_EQ(mode_of(0, other, 0640), 0640u);      // another group can read it
  EXPECT_NE(std::string(CheckOptionFile(f, "t").message()).find("chown root:GROUP"), std::string::npos);
  EXPECT_EQ(mode_of(0, own, 0660), 0660u);        // group may write: refused
  EXPECT_FALSE(CheckOptionFile(f, "t").ok());
  EXPECT_EQ(mode_of(0, own, 0644), 0604u);        // others read: still counts, refused
  EXPECT_FALSE(CheckOptionFile(f, "t").ok());
  EXPECT_EQ(mode_of(4242, own, 0640), 0640u);     // not root's: the group exception does not apply
  EXPECT_EQ(mode_of(0, own, 0600), 0600u);
  ASSERT_EQ(::setegid(0), 0);
  EXPECT_EQ(mode_of(0, 0, 0640), 0640u);          // running as root: group root is no service group
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace vomsrepl::ops
