// TABLE_MAP_EVENT: decoding into a TableSchema, and the cache of the table
// maps seen in a stream, keyed by table id.
//
// Format: MySQL libbinlogevents rows_event.cpp Table_map_event (and
// Table_map_event::Optional_metadata_fields), MySQL sql/rpl_utility.cc
// table_def (per-type metadata), MariaDB sql/log_event.cc
// Table_map_log_event; MySQL internals "TABLE_MAP_EVENT".
//
// Body layout (after the 19-byte header, checksum stripped):
//   table_id    6 bytes (4 when the FDE post-header length for TABLE_MAP is 6)
//   flags       2 bytes
//   db name     1-byte length, bytes, NUL
//   table name  1-byte length, bytes, NUL
//   column count (packed int), column types (1 byte each)
//   metadata length (packed int), metadata (0, 1 or 2 bytes per column)
//   null bitmap ((n + 7) / 8 bytes, LSB first)
//   optional metadata: TLVs of type (1 byte), length (packed int), value.
//
// Thread-safety: free functions are reentrant; a TableMapCache is not
// synchronised (one per stream).
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"
#include "binlog/column_type.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

// Optional metadata field types (MySQL Table_map_event::Optional_metadata_field_type).
enum class TableMapMetadataField : uint8_t {
  kSignedness = 1,               // bitmap (MSB first) over numeric columns: 1 = UNSIGNED
  kDefaultCharset = 2,           // default collation + (char column index, collation) exceptions
  kColumnCharset = 3,            // one collation per character column
  kColumnName = 4,               // one packed-length string per column
  kSetStrValue = 5,              // per SET column: count, then packed-length strings
  kEnumStrValue = 6,             // per ENUM column: count, then packed-length strings
  kGeometryType = 7,             // one packed int per GEOMETRY column
  kSimplePrimaryKey = 8,         // packed column indices
  kPrimaryKeyWithPrefix = 9,     // (packed column index, packed prefix length) pairs
  kEnumAndSetDefaultCharset = 10,  // as kDefaultCharset, over ENUM/SET columns
  kEnumAndSetColumnCharset = 11,   // as kColumnCharset, over ENUM/SET columns
  kColumnVisibility = 12,        // bitmap (MSB first) over all columns: 1 = visible
  kVectorDimensionality = 13,    // one packed int per VECTOR column (MySQL 9)
};

// Table id width for TABLE_MAP and rows events: 4 bytes when the event type's
// post-header length is 6 (MySQL 5.1.0–5.1.3 era servers), 6 otherwise.
inline size_t TableIdWidth(uint8_t post_header_length) { return post_header_length == 6 ? 4 : 6; }

// The table id of a TABLE_MAP or rows event body, without decoding the rest.
// Returns false when the body is too short.
bool PeekTableId(EventType type, Bytes body, const FormatDescription& fde, uint64_t* table_id);

// Decodes a TABLE_MAP body into `out`, reusing its strings and vectors (no
// allocation when `out` already held a table of the same shape). Fills
// every optional-metadata field present, `layout` and `json_column_count`.
// Errors: Corruption (truncated, inconsistent lengths or indices),
// NotSupported (a column type code we do not know: its metadata size is
// unknown, so the rest of the event cannot be read).
// On error `out` is left in an unspecified but valid state.
Status DecodeTableMap(Bytes body, const FormatDescription& fde, TableSchema& out);

// Computes `schema.layout` and `schema.json_column_count` from the columns'
// type and meta (DecodeTableMap calls it; tests building a TableSchema by
// hand call it too). Corruption for impossible metadata (DECIMAL precision
// 0 or > 65, fractional seconds > 6, blob length bytes outside 1..4, ...).
Status BuildRowLayout(TableSchema& schema);

// Table maps of one stream by table id.
//
// Servers send a TABLE_MAP before the rows events of every statement, mostly
// with the same bytes: Update() compares the body with the one it decoded
// last for that id and does nothing when they are equal (no decode, no
// allocation). Clear() forgets every mapping (call it on a new FDE, on ROTATE
// and after a rows event with STMT_END_F, since servers reuse ids) but keeps
// the memory, so the next identical TABLE_MAP is again allocation-free.
//
// The TableSchema pointers returned stay valid until the next Update() or
// Clear() that concerns the same id, and until the cache is destroyed.
class TableMapCache {
 public:
  // Decodes (or recognises) a TABLE_MAP body. `schema` (optional) receives
  // the schema now mapped to its table id.
  Status Update(Bytes body, const FormatDescription& fde, const TableSchema** schema = nullptr);

  // The schema mapped to `table_id`, or nullptr: a rows event naming an
  // unmapped id is an error for the caller (NotFound / Corruption).
  const TableSchema* Find(uint64_t table_id) const {
    auto it = entries_.find(table_id);
    return it != entries_.end() && it->second.live ? &it->second.schema : nullptr;
  }

  void Clear();

  // Number of TABLE_MAP bodies actually decoded (cache misses), for tests and stats.
  uint64_t decode_count() const { return decode_count_; }
  size_t live_count() const;

 private:
  struct Entry {
    bool live = false;
    uint8_t post_header_length = 0;
    std::vector<std::byte> body;
    TableSchema schema;
  };
  // Above this many remembered ids, Clear() really frees dead entries.
  static constexpr size_t kMaxRememberedIds = 4096;

  std::unordered_map<uint64_t, Entry> entries_;
  uint64_t decode_count_ = 0;
};

}  // namespace vomsrepl::binlog
