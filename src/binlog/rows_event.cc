#include "binlog/rows_event.h"

#include <string>

#include "binlog/compression.h"
#include "binlog/table_map.h"

namespace vomsrepl::binlog {
namespace {

struct RowsTypeInfo {
  bool valid = false;
  RowsKind kind = RowsKind::kWrite;
  bool pre_ga = false;
  bool compressed = false;
  uint8_t default_post_header = 8;  // when the FDE does not list the type
};

RowsTypeInfo Classify(EventType type) {
  switch (type) {
    case EventType::kPreGaWriteRows: return {true, RowsKind::kWrite, true, false, 8};
    case EventType::kPreGaUpdateRows: return {true, RowsKind::kUpdate, true, false, 8};
    case EventType::kPreGaDeleteRows: return {true, RowsKind::kDelete, true, false, 8};
    case EventType::kWriteRowsV1: return {true, RowsKind::kWrite, false, false, 8};
    case EventType::kUpdateRowsV1: return {true, RowsKind::kUpdate, false, false, 8};
    case EventType::kDeleteRowsV1: return {true, RowsKind::kDelete, false, false, 8};
    case EventType::kWriteRowsV2: return {true, RowsKind::kWrite, false, false, 10};
    case EventType::kUpdateRowsV2: return {true, RowsKind::kUpdate, false, false, 10};
    case EventType::kDeleteRowsV2: return {true, RowsKind::kDelete, false, false, 10};
    case EventType::kPartialUpdateRows: return {true, RowsKind::kPartialUpdate, false, false, 10};
    case EventType::kWriteRowsCompressedV1: return {true, RowsKind::kWrite, false, true, 8};
    case EventType::kUpdateRowsCompressedV1: return {true, RowsKind::kUpdate, false, true, 8};
    case EventType::kDeleteRowsCompressedV1: return {true, RowsKind::kDelete, false, true, 8};
    case EventType::kWriteRowsCompressed: return {true, RowsKind::kWrite, false, true, 10};
    case EventType::kUpdateRowsCompressed: return {true, RowsKind::kUpdate, false, true, 10};
    case EventType::kDeleteRowsCompressed: return {true, RowsKind::kDelete, false, true, 10};
    default: return {};
  }
}

std::string Where(EventType type, uint64_t table_id) {
  return std::string(EventTypeName(type)) + " table_id " + std::to_string(table_id);
}

std::string TableLabel(const TableSchema& t) {
  return t.database + "." + t.table + " (table_id " + std::to_string(t.table_id) + ")";
}

std::string ColumnLabel(const TableSchema& t, uint32_t column) {
  std::string s = "column " + std::to_string(column);
  if (column < t.columns.size()) {
    const ColumnDesc& c = t.columns[column];
    // Appended piecewise: GCC 12 at -O3 reports a false -Wrestrict on
    // `" `" + name` temporaries.
    if (!c.name.empty()) {
      s += " `";
      s += c.name;
      s += '`';
    }
    s += ' ';
    s += ColumnTypeName(c.type);
  }
  return s;
}

const char* ImageName(RowImage image) { return image == RowImage::kBefore ? "before" : "after"; }

}  // namespace

bool IsRowsEvent(EventType type) { return Classify(type).valid; }

// Format: MySQL libbinlogevents rows_event.cpp Rows_event::Rows_event (v1/v2
// post-header, extra row info, column bitmaps); MariaDB sql/log_event.cc
// Rows_log_event::Rows_log_event (compressed rows: binlog_buf_uncompress).
Result<RowsEventView> DecodeRowsEvent(EventType type, Bytes body, const FormatDescription& fde,
                                      std::vector<std::byte>& scratch) {
  RowsTypeInfo info = Classify(type);
  if (!info.valid) return NotSupported(std::string(EventTypeName(type)) + " is not a rows event");
  uint8_t post_header = fde.PostHeaderLength(type);
  if (post_header == 0) post_header = info.default_post_header;  // not listed (MariaDB types) or 0 (5.1 FDEs for pre-GA types)
  if (post_header != 6 && post_header != 8 && post_header != 10)
    return NotSupported(std::string(EventTypeName(type)) + ": the FDE (server " + fde.server_version +
                        ") gives this type a post-header of " + std::to_string(post_header) +
                        " bytes, not a rows event layout (6, 8 or 10)");

  RowsEventView ev;
  ev.type = type;
  ev.kind = info.kind;
  ByteCursor c(body);
  size_t id_width = TableIdWidth(post_header);
  ev.table_id = c.ReadUIntN(id_width);
  ev.flags = c.ReadU16();
  ev.end_of_statement = (ev.flags & kRowsFlagStmtEnd) != 0;
  if (!c.ok()) return Corruption(Where(type, ev.table_id) + ": post-header truncated (" + std::to_string(body.size()) + " bytes)");
  size_t used = id_width + 2;
  if (post_header >= 10) {
    // v2: extra_data_length counts its own 2 bytes.
    uint16_t extra_len = c.ReadU16();
    used += 2;
    if (!c.ok() || extra_len < 2)
      return Corruption(Where(type, ev.table_id) + ": extra row info length " + std::to_string(extra_len) + " (< 2 or truncated)");
    ev.extra_data = c.ReadBytes(extra_len - 2u);
    if (!c.ok()) return Corruption(Where(type, ev.table_id) + ": extra row info of " + std::to_string(extra_len) + " bytes truncated");
  }
  if (post_header > used) c.Skip(post_header - used);  // post-header fields of a newer server

  uint64_t columns = c.ReadPackedInt();
  if (!c.ok()) return Corruption(Where(type, ev.table_id) + ": column count truncated");
  if (columns == 0 || columns > (uint64_t(c.remaining()) * 8))
    return Corruption(Where(type, ev.table_id) + ": column count " + std::to_string(columns) + " impossible for the event size");
  ev.column_count = uint32_t(columns);
  size_t bitmap_bytes = size_t((columns + 7) / 8);
  ev.columns_before = c.ReadBytes(bitmap_bytes);
  if (info.kind == RowsKind::kUpdate || info.kind == RowsKind::kPartialUpdate)
    ev.columns_after = info.pre_ga ? ev.columns_before : c.ReadBytes(bitmap_bytes);
  if (!c.ok()) return Corruption(Where(type, ev.table_id) + ": columns bitmap truncated");

  if (info.compressed) {
    Status st = UncompressMariadbPayload(c.rest(), scratch);
    if (!st.ok()) return st.WithContext(Where(type, ev.table_id) + ": compressed rows");
    ev.rows = Bytes(scratch.data(), scratch.size());
  } else {
    ev.rows = c.rest();
  }
  return ev;
}

namespace {
struct RowCounter {
  uint64_t images = 0;
  void BeginRow(RowImage) {}
  void OnCell(const Cell&) {}
  void EndRow() { ++images; }
};
}  // namespace

Status CountRows(const RowsEventView& event, const TableSchema& schema, uint64_t* rows) {
  RowCounter counter;
  Status st = ForEachRow(event, schema, counter);
  bool pairs = event.kind == RowsKind::kUpdate || event.kind == RowsKind::kPartialUpdate;
  *rows = pairs ? counter.images / 2 : counter.images;
  return st;
}

namespace rows_internal {

Status SchemaMismatch(const RowsEventView& event, const TableSchema& schema) {
  if (schema.layout.size() != schema.columns.size())
    return Internal(TableLabel(schema) + ": row layout not built (call BuildRowLayout)");
  return Corruption(std::string(EventTypeName(event.type)) + " on " + TableLabel(schema) + " has " +
                    std::to_string(event.column_count) + " columns (bitmaps of " +
                    std::to_string(event.columns_before.size()) + "/" + std::to_string(event.columns_after.size()) +
                    " bytes), its TABLE_MAP " + std::to_string(schema.columns.size()));
}

Status ValueOverrun(const TableSchema& schema, uint32_t column, uint64_t row, RowImage image) {
  return Corruption(TableLabel(schema) + " row " + std::to_string(row) + " (" + ImageName(image) + " image): " +
                    ColumnLabel(schema, column) + " runs past the row data");
}

Status ImageOverrun(const TableSchema& schema, uint64_t row, RowImage image, const char* what) {
  return Corruption(TableLabel(schema) + " row " + std::to_string(row) + " (" + ImageName(image) + " image): " + what +
                    " runs past the row data");
}

Status UnsupportedColumn(const TableSchema& schema, uint32_t column) {
  return NotSupported(TableLabel(schema) + ": " + ColumnLabel(schema, column) + " (type code " +
                      std::to_string(unsigned(schema.columns[column].type)) + "): row format not supported");
}

Status BadValueOptions(const TableSchema& schema, uint64_t row, uint64_t options) {
  return Corruption(TableLabel(schema) + " row " + std::to_string(row) + ": PARTIAL_UPDATE_ROWS value_options " +
                    std::to_string(options) + " (only PARTIAL_JSON_UPDATES = 1 exists)");
}

Status EmptyRow(const TableSchema& schema, uint64_t row) {
  return Corruption(TableLabel(schema) + " row " + std::to_string(row) + ": row images of zero bytes with data left");
}

}  // namespace rows_internal
}  // namespace vomsrepl::binlog
