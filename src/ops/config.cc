#include "ops/config.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "common/enum_names.h"
#include "ops/http_access.h"
#include "ops/logging.h"
#include "txn/name_filter.h"

namespace vomsrepl::ops {
namespace {

// Walks one TOML table, reading known keys with a typed accessor each and
// refusing the rest. Errors carry file:line and the dotted key.
class Section {
 public:
  Section(const toml::table& table, std::string prefix, const std::string& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  Status Error(const toml::node* node, std::string_view key, std::string_view what) const {
    uint32_t line = node ? node->source().begin.line : table_.source().begin.line;
    return InvalidArgument(file_ + ":" + std::to_string(line) + ": key '" + Key(key) + "': " + std::string(what));
  }
  std::string Key(std::string_view key) const { return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key); }

  Status String(std::string_view key, std::string* out) {
    const toml::node* n = Take(key);
    if (!n) return Status::OK();
    if (!n->is_string()) return Error(n, key, "expected a string");
    *out = n->as_string()->get();
    if (out->find('\0') != std::string::npos) return Error(n, key, "contains a NUL character");
    return Status::OK();
  }
  Status Bool(std::string_view key, bool* out) {
    const toml::node* n = Take(key);
    if (!n) return Status::OK();
    if (!n->is_boolean()) return Error(n, key, "expected true or false");
    *out = n->as_boolean()->get();
    return Status::OK();
  }
  template <class T>
  Status Integer(std::string_view key, T* out, int64_t min, int64_t max) {
    const toml::node* n = Take(key);
    if (!n) return Status::OK();
    if (!n->is_integer()) return Error(n, key, "expected an integer");
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      return Error(n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                               std::to_string(v));
    }
    *out = static_cast<T>(v);
    return Status::OK();
  }
  Status StringList(std::string_view key, std::vector<std::string>* out) {
    const toml::node* n = Take(key);
    if (!n) return Status::OK();
    if (!n->is_array()) return Error(n, key, "expected a list of strings");
    out->clear();
    for (const toml::node& e : *n->as_array()) {
      if (!e.is_string()) return Error(&e, key, "expected a list of strings");
      std::string s = e.as_string()->get();
      Status valid = txn::NameFilter::ValidatePattern(s);
      if (!valid.ok()) return Error(&e, key, valid.message());
      out->push_back(std::move(s));
    }
    return Status::OK();
  }
  // Present but not a table/array-of-tables is an error; absent gives nullptr.
  const toml::node* Node(std::string_view key) { return Take(key); }

  // The sub-table `key` ([key]); nullptr when absent, an error when not a table.
  Result<const toml::table*> Table(std::string_view key) {
    const toml::node* n = Take(key);
    if (!n) return static_cast<const toml::table*>(nullptr);
    if (!n->is_table()) return Error(n, key, "expected a table ([" + Key(key) + "])");
    return n->as_table();
  }

  // Every key not read is unknown.
  Status Finish() const {
    for (const auto& [k, v] : table_) {
      if (!seen_.count(std::string(k.str()))) return Error(&v, k.str(), "unknown key");
    }
    return Status::OK();
  }

 private:
  const toml::node* Take(std::string_view key) {
    seen_.insert(std::string(key));
    return table_.get(key);
  }
  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::set<std::string> seen_;
};


bool ValidReplicaName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

// A TLS table ([master.tls], [replica_tls], a replica's tls): its keys
// override what *tls holds.
Status ReadTls(const toml::table& t, const std::string& prefix, const std::string& file, TlsConfig* tls) {
  Section ts(t, prefix, file);
  VOMSREPL_RETURN_IF_ERROR(ts.Bool("enabled", &tls->enabled));
  VOMSREPL_RETURN_IF_ERROR(ts.String("ca_file", &tls->ca_file));
  VOMSREPL_RETURN_IF_ERROR(ts.String("cert_file", &tls->cert_file));
  VOMSREPL_RETURN_IF_ERROR(ts.String("key_file", &tls->key_file));
  VOMSREPL_RETURN_IF_ERROR(ts.Bool("verify_server_cert", &tls->verify_server_cert));
  return ts.Finish();
}

// A replica's TLS as [replica_tls] and its own table make it: no silent
// plaintext (TLS settings without enabled = true), no verification without a
// CA, no certificate without its key.
Status CheckReplicaTls(Section& s, const toml::table& t, const ReplicaSection& r) {
  const toml::node* own = t.get("tls");
  const TlsConfig& tls = r.tls;
  if (!tls.enabled) {
    if (own != nullptr && own->is_table() && !own->as_table()->empty() && !own->as_table()->contains("enabled")) {
      return s.Error(own, "tls",
                     "TLS settings for replica \"" + r.name +
                         "\" but TLS is not enabled (neither here nor in [replica_tls]): add enabled = true, or "
                         "remove them");
    }
    return Status::OK();
  }
  if (tls.verify_server_cert && tls.ca_file.empty()) {
    return s.Error(own ? own : &t, "tls.ca_file",
                   "replica \"" + r.name +
                       "\": TLS with verify_server_cert = true needs ca_file (the CA that signed the replica's "
                       "certificate, its ssl_ca); only verify_server_cert = false, said explicitly, connects "
                       "without one (the server's identity is then not checked)");
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return s.Error(own ? own : &t, "tls.cert_file",
                   "replica \"" + r.name + "\": cert_file and key_file go together (a client certificate and its key)");
  }
  return Status::OK();
}

Status ReadStart(Section& s, const toml::node* node, source::MasterConfig& m) {
  std::string start;
  VOMSREPL_RETURN_IF_ERROR(s.String("start", &start));
  auto p = source::StartPoint::Parse(start);
  if (!p.ok()) return s.Error(node, "start", p.status().message());
  m.start = std::move(*p);
  return Status::OK();
}

Status ReadMaster(const toml::table& t, const std::string& file, Config& c) {
  Section s(t, "master", file);
  source::MasterConfig& m = c.master;
  VOMSREPL_RETURN_IF_ERROR(s.String("host", &m.host));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("port", &m.port, 0, 65535));
  VOMSREPL_RETURN_IF_ERROR(s.String("socket", &m.socket));
  VOMSREPL_RETURN_IF_ERROR(s.String("defaults_file", &m.defaults_file));
  VOMSREPL_RETURN_IF_ERROR(s.String("read_defaults_file", &c.master_read_defaults_file));
  VOMSREPL_RETURN_IF_ERROR(s.String("user", &m.user));
  VOMSREPL_RETURN_IF_ERROR(s.String("password_env", &m.password_env));
  VOMSREPL_RETURN_IF_ERROR(s.String("password", &c.master_password));
  m.server_id = 4242;
  VOMSREPL_RETURN_IF_ERROR(s.Integer("server_id", &m.server_id, 1, UINT32_MAX));
  m.feeder_server_id = true;
  VOMSREPL_RETURN_IF_ERROR(s.String("report_host", &m.report_host));
  VOMSREPL_RETURN_IF_ERROR(ReadStart(s, &t, m));
  int64_t heartbeat_ms = m.heartbeat_period.count(), read_timeout_s = m.read_timeout.count(),
          connect_timeout_s = m.connect_timeout.count(), backoff_max_ms = m.backoff_max.count();
  VOMSREPL_RETURN_IF_ERROR(s.Integer("heartbeat_ms", &heartbeat_ms, 100, 3600000));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("read_timeout_s", &read_timeout_s, 1, 86400));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("connect_timeout_s", &connect_timeout_s, 1, 3600));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("backoff_max_ms", &backoff_max_ms, 100, 3600000));
  m.heartbeat_period = std::chrono::milliseconds(heartbeat_ms);
  m.read_timeout = std::chrono::seconds(read_timeout_s);
  m.connect_timeout = std::chrono::seconds(connect_timeout_s);
  m.backoff_max = std::chrono::milliseconds(backoff_max_ms);
  if (const toml::node* tls = s.Node("tls")) {
    if (!tls->is_table()) return s.Error(tls, "tls", "expected a table ([master.tls])");
    VOMSREPL_RETURN_IF_ERROR(ReadTls(*tls->as_table(), "master.tls", file, &m.tls));
  }
  VOMSREPL_RETURN_IF_ERROR(s.Finish());
  if (m.defaults_file.empty() && m.user.empty()) {
    return s.Error(&t, "defaults_file", "the master needs defaults_file (a MySQL option file with a [client] group) or user");
  }
  if (m.read_timeout <= std::chrono::duration_cast<std::chrono::seconds>(m.heartbeat_period)) {
    return s.Error(&t, "read_timeout_s", "must be longer than heartbeat_ms");
  }
  return Status::OK();
}

Status ReadFilter(const toml::table& t, const std::string& file, FilterSection& f) {
  Section s(t, "filter", file);
  VOMSREPL_RETURN_IF_ERROR(s.StringList("include_databases", &f.include_databases));
  VOMSREPL_RETURN_IF_ERROR(s.StringList("exclude_databases", &f.exclude_databases));
  VOMSREPL_RETURN_IF_ERROR(s.StringList("include_tables", &f.include_tables));
  VOMSREPL_RETURN_IF_ERROR(s.StringList("exclude_tables", &f.exclude_tables));
  if (const toml::node* r = s.Node("rename")) {
    if (!r->is_table()) return s.Error(r, "rename", "expected a table of \"from\" = \"to\" pairs ([filter.rename])");
    for (const auto& [from, to] : *r->as_table()) {
      if (!to.is_string()) return s.Error(&to, "rename." + std::string(from.str()), "expected a database name");
      f.renames.push_back({std::string(from.str()), to.as_string()->get()});
    }
  }
  VOMSREPL_RETURN_IF_ERROR(s.Finish());
  auto rules = txn::FilterRules::Create(f);
  if (!rules.ok()) {
    return InvalidArgument(file + ":" + std::to_string(t.source().begin.line) + ": [filter]: " + std::string(rules.status().message()));
  }
  std::set<std::string> targets;
  for (const auto& r : f.renames) {
    for (const std::string* name : {&r.from, &r.to}) {
      if (name->empty() || name->size() > 64) {
        return s.Error(&t, "rename." + r.from, "database names are 1 to 64 characters");
      }
      for (char ch : *name) {
        if (static_cast<unsigned char>(ch) < 0x20) return s.Error(&t, "rename." + r.from, "control character in a database name");
      }
    }
    if (!targets.insert(r.to).second) {
      return s.Error(&t, "rename." + r.from, "two databases renamed to \"" + r.to + "\"");
    }
  }
  return Status::OK();
}

Status ReadJournal(const toml::table& t, const std::string& file, JournalSection& j) {
  Section s(t, "journal", file);
  std::string sync = std::string(SyncPolicyName(j.sync));
  VOMSREPL_RETURN_IF_ERROR(s.String("sync", &sync));
  auto policy = journal::ParseSyncPolicy(sync);
  if (!policy.ok()) return s.Error(t.get("sync"), "sync", policy.status().message());
  j.sync = *policy;
  VOMSREPL_RETURN_IF_ERROR(s.Integer("sync_interval_ms", &j.sync_interval_ms, 1, 60000));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("retention_seconds", &j.retention_seconds, 0, int64_t(10) * 365 * 86400));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("max_transaction_bytes", &j.max_transaction_bytes, 1 << 16, int64_t(1) << 40));
  return s.Finish();
}

Status ReadDivergence(Section& s, const toml::table& t, DivergencePolicy* out, bool* set) {
  std::string text;
  VOMSREPL_RETURN_IF_ERROR(s.String("on_divergence", &text));
  if (text.empty()) return Status::OK();
  auto p = ParseDivergencePolicy(text);
  if (!p.ok()) return s.Error(t.get("on_divergence"), "on_divergence", p.status().message());
  *out = *p;
  if (set) *set = true;
  return Status::OK();
}

Status ReadApply(const toml::table& t, const std::string& file, ApplySection& a) {
  Section s(t, "apply", file);
  VOMSREPL_RETURN_IF_ERROR(s.Integer("group_transactions", &a.group_transactions, 1, 100000));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("group_rows", &a.group_rows, 1, 10000000));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("batch_rows", &a.batch_rows, 1, 100000));
  VOMSREPL_RETURN_IF_ERROR(s.Bool("fold_rows", &a.fold_rows));
  VOMSREPL_RETURN_IF_ERROR(s.Bool("fold_upsert", &a.fold_upsert));
  VOMSREPL_RETURN_IF_ERROR(s.Bool("check_before_image", &a.check_before_image));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("workers", &a.workers, 1, 64));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("lock_wait_timeout_s", &a.lock_wait_timeout_s, 1, 3600));
  VOMSREPL_RETURN_IF_ERROR(ReadDivergence(s, t, &a.on_divergence, nullptr));
  return s.Finish();
}

Status ReadReplica(const toml::table& t, const std::string& prefix, const std::string& file, ReplicaSection& r) {
  Section s(t, prefix, file);
  VOMSREPL_RETURN_IF_ERROR(s.String("name", &r.name));
  VOMSREPL_RETURN_IF_ERROR(s.String("defaults_file", &r.defaults_file));
  VOMSREPL_RETURN_IF_ERROR(s.Bool("enabled", &r.enabled));
  VOMSREPL_RETURN_IF_ERROR(s.Bool("allow_writable", &r.allow_writable));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("read_timeout_s", &r.read_timeout_s, 1, 86400));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("workers", &r.workers, 1, 64));
  VOMSREPL_RETURN_IF_ERROR(s.Bool("preserve_gtid", &r.preserve_gtid));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("delay_s", &r.delay_s, 0, 30 * 86400));
  const bool domain_given = t.contains("state_gtid_domain");
  VOMSREPL_RETURN_IF_ERROR(s.Integer("state_gtid_domain", &r.state_gtid_domain, 0, 4294967295LL));
  VOMSREPL_RETURN_IF_ERROR(ReadDivergence(s, t, &r.on_divergence, &r.on_divergence_set));
  if (const toml::node* tls = s.Node("tls")) {
    if (!tls->is_table()) {
      return s.Error(tls, "tls", "expected a table ([replica.tls] after its [[replica]], or tls = { ... })");
    }
    VOMSREPL_RETURN_IF_ERROR(ReadTls(*tls->as_table(), prefix + ".tls", file, &r.tls));
  }
  VOMSREPL_RETURN_IF_ERROR(s.Finish());
  if (!ValidReplicaName(r.name)) {
    return s.Error(t.get("name"), "name", "a replica needs a name of 1 to 64 letters, digits, '_' or '-'");
  }
  VOMSREPL_RETURN_IF_ERROR(CheckReplicaTls(s, t, r));
  if (r.defaults_file.empty()) {
    return s.Error(&t, "defaults_file", "the replica needs defaults_file (a MySQL option file with a [client] group)");
  }
  if (domain_given && !r.preserve_gtid) {
    return s.Error(t.get("state_gtid_domain"), "state_gtid_domain",
                   "only has a meaning with preserve_gtid = true");
  }
  return Status::OK();
}

Status ReadHttp(const toml::table& t, const std::string& file, HttpSection& h) {
  Section s(t, "http", file);
  VOMSREPL_RETURN_IF_ERROR(s.String("listen", &h.listen));
  VOMSREPL_RETURN_IF_ERROR(s.String("token_file", &h.token_file));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("max_connections", &h.max_connections, 16, 65536));
  VOMSREPL_RETURN_IF_ERROR(s.Finish());
  // No TLS on this endpoint: beyond loopback, only an operator's own token
  // protects it (and every endpoint then needs it).
  // check-config and run refuse the same listen values: this is the one check.
  if (h.listen.empty()) return Status::OK();
  std::string host;
  uint16_t port = 0;
  Status parsed = ParseListenAddress(h.listen, &host, &port);
  if (!parsed.ok()) return s.Error(t.get("listen"), "listen", std::string(parsed.message()));
  const bool loopback = host == "localhost" || (IsIpAddress(host) && IsLoopbackAddress(host));
  if (!loopback && h.token_file.empty()) {
    return s.Error(t.get("listen"), "listen",
                   "\"" + h.listen + "\" is not a loopback address, and [http] token_file is not set: the "
                   "endpoint has no TLS, so beyond loopback every request must carry the control token. Set "
                   "[http] token_file to a 0600 file holding a token of at least 32 characters (e.g. `openssl "
                   "rand -hex 32`), or listen on 127.0.0.1");
  }
  return Status::OK();
}

Status ReadStandby(const toml::table& t, const std::string& file, StandbySection& b) {
  Section s(t, "standby", file);
  VOMSREPL_RETURN_IF_ERROR(s.String("lease", &b.lease));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("check_interval_ms", &b.check_interval_ms, 100, 60000));
  VOMSREPL_RETURN_IF_ERROR(s.Integer("lease_timeout_s", &b.lease_timeout_s, 2, 3600));
  VOMSREPL_RETURN_IF_ERROR(s.Finish());
  if (uint64_t(b.lease_timeout_s) * 1000 < 2ull * b.check_interval_ms) {
    return s.Error(t.get("lease_timeout_s"), "lease_timeout_s",
                   "must be at least twice check_interval_ms (the active feeder's checks keep its lease session "
                   "alive)");
  }
  // The lease becomes part of a user lock's name in the SQL text
  // (source/feeder_lease.h): only these characters reach it.
  if (!ValidReplicaName(b.lease) || b.lease.size() > 40) {
    return s.Error(t.get("lease"), "lease",
                   "the lease needs a name of 1 to 40 letters, digits, '_' or '-' (every feeder of this group of "
                   "replicas names the same one)");
  }
  return Status::OK();
}

Status ReadLog(const toml::table& t, const std::string& file, LogSection& l) {
  Section s(t, "log", file);
  VOMSREPL_RETURN_IF_ERROR(s.String("level", &l.level));
  VOMSREPL_RETURN_IF_ERROR(s.String("file", &l.file));
  VOMSREPL_RETURN_IF_ERROR(s.Finish());
  // The same check as run's logging setup, so that check-config refuses what run would.
  if (Status level = ValidateLogLevel(l.level); !level.ok())
    return s.Error(t.get("level"), "level", std::string(level.message()));
  return Status::OK();
}

Status ReadTop(const toml::table& root, const std::string& file, unsigned mode, Config& c) {
  Section s(root, "", file);
  VOMSREPL_RETURN_IF_ERROR(s.String("state_dir", &c.state_dir));
  if (c.state_dir.empty()) return s.Error(root.get("state_dir"), "state_dir", "must not be empty");

  const toml::node* master = s.Node("master");
  if (!master) return s.Error(&root, "master", "missing [master] section");
  if (!master->is_table()) return s.Error(master, "master", "expected a table ([master])");
  VOMSREPL_RETURN_IF_ERROR(ReadMaster(*master->as_table(), file, c));

  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* f, s.Table("filter"));
  if (f) VOMSREPL_RETURN_IF_ERROR(ReadFilter(*f, file, c.filter));
  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* j, s.Table("journal"));
  if (j) VOMSREPL_RETURN_IF_ERROR(ReadJournal(*j, file, c.journal));
  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* a, s.Table("apply"));
  if (a) VOMSREPL_RETURN_IF_ERROR(ReadApply(*a, file, c.apply));
  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* rt, s.Table("replica_tls"));
  if (rt) VOMSREPL_RETURN_IF_ERROR(ReadTls(*rt, "replica_tls", file, &c.replica_tls));
  const toml::node* replicas = s.Node("replica");
  if (replicas) {
    if (!replicas->is_array_of_tables()) return s.Error(replicas, "replica", "expected [[replica]] tables");
    size_t i = 0;
    std::set<std::string> names;
    for (const toml::node& r : *replicas->as_array()) {
      ReplicaSection rs;
      rs.on_divergence = c.apply.on_divergence;
      rs.workers = c.apply.workers;
      rs.tls = c.replica_tls;
      VOMSREPL_RETURN_IF_ERROR(ReadReplica(*r.as_table(), "replica[" + std::to_string(i) + "]", file, rs));
      if (!rs.on_divergence_set) rs.on_divergence = c.apply.on_divergence;
      if (!names.insert(rs.name).second) {
        return s.Error(&r, "replica[" + std::to_string(i) + "].name", "duplicate replica name \"" + rs.name + "\"");
      }
      c.replicas.push_back(std::move(rs));
      ++i;
    }
  }
  if (rt != nullptr && !c.replica_tls.enabled && !rt->empty() && !rt->contains("enabled")) {
    bool used = false;
    for (const auto& r : c.replicas) used |= r.tls.enabled;
    if (!used) {
      return s.Error(rt, "replica_tls",
                     "TLS settings but TLS is enabled for no replica: add enabled = true (here for every replica, "
                     "or in a replica's own [replica.tls]), or remove them");
    }
  }
  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* h, s.Table("http"));
  if (h) VOMSREPL_RETURN_IF_ERROR(ReadHttp(*h, file, c.http));
  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* sb, s.Table("standby"));
  if (sb) VOMSREPL_RETURN_IF_ERROR(ReadStandby(*sb, file, c.standby));
  VOMSREPL_ASSIGN_OR_RETURN(const toml::table* l, s.Table("log"));
  if (l) VOMSREPL_RETURN_IF_ERROR(ReadLog(*l, file, c.log));
  VOMSREPL_RETURN_IF_ERROR(s.Finish());

  bool has_password = !c.master_password.empty();
  if (has_password && (mode & 077) != 0) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode & 07777);
    return InvalidArgument(file + ": holds a password but has mode " + octal +
                           ": make it readable by its owner only (chmod 600 " + file +
                           ") or by root and the group vomsrepl runs as (chown root:GROUP; chmod 640), or move the "
                           "password into a MySQL option file (defaults_file)");
  }
  return Status::OK();
}

}  // namespace

std::string_view SyncPolicyName(SyncPolicy policy) {
  static constexpr std::string_view kNames[] = {"every_commit", "before_apply", "periodic", "none"};
  return EnumName(policy, kNames);
}

Result<Config> ParseConfig(std::string_view text, const std::string& name, unsigned file_mode) {
  Config c;
  c.path = name;
  c.text = std::string(text);
  try {
    toml::table root = toml::parse(text, name);
    Status st = ReadTop(root, name, file_mode, c);
    if (!st.ok()) return st;
  } catch (const toml::parse_error& e) {
    return InvalidArgument(name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  return c;
}

unsigned ExposedMode(const struct stat& st) {
  unsigned mode = unsigned(st.st_mode & 07777);
  // root:GROUP 0640, GROUP being the one this process runs as (the
  // systemd unit's Group=): root and the service read it, nobody else. Not
  // for group root (a process running as root has no service group).
  const gid_t group = ::getegid();
  if (st.st_uid == 0 && group != 0 && st.st_gid == group && (mode & 070) == 040) mode &= ~070u;
  return mode;
}

Result<Config> LoadConfig(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return InvalidArgument("cannot read the config file " + path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return InvalidArgument("the config file " + path + " is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot open the config file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return ParseConfig(text.str(), path, ExposedMode(st));
}

bool OptionFileTextHasPassword(std::string_view text) {
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    line = line.substr(first);
    if (line[0] == '#' || line[0] == ';' || line[0] == '[' || line[0] == '!') continue;
    std::string key(line.substr(0, line.find('=')));
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t' || key.back() == '\r')) key.pop_back();
    for (char& c : key) c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // The server's own option parser accepts unambiguous prefixes ("passw").
    if (key.rfind("pass", 0) == 0) return true;
  }
  return false;
}

namespace {

// One file of an option file's !include / !includedir tree.
struct OptionFileNode {
  std::string path;
  std::string included_by;  // "" for the file named in the configuration
  unsigned mode = 0;
  bool has_password = false;
};

std::string Octal(unsigned mode) {
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode & 07777);
  return octal;
}

// The `!include FILE` and `!includedir DIR` lines of an option file, in order
// (what Connector/C and the server follow; the server reads every *.cnf of a
// directory, Connector/C only DIR/my.cnf: every *.cnf is checked).
std::vector<std::pair<std::string, std::string>> IncludeDirectives(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    begin = end + 1;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] != '!') continue;
    line = line.substr(first + 1);
    size_t name_end = line.find_first_of(" \t");
    if (name_end == std::string_view::npos) continue;
    std::string directive(line.substr(0, name_end));
    if (directive != "include" && directive != "includedir") continue;
    std::string_view arg = line.substr(name_end);
    size_t a = arg.find_first_not_of(" \t");
    size_t b = arg.find_last_not_of(" \t\r");
    if (a == std::string_view::npos) continue;
    out.emplace_back(std::move(directive), std::string(arg.substr(a, b - a + 1)));
  }
  return out;
}

Status CollectOptionFile(const std::string& file, const std::string& included_by, const std::string& what, int depth,
                         std::set<std::string>* seen, std::vector<OptionFileNode>* out) {
  const std::string via = included_by.empty() ? std::string() : " (included by " + included_by + ")";
  if (depth > 10) {
    return InvalidArgument(what + ": the option file " + file + via + " is included more than 10 levels deep");
  }
  if (::access(file.c_str(), R_OK) != 0) {
    return InvalidArgument(what + ": cannot read the option file " + file + via + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return InvalidArgument(what + ": cannot stat the option file " + file + via + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return InvalidArgument(what + ": the option file " + file + via + " is not a regular file");
  if (!seen->insert(file).second) return Status::OK();  // an include cycle: each file once
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  OptionFileNode node{file, included_by, ExposedMode(st), OptionFileTextHasPassword(text.str())};
  out->push_back(node);
  for (const auto& [directive, path] : IncludeDirectives(text.str())) {
    if (directive == "include") {
      VOMSREPL_RETURN_IF_ERROR(CollectOptionFile(path, file, what, depth + 1, seen, out));
      continue;
    }
    struct stat dst {};
    if (::stat(path.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) {
      return InvalidArgument(what + ": the option file " + file + " has !includedir " + path +
                             ", which is not a readable directory");
    }
    std::vector<std::string> names;
    if (DIR* d = ::opendir(path.c_str())) {
      while (const dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n.size() > 4 && n.ends_with(".cnf")) names.emplace_back(n);
      }
      ::closedir(d);
    } else {
      return InvalidArgument(what + ": the option file " + file + " has !includedir " + path + ", which cannot be "
                             "listed: " + std::strerror(errno));
    }
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      VOMSREPL_RETURN_IF_ERROR(
          CollectOptionFile(path + (path.ends_with('/') ? "" : "/") + n, file + " (!includedir " + path + ")", what,
                            depth + 1, seen, out));
    }
  }
  return Status::OK();
}

}  // namespace

Status CheckOptionFile(const std::string& file, const std::string& what) {
  std::set<std::string> seen;
  std::vector<OptionFileNode> files;
  VOMSREPL_RETURN_IF_ERROR(CollectOptionFile(file, "", what, 0, &seen, &files));
  bool has_password = false;
  for (const OptionFileNode& f : files) has_password |= f.has_password;
  if (!has_password) return Status::OK();
  for (const OptionFileNode& f : files) {
    const std::string via = f.included_by.empty() ? std::string() : " (included by " + f.included_by + ")";
    if (f.has_password && (f.mode & 077) != 0) {
      return InvalidArgument(what + ": the option file " + f.path + via + " holds a password but has mode " +
                             Octal(f.mode) + " (readable by others): make it readable by its owner only (chmod 600 " +
                             f.path + "), or by root and the group vomsrepl runs as (chown root:GROUP " + f.path +
                             "; chmod 640 " + f.path + ")");
    }
    // Whoever can write a file of the tree can point the connection (host,
    // ssl-*) elsewhere and have the password sent there.
    if ((f.mode & 022) != 0) {
      return InvalidArgument(what + ": the option file " + f.path + via + " is writable by others (mode " +
                             Octal(f.mode) + ") and its tree holds a password: make it writable by its owner only "
                             "(chmod 600 " + f.path + ")");
    }
  }
  return Status::OK();
}

Status CheckOptionFiles(const Config& config) {
  auto check = [&](const std::string& file, const std::string& key) -> Status {
    if (file.empty()) return Status::OK();
    return CheckOptionFile(file, config.path + ": key '" + key + "'");
  };
  VOMSREPL_RETURN_IF_ERROR(check(config.master.defaults_file, "master.defaults_file"));
  VOMSREPL_RETURN_IF_ERROR(check(config.master_read_defaults_file, "master.read_defaults_file"));
  for (size_t i = 0; i < config.replicas.size(); ++i) {
    VOMSREPL_RETURN_IF_ERROR(
        check(config.replicas[i].defaults_file, "replica[" + std::to_string(i) + "].defaults_file"));
  }
  return Status::OK();
}

std::string Config::Describe() const {
  std::ostringstream out;
  out << "config " << path << "\n";
  out << "state directory " << state_dir << "\n";
  out << "master " << master.Describe() << " as replica server_id " << master.server_id << "\n";
  out << "verify and bootstrap read the master's tables through "
      << (master_read_defaults_file.empty()
              ? std::string("the replication account (no [master] read_defaults_file: it needs SELECT on them)")
              : master_read_defaults_file)
      << "\n";
  out << "databases: include";
  if (filter.include_databases.empty()) out << " voms_*";
  for (const auto& d : filter.include_databases) out << " " << d;
  if (!filter.exclude_databases.empty()) {
    out << ", exclude";
    for (const auto& d : filter.exclude_databases) out << " " << d;
  }
  out << "\n";
  for (const auto& r : filter.renames) out << "rename " << r.from << " -> " << r.to << "\n";
  out << "journal sync " << SyncPolicyName(journal.sync) << ", retention " << journal.retention_seconds
      << " s, transactions over " << journal.max_transaction_bytes << " bytes stream in chunks\n";
  for (const auto& r : replicas) {
    out << "replica " << r.name << (r.enabled ? "" : " (disabled)") << ": "
        << r.defaults_file << ", on divergence "
        << DivergencePolicyName(r.on_divergence) << (r.allow_writable ? ", writable allowed" : "");
    if (r.workers > 1) out << ", " << r.workers << " connections";
    if (r.delay_s > 0) out << ", delayed: each transaction applied " << r.delay_s << " s after the master committed it";
    if (r.preserve_gtid) out << ", source GTIDs preserved (own writes in GTID domain " << r.state_gtid_domain << ")";
    if (r.tls.enabled) {
      out << ", TLS required";
      if (r.tls.verify_server_cert) out << " (certificate verified against " << r.tls.ca_file << ")";
      else if (!r.tls.ca_file.empty()) out << " (chain verified against " << r.tls.ca_file << ", host name NOT checked)";
      else out << " (server certificate NOT verified)";
      if (!r.tls.cert_file.empty()) out << ", client certificate " << r.tls.cert_file;
    }
    out << "\n";
  }
  if (!standby.lease.empty()) {
    out << "standby: feeds only while it holds the lease '" << standby.lease
        << "' on the master (checked every " << standby.check_interval_ms << " ms, lost after "
        << standby.lease_timeout_s << " s of silence); waits for it otherwise\n";
  }
  out << "http " << (http.listen.empty() ? "off" : http.listen + ", control token in " + HttpTokenFile())
      << ", log " << log.level << " to " << (log.file.empty() ? "stderr" : log.file) << "\n";
  return out.str();
}

std::string Config::HttpTokenFile() const {
  if (!http.token_file.empty()) return http.token_file;
  return state_dir + (state_dir.ends_with('/') ? "" : "/") + "http.token";
}

}  // namespace vomsrepl::ops
