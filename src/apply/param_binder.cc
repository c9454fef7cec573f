#include "apply/param_binder.h"

#include <cstring>
#include <ctime>

#include "binlog/byte_cursor.h"
#include "binlog/decimal.h"
#include "binlog/json_binary.h"
#include "binlog/temporal.h"
#include "binlog/value_text.h"

namespace vomsrepl::apply {
namespace {

using binlog::ColumnType;

Status CellError(const binlog::Cell& cell, StatusCode code, const std::string& what) {
  std::string name = cell.column && !cell.column->name.empty() ? "`" + cell.column->name + "`"
                                                                : "#" + std::to_string(cell.index + 1);
  return Status(code, "column " + name + " (" +
                          std::string(binlog::ColumnTypeName(cell.column ? cell.column->type : ColumnType::kNull)) +
                          "): " + what);
}

void SetTime(BoundValue* out, ParamType type) {
  out->type = type;
  out->num.t = ParamTime{};
}

Status SetBytes(BoundValue* out, ParamType type, std::string_view bytes, std::string& arena) {
  if (bytes.size() > UINT32_MAX || arena.size() > UINT32_MAX - bytes.size())
    return InvalidArgument("batch arena above 4 GiB");
  out->type = type;
  out->offset = uint32_t(arena.size());
  out->length = uint32_t(bytes.size());
  arena.append(bytes);
  return Status::OK();
}

// The payload after a 1..4-byte little-endian length prefix, checked.
Status Payload(const binlog::Cell& cell, const binlog::ValueLayout& layout, std::string_view* out) {
  unsigned n = layout.length_bytes;
  if (n < 1 || n > 4 || cell.bytes.size() < n) return CellError(cell, StatusCode::kCorruption, "bad length prefix");
  uint64_t len = binlog::ByteCursor(cell.bytes).ReadUIntN(n);
  if (len != cell.bytes.size() - n) return CellError(cell, StatusCode::kCorruption, "length prefix mismatch");
  *out = std::string_view(reinterpret_cast<const char*>(cell.bytes.data()) + n, cell.bytes.size() - n);
  return Status::OK();
}

int IntegerWidth(ColumnType t) {
  switch (t) {
    case ColumnType::kTiny: return 1;
    case ColumnType::kShort: return 2;
    case ColumnType::kInt24: return 3;
    case ColumnType::kLong: return 4;
    case ColumnType::kLongLong: return 8;
    default: return 0;
  }
}

}  // namespace

Status ConvertCell(const binlog::Cell& cell, const binlog::ValueLayout& layout, const ValueTarget& target,
                   std::string& arena, BoundValue* out) {
  const bool is_unsigned = target.is_unsigned;
  *out = BoundValue();
  if (cell.is_null) return Status::OK();
  if (cell.column == nullptr) return Internal("cell without column");
  if (cell.is_partial_json)
    return CellError(cell, StatusCode::kNotSupported,
                     "partial JSON update (binlog_row_value_options=PARTIAL_JSON) cannot be applied; "
                     "set binlog_row_value_options='' on the master");
  const binlog::ColumnDesc& c = *cell.column;
  switch (c.type) {
    case ColumnType::kTiny: case ColumnType::kShort: case ColumnType::kInt24:
    case ColumnType::kLong: case ColumnType::kLongLong: {
      int w = IntegerWidth(c.type);
      if (cell.bytes.size() != size_t(w)) return CellError(cell, StatusCode::kCorruption, "bad integer size");
      uint64_t v = binlog::ByteCursor(cell.bytes).ReadUIntN(size_t(w));
      if (!is_unsigned && w < 8) {
        const uint64_t sign = uint64_t(1) << (8 * w - 1);
        v = (v ^ sign) - sign;
      }
      out->type = ParamType::kLongLong;
      out->is_unsigned = is_unsigned;
      out->num.i = int64_t(v);
      return Status::OK();
    }
    case ColumnType::kYear: case ColumnType::kBit: case ColumnType::kEnum: case ColumnType::kSet: {
      auto v = binlog::CellUInt64(cell);
      if (!v.ok()) return v.status();
      out->type = ParamType::kLongLong;
      // The server reads a SET column as a *signed* 64-bit integer (`set_col + 0`
      // of a set holding member 64 is negative), so a SET value with member 64
      // bound unsigned never compares equal: bound signed, the same 64 bits.
      // Storing takes either form. BIT(64) compares unsigned.
      out->is_unsigned = c.type != ColumnType::kSet;
      out->num.i = int64_t(*v);
      return Status::OK();
    }
    case ColumnType::kFloat: {
      if (cell.bytes.size() != 4) return CellError(cell, StatusCode::kCorruption, "bad FLOAT size");
      out->type = ParamType::kFloat;
      std::memcpy(&out->num.f, cell.bytes.data(), 4);  // little-endian IEEE, as the host
      return Status::OK();
    }
    case ColumnType::kDouble: {
      if (cell.bytes.size() != 8) return CellError(cell, StatusCode::kCorruption, "bad DOUBLE size");
      out->type = ParamType::kDouble;
      std::memcpy(&out->num.d, cell.bytes.data(), 8);
      return Status::OK();
    }
    case ColumnType::kNewDecimal: {
      size_t start = arena.size();
      Status st = binlog::AppendDecimalText(cell.bytes, c.meta >> 8, c.meta & 0xff, arena);
      if (!st.ok()) return CellError(cell, st.code(), std::string(st.message()));
      out->type = ParamType::kNewDecimal;
      out->offset = uint32_t(start);
      out->length = uint32_t(arena.size() - start);
      return Status::OK();
    }
    case ColumnType::kDate: case ColumnType::kNewDate: {
      auto d = binlog::DecodeDate(cell.bytes);
      if (!d.ok()) return CellError(cell, d.status().code(), std::string(d.status().message()));
      SetTime(out, ParamType::kDate);
      out->num.t.year = d->year;
      out->num.t.month = d->month;
      out->num.t.day = d->day;
      return Status::OK();
    }
    case ColumnType::kTime: case ColumnType::kTime2: {
      auto t = c.type == ColumnType::kTime ? binlog::DecodeTime(cell.bytes) : binlog::DecodeTime2(cell.bytes, c.meta);
      if (!t.ok()) return CellError(cell, t.status().code(), std::string(t.status().message()));
      SetTime(out, ParamType::kTime);
      out->num.t.neg = t->negative;
      // The binary protocol sends a TIME as days + hours (one byte): split.
      out->num.t.day = t->hour / 24;
      out->num.t.hour = t->hour % 24;
      out->num.t.minute = t->minute;
      out->num.t.second = t->second;
      out->num.t.second_part = t->micro;
      return Status::OK();
    }
    case ColumnType::kDateTime: case ColumnType::kDateTime2: {
      auto d = c.type == ColumnType::kDateTime ? binlog::DecodeDateTime(cell.bytes)
                                               : binlog::DecodeDateTime2(cell.bytes, c.meta);
      if (!d.ok()) return CellError(cell, d.status().code(), std::string(d.status().message()));
      SetTime(out, ParamType::kDateTime);
      out->num.t.year = d->date.year;
      out->num.t.month = d->date.month;
      out->num.t.day = d->date.day;
      out->num.t.hour = d->hour;
      out->num.t.minute = d->minute;
      out->num.t.second = d->second;
      out->num.t.second_part = d->micro;
      return Status::OK();
    }
    case ColumnType::kTimestamp: case ColumnType::kTimestamp2: {
      auto t = c.type == ColumnType::kTimestamp ? binlog::DecodeTimestamp(cell.bytes)
                                                : binlog::DecodeTimestamp2(cell.bytes, c.meta);
      if (!t.ok()) return CellError(cell, t.status().code(), std::string(t.status().message()));
      SetTime(out, ParamType::kTimestamp);
      if (t->seconds != 0) {
        time_t secs = time_t(t->seconds);
        struct tm tm;
        if (gmtime_r(&secs, &tm) == nullptr) return CellError(cell, StatusCode::kCorruption, "bad TIMESTAMP");
        out->num.t.year = unsigned(tm.tm_year + 1900);
        out->num.t.month = unsigned(tm.tm_mon + 1);
        out->num.t.day = unsigned(tm.tm_mday);
        out->num.t.hour = unsigned(tm.tm_hour);
        out->num.t.minute = unsigned(tm.tm_min);
        out->num.t.second = unsigned(tm.tm_sec);
      }
      out->num.t.second_part = t->micro;
      return Status::OK();
    }
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
    case ColumnType::kTinyBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
    case ColumnType::kBlob: case ColumnType::kGeometry: case ColumnType::kVector: {
      std::string_view payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, layout, &payload));
      VOMSREPL_RETURN_IF_ERROR(SetBytes(out, ParamType::kBlob, payload, arena));
      // BINARY(n) and the fixed binary types built on it (MariaDB INET6, UUID)
      // lose their trailing 0x00 bytes in the row image; the server's own
      // applier pads them back, and INET6/UUID refuse a shorter value.
      if (c.type == ColumnType::kString && payload.size() < target.fixed_binary_length) {
        arena.append(target.fixed_binary_length - payload.size(), '\0');
        out->length = target.fixed_binary_length;
      }
      return Status::OK();
    }
    case ColumnType::kJson: {
      std::string_view payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, layout, &payload));
      size_t start = arena.size();
      Status st = binlog::AppendJsonBinaryText(
          binlog::Bytes(reinterpret_cast<const std::byte*>(payload.data()), payload.size()),
          binlog::JsonTextStyle::kMysql, arena);
      if (!st.ok()) return CellError(cell, st.code(), std::string(st.message()));
      out->type = ParamType::kString;
      out->offset = uint32_t(start);
      out->length = uint32_t(arena.size() - start);
      return Status::OK();
    }
    case ColumnType::kNull:
      return Status::OK();
    default:
      return CellError(cell, StatusCode::kNotSupported, "no conversion to a statement parameter");
  }
}

std::string DescribeValue(const BoundValue& v, const std::string& arena, size_t max_bytes) {
  char buf[96];
  switch (v.type) {
    case ParamType::kNull:
      return "NULL";
    case ParamType::kLongLong:
      return v.is_unsigned ? std::to_string(uint64_t(v.num.i)) : std::to_string(v.num.i);
    case ParamType::kFloat:
      std::snprintf(buf, sizeof buf, "%.9g", double(v.num.f));
      return buf;
    case ParamType::kDouble:
      std::snprintf(buf, sizeof buf, "%.17g", v.num.d);
      return buf;
    case ParamType::kDate:
      std::snprintf(buf, sizeof buf, "'%04u-%02u-%02u'", v.num.t.year, v.num.t.month, v.num.t.day);
      return buf;
    case ParamType::kTime:
      std::snprintf(buf, sizeof buf, "'%s%02u:%02u:%02u.%06lu'", v.num.t.neg ? "-" : "", v.num.t.day * 24 + v.num.t.hour,
                    v.num.t.minute, v.num.t.second, static_cast<unsigned long>(v.num.t.second_part));
      return buf;
    case ParamType::kDateTime: case ParamType::kTimestamp:
      std::snprintf(buf, sizeof buf, "'%04u-%02u-%02u %02u:%02u:%02u.%06lu'", v.num.t.year, v.num.t.month,
                    v.num.t.day, v.num.t.hour, v.num.t.minute, v.num.t.second,
                    static_cast<unsigned long>(v.num.t.second_part));
      return buf;
    case ParamType::kNewDecimal:
      return arena.substr(v.offset, v.length);
    default: {
      std::string out = "'";
      size_t n = std::min<size_t>(v.length, max_bytes);
      for (size_t i = 0; i < n; ++i) {
        unsigned char ch = static_cast<unsigned char>(arena[v.offset + i]);
        if (ch < 0x20 || ch == 0x7f || ch == '\'' || ch == '\\') {
          std::snprintf(buf, sizeof buf, "\\x%02x", ch);
          out += buf;
        } else {
          out += char(ch);
        }
      }
      out += '\'';
      if (v.length > max_bytes) out += "...(" + std::to_string(v.length) + " bytes)";
      return out;
    }
  }
}

}  // namespace vomsrepl::apply
