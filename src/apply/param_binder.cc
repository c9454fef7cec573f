#include "apply/param_binder.h"

#include <cstring>
#include <ctime>

#include "binlog/cell_visit.h"
#include "binlog/decimal.h"
#include "binlog/json_binary.h"
#include "binlog/temporal.h"

namespace vomsrepl::apply {
namespace {

using binlog::Bytes;

// The parameter of one value (binlog::VisitCell's sink).
struct ParamSink {
  const binlog::Cell& cell;
  const ValueTarget& target;
  std::string& arena;
  BoundValue* out;

  Status Integer(uint64_t raw, int64_t sign_extended) {
    // TINYINT..BIGINT: signedness as the catalog resolved it (the TABLE_MAP
    // may not say).
    return LongLong(target.is_unsigned ? int64_t(raw) : sign_extended, target.is_unsigned);
  }
  Status Year(uint8_t stored) { return LongLong(stored == 0 ? 0 : 1900 + stored, true); }
  Status Bit(uint64_t v, unsigned, Bytes) { return LongLong(int64_t(v), true); }  // BIT(64) compares unsigned
  Status Enum(uint64_t index) { return LongLong(int64_t(index), true); }
  Status Set(uint64_t mask, Bytes) {
    // The server reads a SET column as a *signed* 64-bit integer (`set_col + 0`
    // of a set holding member 64 is negative), so a SET value with member 64
    // bound unsigned never compares equal: bound signed, the same 64 bits.
    // Storing takes either form.
    return LongLong(int64_t(mask), false);
  }
  Status Float(float v) {
    out->type = ParamType::kFloat;
    out->num.f = v;
    return Status::OK();
  }
  Status Double(double v) {
    out->type = ParamType::kDouble;
    out->num.d = v;
    return Status::OK();
  }
  Status Decimal(Bytes stored, unsigned precision, unsigned scale) {
    const size_t start = arena.size();
    VOMSREPL_RETURN_IF_ERROR(binlog::AppendDecimalText(stored, precision, scale, arena));
    return InArena(ParamType::kNewDecimal, start);
  }
  Status Date(const binlog::DateValue& d) {
    SetDate(Fresh(ParamType::kDate), d);
    return Status::OK();
  }
  Status Time(const binlog::TimeValue& v, unsigned) {
    ParamTime& t = Fresh(ParamType::kTime);
    t.neg = v.negative;
    // The binary protocol sends a TIME as days + hours (one byte): split.
    t.day = v.hour / 24;
    SetClock(t, v.hour % 24, v.minute, v.second, v.micro);
    return Status::OK();
  }
  Status DateTime(const binlog::DateTimeValue& d, unsigned) {
    ParamTime& t = Fresh(ParamType::kDateTime);
    SetDate(t, d.date);
    SetClock(t, d.hour, d.minute, d.second, d.micro);
    return Status::OK();
  }
  Status Timestamp(const binlog::TimestampValue& v, unsigned) {
    // In UTC: the session runs with time_zone +00:00; 0 is the zero timestamp.
    ParamTime& t = Fresh(ParamType::kTimestamp);
    t.second_part = v.micro;
    if (v.seconds == 0) return Status::OK();
    time_t secs = time_t(v.seconds);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == nullptr) return Corruption("bad TIMESTAMP");
    SetDate(t, {unsigned(tm.tm_year + 1900), unsigned(tm.tm_mon + 1), unsigned(tm.tm_mday)});
    SetClock(t, unsigned(tm.tm_hour), unsigned(tm.tm_min), unsigned(tm.tm_sec), v.micro);
    return Status::OK();
  }
  Status Text(Bytes payload) {
    VOMSREPL_RETURN_IF_ERROR(Blob(payload));
    // BINARY(n) and the fixed binary types built on it (MariaDB INET6, UUID)
    // lose their trailing 0x00 bytes in the row image; the server's own
    // applier pads them back, and INET6/UUID refuse a shorter value.
    if (cell.column->type == binlog::ColumnType::kString && payload.size() < target.fixed_binary_length) {
      arena.append(target.fixed_binary_length - payload.size(), '\0');
      out->length = target.fixed_binary_length;
    }
    return Status::OK();
  }
  Status Geometry(Bytes payload) { return Blob(payload); }
  Status Vector(Bytes payload) { return Blob(payload); }
  Status Json(Bytes payload) {
    // MySQL JSON: the document's text (a JSON column refuses binary strings).
    const size_t start = arena.size();
    VOMSREPL_RETURN_IF_ERROR(binlog::AppendJsonBinaryText(payload, binlog::JsonTextStyle::kMysql, arena));
    return InArena(ParamType::kString, start);
  }
  Status NullType() { return Status::OK(); }

  Status LongLong(int64_t v, bool is_unsigned) {
    out->type = ParamType::kLongLong;
    out->is_unsigned = is_unsigned;
    out->num.i = v;
    return Status::OK();
  }
  static void SetDate(ParamTime& t, const binlog::DateValue& d) {
    t.year = d.year;
    t.month = d.month;
    t.day = d.day;
  }
  static void SetClock(ParamTime& t, unsigned hour, unsigned minute, unsigned second, unsigned long micro) {
    t.hour = hour;
    t.minute = minute;
    t.second = second;
    t.second_part = micro;
  }
  // A zeroed temporal of `type`.
  ParamTime& Fresh(ParamType type) {
    out->type = type;
    out->num.t = ParamTime{};
    return out->num.t;
  }
  Status Blob(Bytes payload) {
    if (payload.size() > UINT32_MAX || arena.size() > UINT32_MAX - payload.size())
      return InvalidArgument("batch arena above 4 GiB");
    const size_t start = arena.size();
    arena.append(binlog::AsStringView(payload));
    return InArena(ParamType::kBlob, start);
  }
  // The bytes appended to the arena since `start` are the value.
  Status InArena(ParamType type, size_t start) {
    if (arena.size() > UINT32_MAX) return InvalidArgument("batch arena above 4 GiB");
    out->type = type;
    out->offset = uint32_t(start);
    out->length = uint32_t(arena.size() - start);
    return Status::OK();
  }
};

}  // namespace

Status ConvertCell(const binlog::Cell& cell, const ValueTarget& target, std::string& arena, BoundValue* out) {
  *out = BoundValue();
  if (cell.is_null) return Status::OK();
  if (cell.column == nullptr) return Internal("cell without column");
  if (cell.is_partial_json)
    return binlog::CellError(cell, StatusCode::kNotSupported,
                             "partial JSON update (binlog_row_value_options=PARTIAL_JSON) cannot be applied; "
                             "set binlog_row_value_options='' on the master");
  ParamSink sink{cell, target, arena, out};
  return binlog::VisitCell(cell, sink);
}

void AppendTemporalText(const BoundValue& v, bool always_fraction, std::string& out) {
  char buf[64];
  const ParamTime& t = v.num.t;
  switch (v.type) {
    case ParamType::kDate:
      std::snprintf(buf, sizeof buf, "'%04u-%02u-%02u'", t.year, t.month, t.day);
      out += buf;
      return;
    case ParamType::kTime:
      std::snprintf(buf, sizeof buf, "'%s%02u:%02u:%02u", t.neg ? "-" : "", t.day * 24 + t.hour, t.minute, t.second);
      break;
    case ParamType::kDateTime: case ParamType::kTimestamp:
      std::snprintf(buf, sizeof buf, "'%04u-%02u-%02u %02u:%02u:%02u", t.year, t.month, t.day, t.hour, t.minute,
                    t.second);
      break;
    default:
      return;
  }
  out += buf;
  if (always_fraction || t.second_part != 0) {
    std::snprintf(buf, sizeof buf, ".%06lu", static_cast<unsigned long>(t.second_part % 1000000));
    out += buf;
  }
  out += '\'';
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
    case ParamType::kDate: case ParamType::kTime: case ParamType::kDateTime: case ParamType::kTimestamp: {
      std::string out;
      AppendTemporalText(v, /*always_fraction=*/true, out);
      return out;
    }
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
