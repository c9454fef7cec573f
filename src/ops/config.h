// Config: the TOML configuration of `vomsrepl run` and `check-config`
// (conf/vomsrepl.toml documents every key with its default).
//
// Contract
//   * LoadConfig(path) parses and validates the whole file. Every error is one
//     line naming the file, the line and the key ("vomsrepl.toml:12: key
//     'replica[1].name': ..."), code kInvalidArgument. Unknown keys and wrong
//     types are errors, never ignored (a typo must not silently fall back to a
//     default).
//   * Secrets: credentials come from MySQL option files (`defaults_file`,
//     [client] group) or from environment variables named by `password_env`.
//     A `password` key is accepted only when the config file is not readable
//     or writable by group or others (mode 0600 or stricter); otherwise the
//     file is refused. Passwords are never echoed back (Describe()).
//   * ParseConfig(text, name) does the same on a string (tests).
//
// Thread-safety: plain values.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <vomsrepl/status.h>
#include <vomsrepl/tls_config.h>

#include "apply/row_applier.h"
#include "journal/journal.h"
#include "source/master_stream.h"
#include "txn/filter_rules.h"

namespace vomsrepl::ops {

// [filter]: databases and tables kept, renames (txn/filter_rules.h). An empty
// include_databases keeps `voms_*`.
using txn::DatabaseRename;
using FilterSection = txn::FilterConfig;

using journal::SyncPolicy;
std::string_view SyncPolicyName(SyncPolicy policy);

struct JournalSection {
  // periodic (default): fsync every sync_interval_ms and 1000 transactions.
  // A crash of vomsrepl loses nothing (the writes are in the OS); an OS crash
  // or power cut may lose the unsynced tail, which the feeder streams again
  // from the master, and a replica that applied part of it waits for it and
  // checks it is the same source transaction (ReplicaRunner::AwaitJournalTail),
  // like the built-in replica's relay log (sync_relay_log, relay_log_recovery).
  // every_commit (one fsync per batch) cost 36 % more p99 lag and 17 % more
  // CPU at 1000 tps (bench/README.md "Steady-state lag").
  SyncPolicy sync = SyncPolicy::kPeriodic;
  uint32_t sync_interval_ms = 100;                   // kPeriodic, kBeforeApply
  uint64_t retention_seconds = 7 * 24 * 3600;        // kept after every replica applied (point-in-time catch-up)
  uint64_t max_transaction_bytes = 64ull << 20;      // larger transactions stream in chunks
};

using apply::DivergencePolicy;
using apply::DivergencePolicyName;
using apply::ParseDivergencePolicy;

struct ApplySection {
  // Caps, reached only when a backlog waits (at the master's pace a group is
  // what has arrived). 1000 / 50000 against 100 / 5000: +12 % catch-up rate,
  // -10 % replica CPU per row change (bench/README.md "Apply").
  uint32_t group_transactions = 1000;  // source transactions per replica commit (at most)
  uint32_t group_rows = 50000;         // row changes per replica commit (soft cap)
  uint32_t batch_rows = 500;          // rows per multi-row statement
  bool fold_rows = true;              // net change per key within a replica commit (apply/row_folder.h)
  bool fold_upsert = true;            // net UPDATEs as checked multi-row upserts (apply/row_applier.h)
  bool check_before_image = true;     // UPDATE/DELETE also match the before image's other columns (row_applier.h)
  uint32_t workers = 1;               // connections per replica (apply/parallel_applier.h)
  uint32_t lock_wait_timeout_s = 20;  // innodb_lock_wait_timeout of those connections when workers > 1
  DivergencePolicy on_divergence = DivergencePolicy::kStop;
};

struct ReplicaSection {
  std::string name;                   // [A-Za-z0-9_-], unique: the progress channel and the metrics label
  std::string defaults_file;          // MySQL option file, [client] group: host, port or socket, user, password
  bool enabled = true;
  bool allow_writable = false;        // apply even when read_only=OFF (never turns it off)
  // Each read and write on the replica connection: a statement (a DDL on a big table
  // included) must answer within it; a silent network is noticed after it.
  int64_t read_timeout_s = 3600;
  DivergencePolicy on_divergence = DivergencePolicy::kStop;
  bool on_divergence_set = false;     // false: [apply] on_divergence
  uint32_t workers = 1;               // connections applying at once (default: [apply] workers)
  // Log each source transaction under its MariaDB GTID in the replica's binlog
  // (apply/replica_session.h); vomsrepl's own writes go to state_gtid_domain.
  bool preserve_gtid = false;
  uint32_t state_gtid_domain = 424242;
  // A delayed replica (issue 24, like the built-in MASTER_DELAY): each source
  // transaction is applied no sooner than delay_s seconds after the master
  // committed it (its commit event's timestamp; the feeder's clock must agree
  // with the master's). 0: as soon as it is journaled.
  uint32_t delay_s = 0;
  // TLS to this replica: [replica_tls] (every replica), then the keys of the
  // replica's own `tls` table ([replica.tls] after its [[replica]], or
  // `tls = { ... }`), key by key. Enabled: TLS or nothing
  // (apply/replica_session.h); verify_server_cert = true needs ca_file.
  TlsConfig tls;
};

struct HttpSection {
  std::string listen = "127.0.0.1:9321";  // empty: no HTTP endpoint
  // The control token (ops/control_token.h); empty: STATE_DIR/http.token,
  // created by `vomsrepl run`. A listen address that is not loopback needs
  // it set (to a file the operator wrote): refused otherwise.
  std::string token_file;
  uint32_t max_connections = 256;  // open HTTP connections at most (ops/http_server.h)
};

// [standby] (issue 24): feeders that name the same lease on the same master
// take turns; exactly one (the holder of the master's user lock
// 'vomsrepl.lease.<lease>') feeds, the others wait and take over when it dies
// or loses the master (daemon/replicator.h). Empty lease: no standby, the
// feeder starts at once (every configuration before issue 24).
struct StandbySection {
  std::string lease;                 // [A-Za-z0-9_-], 1 to 40 characters
  uint32_t check_interval_ms = 1000;  // the active feeder checks its lease this often
  // The lease session's wait_timeout on the master, and how long a new active
  // feeder lets a replica's channel stay held by the old one's applier before
  // it kills that connection: a frozen or cut-off holder (SIGSTOP, a stalled
  // link) loses the lease and the replicas after this many seconds.
  uint32_t lease_timeout_s = 10;
};

struct LogSection {
  std::string level = "info";
  std::string file;  // empty: stderr
};

struct Config {
  std::string path;        // the file it came from
  // The TOML text it was parsed from (ops/config_diff.h compares two
  // configurations key by key). Never logged: it may hold a password.
  std::string text;
  std::string state_dir = "/var/lib/vomsrepl";
  source::MasterConfig master;
  std::string master_password;  // only from a 0600 config file
  // [master] read_defaults_file: option file of a master account with SELECT
  // on the kept databases, through which `verify` and `bootstrap` read tables
  // (the replication account has no SELECT). Empty: [master] defaults_file.
  std::string master_read_defaults_file;
  FilterSection filter;
  JournalSection journal;
  ApplySection apply;
  TlsConfig replica_tls;    // [replica_tls]: the defaults of every replica's tls
  std::vector<ReplicaSection> replicas;
  HttpSection http;
  StandbySection standby;
  LogSection log;

  // What the config says it will do, in a few lines, without secrets.
  std::string Describe() const;
  // [http] token_file, or its default inside state_dir.
  std::string HttpTokenFile() const;
};

Result<Config> LoadConfig(const std::string& path);
// Every defaults_file named exists and is readable by this process
// (Connector/C silently ignores a missing option file and then connects with
// its defaults). InvalidArgument naming the file and the key.
//
// An option file that holds a password (a `password`/`pass...` key in any
// group) must not be readable or writable by group or others (mode 0600 or
// stricter): InvalidArgument "... holds a password but has mode 0644: ...
// chmod 600 FILE", never the password itself. An option file without a
// password (host and user only) may be 0644.
//
// `!include FILE` and `!includedir DIR` are followed (every *.cnf of DIR;
// at most 10 levels; each file once): each file of the tree must be readable
// by this process, and when any of them holds a password, the one holding it
// must be mode 0600 or stricter and none may be writable by group or others
// (whoever can write one can point the connection elsewhere). Messages name
// the included path and the file including it.
Status CheckOptionFiles(const Config& config);
// The same for one option file; `what` prefixes the message (e.g. "--master-defaults-file").
Status CheckOptionFile(const std::string& file, const std::string& what);
// The mode bits of a file that holds a secret, as the checks above judge
// them: st_mode & 07777, except that a file owned by root whose group is
// the process's effective group (not root) and whose group bits are
// read-only (the Debian layout `root:vomsrepl 0640`) counts as owner-only
// (its group bits cleared). Every other group or other bit counts.
unsigned ExposedMode(const struct stat& st);
// True when the text of a MySQL option file sets a password.
bool OptionFileTextHasPassword(std::string_view text);
// `file_mode`: the config file's permission bits (for the password rule).
Result<Config> ParseConfig(std::string_view text, const std::string& name, unsigned file_mode = 0600);

}  // namespace vomsrepl::ops
