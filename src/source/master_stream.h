// MasterStream: the binlog of a live MariaDB (or MySQL) master, read as a
// replica over MariaDB Connector/C's rpl API (COM_REGISTER_SLAVE +
// COM_BINLOG_DUMP), handed on as raw events to our own decoder.
//
// What it does
//   * Preflight(): one-line checks with a fix hint each (reachable, TLS, log_bin,
//     binlog_format=ROW, binlog_row_image=FULL, server ids, privileges, start
//     position still in the binlog).
//   * Connect(): runs the preflight (any failure stops it), registers as a
//     replica with `server_id`, agrees on checksums with the master
//     (@master_binlog_checksum), asks for MariaDB GTID events
//     (@mariadb_slave_capability=4), sets the heartbeat period, and starts the
//     dump at a file:pos, a MariaDB GTID position (@slave_connect_state, strict
//     mode), the master's oldest binlog or its current end.
//   * Next(): one raw event (EventSource contract), with the binlog file and
//     the event's offset in it. ROTATE events (real and artificial) are parsed
//     here from the raw bytes (the connector misparses real ones); a new FDE per
//     file decides whether events carry a CRC32.
//   * Reconnect: a lost connection (errors 2006/2013), a master restart, or a
//     read timeout (no byte for StreamReadTimeout(): 2 x heartbeat_period rounded
//     up to seconds, or read_timeout if shorter; doubled after each such
//     silence at the same position, for a master that sends nothing while it
//     reads a large event: silence_window.h) reconnects with
//     capped exponential backoff plus jitter, and resumes after the last
//     *complete* transaction. An outage logs ONE warning when it begins (with
//     its cause), a reminder every `outage_reminder` while it lasts (each
//     attempt at debug level only), and one info line when the stream is back;
//     reconnects are counted and `on_connection_change` is told. Configuration,
//     authentication, privilege and purged-binlog errors are never retried.
//
// Contract of Next() (in addition to EventSource's)
//   * OK: `out` holds the next event. `out->raw` is header + body (+ CRC32),
//     without the connector's leading OK byte. `out->file`/`out->offset` locate
//     the event in the master's binlog; `out->artificial` marks events the
//     master made up for this stream (fake ROTATE, the FDE repeated at a start
//     position past 4, heartbeats when delivered): their offset is the current
//     position, or 4 for the repeated FDE.
//   * kAborted with IsTransactionRestart(status) true: the connection was lost
//     in the middle of a transaction and the stream has been re-opened at the
//     start of that transaction. The consumer MUST discard the events it got
//     since the last transaction boundary (the last XID / COMMIT / standalone
//     QUERY) and call Next() again: the transaction comes again, whole. It is
//     returned once per such reconnect; losing the connection exactly at a
//     boundary returns nothing special. (No whole-transaction buffering here:
//     memory stays bounded by one event.)
//   * kAborted otherwise: Cancel() was called.
//   * kOutOfRange: the end of a non-blocking stream (`blocking = false`).
//   * kBinlogPurged: the master no longer has the file or GTID to start or
//     resume from; the message names it and says to run `vomsrepl bootstrap`.
//   * kUnavailable: the master stayed unreachable for `max_reconnects`
//     consecutive attempts (never when max_reconnects is 0).
//   * kFailedPrecondition / kInvalidArgument / kNotSupported: not retried.
//   * kCorruption: an event the connector or we could not frame.
//
// Lifetime of views: `out->raw` and `out->file` stay valid until the next
// call to Next() or the destruction of the stream, whichever comes first.
//
// Thread-safety: one thread calls Connect()/Next()/Preflight() and reads the
// accessors. Cancel() alone may be called from any thread at any time (a
// signal-handling thread): it makes a blocked or later Next() return kAborted.
//
// Credentials: user and password come from `defaults_file` ([client] group of
// a MySQL option file, mode 0600) or, for the password only, from
// `password` (held in memory: the 0600 configuration's key) or the
// environment variable named by `password_env`. They are never logged, and
// neither is SHOW GRANTS output (it carries password hashes).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/event_source.h>
#include <vomsrepl/position.h>
#include <vomsrepl/status.h>
#include <vomsrepl/tls_config.h>

#include "source/start_point.h"

namespace vomsrepl::source {

// [master.tls] (vomsrepl/tls_config.h).
using MasterTlsConfig = TlsConfig;

struct MasterConfig {
  // Where. Empty host / port 0 / empty socket: taken from defaults_file, then
  // the connector's defaults.
  std::string host;
  uint16_t port = 0;
  std::string socket;
  // MySQL option file with a [client] group (user, password, host, port, ssl-*).
  std::string defaults_file;
  std::string defaults_group = "client";
  // User name override (not a secret); empty: from defaults_file.
  std::string user;
  // Name of an environment variable holding the password (e.g.
  // "VOMSREPL_MASTER_PASSWORD"); empty: not used. Never a password itself.
  std::string password_env;
  // The password itself, in this process's memory only (the `password` key of
  // a 0600 configuration): handed to Connector/C at connect time, never put
  // into the environment, argv or a log. Wins over password_env.
  std::string password;

  // When set, every (re)connect checks the master's @@server_id and stops
  // with FailedPrecondition (the reason appended) if it is another server.
  uint32_t expected_server_id = 0;
  std::string expected_server_id_why;

  // Replica identity: must differ from the master's and every other replica's.
  uint32_t server_id = 0;
  std::string report_host = "vomsrepl";  // shown in SHOW SLAVE HOSTS
  // A diagnostic or one-shot stream (dump/stats --master, catchup): with
  // server_id 0 the first preflight picks a free id (PickServerId in
  // master_preflight.h: derived from this host and process, checked against
  // the master's own id, SHOW SLAVE HOSTS, the running vomsrepl feeders'
  // server-id locks and avoid_server_ids) and keeps it for reconnects.
  bool pick_server_id = false;
  std::vector<uint32_t> avoid_server_ids;  // never picked (e.g. the config's [master] server_id)
  // server_id is a configuration's feeder id ([master] server_id: run,
  // check-config): a registration under it from report_host while no live
  // vomsrepl holds its lock is that feeder's, stopped. Not set for a stream
  // built by hand (tests, a library user): such a registration is refused.
  bool feeder_server_id = false;
  // The caller holds the ServerIdLock of server_id (the feeder): a
  // registration under it that SHOW SLAVE HOSTS still lists from report_host
  // is then one of a vomsrepl stream that has ended (a stop-then-start), not
  // another server's, and the preflight lets this stream replace it.
  bool holds_server_id_lock = false;
  // The master dropped the stream because another replica connected with the
  // same server id (error 4052): true: Unavailable, reconnect with backoff
  // (the feeder: a diagnostic with its id ends soon); false:
  // FailedPrecondition (a diagnostic stops and says why).
  bool retry_duplicate_server_id = false;

  StartPoint start;  // where the stream starts (source/start_point.h)

  std::chrono::milliseconds heartbeat_period{5000};  // 0: no heartbeat (non-blocking only)
  // A follower that needs no millisecond freshness (`stats --follow`): reads
  // are gathered when the master sends little (MasterSession::
  // set_coalesce_reads); 0 (the feeder, catchup, dump): each as it comes.
  std::chrono::milliseconds coalesce_reads{0};
  // > heartbeat_period. Bounds every read and write of the session's queries; the
  // dump connection itself uses StreamReadTimeout(), usually shorter.
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds connect_timeout{10};
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{30000};
  uint64_t backoff_seed = 0;     // 0: seeded from the clock
  uint32_t max_reconnects = 0;   // consecutive failed attempts before kUnavailable; 0 = forever
  // While the master stays unreachable, a warning every outage_reminder (the
  // first one when the outage begins); single attempts are logged at debug.
  std::chrono::seconds outage_reminder{60};
  // Told when the dump connection is lost (connected = false, `cause` = why)
  // and when it streams again (connected = true, `cause` = the outage's
  // cause): once per outage each way, not per attempt. A stream that ends
  // with an error while reconnecting (purged binlog, cancel, max_reconnects)
  // gets no `true` call. Called on the thread calling Next(), before Next()
  // returns; must not call into the stream; may be empty.
  std::function<void(const Status& cause, bool connected)> on_connection_change;

  // false: stop at the master's current end with kOutOfRange (`dump --master`
  // without --follow). Reconnects still resume a cut stream.
  bool blocking = true;
  // Deliver HEARTBEAT events (artificial) so that an idle consumer regains
  // control every heartbeat_period; off: they are swallowed here.
  bool deliver_heartbeats = false;
  // Ask a MariaDB master for ANNOTATE_ROWS events (the statement text before
  // each statement's rows events; BINLOG_SEND_ANNOTATE_ROWS_EVENT of
  // COM_BINLOG_DUMP): `dump --master` prints them as mariadb-binlog does.
  bool send_annotate_rows = false;

  MasterTlsConfig tls;

  // InvalidArgument naming the first bad field; never touches the network.
  Status Validate() const;
  // "user@host:port" / "user@socket" as far as the config knows (no secrets).
  std::string Describe() const;
};

// The read (and write) timeout of the binlog dump connection. With a heartbeat the
// master sends something at least every heartbeat_period, so a connection silent
// for 2 x heartbeat_period is lost (a stalled network, a peer gone without a RST):
// the timeout is that, rounded up to the connector's whole seconds (so a loss is
// noticed within 2 x heartbeat_period + 1 s), or read_timeout if that is shorter.
// Without a heartbeat (a non-blocking dump), read_timeout.
std::chrono::seconds StreamReadTimeout(const MasterConfig& config);

// kInfo: a setting vomsrepl handles but that limits a check (said once at
// start, never a failure).
enum class CheckOutcome { kOk, kInfo, kWarn, kFail };
std::string_view CheckOutcomeName(CheckOutcome outcome);  // "ok", "info", "warn", "FAIL"

struct PreflightCheck {
  std::string name;     // "binlog_format", "privileges", ...
  CheckOutcome outcome = CheckOutcome::kOk;
  std::string detail;   // what was found
  std::string fix;      // how to fix it (empty when ok)
  StatusCode code = StatusCode::kFailedPrecondition;  // the status a failure becomes
};

struct PreflightReport {
  std::vector<PreflightCheck> checks;
  std::string server_version;
  uint32_t master_server_id = 0;

  bool ok() const;  // no kFail
  // OK, or the first failure as a one-line Status ("<name>: <detail>; fix: <fix>")
  // with that check's code.
  Status ToStatus() const;
  // One line per check: "ok   binlog_format: ROW".
  std::string ToString() const;
};

class MasterStream final : public EventSource {
 public:
  explicit MasterStream(MasterConfig config);
  ~MasterStream() override;
  MasterStream(const MasterStream&) = delete;
  MasterStream& operator=(const MasterStream&) = delete;

  // Connects a session of its own, runs every check, disconnects. A master that
  // cannot be reached gives a report with a failed "reachable" check (code
  // kUnavailable), not an error; an error only for an invalid config.
  Result<PreflightReport> Preflight();

  // Validates the config, runs the preflight (first failure returned), and
  // starts the dump. Called once; reconnects happen inside Next().
  Status Connect();

  Status Next(SourceEvent* out) override;

  // Thread-safe: stops a blocked or later Next() with kAborted.
  void Cancel();

  // True for the one-shot status Next() returns after a reconnect cut a
  // transaction (see the contract above).
  static bool IsTransactionRestart(const Status& status);

  // Position just after the last event returned by Next().
  BinlogPosition position() const;
  // Where a new stream would resume: after the last complete transaction.
  const BinlogPosition& resume_position() const;
  // MariaDB GTID position including the last complete transaction (GTIDs seen
  // on this stream, on top of start.gtids).
  const MariadbGtidList& resume_gtids() const;
  // After Connect() at a binlog position (FILE:POS, current, oldest) on
  // MariaDB: the master's GTID state at that position (BINLOG_GTID_POS), which
  // the stream's GTIDs build on; empty for a GTID start and for MySQL.
  const MariadbGtidList& start_gtids() const;
  // True while the events returned so far end inside a transaction.
  bool in_transaction() const;
  // Times the stream was re-opened after losing its connection.
  uint64_t reconnect_count() const;
  // Heartbeats received (the master had nothing to send for heartbeat_period:
  // the stream is at its end). Any thread.
  uint64_t heartbeat_count() const;
  // The last error met, retried or not (OK if none).
  const Status& last_error() const;
  // Master's version string (after Preflight or Connect), "" before.
  const std::string& server_version() const;
  uint32_t master_server_id() const;
  // Whether events before the stream's first FORMAT_DESCRIPTION (the fake
  // ROTATE a master sends first) end with a CRC32: the master adds one when
  // its @@global.binlog_checksum is CRC32, which the session announced. Known
  // after Connect().
  bool checksum_before_fde() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vomsrepl::source
