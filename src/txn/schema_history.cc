#include "txn/schema_history.h"

#include "binlog/byte_cursor.h"

namespace vomsrepl::txn {
namespace {

using binlog::ColumnType;

ColumnShape ShapeOf(const binlog::ColumnDesc& c) {
  ColumnShape s;
  s.type = c.type;
  s.meta = c.wire_meta;
  s.nullable = c.nullable;
  s.signedness = c.has_signedness ? (c.is_unsigned ? 2 : 1) : 0;
  return s;
}

bool SameShape(const ColumnShape& a, const ColumnShape& b) {
  if (a.type != b.type || a.meta != b.meta || a.nullable != b.nullable) return false;
  return a.signedness == 0 || b.signedness == 0 || a.signedness == b.signedness;
}

void PutLE(std::vector<std::byte>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(std::byte(uint8_t(v >> (8 * i))));
}
void PutString(std::vector<std::byte>& out, std::string_view s) {
  PutLE(out, s.size(), 4);
  for (char c : s) out.push_back(std::byte(uint8_t(c)));
}

constexpr uint32_t kMagic = 0x31485356;  // "VSH1"

}  // namespace

std::string DescribeColumn(const ColumnShape& c) {
  std::string s(binlog::ColumnTypeName(c.type));
  switch (c.type) {
    case ColumnType::kVarchar:
    case ColumnType::kVarString:
      s += "(" + std::to_string(c.meta) + " bytes)";
      break;
    case ColumnType::kString:
      s += "(" + std::to_string((((c.meta >> 4) & 0x300) ^ 0x300) + (c.meta & 0xff)) + " bytes)";
      break;
    case ColumnType::kNewDecimal:
      s += "(" + std::to_string(c.meta >> 8) + "," + std::to_string(c.meta & 0xff) + ")";
      break;
    case ColumnType::kTimestamp2:
    case ColumnType::kDateTime2:
    case ColumnType::kTime2:
      s += "(" + std::to_string(c.meta) + ")";
      break;
    case ColumnType::kBit:
      s += "(" + std::to_string((c.meta >> 8) * 8 + (c.meta & 0xff)) + ")";
      break;
    default:
      if (c.meta != 0) s += " meta " + std::to_string(c.meta);
  }
  if (c.signedness == 2) s += " UNSIGNED";
  s += c.nullable ? " NULL" : " NOT NULL";
  return s;
}

std::string SchemaHistory::Key(std::string_view database, std::string_view table) {
  std::string k;
  k.reserve(database.size() + 1 + table.size());
  k.append(database).push_back('\0');
  k.append(table);
  return k;
}

Status SchemaHistory::Check(std::string_view database, std::string_view table, const binlog::TableSchema& schema,
                            const BinlogPosition& at) {
  auto& versions = tables_[Key(database, table)];
  if (!versions.empty() && !versions.back().reset) {
    const auto& last = versions.back().columns;
    std::string where = "`" + std::string(database) + "`.`" + std::string(table) + "` at " + at.ToString();
    std::string since = " (shape seen since " + versions.back().since.ToString() + "), no DDL in between";
    if (last.size() != schema.columns.size())
      return FailedPrecondition("schema drift on " + where + ": " + std::to_string(last.size()) +
                                " columns before, now " + std::to_string(schema.columns.size()) + since);
    bool same = true;
    for (size_t i = 0; i < last.size(); ++i) {
      ColumnShape now = ShapeOf(schema.columns[i]);
      if (!SameShape(last[i], now))
        return FailedPrecondition("schema drift on " + where + ": column " + std::to_string(i + 1) + " was " +
                                  DescribeColumn(last[i]) + ", now " + DescribeColumn(now) + since);
      if (last[i].signedness == 0 && now.signedness != 0) same = false;  // learn signedness
    }
    if (same) return Status::OK();
  }
  TableVersion v;
  v.since = at;
  v.columns.reserve(schema.columns.size());
  for (const auto& c : schema.columns) v.columns.push_back(ShapeOf(c));
  versions.push_back(std::move(v));
  return Status::OK();
}

void SchemaHistory::ResetTable(std::string_view database, std::string_view table, const BinlogPosition& at) {
  auto it = tables_.find(Key(database, table));
  if (it == tables_.end()) return;  // never seen: nothing to reset
  TableVersion v;
  v.since = at;
  v.reset = true;
  it->second.push_back(std::move(v));
}

void SchemaHistory::ResetDatabase(std::string_view database, const BinlogPosition& at) {
  std::string prefix(database);
  prefix.push_back('\0');
  for (auto it = tables_.lower_bound(prefix); it != tables_.end() && it->first.starts_with(prefix); ++it) {
    TableVersion v;
    v.since = at;
    v.reset = true;
    it->second.push_back(std::move(v));
  }
}

const std::vector<TableVersion>* SchemaHistory::Versions(std::string_view database, std::string_view table) const {
  auto it = tables_.find(Key(database, table));
  return it == tables_.end() ? nullptr : &it->second;
}

// Layout: u32 magic "VSH1", u32 table count, per table: string key
// (db NUL table), string since.file, u64 since.offset, u8 reset, u32 column
// count, per column: u8 type, u16 meta, u8 nullable, u8 signedness.
// Strings are u32 length + bytes.
std::vector<std::byte> SchemaHistory::Serialize() const {
  std::vector<std::byte> out;
  PutLE(out, kMagic, 4);
  PutLE(out, tables_.size(), 4);
  for (const auto& [key, versions] : tables_) {
    const TableVersion& v = versions.back();
    PutString(out, key);
    PutString(out, v.since.file);
    PutLE(out, v.since.offset, 8);
    out.push_back(std::byte(v.reset ? 1 : 0));
    PutLE(out, v.columns.size(), 4);
    for (const auto& c : v.columns) {
      out.push_back(std::byte(uint8_t(c.type)));
      PutLE(out, c.meta, 2);
      out.push_back(std::byte(c.nullable ? 1 : 0));
      out.push_back(std::byte(c.signedness));
    }
  }
  return out;
}

Result<SchemaHistory> SchemaHistory::Deserialize(std::span<const std::byte> bytes) {
  binlog::ByteCursor c(bytes);
  auto bad = [&](const char* what) {
    return Corruption(std::string("schema history: ") + what + " at byte " + std::to_string(c.offset()));
  };
  if (c.ReadU32() != kMagic || !c.ok()) return bad("bad magic (not a schema history, or another version)");
  uint32_t tables = c.ReadU32();
  SchemaHistory h;
  for (uint32_t t = 0; t < tables && c.ok(); ++t) {
    std::string key(c.ReadString(c.ReadU32()));
    TableVersion v;
    v.since.file = std::string(c.ReadString(c.ReadU32()));
    v.since.offset = c.ReadU64();
    v.reset = c.ReadU8() != 0;
    uint32_t n = c.ReadU32();
    if (!c.ok()) break;
    if (n > c.remaining() / 5) return bad("column count past the end");
    v.columns.resize(n);
    for (auto& col : v.columns) {
      col.type = static_cast<ColumnType>(c.ReadU8());
      col.meta = c.ReadU16();
      col.nullable = c.ReadU8() != 0;
      col.signedness = c.ReadU8();
    }
    if (!c.ok()) break;
    if (key.find('\0') == std::string::npos) return bad("table key without database separator");
    h.tables_[key].push_back(std::move(v));
  }
  if (!c.ok()) return bad("truncated");
  if (c.remaining() != 0) return bad("trailing bytes");
  return h;
}

}  // namespace vomsrepl::txn
