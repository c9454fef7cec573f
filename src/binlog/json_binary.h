// MySQL binary JSON (column type JSON, 245) to JSON text, and the partial
// JSON update diffs of PARTIAL_UPDATE_ROWS events.
//
// Formats: MySQL sql/json_binary.h/.cc (document layout), sql/json_diff.cc
// (Json_diff_vector::write_binary: operation byte, packed path length, path,
// packed value length, binary value), sql/log_event.cc (how mysqlbinlog -v
// prints a diff list: JSON_REPLACE(@N, 'path', value, ...) nested).
//
// A document is a type byte and a value. Containers (small: 2-byte counts and
// offsets, large: 4-byte) hold element count, byte size, key entries (offset,
// 2-byte length) for objects, value entries (type byte, then an offset into
// the container or the value itself when it fits: literals, int16, uint16,
// and in large containers int32, uint32), then keys and values. Strings and
// opaque values carry a variable-length length (7 bits per byte, low first).
//
// Hostile input: every offset and length is checked against the enclosing
// container; nesting deeper than kJsonMaxDepth and documents whose values
// overlap so that walking them would visit more values than the document has
// bytes (a cycle-free but exponential "DAG") are Corruption, never a crash or
// a runaway. `out` is restored to its length before the call on error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

// Containers nested deeper than this are refused (MySQL's
// JSON_DOCUMENT_MAX_DEPTH is 100 as well).
inline constexpr int kJsonMaxDepth = 100;

enum class JsonTextStyle : uint8_t {
  // {"a":1,"b":[true,null]}: no spaces; OPAQUE DECIMAL as a string ("9.00"),
  // DATETIME/TIMESTAMP as "YYYY-MM-DD hh:mm:ss.ffffff", TIME "hh:mm:ss.ffffff",
  // DATE "YYYY-MM-DD", any other OPAQUE as "base64:type<N>:<base64>".
  kCompact,
  // {"a": 1, "b": [true, null]}: as MySQL's Json_wrapper::to_string prints it
  // (what mysqlbinlog -v shows); OPAQUE DECIMAL as a bare number.
  kMysql,
};

// Appends the JSON text of one binary JSON document (no column length
// prefix). An empty document is JSON null, as MySQL reads it.
Status AppendJsonBinaryText(Bytes doc, JsonTextStyle style, std::string& out);

// Appends `bytes` as a JSON string literal: quotes, \" \\ \b \f \n \r \t, other
// bytes below 0x20 as \u00XX; all other bytes unchanged (UTF-8 passes through).
void AppendJsonString(std::string_view bytes, std::string& out);

// Appends `bytes` single-quoted as mariadb-binlog / mysqlbinlog print
// strings: bytes below 0x20 as \xNN (lower-case hex), every other byte
// unchanged (a quote or backslash is not escaped).
// Format: MariaDB sql/log_event_client.cc my_b_write_quoted.
void AppendMysqlbinlogQuoted(std::string_view bytes, std::string& out);

// Appends standard base64 (RFC 4648, with padding) of `bytes`.
void AppendBase64(Bytes bytes, std::string& out);

// Shortest text that reads back to the same double (std::to_chars); ".0" is
// added to integral values ("3.0") so they read back as doubles. False for
// NaN and infinities (not representable in JSON).
bool AppendJsonDouble(double v, std::string& out);

enum class JsonDiffOperation : uint8_t { kReplace = 0, kInsert = 1, kRemove = 2 };

// One entry of a partial JSON diff list; views into the row image.
struct JsonDiff {
  JsonDiffOperation operation = JsonDiffOperation::kReplace;
  std::string_view path;  // e.g. "$.a[2]"
  Bytes value;            // binary JSON document (type byte + value); empty for kRemove
};

// Walks a diff list (the bytes after the column's length prefix).
class JsonDiffReader {
 public:
  explicit JsonDiffReader(Bytes diffs) : cursor_(diffs) {}
  // True and fills `diff` for the next entry; false at the end or on error
  // (then status() says which).
  bool Next(JsonDiff* diff);
  const Status& status() const { return status_; }

 private:
  ByteCursor cursor_;
  Status status_;
};

// Appends the diff list as mysqlbinlog -v prints it for column number
// `column_number` (1-based): "JSON_REPLACE(@3, '$.role', 'IC')", consecutive
// operations of one kind share a call, different kinds nest with
// ",\n###      " between arguments ("JSON_REMOVE(\n###      JSON_REPLACE(@3,
// '$.day', 'monday'),\n###      '$.favorite_color')"); an INSERT whose path
// ends in ']' is JSON_ARRAY_INSERT; string values are single-quoted, others
// are JSON text (kMysql style); an empty list prints "@N".
Status AppendJsonDiffMysqlbinlog(Bytes diffs, uint32_t column_number, std::string& out);

// Appends the diff list as JSON: {"json_diff":[{"op":"replace","path":"$.a",
// "value":<compact JSON>},{"op":"remove","path":"$.b"}]}.
Status AppendJsonDiffJson(Bytes diffs, std::string& out);

}  // namespace vomsrepl::binlog
