// Views of the non-row binlog events.
//
// Every string_view / Bytes points into the event buffer (or, for
// QUERY_COMPRESSED text, into a caller-owned scratch buffer) and is valid until
// the next event is read / the scratch buffer is reused. Nothing here
// allocates per event, except DecodePreviousGtids (once per file).
//
// Each Decode* takes the event body (after the 19-byte header, CRC32 removed,
// as EventFrame::body) and returns Corruption naming the event when the bytes
// do not fit the format, NotSupported for a field we do not know (e.g. an
// unknown QUERY status variable: never skipped silently).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/event.h>
#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

using Uuid = std::array<uint8_t, 16>;
std::string FormatUuid(const Uuid& u);  // "87cee3a4-6b31-11e7-bdfd-0d98d6698870"

// ---------------------------------------------------------------- QUERY
// Status variable codes (MySQL libbinlogevents statement_events.h Q_*,
// MariaDB sql/log_event.h Q_HRNOW and up).
enum QueryStatusCode : uint8_t {
  kQFlags2 = 0, kQSqlMode = 1, kQCatalog = 2, kQAutoIncrement = 3, kQCharset = 4, kQTimeZone = 5,
  kQCatalogNz = 6, kQLcTimeNames = 7, kQCharsetDatabase = 8, kQTableMapForUpdate = 9,
  kQMasterDataWritten = 10, kQInvoker = 11, kQUpdatedDbNames = 12, kQMicroseconds = 13, kQCommitTs = 14,
  kQCommitTs2 = 15, kQExplicitDefaultsForTimestamp = 16, kQDdlLoggedWithXid = 17,
  kQDefaultCollationForUtf8mb4 = 18, kQSqlRequirePrimaryKey = 19, kQDefaultTableEncryption = 20,
  kQHrnow = 128, kQXid = 129, kQGtidFlags3 = 130, kQCharacterSetCollations = 131,
};

// Q_FLAGS2 bits of the session that logged a statement (MySQL / MariaDB
// sql_priv.h OPTION_*).
inline constexpr uint32_t kQueryFlags2NoForeignKeyChecks = 0x04000000;
inline constexpr uint32_t kQueryFlags2RelaxedUniqueChecks = 0x08000000;

struct QueryEvent {
  uint32_t thread_id = 0;
  uint32_t exec_time = 0;
  uint16_t error_code = 0;
  std::string_view database;   // default database (may be empty)
  std::string_view query;
  Bytes status_vars;           // the raw block, for tools that print it

  // Status variables (has_* / non-empty when present).
  bool has_flags2 = false;
  uint32_t flags2 = 0;
  bool has_sql_mode = false;
  uint64_t sql_mode = 0;
  std::string_view catalog;
  bool has_auto_increment = false;
  uint16_t auto_increment_increment = 1, auto_increment_offset = 1;
  bool has_charset = false;
  uint16_t charset_client = 0, collation_connection = 0, collation_server = 0;
  std::string_view time_zone;
  uint16_t lc_time_names = 0;
  uint16_t charset_database = 0;
  bool has_table_map_for_update = false;
  uint64_t table_map_for_update = 0;
  bool has_master_data_written = false;
  uint32_t master_data_written = 0;
  bool has_invoker = false;
  std::string_view invoker_user, invoker_host;
  // Q_UPDATED_DB_NAMES: count (254 = "too many to list", no names) and the
  // NUL-terminated names back to back (ForEachUpdatedDb walks them).
  bool has_updated_db_names = false;
  uint8_t updated_db_count = 0;
  Bytes updated_db_names;
  bool has_microseconds = false;  // MySQL Q_MICROSECONDS or MariaDB Q_HRNOW
  uint32_t microseconds = 0;
  bool has_commit_ts = false;
  uint64_t commit_ts = 0;
  bool has_explicit_defaults_for_timestamp = false;
  uint8_t explicit_defaults_for_timestamp = 0;
  bool has_ddl_xid = false;       // MySQL Q_DDL_LOGGED_WITH_XID or MariaDB Q_XID
  uint64_t ddl_xid = 0;
  uint16_t default_collation_for_utf8mb4 = 0;
  bool has_sql_require_primary_key = false;
  uint8_t sql_require_primary_key = 0;
  bool has_default_table_encryption = false;
  uint8_t default_table_encryption = 0;
  bool has_gtid_flags3 = false;   // MariaDB Q_GTID_FLAGS3 (+ start-alter sequence number)
  uint8_t gtid_flags3 = 0;
  uint64_t sa_seq_no = 0;
  uint8_t character_set_collations_count = 0;  // MariaDB 11.2+ Q_CHARACTER_SET_COLLATIONS
  Bytes character_set_collations;              // count x (charset id u16, collation id u16)

  // EXECUTE_LOAD_QUERY only (its extra post-header).
  uint32_t load_file_id = 0, load_fn_pos_start = 0, load_fn_pos_end = 0;
  uint8_t load_dup_handling = 0;
};
// QUERY, QUERY_COMPRESSED (text inflated into `scratch`) and
// EXECUTE_LOAD_QUERY. MySQL libbinlogevents statement_events.cpp
// Query_event::Query_event; MariaDB sql/log_event.cc Query_log_event.
Result<QueryEvent> DecodeQuery(EventType type, Bytes body, const FormatDescription& fde,
                               std::vector<std::byte>& scratch);
// Calls fn(std::string_view) for each name of Q_UPDATED_DB_NAMES.
template <class Fn>
void ForEachUpdatedDb(const QueryEvent& q, Fn&& fn) {
  std::string_view rest = AsStringView(q.updated_db_names);
  while (!rest.empty()) {
    size_t nul = rest.find('\0');
    fn(rest.substr(0, nul));
    if (nul == std::string_view::npos) break;
    rest.remove_prefix(nul + 1);
  }
}

// ---------------------------------------------------------------- small events
struct RotateEvent {
  uint64_t position = 0;
  std::string_view next_file;
  bool artificial = false;  // header flag LOG_EVENT_ARTIFICIAL_F: sent by a master, not in a file
};
// MySQL libbinlogevents control_events.cpp Rotate_event.
Result<RotateEvent> DecodeRotate(Bytes body, const FormatDescription& fde, uint16_t header_flags = 0);

struct StopEvent {};

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
  uint16_t incident = 0;   // 1 = LOST_EVENTS
  std::string_view message;
};
Result<IncidentEvent> DecodeIncident(Bytes body);

// HEARTBEAT (v1: file name in the body, position = header log_pos) and
// HEARTBEAT_V2 (TLV: 1 = file name, 2 = position).
struct HeartbeatEvent {
  std::string_view log_file;
  uint64_t position = 0;
};
Result<HeartbeatEvent> DecodeHeartbeat(EventType type, Bytes body, uint32_t header_log_pos);

// ROWS_QUERY (MySQL) and ANNOTATE_ROWS (MariaDB): the statement text.
Result<std::string_view> DecodeRowsQuery(EventType type, Bytes body);
struct RowsQueryEvent {
  std::string_view query;
};

// ---------------------------------------------------------------- MySQL GTIDs
struct MysqlGtidEvent {
  bool anonymous = false;
  uint8_t flags = 0;            // 1 = may have changes logged with SBR
  Uuid sid{};
  uint64_t gno = 0;
  std::string_view tag;         // tagged GTIDs (MySQL 8.3+)
  bool has_logical_clock = false;
  uint64_t last_committed = 0, sequence_number = 0;
  bool has_commit_timestamps = false;
  uint64_t immediate_commit_us = 0, original_commit_us = 0;
  uint64_t transaction_length = 0;
  uint32_t immediate_server_version = 0, original_server_version = 0;
  uint64_t commit_group_ticket = 0;
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
// The undecoded body, as DecodedEvent carries it (decode with DecodePreviousGtids).
struct PreviousGtidsRef {
  Bytes body;
};

// ---------------------------------------------------------------- MariaDB
struct MariaGtidEvent {
  uint64_t seq_no = 0;
  uint32_t domain_id = 0;
  uint32_t server_id = 0;  // from the event header
  uint8_t flags2 = 0;
  uint64_t commit_id = 0;  // when kMariaGtidGroupCommitId
  // XA (flags2 & (kMariaGtidPreparedXa | kMariaGtidCompletedXa)).
  int32_t xa_format_id = 0;
  Bytes xa_gtrid, xa_bqual;
  // 10.7+ extra flags and their fields.
  uint8_t flags_extra = 0;
  uint8_t extra_engines = 0;   // kMariaGtidExtraMultiEngine
  uint64_t sa_seq_no = 0;      // kMariaGtidExtraCommitAlter / RollbackAlter
  uint32_t thread_id = 0;      // kMariaGtidExtraThreadId (11.5+)
  bool standalone() const { return flags2 & 0x01; }
};
inline constexpr uint8_t kMariaGtidStandalone = 0x01;
inline constexpr uint8_t kMariaGtidGroupCommitId = 0x02;
inline constexpr uint8_t kMariaGtidTransactional = 0x04;
inline constexpr uint8_t kMariaGtidAllowParallel = 0x08;
inline constexpr uint8_t kMariaGtidWaited = 0x10;
inline constexpr uint8_t kMariaGtidDdl = 0x20;
inline constexpr uint8_t kMariaGtidPreparedXa = 0x40;
inline constexpr uint8_t kMariaGtidCompletedXa = 0x80;
inline constexpr uint8_t kMariaGtidExtraMultiEngine = 0x01;
inline constexpr uint8_t kMariaGtidExtraStartAlter = 0x02;
inline constexpr uint8_t kMariaGtidExtraCommitAlter = 0x04;
inline constexpr uint8_t kMariaGtidExtraRollbackAlter = 0x08;
inline constexpr uint8_t kMariaGtidExtraThreadId = 0x10;
// MariaDB sql/log_event.cc Gtid_log_event::Gtid_log_event.
Result<MariaGtidEvent> DecodeMariaGtid(Bytes body, uint32_t server_id);

struct MariaGtidListEntry {
  uint32_t domain_id = 0, server_id = 0;
  uint64_t seq_no = 0;
};
// View of a GTID_LIST: `count` entries of 16 bytes in `entries`.
struct MariaGtidListEvent {
  uint32_t count = 0;
  uint8_t flags = 0;  // high 4 bits of the count word
  Bytes entries;
  MariaGtidListEntry at(uint32_t i) const {
    const std::byte* p = entries.data() + size_t(i) * 16;
    return {uint32_t(LoadLE<4>(p)), uint32_t(LoadLE<4>(p + 4)), LoadLE<8>(p + 8)};
  }
};
// MariaDB sql/log_event.cc Gtid_list_log_event.
Result<MariaGtidListEvent> DecodeMariaGtidListView(Bytes body);
// Fills `out` (reused; allocates only when it grows).
Status DecodeMariaGtidList(Bytes body, std::vector<MariaGtidListEntry>& out);

struct BinlogCheckpointEvent {
  std::string_view file;
};
Result<std::string_view> DecodeBinlogCheckpoint(Bytes body);

struct StartEncryptionEvent {
  uint8_t scheme = 0;
  uint32_t key_version = 0;
  Bytes nonce;  // 12 bytes
};
// MariaDB sql/log_event.cc Start_encryption_log_event.
Result<StartEncryptionEvent> DecodeStartEncryption(Bytes body);
// NotSupported "encrypted binlog ..." naming scheme and key version.
Status EncryptedBinlogNotSupported(const StartEncryptionEvent& e, std::string_view where);

// ---------------------------------------------------------------- MySQL payload / GR / XA
struct TransactionPayloadEvent {
  uint64_t payload_size = 0;
  uint8_t compression = 0;  // 0 ZSTD, 255 NONE
  uint64_t uncompressed_size = 0;
  Bytes payload;
};
inline constexpr uint8_t kPayloadZstd = 0;
inline constexpr uint8_t kPayloadNone = 255;
// MySQL libbinlogevents control_events.cpp Transaction_payload_event (TLV header).
Result<TransactionPayloadEvent> DecodeTransactionPayload(Bytes body);

// Group Replication certification info (MySQL 5.7.6+), never needed to apply.
struct TransactionContextEvent {
  std::string_view server_uuid;
  uint32_t thread_id = 0;
  bool gtid_specified = false;
  Bytes encoded_snapshot_version;
  uint32_t write_set_count = 0, read_set_count = 0;
  Bytes sets;  // write set then read set items (u16 length + bytes each)
};
// MySQL libbinlogevents control_events.cpp Transaction_context_event.
Result<TransactionContextEvent> DecodeTransactionContext(Bytes body);

struct ViewChangeEvent {
  std::string_view view_id;
  uint64_t seq_number = 0;
  uint32_t cert_info_count = 0;
  Bytes cert_info;  // entries: u16 key length, key, u32 value length, value
};
// MySQL libbinlogevents control_events.cpp View_change_event.
Result<ViewChangeEvent> DecodeViewChange(Bytes body);

struct XaPrepareEvent {
  bool one_phase = false;
  int32_t format_id = 0;
  Bytes gtrid, bqual;
};
// MySQL libbinlogevents control_events.cpp XA_prepare_event.
Result<XaPrepareEvent> DecodeXaPrepare(Bytes body);

// ---------------------------------------------------------------- old events (MySQL 3.23-5.1)
struct StartV3Event {
  uint16_t binlog_version = 0;
  std::string_view server_version;
  uint32_t create_timestamp = 0;
};
// MySQL sql/log_event.cc Start_log_event_v3.
Result<StartV3Event> DecodeStartV3(Bytes body);

// LOAD (6), NEW_LOAD (12), CREATE_FILE (8): LOAD DATA INFILE of MySQL < 5.0.3.
struct LoadEvent {
  EventType type = EventType::kLoad;
  uint32_t thread_id = 0, exec_time = 0, skip_lines = 0, num_fields = 0;
  Bytes sql_ex;           // field/line terminators (old fixed or new length-prefixed form)
  Bytes field_lengths;    // num_fields bytes
  Bytes field_names;      // num_fields NUL-terminated names
  std::string_view table, database, file_name;
  uint32_t file_id = 0;   // CREATE_FILE
  Bytes block;            // CREATE_FILE: first block of the file
};
// MySQL sql/log_event.cc Load_log_event / Create_file_log_event.
Result<LoadEvent> DecodeLoad(EventType type, Bytes body, const FormatDescription& fde);

// APPEND_BLOCK (9) and BEGIN_LOAD_QUERY (17): file id + a block of the file.
struct AppendBlockEvent {
  uint32_t file_id = 0;
  Bytes block;
};
Result<AppendBlockEvent> DecodeAppendBlock(Bytes body);

// EXEC_LOAD (10) and DELETE_FILE (11): a file id.
struct FileIdEvent {
  EventType type = EventType::kExecLoad;
  uint32_t file_id = 0;
};
Result<FileIdEvent> DecodeFileId(EventType type, Bytes body);

}  // namespace vomsrepl::binlog
