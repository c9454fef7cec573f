// Transaction: one filtered source transaction (or one chunk of a large one),
// the unit the assembler produces, the journal stores and the appliers apply.
//
// The changes of a transaction are kept in one flat byte buffer, encoded the
// way the journal stores them, so that journaling is a memcpy (RocksDB
// compresses the blocks with zstd) and an applier reads them back without a
// second representation. A ChangeWriter appends, a ChangeReader walks.
//
// Encoding of one change (little-endian, no padding):
//   u8 kind
//   kTableMap:  u32 body length, TABLE_MAP body (header and CRC32 removed;
//               database and table already renamed; 6-byte table id)
//   kRows:      u8 event type, u32 body length, rows event body as received
//               (6-byte table id; MariaDB compressed rows stay compressed)
//   kStatement: u64 sql_mode, u32 flags2, u16 charset_client,
//               u16 collation_connection, u16 collation_server,
//               u8 has_flags (bit 0 sql_mode, bit 1 flags2, bit 2 charset),
//               u32 timestamp (seconds), u8 time zone length, time zone,
//               u8 database length, database (renamed), u32 SQL length,
//               SQL (names inside already rewritten)
//
// Bodies use the standard post-header lengths of binlog v4 servers since
// MySQL 5.1.4 / MariaDB 5.1 (TABLE_MAP and rows events with 6-byte table ids):
// decode them with binlog::FormatDescription::DefaultV4().
//
// Thread-safety: plain values; a Transaction may move between threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/event.h>
#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

namespace vomsrepl::txn {

using Bytes = std::span<const std::byte>;

// Where a transaction ends on the source: resuming the master stream here
// (or at `gtid_state`) starts with the next transaction.
struct SourcePoint {
  BinlogPosition position;      // after the transaction's last event
  std::string gtid;             // this transaction's GTID: "0-1-42" (MariaDB) or "uuid[:tag]:42" (MySQL); empty if none
  MariadbGtidList gtid_state;   // MariaDB GTID position including this transaction (empty for MySQL / no GTID)
  uint32_t server_id = 0;       // server id of the GTID or commit event
  uint32_t commit_time = 0;     // header timestamp of the commit event (seconds since the epoch, UTC)
};

enum class ChangeKind : uint8_t { kTableMap = 1, kRows = 2, kStatement = 3 };

// Session context of a statement (QUERY status variables, binlog/events.h).
struct StatementContext {
  bool has_sql_mode = false;
  bool has_flags2 = false;
  bool has_charset = false;
  uint64_t sql_mode = 0;
  uint32_t flags2 = 0;  // OPTION_NO_FOREIGN_KEY_CHECKS 0x04000000, OPTION_RELAXED_UNIQUE_CHECKS 0x08000000, OPTION_AUTO_IS_NULL 0x00004000, OPTION_NOT_AUTOCOMMIT 0x00080000
  uint16_t charset_client = 0, collation_connection = 0, collation_server = 0;
  uint32_t timestamp = 0;
  std::string_view time_zone;
};

// One decoded change: views into the transaction's buffer.
struct Change {
  ChangeKind kind = ChangeKind::kTableMap;
  EventType event_type = EventType::kTableMap;  // kRows: the rows event type
  Bytes body;                                   // kTableMap / kRows
  // kStatement:
  StatementContext context;
  std::string_view database;
  std::string_view sql;
};

// What a rows event did to its rows, for counting (an UPDATE pair is one update).
enum class RowOperation : uint8_t { kInsert, kUpdate, kDelete };
std::string_view RowOperationName(RowOperation op);  // "insert", "update", "delete"

// Rows of one (replica-side) database and operation within a transaction or chunk.
struct RowTally {
  std::string database;
  RowOperation operation = RowOperation::kInsert;
  uint64_t rows = 0;
};

struct Transaction {
  uint64_t seq = 0;          // journal sequence number (assigned by the journal; 0 before)
  uint32_t chunk = 0;        // 0, 1, ... for a transaction streamed in chunks
  bool last_chunk = true;    // false while more chunks of the same transaction follow
  SourcePoint source;        // meaningful on the last chunk
  bool has_statement = false;  // holds a kStatement (DDL: a barrier for parallel apply)
  uint32_t change_count = 0;
  uint64_t row_count = 0;    // rows of its rows events (an UPDATE pair counts once), if the assembler counted them
  // row_count by database and operation (what /metrics shows), filled with it; kept
  // in memory only: a transaction read back from the journal has none.
  std::vector<RowTally> row_tallies;
  // Server flavour of the source. TABLE_MAP optional metadata is read
  // differently for MariaDB (it counts GEOMETRY among the charset columns and
  // YEAR among the signedness columns), so decode the changes with
  // ChangeFormat(mariadb_source) (txn/change_format.h), not a plain DefaultV4.
  // Not part of the changes encoding: the journal stores it with the record.
  bool mariadb_source = false;
  std::vector<std::byte> changes;  // encoded changes, see the file comment

  bool empty() const { return change_count == 0; }
  // Adds `rows` to row_count and to the tally of (database, operation).
  void CountRows(std::string_view database, RowOperation operation, uint64_t rows);
  // A copy of everything but the changes (a chunk's place in its
  // transaction, its source point and counts).
  Transaction WithoutChanges() const {
    Transaction copy;
    copy.seq = seq;
    copy.chunk = chunk;
    copy.last_chunk = last_chunk;
    copy.source = source;
    copy.has_statement = has_statement;
    copy.change_count = change_count;
    copy.row_count = row_count;
    copy.row_tallies = row_tallies;
    copy.mariadb_source = mariadb_source;
    return copy;
  }
  void ClearChanges() {
    changes.clear();
    change_count = 0;
    row_count = 0;
    row_tallies.clear();
    has_statement = false;
  }
};

// Appends encoded changes to a Transaction.
class ChangeWriter {
 public:
  explicit ChangeWriter(Transaction& txn) : txn_(txn) {}
  void AddTableMap(Bytes body);
  void AddRows(EventType type, Bytes body);
  // database is at most 255 bytes, time zone at most 255 bytes (checked by the caller:
  // server limits are 64 characters); returns InvalidArgument otherwise.
  Status AddStatement(const StatementContext& context, std::string_view database, std::string_view sql);

 private:
  Transaction& txn_;
};

// Walks the changes of an encoded buffer. Next() returns false at the end;
// a malformed buffer (a journal written by another version, or damaged)
// sets status() to Corruption and stops.
class ChangeReader {
 public:
  explicit ChangeReader(Bytes changes) : data_(changes) {}
  bool Next(Change* out);
  const Status& status() const { return status_; }
  size_t offset() const { return pos_; }

 private:
  bool Fail(const char* what);
  Bytes data_;
  size_t pos_ = 0;
  Status status_;
};

}  // namespace vomsrepl::txn
