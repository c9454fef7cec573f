// Binlog event vocabulary shared by every module: event type codes and the
// common 19-byte v4 event header.
//
// Format: MySQL sql/binlog_event.h / libbinlogevents/include/binlog_event.h
// (Log_event_type) and MariaDB sql/log_event.h (MariaDB types start at 160).
#pragma once

#include <cstdint>
#include <string_view>

namespace vomsrepl {

enum class EventType : uint8_t {
  kUnknown = 0,
  kStartV3 = 1,
  kQuery = 2,
  kStop = 3,
  kRotate = 4,
  kIntvar = 5,
  kLoad = 6,
  kSlave = 7,
  kCreateFile = 8,
  kAppendBlock = 9,
  kExecLoad = 10,
  kDeleteFile = 11,
  kNewLoad = 12,
  kRand = 13,
  kUserVar = 14,
  kFormatDescription = 15,
  kXid = 16,
  kBeginLoadQuery = 17,
  kExecuteLoadQuery = 18,
  kTableMap = 19,
  kPreGaWriteRows = 20,
  kPreGaUpdateRows = 21,
  kPreGaDeleteRows = 22,
  kWriteRowsV1 = 23,
  kUpdateRowsV1 = 24,
  kDeleteRowsV1 = 25,
  kIncident = 26,
  kHeartbeat = 27,
  kIgnorable = 28,
  kRowsQuery = 29,
  kWriteRowsV2 = 30,
  kUpdateRowsV2 = 31,
  kDeleteRowsV2 = 32,
  kGtid = 33,
  kAnonymousGtid = 34,
  kPreviousGtids = 35,
  kTransactionContext = 36,
  kViewChange = 37,
  kXaPrepare = 38,
  kPartialUpdateRows = 39,
  kTransactionPayload = 40,
  kHeartbeatV2 = 41,
  kGtidTagged = 42,
  // MariaDB
  kAnnotateRows = 160,
  kBinlogCheckpoint = 161,
  kMariaGtid = 162,
  kMariaGtidList = 163,
  kStartEncryption = 164,
  kQueryCompressed = 165,
  kWriteRowsCompressedV1 = 166,
  kUpdateRowsCompressedV1 = 167,
  kDeleteRowsCompressedV1 = 168,
  kWriteRowsCompressed = 169,
  kUpdateRowsCompressed = 170,
  kDeleteRowsCompressed = 171,
};

// The name a DBA knows from mariadb-binlog / SHOW BINLOG EVENTS
// ("Write_rows_v1", "Gtid", "Table_map", ...). "Unknown(N)" is never
// returned: unknown codes give "Unknown".
std::string_view EventTypeName(EventType type);

// Common header of every binlog v4 event (19 bytes, little-endian).
// Format: https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_replication_binlog_event.html
struct EventHeader {
  static constexpr uint32_t kSize = 19;
  uint32_t timestamp = 0;      // seconds since the epoch (UTC)
  EventType type = EventType::kUnknown;
  uint32_t server_id = 0;
  uint32_t event_length = 0;   // header + body + checksum
  uint32_t next_position = 0;  // log_pos: end of this event in the file (0 in some relay/payload events)
  uint16_t flags = 0;
};

// Header flags (LOG_EVENT_*_F).
inline constexpr uint16_t kEventFlagBinlogInUse = 0x0001;
inline constexpr uint16_t kEventFlagArtificial = 0x0020;   // fake ROTATE/FDE sent by the master
inline constexpr uint16_t kEventFlagRelayLog = 0x0040;
inline constexpr uint16_t kEventFlagIgnorable = 0x0080;    // reader may skip an unknown type

}  // namespace vomsrepl
