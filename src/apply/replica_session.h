// ReplicaSession: the one Connector/C session an applier writes a read-only
// replica through, opened from a MySQL option file and set up for replaying
// row images byte for byte.
//
// Session set-up (Open), and why:
//   SET NAMES utf8mb4          SQL text (identifiers from TABLE_MAP are UTF-8).
//   character_set_results=binary  results come back as stored bytes.
//   Values never travel in SQL text: they are bound parameters (binary
//   protocol). Every string, BLOB, JSON text and GEOMETRY value is bound as
//   MYSQL_TYPE_BLOB (ParamType::kBlob), a *binary* parameter: the server copies binary strings
//   into a column of any character set without conversion (latin1 bytes stay
//   latin1 bytes, 4-byte UTF-8 stays as is), and in a comparison the column's
//   collation wins over the coercible binary parameter, so indexes are used.
//   time_zone='+00:00'         TIMESTAMP values in the binlog are UTC seconds.
//   sql_mode='STRICT_ALL_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'
//                               strict: a value the replica cannot store exactly
//                               (too long, out of range, not a valid value of the
//                               column's type, a schema that differs from the
//                               source's) is an error, never a silent change. Zero
//                               dates ('0000-00-00'), zero parts and days a month
//                               lacks are stored as the master stored them (no
//                               NO_ZERO_DATE / NO_ZERO_IN_DATE, ALLOW_INVALID_DATES:
//                               a FULL after image carries unchanged columns that the
//                               source session's own mode might refuse today), an
//                               AUTO_INCREMENT column given 0 keeps 0. The source's
//                               sql_mode is used for DDL only (the QUERY event's).
//   Every prepared statement that leaves a warning (the count is in its OK
//   packet) fails: ExecutePrepared returns FailedPrecondition with the
//   warnings' text, last_errno() is the first warning's code and
//   last_was_warning() is true (the statement's change is made, inside the
//   caller's transaction, which must roll it back).
//   foreign_key_checks / unique_checks: as the rows event flags say
//   (SetChecks, issued only when they change).
//   autocommit=1; the applier brackets its own transactions.
// The session never issues SET GLOBAL and never turns read_only off.
//
// Preflight: the replica must be read_only=ON (FailedPrecondition unless
// allow_writable). The account's grants (SHOW GRANTS FOR CURRENT_USER(),
// apply/applier_grants.h) must give SELECT, INSERT, UPDATE, DELETE on the
// replicated databases and on the state schema, and READ ONLY ADMIN on *.*
// when a MariaDB replica is read_only=ON (or ALL PRIVILEGES; on MariaDB 10.11 SUPER alone does
// not let it write under read_only): otherwise FailedPrecondition naming
// what is missing (only a warning when a role or a table-level grant may
// give it). Warnings: no CREATE/DROP/ALTER/INDEX on the replicated
// databases, any privilege on *.* beyond READ ONLY ADMIN (SUPER, ALL, ...)
// or WITH GRANT OPTION, and a progress table that cannot be created or
// written (Preflight creates it and tries a write that changes nothing).
//
// Preserving the source GTIDs (preserve_gtid, a MariaDB replica with
// log_bin): the replica's binlog then holds each source transaction under
// the master's own GTID, so it can be promoted, or feed replicas of its own,
// by GTID. Open() checks log_bin=ON, reads the replica's @@global.server_id
// and puts the session in the *state domain*: `SET gtid_domain_id =
// state_gtid_domain, server_id = <its own>` (needs BINLOG REPLAY or SUPER:
// FailedPrecondition naming the GRANT otherwise), so that vomsrepl's own
// writes (the state schema, DDL marks, progress after a DDL) are logged
// outside the master's domains. SetSourceGtid(g) issues `SET gtid_domain_id,
// server_id` then `SET gtid_seq_no` (two statements: the server checks every
// assignment of one SET before making any) for the next event group (outside a transaction;
// the server forgets gtid_seq_no after one group); UseStateGtid() goes back
// to the state domain (a no-op when already there): the applier calls it
// after every commit or rollback of a source transaction, so nothing but
// that transaction is ever logged under the master's GTID. A source GTID
// lower than the replica's binlog already holds for its domain is refused by
// a replica in gtid_strict_mode (error 1950): FailedPrecondition saying why.
//
// Errors carry the server's errno in the message ("error 1062: ..."), and
// last_errno() returns it; lost connections (2006, 2013, ...), deadlocks and
// lock wait timeouts are kUnavailable: the caller reconnects (or simply
// restarts the transaction) and resumes from the progress row.
//
// Thread-safety: one thread per session. Prepared statements returned by
// Prepare() belong to the session and live until Close() or until the cache
// is trimmed by a later Prepare() (do not hold them across Prepare calls).
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>
#include <vomsrepl/tls_config.h>

#include "apply/param_binder.h"

// Connector/C's types, opaque here: <mysql.h> is included by replica_session.cc only.
struct st_mysql;       // MYSQL
struct st_mysql_stmt;  // MYSQL_STMT
struct st_mysql_bind;  // MYSQL_BIND
struct st_mysql_time;  // MYSQL_TIME

namespace vomsrepl::apply {

struct ReplicaConfig {
  std::string name = "replica";        // for messages and the progress channel default
  std::string defaults_file;           // option file with user, password, host/port or socket
  std::string defaults_group = "client";
  std::chrono::seconds connect_timeout{10};
  // Also bounds one statement: a DDL (ALTER of a big table) must finish
  // within it, or the connection is dropped (Unavailable) and the DDL is
  // recognised as "maybe applied" on the next Start().
  std::chrono::seconds read_timeout{3600};
  bool allow_writable = false;         // accept read_only=OFF (tests, bootstrap)
  std::string state_schema = "vomsrepl";  // holds the progress table
  bool preserve_gtid = false;          // log source transactions under their source GTID (above)
  uint32_t state_gtid_domain = 424242; // gtid_domain_id of vomsrepl's own writes when preserve_gtid
  // TLS to this server ([replica_tls] and the replica's own [replica.tls]).
  // Enabled, or ssl-ca / ssl-enforce=1 in defaults_file over TCP: TLS or
  // nothing (Open below).
  TlsConfig tls;
  std::string tls_table = "[replica.tls]";  // where tls comes from, for the fixes in messages
};

using SqlRow = std::vector<std::optional<std::string>>;  // the same type as connect::SqlRow

// True for errors after which the session (or only its transaction) is gone
// and the work can be retried from the progress row.
bool IsRetryableReplicaError(unsigned int mysql_errno);

class ReplicaSession {
 public:
  ReplicaSession();
  ~ReplicaSession();
  ReplicaSession(const ReplicaSession&) = delete;
  ReplicaSession& operator=(const ReplicaSession&) = delete;

  // Connects (CLIENT_FOUND_ROWS: an UPDATE to identical values counts as
  // matched) and sets the session up. Unavailable when the server cannot be
  // reached, FailedPrecondition for access denied and the like.
  // TLS (config.tls, vomsrepl/tls_config.h): once asked for, by
  // config.tls.enabled or by ssl-ca / ssl-enforce=1 in the option file on a
  // TCP connection, the session is TLS or nothing: a server that offers no
  // TLS gives FailedPrecondition "NAME: the server offers no TLS but TLS is
  // required ...", a certificate that does not verify "NAME: the server's TLS
  // certificate could not be verified ..." (or "does not match the host
  // name"), each with "; fix: ..." naming the setting to change. Never
  // retried (not Unavailable): a replica in that state needs an operator.
  Status Open(const ReplicaConfig& config);
  // Releases the user locks named by HoldsUserLock() (one round trip each,
  // answered before the connection goes: the next session can take them at
  // once; a server only sees a closed connection's locks go some time after
  // the client has left), then closes.
  void Close();
  // Remembers a user lock this session took (GET_LOCK), for Close().
  void HoldsUserLock(std::string name) { user_locks_.push_back(std::move(name)); }
  bool open() const { return mysql_ != nullptr; }
  const ReplicaConfig& config() const { return config_; }

  // read_only, privileges, state schema. Warnings go to warnings().
  Status Preflight();
  // Creates the state schema and `progress` table if missing.
  Status EnsureProgressTable();

  Status Execute(std::string_view sql);
  Result<std::vector<SqlRow>> Query(std::string_view sql);
  // A query with string parameters (bound, never in the text); every result
  // value as bytes.
  Result<std::vector<SqlRow>> QueryPrepared(const std::string& sql, const std::vector<std::string>& params);
  // Affected rows of the last Execute (CLIENT_FOUND_ROWS semantics).
  uint64_t affected_rows() const;

  // A prepared statement for `sql`, cached by text.
  Result<st_mysql_stmt*> Prepare(const std::string& sql);
  // Binds `values` (their bytes in `arena`; none when the statement has no
  // parameter) and executes; *affected receives the affected (matched) rows.
  // A statement that leaves a warning fails (above). `values` and `arena`
  // are only read, and only during the call.
  Status ExecutePrepared(st_mysql_stmt* stmt, std::span<const BoundValue> values, const std::string& arena,
                         uint64_t* affected, std::string_view what);
  // One MariaDB bulk execution (COM_STMT_BULK_EXECUTE: column-wise arrays,
  // STMT_ATTR_ARRAY_SIZE; needs supports_bulk()) of `stmt` for
  // values.size() / width rows of `width` parameters each, `values` row
  // after row; *affected is the total over all rows. A parameter's type is
  // that of its first non-NULL value (the NULL type when every row is
  // NULL); a later value of another type is Internal. Warnings as
  // ExecutePrepared.
  Status ExecuteBulk(st_mysql_stmt* stmt, std::span<const BoundValue> values, size_t width, const std::string& arena,
                     uint64_t* affected, std::string_view what);
  // Binds `values` and runs the query `stmt`: whether it returned a row
  // (its result is read and freed here). Neither resets last_errno() nor
  // looks at warnings.
  Result<bool> ExecuteFindsRow(st_mysql_stmt* stmt, std::span<const BoundValue> values, const std::string& arena,
                               std::string_view what);

  // Session foreign_key_checks / unique_checks; a SET only when they change.
  Status SetChecks(bool foreign_key_checks, bool unique_checks);
  // Back to the applier's session settings (after a DDL changed them).
  Status RestoreSessionSettings();

  // preserve_gtid only (no-ops otherwise): the next event group is logged
  // as `gtid`; not inside a transaction.
  Status SetSourceGtid(const MariadbGtid& gtid);
  // Back to the state domain and the replica's own server_id.
  Status UseStateGtid();
  // The replica's @@global.gtid_binlog_pos (its binlog's last GTID per domain).
  Result<MariadbGtidList> GtidBinlogPos();

  // max_allowed_packet of the session (read at Open).
  uint64_t max_allowed_packet() const { return max_allowed_packet_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  unsigned int last_errno() const { return last_errno_; }
  // The last ExecutePrepared failed on a warning, not an error (the
  // statement's change was made).
  bool last_was_warning() const { return last_was_warning_; }
  // The warnings of the last Execute() ("Level Code: Message; ..."), "" when
  // it left none.
  std::string LastStatementWarnings();
  // The server runs COM_STMT_BULK_EXECUTE (MariaDB 10.2+; not MySQL).
  bool supports_bulk() const { return supports_bulk_; }
  // The server is MariaDB (it does not announce CLIENT_MYSQL).
  bool is_mariadb() const { return mariadb_; }
  // The server's id of this connection (CONNECTION_ID()), 0 when closed.
  unsigned long connection_id() const;
  // "TLSv1.3 TLS_AES_256_GCM_SHA384", "" without TLS (or closed).
  std::string TlsDescription() const;

  // Status for the last error of the session (or of `stmt`): errno in the
  // message, code Unavailable when retryable.
  Status ErrorStatus(std::string_view what, st_mysql_stmt* stmt = nullptr);

  // The session's sql_mode (documented above).
  static constexpr std::string_view kSqlMode =
      "STRICT_ALL_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

 private:
  // Binds `binds` (null: no parameter) and executes (ExecutePrepared's contract).
  Status ExecuteBound(st_mysql_stmt* stmt, st_mysql_bind* binds, uint64_t* affected, std::string_view what);
  Status WarningStatus(std::string_view what);
  std::string WarningsText(unsigned int* first_code);
  void ClearStatements();
  Status OpenPreservingGtid();
  // A TLS failure of Open(): the message with its fix (Open's contract).
  Status TlsFailure(const std::string& prefix, std::string_view error) const;

  ReplicaConfig config_;
  st_mysql* mysql_ = nullptr;
  uint64_t max_allowed_packet_ = 16u << 20;
  bool supports_bulk_ = false;
  bool mariadb_ = false;
  std::vector<std::string> warnings_;
  unsigned int last_errno_ = 0;
  bool last_was_warning_ = false;
  uint32_t own_server_id_ = 0;
  bool source_gtid_set_ = false;  // the session's GTID variables are a source transaction's
  int foreign_key_checks_ = -1;  // unknown
  int unique_checks_ = -1;
  std::vector<std::string> user_locks_;  // released by Close()
  // Statement cache (LRU by use).
  struct CachedStatement {
    st_mysql_stmt* stmt;
    std::list<std::string>::iterator lru;
  };
  std::unordered_map<std::string, CachedStatement> statements_;
  std::list<std::string> lru_;  // front = most recently used
  static constexpr size_t kMaxStatements = 512;
  // The connector's parameter arrays (MYSQL_BIND, MYSQL_TIME, bulk columns),
  // kept between executions so that their memory is reused; defined in
  // replica_session.cc.
  struct ParamBuffers;
  std::unique_ptr<ParamBuffers> params_;
};

// The connector's parameters for one execution of `values`: binds[i] points
// at values[i]'s number, at times[i] (the temporal in the connector's form)
// or at its bytes in `arena`. What ExecutePrepared binds; declared for its
// unit test (tests/apply/replica_session_params_test.cc, which includes
// <mysql.h>). The connector only reads parameters: `values` and `arena` are
// not changed.
void BindValues(std::span<const BoundValue> values, const std::string& arena, std::vector<st_mysql_bind>& binds,
                std::vector<st_mysql_time>& times);

}  // namespace vomsrepl::apply
