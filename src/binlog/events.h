// Views of the non-row binlog events. Every string_view / Bytes points into
// the event buffer (or, for compressed QUERY text, into a caller-owned scratch
// buffer) and is valid until the next event is read. No allocation per event.
//
// Each Decode* takes the event body (after the 19-byte header, CRC32 removed)
// and the FormatDescription in force, and returns Corruption naming the event
// when the bytes do not fit the format.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

using Uuid = std::array<uint8_t, 16>;
std::string FormatUuid(const Uuid& u);

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string_view database;   // default database (may be empty)
  std::string_view query;
  // Status variables (those we know; `status_vars_complete` is false when an
  // unknown code stopped parsing — the query text is unaffected).
  bool has_flags2 = false;
  uint32_t flags2 = 0;
  bool has_sql_mode = false;
  uint64_t sql_mode = 0;
  bool has_charset = false;
  uint16_t charset_client = 0, collation_connection = 0, collation_server = 0;
  std::string_view time_zone;
  std::string_view catalog;
  uint16_t auto_increment_increment = 1, auto_increment_offset = 1;
  uint16_t lc_time_names = 0;
  uint16_t charset_database = 0;
  bool has_microseconds = false;
  uint32_t microseconds = 0;
  bool has_ddl_xid = false;
  uint64_t ddl_xid = 0;
  bool status_vars_complete = true;
  uint8_t unknown_status_var = 0;
};
// MySQL libbinlogevents statement_events.cpp Query_event; MariaDB
// Query_log_event. `scratch` receives decompressed text for QUERY_COMPRESSED.
Result<QueryEvent> DecodeQuery(EventType type, Bytes body, const FormatDescription& fde,
                               std::vector<std::byte>& scratch);

struct RotateEvent {
  uint64_t position = 0;
  std::string_view next_file;
};
Result<RotateEvent> DecodeRotate(Bytes body, const FormatDescription& fde);

struct XidEvent {
  uint64_t xid = 0;
};
Result<XidEvent> DecodeXid(Bytes body);

struct IntvarEvent {
  uint8_t kind = 0;  // 1 LAST_INSERT_ID, 2 INSERT_ID
  uint64_t value = 0;
};
Result<IntvarEvent> DecodeIntvar(Bytes body);

struct RandEvent {
  uint64_t seed1 = 0, seed2 = 0;
};
Result<RandEvent> DecodeRand(Bytes body);

struct UserVarEvent {
  std::string_view name;
  bool is_null = true;
  uint8_t value_type = 0;  // STRING_RESULT 0, REAL 1, INT 2, ROW 3, DECIMAL 4
  uint32_t charset = 0;
  Bytes value;
  uint8_t flags = 0;       // 1 = unsigned
};
Result<UserVarEvent> DecodeUserVar(Bytes body);

struct IncidentEvent {
  uint16_t incident = 0;
  std::string_view message;
};
Result<IncidentEvent> DecodeIncident(Bytes body);

// ROWS_QUERY (MySQL) and ANNOTATE_ROWS (MariaDB): the statement text.
Result<std::string_view> DecodeRowsQuery(EventType type, Bytes body);

struct MysqlGtidEvent {
  bool anonymous = false;
  uint8_t flags = 0;
  Uuid sid{};
  uint64_t gno = 0;
  std::string_view tag;         // tagged GTIDs (MySQL 8.3+)
  bool has_logical_clock = false;
  uint64_t last_committed = 0, sequence_number = 0;
  uint64_t immediate_commit_us = 0, original_commit_us = 0;
  uint64_t transaction_length = 0;
};
Result<MysqlGtidEvent> DecodeMysqlGtid(EventType type, Bytes body);

struct GtidInterval {
  uint64_t start = 0, end = 0;  // [start, end)
};
struct PreviousGtidsEntry {
  Uuid sid{};
  std::string tag;
  std::vector<GtidInterval> intervals;
};
// Allocates (a rare event: once per file).
Result<std::vector<PreviousGtidsEntry>> DecodePreviousGtids(Bytes body);

struct MariaGtidEvent {
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint32_t server_id = 0;  // from the event header
  uint8_t flags2 = 0;
  uint64_t commit_id = 0;  // when kMariaGtidGroupCommitId
  uint8_t flags_extra = 0;
  bool standalone() const { return flags2 & 0x01; }
};
inline constexpr uint8_t kMariaGtidStandalone = 0x01;
inline constexpr uint8_t kMariaGtidGroupCommitId = 0x02;
inline constexpr uint8_t kMariaGtidTransactional = 0x04;
inline constexpr uint8_t kMariaGtidDdl = 0x20;
inline constexpr uint8_t kMariaGtidPreparedXa = 0x40;
inline constexpr uint8_t kMariaGtidCompletedXa = 0x80;
// MariaDB sql/log_event.cc Gtid_log_event.
Result<MariaGtidEvent> DecodeMariaGtid(Bytes body, uint32_t server_id);

struct MariaGtidListEntry {
  uint32_t domain_id = 0, server_id = 0;
  uint64_t seq_no = 0;
};
// Fills `out` (reused). MariaDB Gtid_list_log_event.
Status DecodeMariaGtidList(Bytes body, std::vector<MariaGtidListEntry>& out);

Result<std::string_view> DecodeBinlogCheckpoint(Bytes body);

struct TransactionPayloadEvent {
  uint64_t payload_size = 0;
  uint8_t compression = 0;  // 0 ZSTD, 255 NONE
  uint64_t uncompressed_size = 0;
  Bytes payload;
};
// MySQL libbinlogevents Transaction_payload_event (TLV header).
Result<TransactionPayloadEvent> DecodeTransactionPayload(Bytes body);

}  // namespace vomsrepl::binlog
