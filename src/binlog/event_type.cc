#include <vomsrepl/event.h>

namespace vomsrepl {

// Names as printed by mariadb-binlog / SHOW BINLOG EVENTS (sql/log_event.cc
// Log_event::get_type_str).
std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::kUnknown: return "Unknown";
    case EventType::kStartV3: return "Start_v3";
    case EventType::kQuery: return "Query";
    case EventType::kStop: return "Stop";
    case EventType::kRotate: return "Rotate";
    case EventType::kIntvar: return "Intvar";
    case EventType::kLoad: return "Load";
    case EventType::kSlave: return "Slave";
    case EventType::kCreateFile: return "Create_file";
    case EventType::kAppendBlock: return "Append_block";
    case EventType::kExecLoad: return "Exec_load";
    case EventType::kDeleteFile: return "Delete_file";
    case EventType::kNewLoad: return "New_load";
    case EventType::kRand: return "RAND";
    case EventType::kUserVar: return "User var";
    case EventType::kFormatDescription: return "Format_desc";
    case EventType::kXid: return "Xid";
    case EventType::kBeginLoadQuery: return "Begin_load_query";
    case EventType::kExecuteLoadQuery: return "Execute_load_query";
    case EventType::kTableMap: return "Table_map";
    case EventType::kPreGaWriteRows: return "Write_rows_event_old";
    case EventType::kPreGaUpdateRows: return "Update_rows_event_old";
    case EventType::kPreGaDeleteRows: return "Delete_rows_event_old";
    case EventType::kWriteRowsV1: return "Write_rows_v1";
    case EventType::kUpdateRowsV1: return "Update_rows_v1";
    case EventType::kDeleteRowsV1: return "Delete_rows_v1";
    case EventType::kIncident: return "Incident";
    case EventType::kHeartbeat: return "Heartbeat";
    case EventType::kIgnorable: return "Ignorable";
    case EventType::kRowsQuery: return "Rows_query";
    case EventType::kWriteRowsV2: return "Write_rows";
    case EventType::kUpdateRowsV2: return "Update_rows";
    case EventType::kDeleteRowsV2: return "Delete_rows";
    case EventType::kGtid: return "Gtid";
    case EventType::kAnonymousGtid: return "Anonymous_Gtid";
    case EventType::kPreviousGtids: return "Previous_gtids";
    case EventType::kTransactionContext: return "Transaction_context";
    case EventType::kViewChange: return "View_change";
    case EventType::kXaPrepare: return "XA_prepare";
    case EventType::kPartialUpdateRows: return "Update_rows_partial";
    case EventType::kTransactionPayload: return "Transaction_payload";
    case EventType::kHeartbeatV2: return "Heartbeat_v2";
    case EventType::kGtidTagged: return "Gtid_tagged_log_event";
    case EventType::kAnnotateRows: return "Annotate_rows";
    case EventType::kBinlogCheckpoint: return "Binlog_checkpoint";
    case EventType::kMariaGtid: return "Gtid";
    case EventType::kMariaGtidList: return "Gtid_list";
    case EventType::kStartEncryption: return "Start_encryption";
    case EventType::kQueryCompressed: return "Query_compressed";
    case EventType::kWriteRowsCompressedV1: return "Write_rows_compressed_v1";
    case EventType::kUpdateRowsCompressedV1: return "Update_rows_compressed_v1";
    case EventType::kDeleteRowsCompressedV1: return "Delete_rows_compressed_v1";
    case EventType::kWriteRowsCompressed: return "Write_rows_compressed";
    case EventType::kUpdateRowsCompressed: return "Update_rows_compressed";
    case EventType::kDeleteRowsCompressed: return "Delete_rows_compressed";
  }
  return "Unknown";
}

}  // namespace vomsrepl
