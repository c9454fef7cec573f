// From binlog row cells to prepared-statement parameters (binary protocol).
//
// ConvertCell turns one binlog::Cell (a view into a row image) into a
// BoundValue that owns nothing but offsets into a caller's byte arena, so a
// batch of rows outlives the rows events it came from. The values are in
// vomsrepl's own terms (ParamType, ParamTime): ReplicaSession turns them into
// the connector's parameter array (MYSQL_BIND) for one execution, inside
// replica_session.cc, so no header of apply needs <mysql.h>.
//
// Conversion per column type (formats: binlog/rows_event.h, temporal.h,
// decimal.h, json_binary.h):
//   TINYINT..BIGINT      LONGLONG, sign-extended unless the column is unsigned
//   YEAR                 SHORT: 0 (the zero year) or 1901..2155
//   FLOAT / DOUBLE       FLOAT / DOUBLE, bit-exact
//   DECIMAL              NEWDECIMAL, exact text ("-1.50")
//   DATE, TIME, DATETIME (old and *2 forms)  ParamTime (negative TIME, zero dates kept;
//                        a TIME's hours go out as days * 24 + hours, the protocol's form)
//   TIMESTAMP(2)         ParamTime in UTC (the session runs with time_zone +00:00);
//                        0 is the zero timestamp
//   BIT                  LONGLONG unsigned (big-endian bytes of the row image)
//   ENUM / SET           LONGLONG: the 1-based index / the member bitmask (the
//                        server stores an integer into ENUM/SET as index/bitmask);
//                        a SET bitmask signed, as the server compares it
//   CHAR..LONGBLOB, GEOMETRY, VECTOR, MariaDB JSON (a LONGTEXT)
//                        BLOB: the stored bytes without the length prefix, a
//                        binary parameter (copied into any charset unchanged);
//                        a fixed-length binary column (ValueTarget below)
//                        padded back to its length with 0x00
//   MySQL JSON           STRING: the document as JSON text (a JSON column refuses
//                        binary strings); partial JSON diffs are NotSupported
//   NULL                 NULL
//
// Thread-safety: plain functions and values.
#pragma once

#include <cstdint>
#include <string>

#include <vomsrepl/status.h>

#include "binlog/column_type.h"

namespace vomsrepl::apply {

// The binary protocol's parameter types vomsrepl sends: each is the
// connector's enum_field_types of the same name (MYSQL_TYPE_LONGLONG, ...),
// mapped in replica_session.cc.
enum class ParamType : uint8_t {
  kNull,
  kLongLong,    // num.i; is_unsigned says how the server reads it
  kFloat,       // num.f
  kDouble,      // num.d
  kNewDecimal,  // exact text in the arena
  kDate,        // num.t (the connector's MYSQL_TIMESTAMP_DATE)
  kTime,        // num.t (MYSQL_TIMESTAMP_TIME)
  kDateTime,    // num.t (MYSQL_TIMESTAMP_DATETIME)
  kTimestamp,   // num.t (MYSQL_TIMESTAMP_DATETIME, in the session's UTC)
  kBlob,        // a binary string in the arena
  kString,      // text in the arena (MySQL JSON)
};

// A temporal parameter, field for field the connector's MYSQL_TIME (whose
// time_type follows from the ParamType). A plain aggregate: zeroed by `= {}`.
struct ParamTime {
  unsigned int year, month, day, hour, minute, second;
  unsigned long second_part;
  bool neg;
};

struct BoundValue {
  ParamType type = ParamType::kNull;
  bool is_unsigned = false;
  union {
    int64_t i;
    float f;
    double d;
    ParamTime t;
  } num{};
  // Strings, blobs, decimal and JSON text: bytes in the arena.
  uint32_t offset = 0;
  uint32_t length = 0;

  bool is_null() const { return type == ParamType::kNull; }
  bool is_bytes() const {
    return type == ParamType::kBlob || type == ParamType::kString || type == ParamType::kNewDecimal;
  }
  // Bytes sent on the wire, for batch size caps (approximate).
  size_t wire_size() const { return is_bytes() ? length + 9 : 16; }
};

// What a value converts to beyond what every TABLE_MAP says. The catalog
// (table_catalog.h) resolves it per column from the TABLE_MAP's optional
// metadata when the master logs it (binlog_row_metadata MINIMAL / FULL),
// else from the replica's schema: on a master at its default (NO_LOG) the
// row image alone cannot tell BINARY(16) from CHAR(16), nor signed from
// unsigned.
struct ValueTarget {
  bool is_unsigned = false;
  // A fixed-length binary column: BINARY(n) and the MariaDB types stored
  // like it (UUID, INET6, INET4): n. The row image drops the value's
  // trailing 0x00 bytes (the server's pad character for binary strings);
  // they are put back, as the server's own applier does (UUID / INET6 /
  // INET4 refuse a shorter value). 0: any other column.
  uint32_t fixed_binary_length = 0;
};

// Converts `cell` into `*out`, appending bytes to `arena`: binlog::VisitCell
// decodes, the binding only renders. `target` overrides the TABLE_MAP's
// signedness and says whether to pad (above).
// Errors: Corruption (bytes inconsistent with the type), NotSupported
// (partial JSON, old DECIMAL and other types no supported server writes),
// each naming the column.
Status ConvertCell(const binlog::Cell& cell, const ValueTarget& target, std::string& arena, BoundValue* out);

// The quoted text of a DATE, TIME, DATETIME or TIMESTAMP parameter ('2017-04-24',
// '-838:59:59', '2017-04-24 05:45:11'), with ".ffffff" always or only when the
// microseconds are not zero; nothing for other types.
void AppendTemporalText(const BoundValue& value, bool always_fraction, std::string& out);

// Human-readable value for error messages: NULL, numbers, 'text' (bytes
// below 0x20 and non-UTF-8 as \xNN), truncated after `max_bytes` with "...".
std::string DescribeValue(const BoundValue& value, const std::string& arena, size_t max_bytes = 64);

}  // namespace vomsrepl::apply
