// Column types as they appear in TABLE_MAP events, and the per-column
// description a TableSchema holds.
//
// Format: MySQL include/field_types.h (enum_field_types), MariaDB
// include/mysql_com.h; optional metadata: MySQL libbinlogevents
// Table_map_event::Optional_metadata_field_type.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

enum class ColumnType : uint8_t {
  kDecimal = 0,     // old DECIMAL (pre-5.0), never in row events of supported servers
  kTiny = 1,
  kShort = 2,
  kLong = 3,
  kFloat = 4,
  kDouble = 5,
  kNull = 6,
  kTimestamp = 7,
  kLongLong = 8,
  kInt24 = 9,
  kDate = 10,
  kTime = 11,
  kDateTime = 12,
  kYear = 13,
  kNewDate = 14,
  kVarchar = 15,
  kBit = 16,
  kTimestamp2 = 17,
  kDateTime2 = 18,
  kTime2 = 19,
  kTypedArray = 20,
  kVector = 242,
  kInvalid = 243,
  kBool = 244,
  kJson = 245,
  kNewDecimal = 246,
  kEnum = 247,
  kSet = 248,
  kTinyBlob = 249,
  kMediumBlob = 250,
  kLongBlob = 251,
  kBlob = 252,
  kVarString = 253,
  kString = 254,
  kGeometry = 255,
};

std::string_view ColumnTypeName(ColumnType type);

// One column of a table as described by a TABLE_MAP event.
//
// `wire_type` and `meta` are what the event says; `type` is the real type
// after resolving MYSQL_TYPE_STRING whose metadata carries ENUM or SET
// (then `type` is kEnum/kSet and `meta` keeps the pack length), and CHAR
// columns longer than 255 bytes (length bits folded into the first meta byte).
struct ColumnDesc {
  ColumnType type = ColumnType::kNull;
  ColumnType wire_type = ColumnType::kNull;
  uint16_t meta = 0;
  bool nullable = true;

  // Optional metadata (binlog_row_metadata=FULL on MySQL 8 / MariaDB 10.5+).
  bool has_signedness = false;
  bool is_unsigned = false;
  uint32_t charset = 0;            // collation id, 0 = unknown
  std::string name;                // empty = unknown
  std::vector<std::string> enum_values;  // ENUM / SET member strings
  uint32_t geometry_type = 0;
  bool is_primary_key = false;
  uint32_t primary_key_prefix = 0; // 0 = whole column
  bool visible = true;
  uint32_t vector_dimensions = 0;  // MySQL 9 VECTOR

  // Added for the rows decoder (DecodeTableMap fills them):
  // The 0..2 metadata bytes exactly as the TABLE_MAP sent them, combined the
  // way the server's table_def does (STRING: byte0 << 8 | byte1; VARCHAR:
  // little-endian; BIT: bytes << 8 | bits; NEWDECIMAL: precision << 8 | scale).
  uint16_t wire_meta = 0;
  // CHAR/BINARY (type kString), VARCHAR, VAR_STRING: maximum length in bytes
  // (for CHAR the real length after undoing the > 255 trick). 0 otherwise.
  uint32_t max_length = 0;

  bool IsNumeric() const;
  bool IsString() const;  // CHAR/VARCHAR/TEXT/BLOB/ENUM/SET
};

// How a value of one column is laid out in a row image, chosen once per
// TABLE_MAP (DecodeTableMap / BuildRowLayout) so the row walker never
// switches on the column type per value.
struct ValueLayout {
  uint8_t length_bytes = 0;  // 0: fixed size; 1..4: little-endian length prefix, then that many bytes
  bool supported = true;     // false: a type whose row format we do not decode (NotSupported if present)
  bool is_json = false;      // counts in the PARTIAL_UPDATE_ROWS partial-JSON bitmap
  uint16_t fixed_size = 0;   // value size when length_bytes == 0
};

// The decoded form of one TABLE_MAP: database, table, columns. Owned copy,
// kept by the TableMapCache until the table id is reused or the stream
// rotates.
struct TableSchema {
  uint64_t table_id = 0;
  uint16_t flags = 0;
  std::string database;
  std::string table;
  std::vector<ColumnDesc> columns;
  bool has_primary_key_metadata = false;
  std::vector<uint32_t> primary_key;  // column indices, in key order

  // Added for the rows decoder (DecodeTableMap fills them):
  std::vector<ValueLayout> layout;     // one per column, same order as `columns`
  uint32_t json_column_count = 0;      // columns of wire type JSON
  uint32_t unknown_metadata_fields = 0;  // optional-metadata TLVs of a type we do not know (skipped)
};

// One value of one row image: a view into the event buffer (valid until the
// next event is read). For a NULL, `bytes` is empty.
struct Cell {
  const ColumnDesc* column = nullptr;
  uint32_t index = 0;  // column position in the table (0-based)
  bool is_null = false;
  // PARTIAL_UPDATE_ROWS after-image of a JSON column sent as a diff
  // (binlog_row_value_options=PARTIAL_JSON): `bytes` holds the diff list, not
  // a whole binary JSON document.
  bool is_partial_json = false;
  Bytes bytes;         // exactly the bytes this value occupies in the row image
};

}  // namespace vomsrepl::binlog
