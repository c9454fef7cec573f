#include "binlog/table_map.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace vomsrepl::binlog {
namespace {

constexpr uint8_t kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};

std::string TableName(const TableSchema& t) { return t.database + "." + t.table; }

Status Bad(const TableSchema& t, std::string what) {
  return Corruption("TABLE_MAP table_id " + std::to_string(t.table_id) + " (" + TableName(t) + "): " + what);
}

bool IsKnownColumnType(uint8_t code) {
  return code <= static_cast<uint8_t>(ColumnType::kTypedArray) || code >= static_cast<uint8_t>(ColumnType::kVector);
}

// Number of metadata bytes a column type carries in TABLE_MAP.
// Format: MySQL sql/rpl_utility.cc table_def::table_def; MariaDB sql/rpl_utility.cc.
int MetadataBytes(ColumnType wire) {
  switch (wire) {
    case ColumnType::kFloat: case ColumnType::kDouble:
    case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
    case ColumnType::kGeometry: case ColumnType::kJson: case ColumnType::kVector:
    case ColumnType::kTime2: case ColumnType::kDateTime2: case ColumnType::kTimestamp2:
      return 1;
    case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kNewDecimal: case ColumnType::kBit:
    case ColumnType::kString: case ColumnType::kEnum: case ColumnType::kSet:
      return 2;
    default:
      return 0;
  }
}

// Column classes the optional metadata fields enumerate (MySQL
// sql/log_event.cc Table_map_log_event::init_*_field; MariaDB
// sql/log_event_server.cc, from each Field's binlog_type_info()). The two
// servers differ, so the predicates come in pairs picked by flavour.
bool IsMySqlSignednessColumn(ColumnType t) {
  switch (t) {
    case ColumnType::kTiny: case ColumnType::kShort: case ColumnType::kInt24: case ColumnType::kLong:
    case ColumnType::kLongLong: case ColumnType::kNewDecimal: case ColumnType::kFloat: case ColumnType::kDouble:
    case ColumnType::kDecimal:
      return true;
    default:
      return false;
  }
}
// MariaDB also counts YEAR (a Field_tiny, flagged UNSIGNED): in
// mariadb-types/types-bin.000001 the SIGNEDNESS of vt.temporals (INT, DATE,
// YEAR, ...) is 0x40, i.e. the second numeric column, YEAR, is unsigned.
bool IsMariaDbSignednessColumn(ColumnType t) { return t == ColumnType::kYear || IsMySqlSignednessColumn(t); }
// MySQL 9 counts VECTOR (binary charset) among them: vector.binlog's
// DEFAULT_CHARSET for (BIGINT, VECTOR, TEXT, VECTOR) is 63 with exception #1 = 255.
// MySQL leaves out GEOMETRY and JSON: json.binlog's (INT, JSON, VARCHAR, INT)
// has DEFAULT_CHARSET 255 with no exception.
bool IsMySqlCharacterColumn(ColumnType t) {
  switch (t) {
    case ColumnType::kString: case ColumnType::kVarString: case ColumnType::kVarchar: case ColumnType::kVector:
    case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
      return true;
    default:
      return false;
  }
}
// MariaDB counts GEOMETRY too (a Field_blob with the binary charset): in
// types-bin.000001 vt.others (INT, GEOMETRY, POINT, INET4, INET6, UUID, JSON)
// has DEFAULT_CHARSET 63 with exception #5 = 46, the JSON (LONGTEXT
// utf8mb4_bin) column, sixth when both geometries count. INET4/INET6/UUID
// arrive as binary STRING columns and count as strings.
bool IsMariaDbCharacterColumn(ColumnType t) { return t == ColumnType::kGeometry || IsMySqlCharacterColumn(t); }
bool IsEnumOrSet(ColumnType t) { return t == ColumnType::kEnum || t == ColumnType::kSet; }

// The i-th (0-based) column of `schema` for which pred(type) holds, or nullptr.
template <class Pred>
ColumnDesc* NthColumn(TableSchema& schema, uint64_t i, Pred pred) {
  for (ColumnDesc& c : schema.columns) {
    if (!pred(c.type)) continue;
    if (i == 0) return &c;
    --i;
  }
  return nullptr;
}

// MSB-first bitmap over the columns matching pred.
template <class Pred, class Set>
Status ReadMsbBitmap(TableSchema& t, ByteCursor& v, const char* field, Pred pred, Set set) {
  size_t k = 0;
  for (ColumnDesc& c : t.columns) {
    if (!pred(c.type)) continue;
    if (k / 8 >= v.remaining()) return Bad(t, std::string(field) + " bitmap shorter than its columns");
    uint8_t byte = std::to_integer<uint8_t>(v.rest()[k / 8]);
    set(c, (byte & (0x80u >> (k % 8))) != 0);
    ++k;
  }
  v.Skip(v.remaining());  // padding bits of the last byte
  return Status::OK();
}

// Default collation + (index among matching columns, collation) pairs.
template <class Pred>
Status ReadDefaultCharset(TableSchema& t, ByteCursor& v, const char* field, Pred pred) {
  uint64_t def = v.ReadPackedInt();
  if (!v.ok()) return Bad(t, std::string(field) + " truncated");
  for (ColumnDesc& c : t.columns)
    if (pred(c.type)) c.charset = uint32_t(def);
  while (!v.empty()) {
    uint64_t index = v.ReadPackedInt();
    uint64_t coll = v.ReadPackedInt();
    if (!v.ok()) return Bad(t, std::string(field) + " truncated");
    ColumnDesc* c = NthColumn(t, index, pred);
    if (c == nullptr) return Bad(t, std::string(field) + " names column #" + std::to_string(index) + " of its kind, past the last");
    c->charset = uint32_t(coll);
  }
  return Status::OK();
}

// One packed int per matching column.
template <class Pred, class Set>
Status ReadPerColumnInt(TableSchema& t, ByteCursor& v, const char* field, Pred pred, Set set) {
  for (ColumnDesc& c : t.columns) {
    if (!pred(c.type)) continue;
    uint64_t x = v.ReadPackedInt();
    if (!v.ok()) return Bad(t, std::string(field) + " shorter than its columns");
    set(c, x);
  }
  if (!v.empty()) return Bad(t, std::string(field) + " has " + std::to_string(v.remaining()) + " trailing bytes");
  return Status::OK();
}

Status ReadStringValues(TableSchema& t, ByteCursor& v, const char* field, ColumnType which) {
  for (ColumnDesc& c : t.columns) {
    if (c.type != which) continue;
    uint64_t count = v.ReadPackedInt();
    if (!v.ok() || count > v.remaining()) return Bad(t, std::string(field) + " truncated");
    c.enum_values.resize(size_t(count));
    for (std::string& s : c.enum_values) s.assign(AsStringView(v.ReadPackedBytes()));
    if (!v.ok()) return Bad(t, std::string(field) + " truncated");
  }
  if (!v.empty()) return Bad(t, std::string(field) + " has " + std::to_string(v.remaining()) + " trailing bytes");
  return Status::OK();
}

Status ReadPrimaryKey(TableSchema& t, ByteCursor& v, bool with_prefix) {
  t.has_primary_key_metadata = true;
  t.primary_key.clear();
  while (!v.empty()) {
    uint64_t index = v.ReadPackedInt();
    uint64_t prefix = with_prefix ? v.ReadPackedInt() : 0;
    if (!v.ok()) return Bad(t, "PRIMARY_KEY metadata truncated");
    if (index >= t.columns.size())
      return Bad(t, "PRIMARY_KEY names column " + std::to_string(index) + " of " + std::to_string(t.columns.size()));
    t.columns[index].is_primary_key = true;
    t.columns[index].primary_key_prefix = uint32_t(prefix);
    t.primary_key.push_back(uint32_t(index));
  }
  return Status::OK();
}

// Optional metadata TLVs.
// Format: MySQL libbinlogevents rows_event.cpp Table_map_event::Optional_metadata_fields.
Status DecodeOptionalMetadata(TableSchema& t, ByteCursor& c, bool mariadb) {
  auto is_signedness = mariadb ? IsMariaDbSignednessColumn : IsMySqlSignednessColumn;
  auto is_character = mariadb ? IsMariaDbCharacterColumn : IsMySqlCharacterColumn;
  while (!c.empty()) {
    uint8_t type = c.ReadU8();
    Bytes value = c.ReadPackedBytes();
    if (!c.ok()) return Bad(t, "optional metadata field truncated (type " + std::to_string(type) + ")");
    ByteCursor v(value);
    Status st;
    switch (static_cast<TableMapMetadataField>(type)) {
      case TableMapMetadataField::kSignedness:
        st = ReadMsbBitmap(t, v, "SIGNEDNESS", is_signedness, [](ColumnDesc& col, bool bit) {
          col.has_signedness = true;
          col.is_unsigned = bit;
        });
        break;
      case TableMapMetadataField::kDefaultCharset:
        st = ReadDefaultCharset(t, v, "DEFAULT_CHARSET", is_character);
        break;
      case TableMapMetadataField::kColumnCharset:
        st = ReadPerColumnInt(t, v, "COLUMN_CHARSET", is_character,
                              [](ColumnDesc& col, uint64_t x) { col.charset = uint32_t(x); });
        break;
      case TableMapMetadataField::kColumnName:
        for (ColumnDesc& col : t.columns) col.name.assign(AsStringView(v.ReadPackedBytes()));
        if (!v.ok()) return Bad(t, "COLUMN_NAME shorter than its columns");
        if (!v.empty()) return Bad(t, "COLUMN_NAME has trailing bytes");
        break;
      case TableMapMetadataField::kSetStrValue:
        st = ReadStringValues(t, v, "SET_STR_VALUE", ColumnType::kSet);
        break;
      case TableMapMetadataField::kEnumStrValue:
        st = ReadStringValues(t, v, "ENUM_STR_VALUE", ColumnType::kEnum);
        break;
      case TableMapMetadataField::kGeometryType:
        st = ReadPerColumnInt(t, v, "GEOMETRY_TYPE", [](ColumnType ty) { return ty == ColumnType::kGeometry; },
                              [](ColumnDesc& col, uint64_t x) { col.geometry_type = uint32_t(x); });
        break;
      case TableMapMetadataField::kSimplePrimaryKey:
        st = ReadPrimaryKey(t, v, false);
        break;
      case TableMapMetadataField::kPrimaryKeyWithPrefix:
        st = ReadPrimaryKey(t, v, true);
        break;
      case TableMapMetadataField::kEnumAndSetDefaultCharset:
        st = ReadDefaultCharset(t, v, "ENUM_AND_SET_DEFAULT_CHARSET", IsEnumOrSet);
        break;
      case TableMapMetadataField::kEnumAndSetColumnCharset:
        st = ReadPerColumnInt(t, v, "ENUM_AND_SET_COLUMN_CHARSET", IsEnumOrSet,
                              [](ColumnDesc& col, uint64_t x) { col.charset = uint32_t(x); });
        break;
      case TableMapMetadataField::kColumnVisibility:
        st = ReadMsbBitmap(t, v, "COLUMN_VISIBILITY", [](ColumnType) { return true; },
                           [](ColumnDesc& col, bool bit) { col.visible = bit; });
        break;
      case TableMapMetadataField::kVectorDimensionality:
        st = ReadPerColumnInt(t, v, "VECTOR_DIMENSIONALITY", [](ColumnType ty) { return ty == ColumnType::kVector; },
                              [](ColumnDesc& col, uint64_t x) { col.vector_dimensions = uint32_t(x); });
        break;
      default:
        ++t.unknown_metadata_fields;  // self-describing: skipped by its length
        break;
    }
    VOMSREPL_RETURN_IF_ERROR(st);
  }
  return Status::OK();
}

// Resolves the real type of a MYSQL_TYPE_STRING column (CHAR, BINARY, ENUM,
// SET) and its length. Format: MySQL sql/field.cc Field_string::do_save_field_metadata
// (CHAR > 255 bytes folds length bits 8-9, inverted, into bits 4-5 of byte 0).
Status ResolveString(TableSchema& t, size_t i, ColumnDesc& c) {
  uint8_t b0 = uint8_t(c.wire_meta >> 8), b1 = uint8_t(c.wire_meta & 0xff);
  uint32_t length = b1;
  if ((b0 & 0x30) != 0x30) {
    length |= uint32_t((b0 & 0x30) ^ 0x30) << 4;
    b0 |= 0x30;
  }
  switch (static_cast<ColumnType>(b0)) {
    case ColumnType::kString:
      c.type = ColumnType::kString;
      c.max_length = length;
      c.meta = uint16_t(length);
      return Status::OK();
    case ColumnType::kEnum:
    case ColumnType::kSet:
      c.type = static_cast<ColumnType>(b0);
      c.meta = b1;  // pack length
      return Status::OK();
    default:
      return Bad(t, "column " + std::to_string(i) + " of wire type STRING has real type " + std::to_string(b0));
  }
}

}  // namespace

bool PeekTableId(EventType type, Bytes body, const FormatDescription& fde, uint64_t* table_id) {
  size_t width = TableIdWidth(fde.PostHeaderLength(type));
  if (body.size() < width) return false;
  *table_id = width == 4 ? LoadLE<4>(body.data()) : LoadLE<6>(body.data());
  return true;
}

Status BuildRowLayout(TableSchema& t) {
  t.layout.resize(t.columns.size());
  t.json_column_count = 0;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    const ColumnDesc& c = t.columns[i];
    ValueLayout& l = t.layout[i];
    l = ValueLayout{};
    auto fixed = [&](unsigned n) { l.fixed_size = uint16_t(n); };
    auto prefixed = [&](unsigned n) -> Status {
      if (n < 1 || n > 4)
        return Bad(t, "column " + std::to_string(i) + " (" + std::string(ColumnTypeName(c.type)) +
                          ") has length-bytes metadata " + std::to_string(n) + ", expected 1..4");
      l.length_bytes = uint8_t(n);
      return Status::OK();
    };
    auto fsp = [&](unsigned base) -> Status {
      if (c.meta > 6) return Bad(t, "column " + std::to_string(i) + " has fractional-second precision " + std::to_string(c.meta));
      fixed(base + (c.meta + 1) / 2);
      return Status::OK();
    };
    Status st;
    switch (c.type) {
      case ColumnType::kTiny: case ColumnType::kYear: fixed(1); break;
      case ColumnType::kShort: fixed(2); break;
      case ColumnType::kInt24: case ColumnType::kDate: case ColumnType::kNewDate: case ColumnType::kTime: fixed(3); break;
      case ColumnType::kLong: case ColumnType::kFloat: case ColumnType::kTimestamp: fixed(4); break;
      case ColumnType::kLongLong: case ColumnType::kDouble: case ColumnType::kDateTime: fixed(8); break;
      case ColumnType::kNull: fixed(0); break;
      case ColumnType::kTime2: st = fsp(3); break;
      case ColumnType::kDateTime2: st = fsp(5); break;
      case ColumnType::kTimestamp2: st = fsp(4); break;
      case ColumnType::kNewDecimal: {
        // Format: MySQL strings/decimal.cc decimal_bin_size (9 digits per 4 bytes).
        // Precision is at most 65 on both servers; scale at most 30 on MySQL
        // but 38 on MariaDB (DECIMAL(38,38) is legal there), so accept 38.
        unsigned precision = c.meta >> 8, scale = c.meta & 0xff;
        if (precision == 0 || precision > 65 || scale > precision || scale > 38)
          return Bad(t, "column " + std::to_string(i) + " DECIMAL(" + std::to_string(precision) + "," +
                            std::to_string(scale) + ") is impossible");
        unsigned intg = precision - scale;
        fixed((intg / 9) * 4 + kDig2Bytes[intg % 9] + (scale / 9) * 4 + kDig2Bytes[scale % 9]);
        break;
      }
      case ColumnType::kBit: {
        // meta = whole bytes << 8 | remaining bits (MySQL Field_bit::do_save_field_metadata).
        unsigned bytes = c.meta >> 8, bits = c.meta & 0xff;
        if (bits > 7 || bytes > 8 || (bytes == 8 && bits != 0))
          return Bad(t, "column " + std::to_string(i) + " BIT metadata " + std::to_string(c.meta) + " is impossible");
        fixed(bytes + (bits != 0 ? 1 : 0));
        break;
      }
      case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kString:
        l.length_bytes = c.meta > 255 ? 2 : 1;
        break;
      case ColumnType::kEnum:
        if (c.meta != 1 && c.meta != 2)
          return Bad(t, "column " + std::to_string(i) + " ENUM pack length " + std::to_string(c.meta));
        fixed(c.meta);
        break;
      case ColumnType::kSet:
        if (c.meta < 1 || c.meta > 8)
          return Bad(t, "column " + std::to_string(i) + " SET pack length " + std::to_string(c.meta));
        fixed(c.meta);
        break;
      case ColumnType::kJson:
        l.is_json = true;
        ++t.json_column_count;
        st = prefixed(c.meta);
        break;
      case ColumnType::kTinyBlob: case ColumnType::kBlob: case ColumnType::kMediumBlob: case ColumnType::kLongBlob:
      case ColumnType::kGeometry: case ColumnType::kVector:
        st = prefixed(c.meta);
        break;
      default:  // old DECIMAL, TYPED_ARRAY, BOOL, INVALID: no row format we know
        l.supported = false;
        break;
    }
    VOMSREPL_RETURN_IF_ERROR(st);
  }
  return Status::OK();
}

// Format: MySQL libbinlogevents rows_event.cpp Table_map_event::Table_map_event;
// MariaDB sql/log_event.cc Table_map_log_event::Table_map_log_event.
Status DecodeTableMap(Bytes body, const FormatDescription& fde, TableSchema& t) {
  ByteCursor c(body);
  size_t id_width = TableIdWidth(fde.PostHeaderLength(EventType::kTableMap));
  t.table_id = c.ReadUIntN(id_width);
  t.flags = c.ReadU16();
  uint8_t db_len = c.ReadU8();
  t.database.assign(c.ReadString(db_len));
  uint8_t nul1 = c.ReadU8();
  uint8_t table_len = c.ReadU8();
  t.table.assign(c.ReadString(table_len));
  uint8_t nul2 = c.ReadU8();
  if (!c.ok()) return Corruption("TABLE_MAP truncated in its names (" + std::to_string(body.size()) + " bytes)");
  if (nul1 != 0 || nul2 != 0) return Bad(t, "database or table name not NUL-terminated");

  uint64_t n = c.ReadPackedInt();
  if (!c.ok() || n > c.remaining()) return Bad(t, "column count " + std::to_string(n) + " exceeds the event");
  t.columns.resize(size_t(n));
  t.primary_key.clear();
  t.has_primary_key_metadata = false;
  t.unknown_metadata_fields = 0;
  Bytes types = c.ReadBytes(size_t(n));
  for (size_t i = 0; i < n; ++i) {
    uint8_t code = std::to_integer<uint8_t>(types[i]);
    if (!IsKnownColumnType(code))
      return NotSupported("TABLE_MAP " + TableName(t) + ": column " + std::to_string(i) + " has unknown type code " +
                          std::to_string(code));
    ColumnDesc& col = t.columns[i];
    col.wire_type = col.type = static_cast<ColumnType>(code);
    col.meta = col.wire_meta = 0;
    col.max_length = 0;
    col.nullable = true;
    col.has_signedness = col.is_unsigned = false;
    col.charset = 0;
    col.name.clear();
    col.enum_values.clear();
    col.geometry_type = 0;
    col.is_primary_key = false;
    col.primary_key_prefix = 0;
    col.visible = true;
    col.vector_dimensions = 0;
  }

  uint64_t meta_len = c.ReadPackedInt();
  if (!c.ok() || meta_len > c.remaining()) return Bad(t, "metadata length " + std::to_string(meta_len) + " exceeds the event");
  ByteCursor m(c.ReadBytes(size_t(meta_len)));
  for (size_t i = 0; i < n; ++i) {
    ColumnDesc& col = t.columns[i];
    switch (MetadataBytes(col.wire_type)) {
      case 1:
        col.wire_meta = m.ReadU8();
        break;
      case 2: {
        uint8_t b0 = m.ReadU8(), b1 = m.ReadU8();
        switch (col.wire_type) {
          case ColumnType::kVarchar: case ColumnType::kVarString: case ColumnType::kBit:
            col.wire_meta = uint16_t(b0 | (b1 << 8));  // little-endian
            break;
          default:  // STRING/ENUM/SET: real type, length; NEWDECIMAL: precision, scale
            col.wire_meta = uint16_t((b0 << 8) | b1);
            break;
        }
        break;
      }
      default:
        break;
    }
    if (!m.ok()) return Bad(t, "metadata block (" + std::to_string(meta_len) + " bytes) shorter than its columns");
    col.meta = col.wire_meta;
    switch (col.wire_type) {
      case ColumnType::kString: case ColumnType::kEnum: case ColumnType::kSet:
        VOMSREPL_RETURN_IF_ERROR(ResolveString(t, i, col));
        break;
      case ColumnType::kVarchar: case ColumnType::kVarString:
        col.max_length = col.meta;
        break;
      default:
        break;
    }
  }
  if (!m.empty()) return Bad(t, "metadata block has " + std::to_string(m.remaining()) + " bytes more than its columns use");

  Bytes nulls = c.ReadBytes(size_t((n + 7) / 8));
  if (!c.ok()) return Bad(t, "null bitmap truncated");
  for (size_t i = 0; i < n; ++i)
    t.columns[i].nullable = (std::to_integer<uint8_t>(nulls[i / 8]) >> (i % 8)) & 1;

  VOMSREPL_RETURN_IF_ERROR(DecodeOptionalMetadata(t, c, fde.IsMariaDB()));
  return BuildRowLayout(t);
}

Status TableMapCache::Update(Bytes body, const FormatDescription& fde, const TableSchema** schema) {
  uint64_t id = 0;
  if (!PeekTableId(EventType::kTableMap, body, fde, &id))
    return Corruption("TABLE_MAP of " + std::to_string(body.size()) + " bytes has no table id");
  uint8_t phl = fde.PostHeaderLength(EventType::kTableMap);
  Entry& e = entries_[id];  // allocates only for an id never seen
  if (!(e.post_header_length == phl && e.body.size() == body.size() && !e.body.empty() &&
        std::memcmp(e.body.data(), body.data(), body.size()) == 0)) {
    e.live = false;
    e.body.clear();
    ++decode_count_;
    VOMSREPL_RETURN_IF_ERROR(DecodeTableMap(body, fde, e.schema));
    e.body.assign(body.begin(), body.end());
    e.post_header_length = phl;
  }
  e.live = true;
  if (schema != nullptr) *schema = &e.schema;
  return Status::OK();
}

void TableMapCache::Clear() {
  if (entries_.size() > kMaxRememberedIds) {
    entries_.clear();
    return;
  }
  for (auto& [id, e] : entries_) e.live = false;
}

size_t TableMapCache::live_count() const {
  return size_t(std::count_if(entries_.begin(), entries_.end(), [](const auto& kv) { return kv.second.live; }));
}

}  // namespace vomsrepl::binlog
