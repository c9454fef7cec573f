// Rows events (WRITE/UPDATE/DELETE_ROWS in every version, MySQL
// PARTIAL_UPDATE_ROWS, MariaDB compressed rows): a zero-copy view of the
// event, and a template row walker that hands each value to a visitor.
//
// Format: MySQL libbinlogevents rows_event.cpp Rows_event::Rows_event and
// sql/rpl_record.cc pack_row/unpack_row (row image, partial JSON bits);
// MariaDB sql/log_event.cc Rows_log_event::Rows_log_event (compressed rows);
// MySQL internals "ROWS_EVENT".
//
// Body layout (after the 19-byte header, checksum stripped):
//   table_id 6 bytes (4 when the post-header length is 6), flags 2 bytes,
//   v2 only: extra_data_length 2 bytes (counting itself), extra row info;
//   column count (packed int), columns-present bitmap of the before image
//   (or of the only image), UPDATE/PARTIAL_UPDATE: bitmap of the after image;
//   rows (MariaDB *_COMPRESSED: the rows part is zlib-compressed).
// Each row image: [PARTIAL_UPDATE after image: value_options (packed int),
// and when it has PARTIAL_JSON_UPDATES a bitmap over all JSON columns of the
// table], a null bitmap over the present columns, then the values of the
// present non-NULL columns in column order.
//
// Lifetime: every Bytes of a RowsEventView, and every Cell handed to a
// visitor, points into the event body or into `scratch` (compressed
// events): valid until the next event is read or `scratch` is reused.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

#include <vomsrepl/event.h>
#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"
#include "binlog/column_type.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

enum class RowsKind : uint8_t { kWrite, kUpdate, kDelete, kPartialUpdate };
enum class RowImage : uint8_t { kBefore, kAfter };

// Rows event flags (MySQL Rows_event::enum_flag).
inline constexpr uint16_t kRowsFlagStmtEnd = 0x0001;
inline constexpr uint16_t kRowsFlagNoForeignKeyChecks = 0x0002;
inline constexpr uint16_t kRowsFlagRelaxedUniqueChecks = 0x0004;
inline constexpr uint16_t kRowsFlagCompleteRows = 0x0008;

// PARTIAL_UPDATE_ROWS value_options bit (MySQL binlog_row_value_options).
inline constexpr uint64_t kRowValuePartialJsonUpdates = 1;

// True for the 16 rows event types (20-25, 30-32, 39, 166-171).
bool IsRowsEvent(EventType type);

struct RowsEventView {
  EventType type = EventType::kUnknown;
  RowsKind kind = RowsKind::kWrite;
  uint64_t table_id = 0;
  uint16_t flags = 0;
  bool end_of_statement = false;  // STMT_END_F: drop the table maps after this event
  uint32_t column_count = 0;
  Bytes columns_before;  // present-columns bitmap (LSB first) of the before image, or of the only image
  Bytes columns_after;   // of the after image (UPDATE / PARTIAL_UPDATE); empty otherwise
  Bytes extra_data;      // v2 extra row info (TLVs: NDB info, partition ids), without its length field
  Bytes rows;            // the row images (decompressed for MariaDB compressed events)

  bool has_before_image() const { return kind != RowsKind::kWrite; }
  bool has_after_image() const { return kind != RowsKind::kDelete; }
};

// Decodes the fixed part of a rows event. Pre-GA types 20-22 (MySQL 5.1
// betas) are decoded as v1, except that their UPDATE carries a single
// columns bitmap for both images. MariaDB compressed events are
// uncompressed into `scratch` (reused: no allocation once it has grown).
// Errors: Corruption (truncated, zero columns, bad extra-data length,
// bad compressed payload), NotSupported (not a rows event type).
Result<RowsEventView> DecodeRowsEvent(EventType type, Bytes body, const FormatDescription& fde,
                                      std::vector<std::byte>& scratch);

// Visitor contract for ForEachRow (no base class, no virtual call):
//   void BeginRow(RowImage image);  // one row image starts
//   void OnCell(const Cell& cell);  // once per column present in that image, in column order;
//                                   // NULL values come with is_null = true and empty bytes
//   void EndRow();                  // the image ends
// WRITE rows give one kAfter image per row, DELETE one kBefore image; UPDATE
// and PARTIAL_UPDATE rows give a kBefore image immediately followed by the
// kAfter image of the same row. Cell::bytes is exactly what the value
// occupies in the row image, length prefix included for length-prefixed
// types (VARCHAR, CHAR, BLOB/TEXT, JSON, GEOMETRY, VECTOR). A partial JSON
// diff (PARTIAL_UPDATE after image) has is_partial_json = true and is laid
// out like a JSON value (length prefix, then the diff list).
// Errors: Corruption (value past the row data, bitmap or column count not
// matching the TABLE_MAP), NotSupported (a present column of a type whose
// row format we do not know). Cells already delivered stay delivered.
template <class V>
Status ForEachRow(const RowsEventView& event, const TableSchema& schema, V& visitor);

// Number of rows (an UPDATE before/after pair counts once), walking sizes only.
Status CountRows(const RowsEventView& event, const TableSchema& schema, uint64_t* rows);

// ---------------------------------------------------------------------------
// Implementation.

namespace rows_internal {

// Cold paths: build the error messages out of line.
Status SchemaMismatch(const RowsEventView& event, const TableSchema& schema);
Status ValueOverrun(const TableSchema& schema, uint32_t column, uint64_t row, RowImage image);
Status ImageOverrun(const TableSchema& schema, uint64_t row, RowImage image, const char* what);
Status UnsupportedColumn(const TableSchema& schema, uint32_t column);
Status BadValueOptions(const TableSchema& schema, uint64_t row, uint64_t options);
Status EmptyRow(const TableSchema& schema, uint64_t row);

inline bool BitSet(Bytes bitmap, uint32_t i) {
  return (std::to_integer<uint8_t>(bitmap[i >> 3]) >> (i & 7)) & 1;
}

// Number of set bits among the first `n` bits of an LSB-first bitmap.
inline uint32_t CountBits(Bytes bitmap, uint32_t n) {
  uint32_t count = 0;
  uint32_t full = n / 8;
  for (uint32_t i = 0; i < full; ++i) count += uint32_t(std::popcount(std::to_integer<uint8_t>(bitmap[i])));
  if (n % 8) count += uint32_t(std::popcount(uint8_t(std::to_integer<uint8_t>(bitmap[full]) & ((1u << (n % 8)) - 1))));
  return count;
}

// Walks one row image at `*pos`; on success advances *pos past it.
template <class V>
inline Status WalkImage(const TableSchema& schema, Bytes present, uint32_t present_count, RowImage image,
                        bool partial_after, uint64_t row, const std::byte*& pos, const std::byte* end,
                        V& visitor) {
  const std::byte* p = pos;
  Bytes partial_bits;
  if (partial_after) {
    // value_options (packed int), then partial bits over every JSON column.
    ByteCursor c(Bytes(p, size_t(end - p)));
    uint64_t options = c.ReadPackedInt();
    if (!c.ok()) return ImageOverrun(schema, row, image, "value_options");
    if (options > kRowValuePartialJsonUpdates) return BadValueOptions(schema, row, options);
    if (options & kRowValuePartialJsonUpdates) partial_bits = c.ReadBytes((schema.json_column_count + 7) / 8);
    if (!c.ok()) return ImageOverrun(schema, row, image, "partial JSON bitmap");
    p = c.rest().data();
  }
  size_t null_bytes = (present_count + 7) / 8;
  if (size_t(end - p) < null_bytes) return ImageOverrun(schema, row, image, "null bitmap");
  Bytes nulls(p, null_bytes);
  p += null_bytes;

  visitor.BeginRow(image);
  const uint32_t n = uint32_t(schema.columns.size());
  const ValueLayout* layout = schema.layout.data();
  uint32_t k = 0;      // index among present columns (null bitmap position)
  uint32_t json = 0;   // index among JSON columns (partial bitmap position)
  Cell cell;
  for (uint32_t i = 0; i < n; ++i) {
    const ValueLayout& l = layout[i];
    bool is_partial = false;
    if (l.is_json) {
      if (!partial_bits.empty()) is_partial = BitSet(partial_bits, json);
      ++json;
    }
    if (!BitSet(present, i)) continue;
    cell.column = &schema.columns[i];
    cell.index = i;
    cell.is_partial_json = false;
    if (BitSet(nulls, k++)) {
      cell.is_null = true;
      cell.bytes = {};
      visitor.OnCell(cell);
      continue;
    }
    size_t size;
    if (l.length_bytes == 0) {
      if (!l.supported) [[unlikely]]
        return UnsupportedColumn(schema, i);
      size = l.fixed_size;
    } else {
      size_t lb = l.length_bytes;
      if (size_t(end - p) < lb) [[unlikely]]
        return ValueOverrun(schema, i, row, image);
      uint64_t len = 0;
      switch (lb) {
        case 1: len = LoadLE<1>(p); break;
        case 2: len = LoadLE<2>(p); break;
        case 3: len = LoadLE<3>(p); break;
        default: len = LoadLE<4>(p); break;
      }
      size = lb + size_t(len);
    }
    if (size_t(end - p) < size) [[unlikely]]
      return ValueOverrun(schema, i, row, image);
    cell.is_null = false;
    cell.is_partial_json = is_partial;
    cell.bytes = Bytes(p, size);
    p += size;
    visitor.OnCell(cell);
  }
  visitor.EndRow();
  pos = p;
  return Status::OK();
}

}  // namespace rows_internal

template <class V>
Status ForEachRow(const RowsEventView& event, const TableSchema& schema, V& visitor) {
  using namespace rows_internal;
  const uint32_t n = uint32_t(schema.columns.size());
  const size_t bitmap_bytes = (size_t(n) + 7) / 8;
  const bool two_images = event.kind == RowsKind::kUpdate || event.kind == RowsKind::kPartialUpdate;
  if (event.column_count != n || schema.layout.size() != n || event.columns_before.size() != bitmap_bytes ||
      (two_images && event.columns_after.size() != bitmap_bytes)) [[unlikely]]
    return SchemaMismatch(event, schema);

  const uint32_t before_count = CountBits(event.columns_before, n);
  const uint32_t after_count = two_images ? CountBits(event.columns_after, n) : 0;
  const std::byte* pos = event.rows.data();
  const std::byte* end = pos + event.rows.size();
  uint64_t row = 0;
  while (pos < end) {
    ++row;
    const std::byte* row_start = pos;
    switch (event.kind) {
      case RowsKind::kWrite:
        VOMSREPL_RETURN_IF_ERROR(WalkImage(schema, event.columns_before, before_count, RowImage::kAfter, false,
                                           row, pos, end, visitor));
        break;
      case RowsKind::kDelete:
        VOMSREPL_RETURN_IF_ERROR(WalkImage(schema, event.columns_before, before_count, RowImage::kBefore, false,
                                           row, pos, end, visitor));
        break;
      case RowsKind::kUpdate:
      case RowsKind::kPartialUpdate:
        VOMSREPL_RETURN_IF_ERROR(WalkImage(schema, event.columns_before, before_count, RowImage::kBefore, false,
                                           row, pos, end, visitor));
        VOMSREPL_RETURN_IF_ERROR(WalkImage(schema, event.columns_after, after_count, RowImage::kAfter,
                                           event.kind == RowsKind::kPartialUpdate, row, pos, end, visitor));
        break;
    }
    if (pos == row_start) [[unlikely]]
      return EmptyRow(schema, row);  // images of zero bytes would loop forever
  }
  return Status::OK();
}

}  // namespace vomsrepl::binlog
