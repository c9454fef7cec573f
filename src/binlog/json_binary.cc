#include "binlog/json_binary.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "binlog/decimal.h"
#include "binlog/temporal.h"

namespace vomsrepl::binlog {
namespace {

// Value types. Format: MySQL sql/json_binary.h JSONB_TYPE_*.
enum : uint8_t {
  kSmallObject = 0x00,
  kLargeObject = 0x01,
  kSmallArray = 0x02,
  kLargeArray = 0x03,
  kLiteral = 0x04,
  kInt16 = 0x05,
  kUInt16 = 0x06,
  kInt32 = 0x07,
  kUInt32 = 0x08,
  kInt64 = 0x09,
  kUInt64 = 0x0a,
  kDouble = 0x0b,
  kString = 0x0c,
  kOpaque = 0x0f,
};
enum : uint8_t { kLiteralNull = 0x00, kLiteralTrue = 0x01, kLiteralFalse = 0x02 };

// enum_field_types of OPAQUE values MySQL prints specially.
enum : uint8_t {
  kFieldTimestamp = 7,
  kFieldDate = 10,
  kFieldTime = 11,
  kFieldDateTime = 12,
  kFieldNewDate = 14,
  kFieldTimestamp2 = 17,
  kFieldDateTime2 = 18,
  kFieldTime2 = 19,
  kFieldNewDecimal = 246,
};

uint8_t U8(const std::byte* p) { return std::to_integer<uint8_t>(*p); }

template <class T>
void AppendInteger(T v, std::string& out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, size_t(r.ptr - buf));
}

// Reads a variable-length length (1..5 bytes). Format: json_binary.cc read_variable_length.
bool ReadVariableLength(const std::byte*& p, const std::byte* end, uint32_t* length) {
  uint64_t v = 0;
  for (int i = 0; i < 5; ++i) {
    if (p == end) return false;
    uint8_t b = U8(p++);
    v |= uint64_t(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (v > UINT32_MAX) return false;
      *length = uint32_t(v);
      return true;
    }
  }
  return false;
}

class JsonPrinter {
 public:
  JsonPrinter(JsonTextStyle style, std::string& out, size_t budget) : style_(style), out_(out), budget_(budget) {}

  // `data` runs from the value's first byte to the end of the enclosing
  // container (or document).
  Status Value(uint8_t type, Bytes data, int depth) {
    if (budget_ == 0) return Corruption("JSON document visits more values than it has bytes (overlapping values)");
    --budget_;
    const std::byte* p = data.data();
    const size_t n = data.size();
    switch (type) {
      case kSmallObject: return Container(data, false, true, depth + 1);
      case kLargeObject: return Container(data, true, true, depth + 1);
      case kSmallArray: return Container(data, false, false, depth + 1);
      case kLargeArray: return Container(data, true, false, depth + 1);
      case kLiteral:
        if (n < 1) return Truncated("literal");
        return Literal(U8(p));
      case kInt16: return Integer<int16_t>(p, n, "int16");
      case kUInt16: return Integer<uint16_t>(p, n, "uint16");
      case kInt32: return Integer<int32_t>(p, n, "int32");
      case kUInt32: return Integer<uint32_t>(p, n, "uint32");
      case kInt64: return Integer<int64_t>(p, n, "int64");
      case kUInt64: return Integer<uint64_t>(p, n, "uint64");
      case kDouble: {
        if (n < 8) return Truncated("double");
        uint64_t bits = LoadLE<8>(p);
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!AppendJsonDouble(d, out_)) return Corruption("JSON double is not finite");
        return Status::OK();
      }
      case kString: {
        const std::byte* q = p;
        uint32_t len = 0;
        if (!ReadVariableLength(q, p + n, &len) || len > size_t(p + n - q)) return Truncated("string");
        AppendJsonString(AsStringView(Bytes(q, len)), out_);
        return Status::OK();
      }
      case kOpaque: {
        if (n < 1) return Truncated("opaque");
        uint8_t field_type = U8(p);
        const std::byte* q = p + 1;
        uint32_t len = 0;
        if (!ReadVariableLength(q, p + n, &len) || len > size_t(p + n - q)) return Truncated("opaque");
        return Opaque(field_type, Bytes(q, len));
      }
      default:
        return Corruption("JSON value type " + std::to_string(type) + " is unknown");
    }
  }

 private:
  // An inline integer of type T (little-endian, sizeof(T) bytes).
  template <class T>
  Status Integer(const std::byte* p, size_t n, const char* what) {
    if (n < sizeof(T)) return Truncated(what);
    AppendInteger(T(LoadLE<sizeof(T)>(p)), out_);
    return Status::OK();
  }

  static Status Truncated(const char* what) {
    return Corruption(std::string("JSON ") + what + " value runs past its container");
  }

  Status Literal(uint8_t v) {
    switch (v) {
      case kLiteralNull: out_.append("null"); return Status::OK();
      case kLiteralTrue: out_.append("true"); return Status::OK();
      case kLiteralFalse: out_.append("false"); return Status::OK();
      default: return Corruption("JSON literal " + std::to_string(v) + " is unknown");
    }
  }

  static bool Inlined(uint8_t type, bool large) {
    switch (type) {
      case kLiteral: case kInt16: case kUInt16: return true;
      case kInt32: case kUInt32: return large;
      default: return false;
    }
  }

  // Format: json_binary.cc parse_array_or_object / Value::element / Value::key.
  Status Container(Bytes data, bool large, bool is_object, int depth) {
    if (depth > kJsonMaxDepth)
      return Corruption("JSON document nests deeper than " + std::to_string(kJsonMaxDepth));
    const size_t w = large ? 4 : 2;
    if (data.size() < 2 * w) return Truncated(is_object ? "object" : "array");
    const std::byte* base = data.data();
    const uint64_t count = large ? LoadLE<4>(base) : LoadLE<2>(base);
    const uint64_t size = large ? LoadLE<4>(base + w) : LoadLE<2>(base + w);
    if (size > data.size() || size < 2 * w)
      return Corruption("JSON container size " + std::to_string(size) + " exceeds the " +
                        std::to_string(data.size()) + " bytes available");
    const uint64_t key_entry = is_object ? w + 2 : 0;
    const uint64_t value_entry = 1 + w;
    const uint64_t header = 2 * w + count * (key_entry + value_entry);
    if (header > size)
      return Corruption("JSON container of " + std::to_string(count) + " elements does not fit in " +
                        std::to_string(size) + " bytes");
    const Bytes region(base, size_t(size));
    const std::byte* keys = base + 2 * w;
    const std::byte* values = keys + count * key_entry;
    const bool spaced = style_ == JsonTextStyle::kMysql;
    out_.push_back(is_object ? '{' : '[');
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) out_.append(spaced ? ", " : ",");
      if (is_object) {
        const std::byte* k = keys + i * key_entry;
        uint64_t key_offset = large ? LoadLE<4>(k) : LoadLE<2>(k);
        uint64_t key_length = LoadLE<2>(k + w);
        if (key_offset < header || key_offset > size || key_length > size - key_offset)
          return Corruption("JSON object key " + std::to_string(i) + " lies outside its object");
        AppendJsonString(AsStringView(region.subspan(size_t(key_offset), size_t(key_length))), out_);
        out_.append(spaced ? ": " : ":");
      }
      const std::byte* e = values + i * value_entry;
      uint8_t type = U8(e);
      if (Inlined(type, large)) {
        VOMSREPL_RETURN_IF_ERROR(Value(type, Bytes(e + 1, w), depth));
        continue;
      }
      uint64_t offset = large ? LoadLE<4>(e + 1) : LoadLE<2>(e + 1);
      if (offset < header || offset >= size)
        return Corruption("JSON element " + std::to_string(i) + " offset " + std::to_string(offset) +
                          " lies outside its container");
      VOMSREPL_RETURN_IF_ERROR(Value(type, region.subspan(size_t(offset)), depth));
    }
    out_.push_back(is_object ? '}' : ']');
    return Status::OK();
  }

  Status Opaque(uint8_t field_type, Bytes data) {
    const bool compact = style_ == JsonTextStyle::kCompact;
    switch (field_type) {
      case kFieldNewDecimal: {
        // Precision byte, scale byte, binary decimal. Format: my_decimal.cc
        // my_decimal::get_binary / json_binary OPAQUE of DECIMAL.
        if (data.size() < 2) return Corruption("JSON DECIMAL value has no precision and scale");
        unsigned precision = U8(data.data()), scale = U8(data.data() + 1);
        if (compact) out_.push_back('"');
        Status st = AppendDecimalText(data.subspan(2), precision, scale, out_);
        if (!st.ok()) return st.WithContext("JSON DECIMAL");
        if (compact) out_.push_back('"');
        return Status::OK();
      }
      case kFieldDate: case kFieldNewDate:
      case kFieldDateTime: case kFieldDateTime2:
      case kFieldTimestamp: case kFieldTimestamp2:
      case kFieldTime: case kFieldTime2: {
        if (data.size() != 8) return Corruption("JSON temporal value has " + std::to_string(data.size()) + " bytes, expected 8");
        int64_t packed = int64_t(LoadLE<8>(data.data()));
        out_.push_back('"');
        if (field_type == kFieldTime || field_type == kFieldTime2) {
          auto t = TimeFromPacked(packed);
          if (!t.ok()) return t.status().WithContext("JSON TIME");
          AppendTime(*t, 6, out_);
        } else {
          auto d = DateTimeFromPacked(packed);
          if (!d.ok()) return d.status().WithContext("JSON DATETIME");
          if (field_type == kFieldDate || field_type == kFieldNewDate) {
            AppendDate(d->date, '-', out_);
          } else {
            AppendDateTime(*d, 6, out_);
          }
        }
        out_.push_back('"');
        return Status::OK();
      }
      default:
        // Format: MySQL json_dom.cc Json_wrapper::to_string (opaque values).
        out_.append("\"base64:type");
        AppendInteger(unsigned(field_type), out_);
        out_.push_back(':');
        AppendBase64(data, out_);
        out_.push_back('"');
        return Status::OK();
    }
  }

  JsonTextStyle style_;
  std::string& out_;
  size_t budget_;
};

Status PrintDocument(Bytes doc, JsonTextStyle style, std::string& out) {
  if (doc.empty()) {
    out.append("null");
    return Status::OK();
  }
  // A value entry is at least 3 bytes, so a document whose values do not
  // overlap never visits more values than it has bytes.
  JsonPrinter printer(style, out, doc.size() + 1);
  return printer.Value(U8(doc.data()), doc.subspan(1), 0);
}

const char* DiffFunctionName(const JsonDiff& d) {
  switch (d.operation) {
    case JsonDiffOperation::kReplace: return "JSON_REPLACE";
    case JsonDiffOperation::kInsert:
      return !d.path.empty() && d.path.back() == ']' ? "JSON_ARRAY_INSERT" : "JSON_INSERT";
    case JsonDiffOperation::kRemove: return "JSON_REMOVE";
  }
  return "JSON_UNKNOWN";
}

// Number of diffs, and the function name of diff `i` (a second pass keeps
// this allocation-free: lists are short).
Status CollectDiffs(Bytes diffs, size_t* count) {
  JsonDiffReader r(diffs);
  JsonDiff d;
  size_t n = 0;
  while (r.Next(&d)) ++n;
  if (!r.status().ok()) return r.status();
  *count = n;
  return Status::OK();
}

bool NthDiff(Bytes diffs, size_t i, JsonDiff* out) {
  JsonDiffReader r(diffs);
  for (size_t k = 0; r.Next(out); ++k)
    if (k == i) return true;
  return false;
}

}  // namespace

void AppendJsonString(std::string_view bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;  // start of the pending unescaped run
  for (size_t i = 0; i < bytes.size(); ++i) {
    uint8_t b = uint8_t(bytes[i]);
    if (b >= 0x20 && b != '"' && b != '\\') continue;
    out.append(bytes.data() + run, i - run);
    run = i + 1;
    switch (b) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: {
        const char esc[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(bytes.data() + run, bytes.size() - run);
  out.push_back('"');
}

void AppendMysqlbinlogQuoted(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('\'');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    uint8_t b = uint8_t(s[i]);
    if (b > 0x1f) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    const char esc[4] = {'\\', 'x', kHex[b >> 4], kHex[b & 15]};
    out.append(esc, 4);
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('\'');
}

void AppendBase64(Bytes bytes, std::string& out) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  const size_t n = bytes.size();
  for (; i + 3 <= n; i += 3) {
    uint32_t v = uint32_t(U8(&bytes[i])) << 16 | uint32_t(U8(&bytes[i + 1])) << 8 | U8(&bytes[i + 2]);
    const char q[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
    out.append(q, 4);
  }
  if (n - i == 1) {
    uint32_t v = uint32_t(U8(&bytes[i])) << 16;
    const char q[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], '=', '='};
    out.append(q, 4);
  } else if (n - i == 2) {
    uint32_t v = uint32_t(U8(&bytes[i])) << 16 | uint32_t(U8(&bytes[i + 1])) << 8;
    const char q[4] = {kAlphabet[v >> 18], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
    out.append(q, 4);
  }
}

bool AppendJsonDouble(double v, std::string& out) {
  if (!std::isfinite(v)) return false;
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  size_t len = size_t(r.ptr - buf);
  out.append(buf, len);
  if (std::string_view(buf, len).find_first_of(".e") == std::string_view::npos) out.append(".0");
  return true;
}

Status AppendJsonBinaryText(Bytes doc, JsonTextStyle style, std::string& out) {
  const size_t mark = out.size();
  Status st = PrintDocument(doc, style, out);
  if (!st.ok()) out.resize(mark);
  return st;
}

// Format: MySQL sql/json_diff.cc Json_diff_vector::read_binary.
bool JsonDiffReader::Next(JsonDiff* diff) {
  if (!status_.ok() || cursor_.empty()) return false;
  const size_t at = cursor_.offset();
  uint8_t op = cursor_.ReadU8();
  if (op > uint8_t(JsonDiffOperation::kRemove)) {
    status_ = Corruption("JSON diff at offset " + std::to_string(at) + " has unknown operation " + std::to_string(op));
    return false;
  }
  uint64_t path_length = cursor_.ReadPackedInt();
  if (!cursor_.ok() || path_length > cursor_.remaining()) {
    status_ = Corruption("JSON diff at offset " + std::to_string(at) + ": path runs past the value");
    return false;
  }
  diff->operation = JsonDiffOperation(op);
  diff->path = cursor_.ReadString(size_t(path_length));
  diff->value = {};
  if (diff->operation != JsonDiffOperation::kRemove) {
    uint64_t value_length = cursor_.ReadPackedInt();
    if (!cursor_.ok() || value_length > cursor_.remaining() || value_length == 0) {
      status_ = Corruption("JSON diff at offset " + std::to_string(at) + ": value runs past the column");
      return false;
    }
    diff->value = cursor_.ReadBytes(size_t(value_length));
  }
  return true;
}

// Format: MySQL sql/log_event.cc Rows_log_event::print_verbose (JSON diffs).
Status AppendJsonDiffMysqlbinlog(Bytes diffs, uint32_t column_number, std::string& out) {
  static constexpr std::string_view kBreak = ",\n###      ";
  const size_t mark = out.size();
  size_t count = 0;
  VOMSREPL_RETURN_IF_ERROR(CollectDiffs(diffs, &count));
  // Function names, outermost first: diffs in reverse, one call per run of
  // equal names.
  JsonDiff d, prev;
  for (size_t i = count; i-- > 0;) {
    NthDiff(diffs, i, &d);
    bool same_as_previous = i > 0 && NthDiff(diffs, i - 1, &prev) &&
                            std::strcmp(DiffFunctionName(prev), DiffFunctionName(d)) == 0;
    if (same_as_previous) continue;
    out.append(DiffFunctionName(d));
    out.push_back('(');
    if (i > 0) out.append(kBreak.substr(1));  // "\n###      " before the next inner call
  }
  out.push_back('@');
  char buf[12];
  auto r = std::to_chars(buf, buf + sizeof buf, column_number);
  out.append(buf, size_t(r.ptr - buf));
  if (count == 0) return Status::OK();
  out.append(", ");
  JsonDiffReader reader(diffs);
  for (size_t i = 0; reader.Next(&d); ++i) {
    AppendMysqlbinlogQuoted(d.path, out);
    if (d.operation != JsonDiffOperation::kRemove) {
      out.append(", ");
      const uint8_t type = U8(d.value.data());
      if (type == kString) {
        const std::byte* p = d.value.data() + 1;
        const std::byte* end = d.value.data() + d.value.size();
        uint32_t len = 0;
        if (!ReadVariableLength(p, end, &len) || len > size_t(end - p)) {
          out.resize(mark);
          return Corruption("JSON diff " + std::to_string(i) + ": string value runs past its length");
        }
        AppendMysqlbinlogQuoted(AsStringView(Bytes(p, len)), out);
      } else {
        Status st = PrintDocument(d.value, JsonTextStyle::kMysql, out);
        if (!st.ok()) {
          out.resize(mark);
          return st.WithContext("JSON diff " + std::to_string(i));
        }
      }
    }
    const bool last = i + 1 == count;
    if (last || (NthDiff(diffs, i + 1, &prev) && std::strcmp(DiffFunctionName(prev), DiffFunctionName(d)) != 0))
      out.push_back(')');
    if (!last) out.append(kBreak);
  }
  return Status::OK();
}

Status AppendJsonDiffJson(Bytes diffs, std::string& out) {
  const size_t mark = out.size();
  out.append("{\"json_diff\":[");
  JsonDiffReader reader(diffs);
  JsonDiff d;
  for (size_t i = 0; reader.Next(&d); ++i) {
    if (i > 0) out.push_back(',');
    out.append("{\"op\":");
    out.append(d.operation == JsonDiffOperation::kReplace  ? "\"replace\""
               : d.operation == JsonDiffOperation::kInsert ? "\"insert\""
                                                           : "\"remove\"");
    out.append(",\"path\":");
    AppendJsonString(d.path, out);
    if (d.operation != JsonDiffOperation::kRemove) {
      out.append(",\"value\":");
      Status st = PrintDocument(d.value, JsonTextStyle::kCompact, out);
      if (!st.ok()) {
        out.resize(mark);
        return st.WithContext("JSON diff " + std::to_string(i));
      }
    }
    out.push_back('}');
  }
  if (!reader.status().ok()) {
    out.resize(mark);
    return reader.status();
  }
  out.append("]}");
  return Status::OK();
}

}  // namespace vomsrepl::binlog
