#include "binlog/value_text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "binlog/decimal.h"
#include "binlog/json_binary.h"
#include "binlog/temporal.h"

namespace vomsrepl::binlog {
namespace {

constexpr uint32_t kBinaryCharset = 63;

// Cold path: "column `name` (#3, TIME2): message".
Status ColumnError(const Cell& cell, StatusCode code, std::string_view message) {
  std::string m = "column ";
  if (cell.column != nullptr && !cell.column->name.empty()) {
    m += '`';
    m += cell.column->name;
    m += "` (#";
  } else {
    m += "(#";
  }
  m += std::to_string(cell.index);
  if (cell.column != nullptr) {
    m += ", ";
    m += ColumnTypeName(cell.column->type);
  }
  m += "): ";
  m += message;
  return Status(code, std::move(m));
}

Status ColumnError(const Cell& cell, const Status& st) { return ColumnError(cell, st.code(), st.message()); }

Status BadSize(const Cell& cell, size_t want) {
  return ColumnError(cell, StatusCode::kCorruption,
                     "value has " + std::to_string(cell.bytes.size()) + " bytes, expected " + std::to_string(want));
}

template <class T>
void AppendNumber(T v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, size_t(r.ptr - buf));
}

// Bytes of the length prefix of a length-prefixed type, 0 for fixed-size types.
// Format: MySQL sql/field.cc Field_varstring (1 byte up to 255, else 2),
// Field_blob (pack length from metadata).
unsigned PrefixBytes(const ColumnDesc& c) {
  switch (c.type) {
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
      return c.meta > 255 ? 2 : 1;
    case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
    case ColumnType::kJson: case ColumnType::kGeometry: case ColumnType::kVector:
      return c.meta;
    default:
      return 0;
  }
}

// The bytes after the length prefix, checked against it.
Status Payload(const Cell& cell, Bytes* payload) {
  unsigned n = PrefixBytes(*cell.column);
  if (n < 1 || n > 4)
    return ColumnError(cell, StatusCode::kCorruption, "length-prefix size " + std::to_string(n) + " is not 1..4");
  if (cell.bytes.size() < n) return ColumnError(cell, StatusCode::kCorruption, "value shorter than its length prefix");
  uint64_t len = ByteCursor(cell.bytes).ReadUIntN(n);
  if (len != cell.bytes.size() - n)
    return ColumnError(cell, StatusCode::kCorruption,
                       "length prefix says " + std::to_string(len) + " bytes, the value has " +
                           std::to_string(cell.bytes.size() - n));
  *payload = cell.bytes.subspan(n);
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

// Raw integer of `width` bytes: unsigned and sign-extended views.
void ReadInteger(Bytes b, int width, uint64_t* u, int64_t* s) {
  uint64_t v = ByteCursor(b).ReadUIntN(size_t(width));
  *u = v;
  if (width < 8) {
    const uint64_t sign = uint64_t(1) << (8 * width - 1);
    *s = int64_t((v ^ sign) - sign);
  } else {
    *s = int64_t(v);
  }
}

// printf "%g"-style text with `precision` significant digits (std::to_chars
// with a precision is specified as printf's conversion; locale-independent).
void AppendGeneral(double v, int precision, std::string& out) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, precision);
  out.append(buf, size_t(r.ptr - buf));
}

bool IsLatin1(uint32_t collation) {
  switch (collation) {
    case 5: case 8: case 15: case 31: case 47: case 48: case 49: case 94: return true;
    default: return false;
  }
}


// JSON string of latin1 bytes, converted to UTF-8 on the fly.
void AppendJsonStringLatin1(std::string_view s, std::string& out) {
  size_t run = 0;
  bool high = false;
  for (char ch : s) high |= uint8_t(ch) >= 0x80;
  if (!high) {
    AppendJsonString(s, out);
    return;
  }
  out.push_back('"');
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < s.size(); ++i) {
    uint8_t b = uint8_t(s[i]);
    if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    if (b >= 0x80) {
      out.push_back(char(0xc0 | (b >> 6)));
      out.push_back(char(0x80 | (b & 0x3f)));
    } else if (b == '"') {
      out.append("\\\"");
    } else if (b == '\\') {
      out.append("\\\\");
    } else {
      const char esc[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 15]};
      out.append(esc, 6);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void AppendBase64String(Bytes b, std::string& out) {
  out.append("\"base64:");
  AppendBase64(b, out);
  out.push_back('"');
}

void AppendBits(Bytes b, size_t skip, std::string& out) {
  out.append("b'");
  const size_t total = b.size() * 8;
  for (size_t i = skip; i < total; ++i) {
    uint8_t byte = std::to_integer<uint8_t>(b[i / 8]);
    out.push_back((byte >> (7 - i % 8)) & 1 ? '1' : '0');
  }
  out.push_back('\'');
}

// BIT(n): meta = whole bytes << 8 | leftover bits; stored big-endian in
// (n + 7) / 8 bytes. Format: MySQL sql/field.cc Field_bit::do_save_field_metadata.
Status BitLayout(const Cell& cell, unsigned* nbits, size_t* nbytes) {
  unsigned bits = (cell.column->meta >> 8) * 8u + (cell.column->meta & 0xff);
  if (bits == 0 || bits > 64) return ColumnError(cell, StatusCode::kCorruption, "BIT metadata gives " + std::to_string(bits) + " bits");
  *nbits = bits;
  *nbytes = (bits + 7) / 8;
  if (cell.bytes.size() != *nbytes) return BadSize(cell, *nbytes);
  return Status::OK();
}

// Integer value of the integer-like types (for the accessors and kJson).
// *is_unsigned says how to read it.
Status IntegerValue(const Cell& cell, uint64_t* u, int64_t* s, bool* is_unsigned) {
  const ColumnDesc& c = *cell.column;
  if (int w = IntegerWidth(c.type); w != 0) {
    if (cell.bytes.size() != size_t(w)) return BadSize(cell, size_t(w));
    ReadInteger(cell.bytes, w, u, s);
    *is_unsigned = c.is_unsigned;
    return Status::OK();
  }
  *is_unsigned = true;
  *s = 0;
  switch (c.type) {
    case ColumnType::kYear: {
      auto y = DecodeYear(cell.bytes);
      if (!y.ok()) return ColumnError(cell, y.status());
      *u = *y;
      *s = int64_t(*y);
      return Status::OK();
    }
    case ColumnType::kBit: {
      unsigned nbits;
      size_t nbytes;
      VOMSREPL_RETURN_IF_ERROR(BitLayout(cell, &nbits, &nbytes));
      uint64_t v = 0;
      for (size_t i = 0; i < nbytes; ++i) v = (v << 8) | std::to_integer<uint8_t>(cell.bytes[i]);
      if (nbits < 64) v &= (uint64_t(1) << nbits) - 1;
      *u = v;
      return Status::OK();
    }
    case ColumnType::kEnum: case ColumnType::kSet: {
      if (cell.bytes.size() != c.meta || c.meta < 1 || c.meta > 8) return BadSize(cell, c.meta);
      *u = ByteCursor(cell.bytes).ReadUIntN(c.meta);
      return Status::OK();
    }
    default:
      return ColumnError(cell, StatusCode::kInvalidArgument, "is not an integer type");
  }
}

Status NotSupportedType(const Cell& cell) {
  return ColumnError(cell, StatusCode::kNotSupported,
                     "column type " + std::string(ColumnTypeName(cell.column->type)) + " (" +
                         std::to_string(unsigned(cell.column->type)) + ") has no value decoder");
}

double LoadFloat(Bytes b) {
  uint32_t bits = uint32_t(LoadLE<4>(b.data()));
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

double LoadDouble(Bytes b) {
  uint64_t bits = LoadLE<8>(b.data());
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// The text of one value; `out` may be left partly written on error (the
// caller restores it).
Status AppendMariadb(const Cell& cell, std::string& out) {
  const ColumnDesc& c = *cell.column;
  if (int w = IntegerWidth(c.type); w != 0) {
    // Format: log_event_client.cc my_b_write_sint32_and_uint32 / LONGLONG case.
    if (cell.bytes.size() != size_t(w)) return BadSize(cell, size_t(w));
    uint64_t u;
    int64_t s;
    ReadInteger(cell.bytes, w, &u, &s);
    AppendNumber(s, out);
    if (s < 0) {
      out.append(" (");
      AppendNumber(u, out);
      out.push_back(')');
    }
    return Status::OK();
  }
  switch (c.type) {
    case ColumnType::kFloat: {
      // Format: log_event_client.cc, FLOAT: "%-20g".
      if (cell.bytes.size() != 4) return BadSize(cell, 4);
      const size_t start = out.size();
      AppendGeneral(LoadFloat(cell.bytes), 6, out);
      if (out.size() - start < 20) out.append(20 - (out.size() - start), ' ');
      return Status::OK();
    }
    case ColumnType::kDouble:
      // Format: log_event_client.cc, DOUBLE: "%-.20g".
      if (cell.bytes.size() != 8) return BadSize(cell, 8);
      AppendGeneral(LoadDouble(cell.bytes), 20, out);
      return Status::OK();
    case ColumnType::kNewDecimal: {
      Status st = AppendDecimalText(cell.bytes, c.meta >> 8, c.meta & 0xff, out);
      return st.ok() ? st : ColumnError(cell, st);
    }
    case ColumnType::kDate: case ColumnType::kNewDate: {
      auto d = DecodeDate(cell.bytes);
      if (!d.ok()) return ColumnError(cell, d.status());
      out.push_back('\'');
      AppendDate(*d, ':', out);
      out.push_back('\'');
      return Status::OK();
    }
    case ColumnType::kTime: case ColumnType::kTime2: {
      auto t = c.type == ColumnType::kTime ? DecodeTime(cell.bytes) : DecodeTime2(cell.bytes, c.meta);
      if (!t.ok()) return ColumnError(cell, t.status());
      out.push_back('\'');
      AppendTime(*t, c.type == ColumnType::kTime ? 0 : c.meta, out);
      out.push_back('\'');
      return Status::OK();
    }
    case ColumnType::kDateTime: case ColumnType::kDateTime2: {
      auto d = c.type == ColumnType::kDateTime ? DecodeDateTime(cell.bytes) : DecodeDateTime2(cell.bytes, c.meta);
      if (!d.ok()) return ColumnError(cell, d.status());
      out.push_back('\'');
      AppendDateTime(*d, c.type == ColumnType::kDateTime ? 0 : c.meta, out);
      out.push_back('\'');
      return Status::OK();
    }
    case ColumnType::kTimestamp: case ColumnType::kTimestamp2: {
      auto t = c.type == ColumnType::kTimestamp ? DecodeTimestamp(cell.bytes) : DecodeTimestamp2(cell.bytes, c.meta);
      if (!t.ok()) return ColumnError(cell, t.status());
      AppendTimestampEpoch(*t, c.type == ColumnType::kTimestamp ? 0 : c.meta, out);
      return Status::OK();
    }
    case ColumnType::kYear:
      // Format: log_event_client.cc, YEAR: 1900 + byte, also for the zero year.
      if (cell.bytes.size() != 1) return BadSize(cell, 1);
      AppendNumber(1900u + std::to_integer<uint8_t>(cell.bytes[0]), out);
      return Status::OK();
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
    case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
    case ColumnType::kGeometry: case ColumnType::kVector: {
      Bytes payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
      AppendMysqlbinlogQuoted(AsStringView(payload), out);
      return Status::OK();
    }
    case ColumnType::kEnum: {
      if (cell.bytes.size() != c.meta || (c.meta != 1 && c.meta != 2)) return BadSize(cell, c.meta);
      AppendNumber(ByteCursor(cell.bytes).ReadUIntN(c.meta), out);
      return Status::OK();
    }
    case ColumnType::kSet:
      // Format: log_event_client.cc, SET: my_b_write_bit over the stored bytes.
      if (cell.bytes.size() != c.meta || c.meta < 1 || c.meta > 8) return BadSize(cell, c.meta);
      AppendBits(cell.bytes, 0, out);
      return Status::OK();
    case ColumnType::kBit: {
      unsigned nbits;
      size_t nbytes;
      VOMSREPL_RETURN_IF_ERROR(BitLayout(cell, &nbits, &nbytes));
      AppendBits(cell.bytes, nbytes * 8 - nbits, out);
      return Status::OK();
    }
    case ColumnType::kJson: {
      Bytes payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
      Status st;
      if (cell.is_partial_json) {
        st = AppendJsonDiffMysqlbinlog(payload, cell.index + 1, out);
      } else {
        // Format: MySQL log_event.cc, JSON: the document's text, quoted.
        out.push_back('\'');
        st = AppendJsonBinaryText(payload, JsonTextStyle::kMysql, out);
        out.push_back('\'');
      }
      return st.ok() ? st : ColumnError(cell, st);
    }
    case ColumnType::kNull:
      out.append("NULL");
      return Status::OK();
    default:
      return NotSupportedType(cell);
  }
}

Status AppendJson(const Cell& cell, std::string& out) {
  const ColumnDesc& c = *cell.column;
  switch (c.type) {
    case ColumnType::kTiny: case ColumnType::kShort: case ColumnType::kInt24: case ColumnType::kLong:
    case ColumnType::kLongLong: case ColumnType::kYear: case ColumnType::kBit: {
      uint64_t u;
      int64_t s;
      bool is_unsigned;
      VOMSREPL_RETURN_IF_ERROR(IntegerValue(cell, &u, &s, &is_unsigned));
      if (is_unsigned) {
        AppendNumber(u, out);
      } else {
        AppendNumber(s, out);
      }
      return Status::OK();
    }
    case ColumnType::kFloat: case ColumnType::kDouble: {
      const size_t want = c.type == ColumnType::kFloat ? 4 : 8;
      if (cell.bytes.size() != want) return BadSize(cell, want);
      double v = want == 4 ? LoadFloat(cell.bytes) : LoadDouble(cell.bytes);
      if (!std::isfinite(v)) return ColumnError(cell, StatusCode::kCorruption, "value is not a finite number");
      char buf[32];
      auto r = want == 4 ? std::to_chars(buf, buf + sizeof buf, float(v)) : std::to_chars(buf, buf + sizeof buf, v);
      out.append(buf, size_t(r.ptr - buf));
      return Status::OK();
    }
    case ColumnType::kNewDecimal: {
      out.push_back('"');
      Status st = AppendDecimalText(cell.bytes, c.meta >> 8, c.meta & 0xff, out);
      if (!st.ok()) return ColumnError(cell, st);
      out.push_back('"');
      return Status::OK();
    }
    case ColumnType::kDate: case ColumnType::kNewDate: {
      auto d = DecodeDate(cell.bytes);
      if (!d.ok()) return ColumnError(cell, d.status());
      out.push_back('"');
      AppendDate(*d, '-', out);
      out.push_back('"');
      return Status::OK();
    }
    case ColumnType::kTime: case ColumnType::kTime2: {
      auto t = c.type == ColumnType::kTime ? DecodeTime(cell.bytes) : DecodeTime2(cell.bytes, c.meta);
      if (!t.ok()) return ColumnError(cell, t.status());
      out.push_back('"');
      AppendTime(*t, c.type == ColumnType::kTime ? 0 : c.meta, out);
      out.push_back('"');
      return Status::OK();
    }
    case ColumnType::kDateTime: case ColumnType::kDateTime2: {
      auto d = c.type == ColumnType::kDateTime ? DecodeDateTime(cell.bytes) : DecodeDateTime2(cell.bytes, c.meta);
      if (!d.ok()) return ColumnError(cell, d.status());
      out.push_back('"');
      AppendDateTime(*d, c.type == ColumnType::kDateTime ? 0 : c.meta, out);
      out.push_back('"');
      return Status::OK();
    }
    case ColumnType::kTimestamp: case ColumnType::kTimestamp2: {
      auto t = c.type == ColumnType::kTimestamp ? DecodeTimestamp(cell.bytes) : DecodeTimestamp2(cell.bytes, c.meta);
      if (!t.ok()) return ColumnError(cell, t.status());
      out.push_back('"');
      AppendTimestampUtc(*t, c.type == ColumnType::kTimestamp ? 0 : c.meta, out);
      out.push_back('"');
      return Status::OK();
    }
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
    case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob: {
      Bytes payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
      std::string_view s = AsStringView(payload);
      if (c.charset == kBinaryCharset) {
        AppendBase64String(payload, out);
      } else if (IsLatin1(c.charset)) {
        AppendJsonStringLatin1(s, out);
      } else if (IsUtf8(s)) {
        AppendJsonString(s, out);
      } else {
        AppendBase64String(payload, out);
      }
      return Status::OK();
    }
    case ColumnType::kGeometry: {
      Bytes payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
      AppendBase64String(payload, out);
      return Status::OK();
    }
    case ColumnType::kEnum: {
      uint64_t u;
      int64_t s;
      bool is_unsigned;
      VOMSREPL_RETURN_IF_ERROR(IntegerValue(cell, &u, &s, &is_unsigned));
      if (c.enum_values.empty()) {
        AppendNumber(u, out);
      } else if (u == 0) {
        out.append("\"\"");  // the error value '' of an invalid insert
      } else if (u > c.enum_values.size()) {
        return ColumnError(cell, StatusCode::kCorruption,
                           "ENUM index " + std::to_string(u) + " exceeds its " + std::to_string(c.enum_values.size()) + " members");
      } else {
        AppendJsonString(c.enum_values[u - 1], out);
      }
      return Status::OK();
    }
    case ColumnType::kSet: {
      uint64_t u;
      int64_t s;
      bool is_unsigned;
      VOMSREPL_RETURN_IF_ERROR(IntegerValue(cell, &u, &s, &is_unsigned));
      if (c.enum_values.empty()) {
        AppendNumber(u, out);
        return Status::OK();
      }
      if (c.enum_values.size() < 64 && (u >> c.enum_values.size()) != 0)
        return ColumnError(cell, StatusCode::kCorruption,
                           "SET bitmask has bits beyond its " + std::to_string(c.enum_values.size()) + " members");
      // Members joined by ','; escape through one JSON string built in place.
      out.push_back('"');
      bool first = true;
      for (size_t i = 0; i < c.enum_values.size() && i < 64; ++i) {
        if (((u >> i) & 1) == 0) continue;
        if (!first) out.push_back(',');
        first = false;
        const size_t at = out.size();
        AppendJsonString(c.enum_values[i], out);
        // Drop the quotes AppendJsonString added around this member.
        out.erase(at, 1);
        out.pop_back();
      }
      out.push_back('"');
      return Status::OK();
    }
    case ColumnType::kJson: {
      Bytes payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
      Status st = cell.is_partial_json ? AppendJsonDiffJson(payload, out)
                                       : AppendJsonBinaryText(payload, JsonTextStyle::kCompact, out);
      return st.ok() ? st : ColumnError(cell, st);
    }
    case ColumnType::kVector: {
      // Format: MySQL 9 sql/field.cc Field_vector (little-endian float32s).
      Bytes payload;
      VOMSREPL_RETURN_IF_ERROR(Payload(cell, &payload));
      if (payload.size() % 4 != 0)
        return ColumnError(cell, StatusCode::kCorruption, "VECTOR of " + std::to_string(payload.size()) + " bytes is not whole floats");
      out.push_back('[');
      for (size_t i = 0; i < payload.size(); i += 4) {
        if (i > 0) out.push_back(',');
        float f = float(LoadFloat(payload.subspan(i, 4)));
        if (!std::isfinite(f)) return ColumnError(cell, StatusCode::kCorruption, "VECTOR element is not finite");
        char buf[32];
        auto r = std::to_chars(buf, buf + sizeof buf, f);
        out.append(buf, size_t(r.ptr - buf));
      }
      out.push_back(']');
      return Status::OK();
    }
    case ColumnType::kNull:
      out.append("null");
      return Status::OK();
    default:
      return NotSupportedType(cell);
  }
}

}  // namespace

bool IsUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    uint8_t b = uint8_t(s[i]);
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((b & 0xe0) == 0xc0) { len = 2; cp = b & 0x1f; }
    else if ((b & 0xf0) == 0xe0) { len = 3; cp = b & 0x0f; }
    else if ((b & 0xf8) == 0xf0) { len = 4; cp = b & 0x07; }
    else return false;
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      uint8_t c = uint8_t(s[i + k]);
      if ((c & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

Status AppendCellText(const Cell& cell, TextStyle style, std::string& out) {
  if (cell.column == nullptr) return InvalidArgument("cell #" + std::to_string(cell.index) + " has no column description");
  if (cell.is_null) {
    out.append(style == TextStyle::kJson ? "null" : "NULL");
    return Status::OK();
  }
  const size_t mark = out.size();
  Status st = style == TextStyle::kJson ? AppendJson(cell, out) : AppendMariadb(cell, out);
  if (!st.ok()) out.resize(mark);
  return st;
}

Result<int64_t> CellInt64(const Cell& cell) {
  if (cell.column == nullptr) return InvalidArgument("cell #" + std::to_string(cell.index) + " has no column description");
  if (cell.is_null) return ColumnError(cell, StatusCode::kInvalidArgument, "value is NULL");
  uint64_t u;
  int64_t s;
  bool is_unsigned;
  VOMSREPL_RETURN_IF_ERROR(IntegerValue(cell, &u, &s, &is_unsigned));
  if (!is_unsigned) return s;
  if (u > uint64_t(std::numeric_limits<int64_t>::max()))
    return ColumnError(cell, StatusCode::kOutOfRange, "unsigned value " + std::to_string(u) + " exceeds INT64_MAX");
  return int64_t(u);
}

Result<uint64_t> CellUInt64(const Cell& cell) {
  if (cell.column == nullptr) return InvalidArgument("cell #" + std::to_string(cell.index) + " has no column description");
  if (cell.is_null) return ColumnError(cell, StatusCode::kInvalidArgument, "value is NULL");
  uint64_t u;
  int64_t s;
  bool is_unsigned;
  VOMSREPL_RETURN_IF_ERROR(IntegerValue(cell, &u, &s, &is_unsigned));
  if (is_unsigned) return u;
  if (s < 0) return ColumnError(cell, StatusCode::kOutOfRange, "negative value " + std::to_string(s) + " read as unsigned");
  return uint64_t(s);
}

Result<double> CellDouble(const Cell& cell) {
  if (cell.column == nullptr) return InvalidArgument("cell #" + std::to_string(cell.index) + " has no column description");
  if (cell.is_null) return ColumnError(cell, StatusCode::kInvalidArgument, "value is NULL");
  switch (cell.column->type) {
    case ColumnType::kFloat:
      if (cell.bytes.size() != 4) return BadSize(cell, 4);
      return LoadFloat(cell.bytes);
    case ColumnType::kDouble:
      if (cell.bytes.size() != 8) return BadSize(cell, 8);
      return LoadDouble(cell.bytes);
    default: {
      uint64_t u;
      int64_t s;
      bool is_unsigned;
      VOMSREPL_RETURN_IF_ERROR(IntegerValue(cell, &u, &s, &is_unsigned));
      return is_unsigned ? double(u) : double(s);
    }
  }
}

}  // namespace vomsrepl::binlog
