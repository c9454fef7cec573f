// Transaction boundaries of a live binlog stream, and the few event bodies
// MasterStream must read itself (ROTATE, MariaDB GTID, QUERY text).
//
// MasterStream hands events on one by one without buffering whole
// transactions; to resume after a lost connection without delivering half a
// transaction twice (or a half forever), it must know where the last complete
// transaction ended. TransactionBoundaryTracker is fed every event in order
// and answers "am I inside a transaction?" and "where would a reconnect resume
// so that the next event starts a transaction?".
//
// Boundaries (MariaDB sql/log_event.h, MySQL libbinlogevents control_events.h):
//   MariaDB: GTID (162) opens a group. A standalone group (flag FL_STANDALONE,
//            DDL) ends at its first QUERY; otherwise the group ends at XID (16),
//            at a QUERY "COMMIT" / "ROLLBACK" / "XA COMMIT" / "XA ROLLBACK", or
//            at XA_PREPARE (38).
//   MySQL:   GTID / ANONYMOUS_GTID / GTID_TAGGED (33, 34, 42) open a group; a
//            QUERY "BEGIN" makes it a multi-event transaction ending at XID or
//            QUERY "COMMIT"/"ROLLBACK"; any other first QUERY (DDL) ends it; a
//            TRANSACTION_PAYLOAD (40) carries the whole rest and ends it.
//   No GTID: QUERY "BEGIN" opens, XID / QUERY "COMMIT"/"ROLLBACK" closes; any
//            other QUERY outside a transaction is a transaction by itself.
// Everything else outside a transaction (FDE, ROTATE, GTID_LIST, heartbeat,
// binlog checkpoint, ...) moves the safe point forward with it.
//
// Thread-safety: none; one tracker per stream. No allocation per event once
// the file name's capacity is reached.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <vomsrepl/event.h>
#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

namespace vomsrepl::source {

using Bytes = std::span<const std::byte>;

// MariaDB GTID event flags (sql/log_event.h Gtid_log_event).
inline constexpr uint8_t kGtidFlagStandalone = 0x01;
inline constexpr uint8_t kGtidFlagGroupCommitId = 0x02;
inline constexpr uint8_t kGtidFlagPreparedXa = 0x40;
inline constexpr uint8_t kGtidFlagCompletedXa = 0x80;

// ROTATE body: position (8 bytes) then the next file's name, no NUL
// (sql/log_event.h Rotate_log_event). `body` excludes header and CRC32.
struct RotateBody {
  uint64_t position = 0;
  std::string_view file;  // view into `body`
};
Result<RotateBody> ParseRotateBody(Bytes body);

// MariaDB GTID body: seq_no (8), domain_id (4), flags2 (1), [commit_id (8)], ...
// (sql/log_event.cc Gtid_log_event::Gtid_log_event). The server id is the event
// header's.
struct MariadbGtidBody {
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint8_t flags = 0;
};
Result<MariadbGtidBody> ParseMariadbGtidBody(Bytes body);

// The SQL text of a QUERY event body: post-header of 13 bytes (thread_id 4,
// exec_time 4, db_len 1, error_code 2, status_vars_len 2), status variables,
// db name + NUL, then the query up to the end of the body (libbinlogevents
// statement_events.cpp Query_event). `body` excludes header and CRC32. Only
// for uncompressed QUERY (type 2).
Result<std::string_view> ParseQueryText(Bytes body);

// How a QUERY statement affects transaction state.
enum class QueryKind { kBegin, kCommit, kRollback, kXaEnd, kOther };
// Classifies by the leading keyword(s), case-insensitively, ignoring leading
// blanks: "BEGIN", "COMMIT", "ROLLBACK" (not "ROLLBACK TO SAVEPOINT"),
// "XA COMMIT"/"XA ROLLBACK" (kXaEnd). Everything else is kOther.
QueryKind ClassifyQuery(std::string_view sql);

class TransactionBoundaryTracker {
 public:
  // Starts outside any transaction at `position` with `gtids` already applied.
  void Reset(const BinlogPosition& position, const MariadbGtidList& gtids);

  // Feeds the next event. `body` is the event after its 19-byte header and
  // without its CRC32. `end_file`/`end_offset` is the stream position just
  // after the event (for an event that is not in the file, the position
  // before it). Returns an error only for a body too short to read what
  // the tracker needs (the message names the event type).
  Status Feed(EventType type, uint32_t server_id, Bytes body, std::string_view end_file,
              uint64_t end_offset);

  // Forgets an open transaction without moving the safe point (the stream
  // is re-opened at safe_position() / safe_gtids() and the group comes again).
  void AbandonOpenTransaction() {
    state_ = State::kOutside;
    open_gtid_.reset();
  }

  bool in_transaction() const { return state_ != State::kOutside; }
  // Where to resume so that the first event read starts a transaction: the
  // position after the last complete transaction (or after the last event
  // seen outside one).
  const BinlogPosition& safe_position() const { return safe_position_; }
  // GTID position including the last complete MariaDB transaction.
  const MariadbGtidList& safe_gtids() const { return safe_gtids_; }
  // GTID of the open MariaDB transaction, if any.
  const std::optional<MariadbGtid>& open_gtid() const { return open_gtid_; }
  // Transactions seen complete since Reset().
  uint64_t completed_transactions() const { return completed_; }

 private:
  enum class State {
    kOutside,
    kGroupStarted,      // GTID seen (MySQL): waiting for BEGIN or a DDL QUERY
    kStandalone,        // MariaDB standalone GTID: ends at the first QUERY
    kInTransaction,     // ends at XID / COMMIT / ROLLBACK / XA_PREPARE
  };
  void Complete(std::string_view end_file, uint64_t end_offset);
  void MoveSafePoint(std::string_view end_file, uint64_t end_offset);

  State state_ = State::kOutside;
  BinlogPosition safe_position_;
  MariadbGtidList safe_gtids_;
  std::optional<MariadbGtid> open_gtid_;
  uint64_t completed_ = 0;
};

}  // namespace vomsrepl::source
