// Shared by the fuzz targets: decode one event body with every decoder that
// applies to its type, and render every cell of a rows event in both text
// styles. Results are discarded: the targets look for crashes, undefined
// behaviour, leaks and hangs, never for a particular outcome.
#pragma once

#include <string>
#include <vector>

#include "binlog/events.h"
#include "binlog/format_description.h"
#include "binlog/rows_event.h"
#include "binlog/table_map.h"
#include "binlog/value_text.h"

namespace vomsrepl::binlog::fuzz {

// ForEachRow visitor: both text styles for every cell.
struct TextVisitor {
  std::string text;
  void BeginRow(RowImage) {}
  void EndRow() {}
  void OnCell(const Cell& cell) {
    text.clear();
    (void)AppendCellText(cell, TextStyle::kMariadbBinlog, text);
    text.clear();
    (void)AppendCellText(cell, TextStyle::kJson, text);
  }
};

struct DecodeState {
  TableMapCache tables;
  std::vector<std::byte> scratch;
  std::vector<MariaGtidListEntry> gtid_list;
  TextVisitor visitor;
};

// Decodes `body` (checksum stripped) of an event of `type` under `fde`.
// TABLE_MAP goes into the cache; a rows event is walked against the cached
// table map of its id, if any.
inline void DecodeEventBody(EventType type, Bytes body, const FormatDescription& fde, uint32_t server_id,
                            DecodeState& s) {
  switch (type) {
    case EventType::kTableMap:
      (void)s.tables.Update(body, fde);
      return;
    case EventType::kQuery:
    case EventType::kQueryCompressed:
      (void)DecodeQuery(type, body, fde, s.scratch);
      return;
    case EventType::kRotate:
      (void)DecodeRotate(body, fde);
      s.tables.Clear();
      return;
    case EventType::kXid: (void)DecodeXid(body); return;
    case EventType::kIntvar: (void)DecodeIntvar(body); return;
    case EventType::kRand: (void)DecodeRand(body); return;
    case EventType::kUserVar: (void)DecodeUserVar(body); return;
    case EventType::kIncident: (void)DecodeIncident(body); return;
    case EventType::kRowsQuery:
    case EventType::kAnnotateRows:
      (void)DecodeRowsQuery(type, body);
      return;
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
    case EventType::kGtidTagged:
      (void)DecodeMysqlGtid(type, body);
      return;
    case EventType::kPreviousGtids: (void)DecodePreviousGtids(body); return;
    case EventType::kMariaGtid: (void)DecodeMariaGtid(body, server_id); return;
    case EventType::kMariaGtidList: (void)DecodeMariaGtidList(body, s.gtid_list); return;
    case EventType::kBinlogCheckpoint: (void)DecodeBinlogCheckpoint(body); return;
    case EventType::kTransactionPayload: (void)DecodeTransactionPayload(body); return;
    default:
      break;
  }
  if (!IsRowsEvent(type)) return;
  auto rows = DecodeRowsEvent(type, body, fde, s.scratch);
  if (!rows.ok()) return;
  if (const TableSchema* schema = s.tables.Find(rows->table_id)) {
    uint64_t count = 0;
    (void)CountRows(*rows, *schema, &count);
    (void)ForEachRow(*rows, *schema, s.visitor);
  }
  if (rows->end_of_statement) s.tables.Clear();
}

}  // namespace vomsrepl::binlog::fuzz
