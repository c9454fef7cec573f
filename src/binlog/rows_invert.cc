#include "binlog/rows_invert.h"

#include <string>

namespace vomsrepl::binlog {
namespace {

struct IgnoreCells {
  void BeginRow(RowImage) {}
  void OnCell(const Cell&) {}
  void EndRow() {}
};

// One row: its first image is [begin, middle), its second (UPDATE) [middle, end).
struct RowSpan {
  const std::byte* begin;
  const std::byte* middle;
  const std::byte* end;
};

// "`db`.`t`: ..." without quoting rules: for messages only.
std::string TableName(const TableSchema& s) { return "`" + s.database + "`.`" + s.table + "`"; }

Status RequireWholeImage(const TableSchema& schema, Bytes present, const char* which) {
  const uint32_t n = uint32_t(schema.columns.size());
  if (rows_internal::CountBits(present, n) == n) return Status::OK();
  std::string missing;
  for (uint32_t i = 0; i < n; ++i) {
    if (rows_internal::BitSet(present, i)) continue;
    if (!missing.empty()) missing += ", ";
    missing += schema.columns[i].name.empty() ? "#" + std::to_string(i + 1) : "`" + schema.columns[i].name + "`";
  }
  return NotSupported(TableName(schema) + ": the " + which + " image lacks column(s) " + missing +
                      ", so the values to restore are not in the binlog; undo needs binlog_row_image=FULL on the "
                      "master when these changes were made");
}

}  // namespace

Status InvertRowsEvent(const RowsEventView& event, const TableSchema& schema, std::vector<std::byte>& rows_out,
                       RowsEventView* inverted) {
  using namespace rows_internal;
  if (event.kind == RowsKind::kPartialUpdate)
    return NotSupported(TableName(schema) + ": a PARTIAL_UPDATE_ROWS event (binlog_row_value_options=PARTIAL_JSON) "
                        "carries JSON diffs, not the after image: it cannot be undone");
  const uint32_t n = uint32_t(schema.columns.size());
  const size_t bitmap_bytes = (size_t(n) + 7) / 8;
  const bool update = event.kind == RowsKind::kUpdate;
  if (event.column_count != n || schema.layout.size() != n || event.columns_before.size() != bitmap_bytes ||
      (update && event.columns_after.size() != bitmap_bytes))
    return SchemaMismatch(event, schema);
  if (event.kind != RowsKind::kWrite) VOMSREPL_RETURN_IF_ERROR(RequireWholeImage(schema, event.columns_before, "before"));
  if (update) VOMSREPL_RETURN_IF_ERROR(RequireWholeImage(schema, event.columns_after, "after"));

  const uint32_t first_count = CountBits(event.columns_before, n);
  const uint32_t after_count = update ? CountBits(event.columns_after, n) : 0;
  const RowImage first_image = event.kind == RowsKind::kWrite ? RowImage::kAfter : RowImage::kBefore;
  std::vector<RowSpan> spans;
  IgnoreCells ignore;
  const std::byte* pos = event.rows.data();
  const std::byte* end = pos + event.rows.size();
  uint64_t row = 0;
  while (pos < end) {
    ++row;
    RowSpan s{pos, nullptr, nullptr};
    VOMSREPL_RETURN_IF_ERROR(
        WalkImage(schema, event.columns_before, first_count, first_image, false, row, pos, end, ignore));
    s.middle = pos;
    if (update)
      VOMSREPL_RETURN_IF_ERROR(
          WalkImage(schema, event.columns_after, after_count, RowImage::kAfter, false, row, pos, end, ignore));
    s.end = pos;
    if (s.end == s.begin) return EmptyRow(schema, row);
    spans.push_back(s);
  }

  rows_out.clear();
  rows_out.reserve(event.rows.size());
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (update) rows_out.insert(rows_out.end(), it->middle, it->end);  // the after image first: now "before"
    rows_out.insert(rows_out.end(), it->begin, it->middle);
  }
  RowsEventView out = event;
  out.rows = Bytes(rows_out.data(), rows_out.size());
  switch (event.kind) {
    case RowsKind::kWrite: out.kind = RowsKind::kDelete; out.type = EventType::kDeleteRowsV1; break;
    case RowsKind::kDelete: out.kind = RowsKind::kWrite; out.type = EventType::kWriteRowsV1; break;
    default:
      out.type = EventType::kUpdateRowsV1;
      out.columns_before = event.columns_after;
      out.columns_after = event.columns_before;
      break;
  }
  *inverted = out;
  return Status::OK();
}

}  // namespace vomsrepl::binlog
