#include "binlog/value_text.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "binlog/cell_visit.h"
#include "binlog/decimal.h"
#include "binlog/json_binary.h"
#include "binlog/temporal.h"

namespace vomsrepl::binlog {
namespace {

constexpr uint32_t kBinaryCharset = 63;

template <class T>
void AppendNumber(T v, std::string& out) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, size_t(r.ptr - buf));
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

// DATE, TIME and DATETIME as quoted text, the same in both styles but for
// the quote and the date separator.
struct QuotedTemporals {
  std::string& out;
  char quote;
  char date_separator;

  Status Date(const DateValue& d) {
    out.push_back(quote);
    AppendDate(d, date_separator, out);
    out.push_back(quote);
    return Status::OK();
  }
  Status Time(const TimeValue& t, unsigned fsp) {
    out.push_back(quote);
    AppendTime(t, fsp, out);
    out.push_back(quote);
    return Status::OK();
  }
  Status DateTime(const DateTimeValue& d, unsigned fsp) {
    out.push_back(quote);
    AppendDateTime(d, fsp, out);
    out.push_back(quote);
    return Status::OK();
  }
};

// The text mariadb-binlog -vv prints (TextStyle::kMariadbBinlog); `out` may be
// left partly written on error (AppendCellText restores it).
// Format: MariaDB sql/log_event_client.cc log_event_print_value.
struct MariadbText : QuotedTemporals {
  const Cell& cell;

  Status Integer(uint64_t u, int64_t s) {
    // my_b_write_sint32_and_uint32 / LONGLONG: the signed value, the unsigned after a negative one.
    AppendNumber(s, out);
    if (s < 0) {
      out.append(" (");
      AppendNumber(u, out);
      out.push_back(')');
    }
    return Status::OK();
  }
  Status Year(uint8_t stored) {
    AppendNumber(1900u + stored, out);  // also for the zero year, as mariadb-binlog
    return Status::OK();
  }
  Status Float(float v) {
    const size_t start = out.size();  // "%-20g"
    AppendGeneral(v, 6, out);
    if (out.size() - start < 20) out.append(20 - (out.size() - start), ' ');
    return Status::OK();
  }
  Status Double(double v) {
    AppendGeneral(v, 20, out);  // "%-.20g"
    return Status::OK();
  }
  Status Decimal(Bytes stored, unsigned precision, unsigned scale) {
    return AppendDecimalText(stored, precision, scale, out);
  }
  Status Timestamp(const TimestampValue& t, unsigned fsp) {
    AppendTimestampEpoch(t, fsp, out);
    return Status::OK();
  }
  Status Bit(uint64_t, unsigned nbits, Bytes stored) {
    AppendBits(stored, stored.size() * 8 - nbits, out);
    return Status::OK();
  }
  Status Enum(uint64_t index) {
    AppendNumber(index, out);
    return Status::OK();
  }
  Status Set(uint64_t, Bytes stored) {
    AppendBits(stored, 0, out);  // my_b_write_bit over the stored bytes
    return Status::OK();
  }
  Status Text(Bytes payload) {
    AppendMysqlbinlogQuoted(AsStringView(payload), out);
    return Status::OK();
  }
  Status Geometry(Bytes payload) { return Text(payload); }
  Status Vector(Bytes payload) { return Text(payload); }
  Status Json(Bytes payload) {
    if (cell.is_partial_json) return AppendJsonDiffMysqlbinlog(payload, cell.index + 1, out);
    // MySQL log_event.cc, JSON: the document's text, quoted.
    out.push_back('\'');
    VOMSREPL_RETURN_IF_ERROR(AppendJsonBinaryText(payload, JsonTextStyle::kMysql, out));
    out.push_back('\'');
    return Status::OK();
  }
  Status NullType() {
    out.append("NULL");
    return Status::OK();
  }
};

// A JSON literal (TextStyle::kJson).
struct JsonText : QuotedTemporals {
  const Cell& cell;

  Status Integer(uint64_t u, int64_t s) {
    if (cell.column->is_unsigned) {
      AppendNumber(u, out);
    } else {
      AppendNumber(s, out);
    }
    return Status::OK();
  }
  Status Year(uint8_t stored) {
    AppendNumber(stored == 0 ? 0u : 1900u + stored, out);
    return Status::OK();
  }
  template <class T>
  Status Finite(T v) {
    if (!std::isfinite(v)) return Corruption("value is not a finite number");
    AppendNumber(v, out);  // shortest round trip
    return Status::OK();
  }
  Status Float(float v) { return Finite(v); }
  Status Double(double v) { return Finite(v); }
  Status Decimal(Bytes stored, unsigned precision, unsigned scale) {
    out.push_back('"');
    VOMSREPL_RETURN_IF_ERROR(AppendDecimalText(stored, precision, scale, out));
    out.push_back('"');
    return Status::OK();
  }
  Status Timestamp(const TimestampValue& t, unsigned fsp) {
    out.push_back('"');
    AppendTimestampUtc(t, fsp, out);
    out.push_back('"');
    return Status::OK();
  }
  Status Bit(uint64_t v, unsigned, Bytes) {
    AppendNumber(v, out);
    return Status::OK();
  }
  Status Enum(uint64_t index) {
    const auto& members = cell.column->enum_values;
    if (members.empty()) {
      AppendNumber(index, out);
    } else if (index == 0) {
      out.append("\"\"");  // the error value '' of an invalid insert
    } else if (index > members.size()) {
      return Corruption("ENUM index " + std::to_string(index) + " exceeds its " + std::to_string(members.size()) +
                        " members");
    } else {
      AppendJsonString(members[index - 1], out);
    }
    return Status::OK();
  }
  Status Set(uint64_t mask, Bytes) {
    const auto& members = cell.column->enum_values;
    if (members.empty()) {
      AppendNumber(mask, out);
      return Status::OK();
    }
    if (members.size() < 64 && (mask >> members.size()) != 0)
      return Corruption("SET bitmask has bits beyond its " + std::to_string(members.size()) + " members");
    // Members joined by ','; escape through one JSON string built in place.
    out.push_back('"');
    bool first = true;
    for (size_t i = 0; i < members.size() && i < 64; ++i) {
      if (((mask >> i) & 1) == 0) continue;
      if (!first) out.push_back(',');
      first = false;
      const size_t at = out.size();
      AppendJsonString(members[i], out);
      // Drop the quotes AppendJsonString added around this member.
      out.erase(at, 1);
      out.pop_back();
    }
    out.push_back('"');
    return Status::OK();
  }
  Status Text(Bytes payload) {
    const uint32_t charset = cell.column->charset;
    std::string_view s = AsStringView(payload);
    if (charset == kBinaryCharset) {
      AppendBase64String(payload, out);
    } else if (IsLatin1(charset)) {
      AppendJsonStringLatin1(s, out);
    } else if (IsUtf8(s)) {
      AppendJsonString(s, out);
    } else {
      AppendBase64String(payload, out);
    }
    return Status::OK();
  }
  Status Geometry(Bytes payload) {
    AppendBase64String(payload, out);
    return Status::OK();
  }
  Status Vector(Bytes payload) {
    // Format: MySQL 9 sql/field.cc Field_vector (little-endian float32s).
    if (payload.size() % 4 != 0)
      return Corruption("VECTOR of " + std::to_string(payload.size()) + " bytes is not whole floats");
    out.push_back('[');
    for (size_t i = 0; i < payload.size(); i += 4) {
      if (i > 0) out.push_back(',');
      float f;
      std::memcpy(&f, payload.data() + i, 4);
      if (!std::isfinite(f)) return Corruption("VECTOR element is not finite");
      AppendNumber(f, out);
    }
    out.push_back(']');
    return Status::OK();
  }
  Status Json(Bytes payload) {
    return cell.is_partial_json ? AppendJsonDiffJson(payload, out)
                                : AppendJsonBinaryText(payload, JsonTextStyle::kCompact, out);
  }
  Status NullType() {
    out.append("null");
    return Status::OK();
  }
};

// The number of the integer-like types, for the typed accessors.
struct Number {
  const Cell& cell;
  uint64_t u = 0;
  int64_t s = 0;
  bool is_unsigned = true;
  double d = 0;
  bool is_float = false;

  Status Integer(uint64_t raw, int64_t sign_extended) {
    u = raw;
    s = sign_extended;
    is_unsigned = cell.column->is_unsigned;
    return Status::OK();
  }
  Status Year(uint8_t stored) { return Unsigned(stored == 0 ? 0u : 1900u + stored); }
  Status Bit(uint64_t v, unsigned, Bytes) { return Unsigned(v); }
  Status Enum(uint64_t index) { return Unsigned(index); }
  Status Set(uint64_t mask, Bytes) { return Unsigned(mask); }
  Status Float(float v) { return Floating(v); }
  Status Double(double v) { return Floating(v); }
  Status Decimal(Bytes, unsigned, unsigned) { return NotNumber(); }
  Status Date(const DateValue&) { return NotNumber(); }
  Status Time(const TimeValue&, unsigned) { return NotNumber(); }
  Status DateTime(const DateTimeValue&, unsigned) { return NotNumber(); }
  Status Timestamp(const TimestampValue&, unsigned) { return NotNumber(); }
  Status Text(Bytes) { return NotNumber(); }
  Status Geometry(Bytes) { return NotNumber(); }
  Status Vector(Bytes) { return NotNumber(); }
  Status Json(Bytes) { return NotNumber(); }
  Status NullType() { return NotNumber(); }

  Status Unsigned(uint64_t v) {
    u = v;
    s = int64_t(v);
    is_unsigned = true;
    return Status::OK();
  }
  Status Floating(double v) {
    d = v;
    is_float = true;
    return Status::OK();
  }
  static Status NotNumber() { return InvalidArgument("is not an integer type"); }
};

// Reads `cell` as a number; `floats` admits FLOAT and DOUBLE.
Status ReadNumber(const Cell& cell, bool floats, Number* n) {
  if (cell.column == nullptr) return InvalidArgument("cell #" + std::to_string(cell.index) + " has no column description");
  if (cell.is_null) return CellError(cell, StatusCode::kInvalidArgument, "value is NULL");
  VOMSREPL_RETURN_IF_ERROR(VisitCell(cell, *n));
  if (n->is_float && !floats) return CellError(cell, Number::NotNumber());
  return Status::OK();
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
  Status st;
  if (style == TextStyle::kJson) {
    JsonText sink{{out, '"', '-'}, cell};
    st = VisitCell(cell, sink);
  } else {
    MariadbText sink{{out, '\'', ':'}, cell};
    st = VisitCell(cell, sink);
  }
  if (!st.ok()) out.resize(mark);
  return st;
}

Result<int64_t> CellInt64(const Cell& cell) {
  Number n{cell};
  VOMSREPL_RETURN_IF_ERROR(ReadNumber(cell, false, &n));
  if (!n.is_unsigned) return n.s;
  if (n.u > uint64_t(std::numeric_limits<int64_t>::max()))
    return CellError(cell, StatusCode::kOutOfRange, "unsigned value " + std::to_string(n.u) + " exceeds INT64_MAX");
  return int64_t(n.u);
}

Result<uint64_t> CellUInt64(const Cell& cell) {
  Number n{cell};
  VOMSREPL_RETURN_IF_ERROR(ReadNumber(cell, false, &n));
  if (n.is_unsigned) return n.u;
  if (n.s < 0) return CellError(cell, StatusCode::kOutOfRange, "negative value " + std::to_string(n.s) + " read as unsigned");
  return uint64_t(n.s);
}

Result<double> CellDouble(const Cell& cell) {
  Number n{cell};
  VOMSREPL_RETURN_IF_ERROR(ReadNumber(cell, true, &n));
  if (n.is_float) return n.d;
  return n.is_unsigned ? double(n.u) : double(n.s);
}

}  // namespace vomsrepl::binlog
