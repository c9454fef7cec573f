// One row value (Cell) to text: the form mariadb-binlog -vv prints, or a typed
// JSON literal; and typed accessors for the applier.
//
// Formats: MariaDB sql/log_event_client.cc log_event_print_value (what
// mariadb-binlog 10.11 prints after "###   @N="), checked byte for byte
// against tests/data/mariadb-types; MySQL sql/log_event.cc for the MySQL-only
// types (JSON, partial JSON, VECTOR). The per-type byte formats live in
// decimal.h, temporal.h and json_binary.h.
//
// Cell::bytes is exactly what the value occupies in the row image, length
// prefix included for VARCHAR, CHAR, BLOB/TEXT, JSON, GEOMETRY and VECTOR
// (see rows_event.h); the functions here check the prefix against the size.
//
// Errors: Corruption naming the column (name or 0-based index) when the bytes
// are inconsistent with the column type; NotSupported naming the type for the
// old DECIMAL, TYPED_ARRAY, BOOL and INVALID. `out` is restored on error.
// Allocation: none besides growing `out` (callers reuse one string).
#pragma once

#include <cstdint>
#include <string>

#include <vomsrepl/status.h>

#include "binlog/column_type.h"

namespace vomsrepl::binlog {

enum class TextStyle : uint8_t {
  // Exactly the value part mariadb-binlog -vv --base64-output=DECODE-ROWS
  // (MariaDB 10.11) prints after "###   @N=" (the " /* TYPE meta=... */"
  // comment excluded):
  //   NULL                        NULL
  //   TINYINT..BIGINT             signed value, and " (unsigned)" after a negative
  //                               one, whatever the column's signedness: -1 (255)
  //   FLOAT                       printf "%-20g" (padded to 20 columns): "1.5" + 17 spaces
  //   DOUBLE                      printf "%-.20g": 3.141592653589793116
  //   DECIMAL                     exact text, full scale: -1.50
  //   DATE                        '2017:04:24' (colons, as mariadb-binlog)
  //   TIME, TIME2                 '-507:48:27', '05:45:11.123' (fsp digits)
  //   DATETIME, DATETIME2         '2017-04-24 05:45:11.12'
  //   TIMESTAMP, TIMESTAMP2       epoch seconds: 1493012711, 1493012711.12345
  //   YEAR                        1900 + byte (a zero year prints 1900, as mariadb-binlog)
  //   CHAR/VARCHAR/TEXT/BLOB/GEOMETRY  'bytes' with bytes < 0x20 as \xNN, all
  //                               others (quote, backslash, UTF-8) unchanged
  //   ENUM                        index: 2
  //   SET                         b'...' bits of each stored byte, low byte first
  //   BIT                         b'10101' (exactly the column's bit count)
  //   JSON (MySQL)                '{"a": 1}' (MySQL's text, quoted as strings);
  //                               a partial diff as JSON_REPLACE(@N, '$.a', 1)
  //   VECTOR (MySQL 9)            quoted bytes, like a BLOB
  kMariadbBinlog,
  // A JSON literal:
  //   NULL -> null; integers -> numbers (unsigned when the column is known
  //   unsigned); FLOAT/DOUBLE -> shortest round-trip numbers; DECIMAL -> string
  //   "-1.50" (exact); DATE "2017-04-24", TIME "-507:48:27.1", DATETIME
  //   "2017-04-24 05:45:11.12", TIMESTAMP as UTC "2017-04-24 05:45:11" (zero:
  //   "0000-00-00 00:00:00"); YEAR -> number (0 for the zero year);
  //   text columns -> JSON strings when the bytes are UTF-8 (latin1 columns are
  //   converted), otherwise and for binary columns (charset 63) and GEOMETRY
  //   -> "base64:<RFC 4648 base64>"; ENUM/SET -> member strings ("b", "x,z")
  //   when TABLE_MAP carried the names, else the index / bitmask number; BIT ->
  //   number; JSON -> the document itself (compact); partial JSON ->
  //   {"json_diff":[...]} (json_binary.h); VECTOR -> array of floats.
  kJson,
};

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points
// above U+10FFFF).
bool IsUtf8(std::string_view s);

// Appends the text of `cell` in `style` to `out`.
Status AppendCellText(const Cell& cell, TextStyle style, std::string& out);

// Typed accessors. CellInt64: TINYINT..BIGINT (signed or unsigned per the
// column; an unsigned value above INT64_MAX is OutOfRange), YEAR (0 or
// 1901..2155), BIT, ENUM index, SET bitmask (when they fit). CellUInt64: the
// same types; a negative signed value is OutOfRange. CellDouble: FLOAT,
// DOUBLE and every type CellInt64 reads. A NULL cell is InvalidArgument;
// other types are InvalidArgument naming the type.
Result<int64_t> CellInt64(const Cell& cell);
Result<uint64_t> CellUInt64(const Cell& cell);
Result<double> CellDouble(const Cell& cell);

}  // namespace vomsrepl::binlog
