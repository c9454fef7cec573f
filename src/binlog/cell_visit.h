// One row cell, decoded once for every output: the text of mariadb-binlog
// and the JSON of `dump` (value_text.cc) and the applier's statement
// parameters (apply/param_binder.cc). VisitCell makes the per-column-type
// decision in one place: it checks the bytes against the column (value sizes,
// length prefixes, BIT/ENUM/SET pack lengths, temporal fields), decodes them,
// and hands the decoded value to a sink whose methods only render it.
//
// Sink contract (no base class, no virtual call; each method returns Status,
// an error without the column's name, which VisitCell adds):
//   Integer(uint64_t raw, int64_t sign_extended)  TINYINT..BIGINT: the stored bits
//                                                 zero-extended and sign-extended
//   Year(uint8_t stored)                          YEAR: 0 is the zero year, else 1900 + stored
//   Float(float), Double(double)                  bit-exact
//   Decimal(Bytes stored, unsigned precision, unsigned scale)  NEWDECIMAL (decimal.h)
//   Date(const DateValue&)
//   Time(const TimeValue&, unsigned fsp)          TIME (fsp 0), TIME2
//   DateTime(const DateTimeValue&, unsigned fsp)  DATETIME (fsp 0), DATETIME2
//   Timestamp(const TimestampValue&, unsigned fsp)  TIMESTAMP (fsp 0), TIMESTAMP2
//   Bit(uint64_t value, unsigned nbits, Bytes stored)  BIT(nbits), big-endian bytes
//   Enum(uint64_t index)                          1-based member (0: the error value '')
//   Set(uint64_t mask, Bytes stored)              member bitmask, low byte first
//   Text(Bytes payload)                           CHAR, VARCHAR, TEXT/BLOB: without the
//                                                 length prefix
//   Geometry(Bytes payload), Vector(Bytes payload)
//   Json(Bytes payload)                           binary JSON; with Cell::is_partial_json
//                                                 the diff list (json_binary.h)
//   NullType()                                    a column of type NULL
// A NULL value never reaches a sink: callers handle Cell::is_null first.
//
// Errors: Corruption naming the column (name or 0-based index, type) when the
// bytes are inconsistent with the column type; NotSupported for the types no
// supported server writes (old DECIMAL, TYPED_ARRAY, BOOL, INVALID); a sink's
// error, with the column named.
#pragma once

#include <cstdint>
#include <cstring>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"
#include "binlog/column_type.h"
#include "binlog/temporal.h"

namespace vomsrepl::binlog {

template <class Sink>
Status VisitCell(const Cell& cell, Sink& sink);

// "column `name` (#3, TIME2): message" (the index 0-based), keeping the code.
Status CellError(const Cell& cell, StatusCode code, std::string_view message);
Status CellError(const Cell& cell, const Status& status);

// ---------------------------------------------------------------------------
// Implementation.

namespace cell_internal {

// Cold paths, out of line.
Status BadSize(size_t have, size_t want);
Status BadPrefix(unsigned prefix_bytes, size_t have, uint64_t said);  // said: UINT64_MAX when not read
Status BadBitMeta(unsigned nbits);
Status NoDecoder(ColumnType type);

// Bytes of the length prefix of a length-prefixed type, 0 for the others.
// Format: MySQL sql/field.cc Field_varstring (1 byte up to 255, else 2),
// Field_blob (pack length from metadata); the same as BuildRowLayout.
inline unsigned PrefixBytes(const ColumnDesc& c) {
  switch (c.type) {
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
      return c.meta > 255 ? 2 : 1;
    default:
      return c.meta;  // TEXT/BLOB, JSON, GEOMETRY, VECTOR
  }
}

// The bytes after the length prefix, checked against it.
inline Status Payload(const Cell& cell, Bytes* payload) {
  const unsigned n = PrefixBytes(*cell.column);
  if (n < 1 || n > 4 || cell.bytes.size() < n) [[unlikely]]
    return BadPrefix(n, cell.bytes.size(), UINT64_MAX);
  uint64_t len = ByteCursor(cell.bytes).ReadUIntN(n);
  if (len != cell.bytes.size() - n) [[unlikely]]
    return BadPrefix(n, cell.bytes.size(), len);
  *payload = cell.bytes.subspan(n);
  return Status::OK();
}

inline Status Integer(const Cell& cell, size_t width, uint64_t* u, int64_t* s) {
  if (cell.bytes.size() != width) [[unlikely]]
    return BadSize(cell.bytes.size(), width);
  uint64_t v = ByteCursor(cell.bytes).ReadUIntN(width);
  *u = v;
  if (width < 8) {
    const uint64_t sign = uint64_t(1) << (8 * width - 1);
    *s = int64_t((v ^ sign) - sign);
  } else {
    *s = int64_t(v);
  }
  return Status::OK();
}

// ENUM / SET: `pack` little-endian bytes (ENUM 1..2, SET 1..8).
inline Status Packed(const Cell& cell, unsigned max_pack, uint64_t* v) {
  const unsigned pack = cell.column->meta;
  if (pack < 1 || pack > max_pack || cell.bytes.size() != pack) [[unlikely]]
    return BadSize(cell.bytes.size(), pack);
  *v = ByteCursor(cell.bytes).ReadUIntN(pack);
  return Status::OK();
}

template <class T>
inline T LoadIeee(Bytes b) {
  T v;
  std::memcpy(&v, b.data(), sizeof v);  // little-endian IEEE 754, as the host
  return v;
}

// `render` is a member of Sink or of one of its bases.
template <class Sink, class T, class Render>
inline Status Temporal(Result<T> decoded, unsigned fsp, Sink& sink, Render render) {
  if (!decoded.ok()) [[unlikely]]
    return decoded.status();
  return (sink.*render)(*decoded, fsp);
}

template <class Sink, class Render>
inline Status WithPayload(const Cell& cell, Sink& sink, Render render) {
  Bytes payload;
  VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
  return (sink.*render)(payload);
}

template <class Sink>
inline Status Decode(const Cell& cell, Sink& sink) {
  const ColumnDesc& c = *cell.column;
  switch (c.type) {
    case ColumnType::kTiny: case ColumnType::kShort: case ColumnType::kInt24: case ColumnType::kLong:
    case ColumnType::kLongLong: {
      static constexpr uint8_t kWidth[9] = {0, 1, 2, 4, 0, 0, 0, 0, 8};
      const size_t width = c.type == ColumnType::kInt24 ? 3 : kWidth[size_t(c.type)];
      uint64_t u = 0;
      int64_t s = 0;
      VOMSREPL_RETURN_IF_ERROR(Integer(cell, width, &u, &s));
      return sink.Integer(u, s);
    }
    case ColumnType::kYear:
      if (cell.bytes.size() != 1) [[unlikely]]
        return BadSize(cell.bytes.size(), 1);
      return sink.Year(std::to_integer<uint8_t>(cell.bytes[0]));
    case ColumnType::kFloat:
      if (cell.bytes.size() != 4) [[unlikely]]
        return BadSize(cell.bytes.size(), 4);
      return sink.Float(LoadIeee<float>(cell.bytes));
    case ColumnType::kDouble:
      if (cell.bytes.size() != 8) [[unlikely]]
        return BadSize(cell.bytes.size(), 8);
      return sink.Double(LoadIeee<double>(cell.bytes));
    case ColumnType::kNewDecimal:
      return sink.Decimal(cell.bytes, c.meta >> 8, c.meta & 0xff);
    case ColumnType::kDate: case ColumnType::kNewDate: {
      auto d = DecodeDate(cell.bytes);
      if (!d.ok()) [[unlikely]]
        return d.status();
      return sink.Date(*d);
    }
    case ColumnType::kTime:
      return Temporal(DecodeTime(cell.bytes), 0, sink, &Sink::Time);
    case ColumnType::kTime2:
      return Temporal(DecodeTime2(cell.bytes, c.meta), c.meta, sink, &Sink::Time);
    case ColumnType::kDateTime:
      return Temporal(DecodeDateTime(cell.bytes), 0, sink, &Sink::DateTime);
    case ColumnType::kDateTime2:
      return Temporal(DecodeDateTime2(cell.bytes, c.meta), c.meta, sink, &Sink::DateTime);
    case ColumnType::kTimestamp:
      return Temporal(DecodeTimestamp(cell.bytes), 0, sink, &Sink::Timestamp);
    case ColumnType::kTimestamp2:
      return Temporal(DecodeTimestamp2(cell.bytes, c.meta), c.meta, sink, &Sink::Timestamp);
    case ColumnType::kBit: {
      // meta = whole bytes << 8 | leftover bits, stored big-endian in
      // (n + 7) / 8 bytes. Format: MySQL sql/field.cc Field_bit::do_save_field_metadata.
      const unsigned nbits = (c.meta >> 8) * 8u + (c.meta & 0xff);
      if (nbits == 0 || nbits > 64) [[unlikely]]
        return BadBitMeta(nbits);
      const size_t nbytes = (nbits + 7) / 8;
      if (cell.bytes.size() != nbytes) [[unlikely]]
        return BadSize(cell.bytes.size(), nbytes);
      uint64_t v = 0;
      for (size_t i = 0; i < nbytes; ++i) v = (v << 8) | std::to_integer<uint8_t>(cell.bytes[i]);
      if (nbits < 64) v &= (uint64_t(1) << nbits) - 1;
      return sink.Bit(v, nbits, cell.bytes);
    }
    case ColumnType::kEnum: {
      uint64_t index = 0;
      VOMSREPL_RETURN_IF_ERROR(Packed(cell, 2, &index));
      return sink.Enum(index);
    }
    case ColumnType::kSet: {
      uint64_t mask = 0;
      VOMSREPL_RETURN_IF_ERROR(Packed(cell, 8, &mask));
      return sink.Set(mask, cell.bytes);
    }
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
    case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
      return WithPayload(cell, sink, &Sink::Text);
    case ColumnType::kGeometry:
      return WithPayload(cell, sink, &Sink::Geometry);
    case ColumnType::kVector:
      return WithPayload(cell, sink, &Sink::Vector);
    case ColumnType::kJson:
      return WithPayload(cell, sink, &Sink::Json);
    case ColumnType::kNull:
      return sink.NullType();
    default:
      return NoDecoder(c.type);
  }
}

}  // namespace cell_internal

template <class Sink>
inline Status VisitCell(const Cell& cell, Sink& sink) {
  Status st = cell_internal::Decode(cell, sink);
  if (!st.ok()) [[unlikely]]
    return CellError(cell, st);
  return st;
}

}  // namespace vomsrepl::binlog
