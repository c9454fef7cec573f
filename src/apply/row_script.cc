#include "apply/row_script.h"

#include <charconv>
#include <vector>

#include "apply/replica_session.h"
#include "apply/row_statements.h"

namespace vomsrepl::apply {
namespace {

// ReplicaSession::kSqlMode without STRICT_ALL_TABLES.
constexpr std::string_view kStrictMode = "STRICT_ALL_TABLES,";
static_assert(ReplicaSession::kSqlMode.starts_with(kStrictMode));
constexpr std::string_view kRelaxedSqlMode = ReplicaSession::kSqlMode.substr(kStrictMode.size());

// Whether a server column of DATA_TYPE `data_type` can hold the values of a
// TABLE_MAP column of `type` as they are written out: a table changed after
// the events (columns moved or retyped, their count the same) is caught here
// rather than written into the wrong columns.
bool TypeFits(binlog::ColumnType type, std::string_view d) {
  using binlog::ColumnType;
  auto any = [d](std::initializer_list<std::string_view> names) {
    for (std::string_view n : names)
      if (d == n) return true;
    return false;
  };
  switch (type) {
    case ColumnType::kTiny: return any({"tinyint", "boolean", "bool"});
    case ColumnType::kShort: return any({"smallint"});
    case ColumnType::kInt24: return any({"mediumint"});
    case ColumnType::kLong: return any({"int", "integer"});
    case ColumnType::kLongLong: return any({"bigint"});
    case ColumnType::kFloat: return any({"float"});
    case ColumnType::kDouble: return any({"double", "real", "double precision"});
    case ColumnType::kNewDecimal: case ColumnType::kDecimal: return any({"decimal", "numeric"});
    case ColumnType::kYear: return any({"year"});
    case ColumnType::kDate: case ColumnType::kNewDate: return any({"date"});
    case ColumnType::kTime: case ColumnType::kTime2: return any({"time"});
    case ColumnType::kDateTime: case ColumnType::kDateTime2: return any({"datetime"});
    case ColumnType::kTimestamp: case ColumnType::kTimestamp2: return any({"timestamp"});
    case ColumnType::kBit: return any({"bit"});
    case ColumnType::kEnum: return any({"enum"});
    case ColumnType::kSet: return any({"set"});
    case ColumnType::kVarchar: case ColumnType::kVarString: return any({"varchar", "varbinary", "inet6", "inet4"});
    case ColumnType::kString: return any({"char", "binary", "uuid", "inet6", "inet4", "enum", "set"});
    case ColumnType::kBlob:
      return any({"tinytext", "text", "mediumtext", "longtext", "tinyblob", "blob", "mediumblob", "longblob",
                  "json", "varchar", "varbinary"});
    case ColumnType::kGeometry:
      return any({"geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                  "geometrycollection"});
    case ColumnType::kJson: return any({"json"});
    default: return true;  // types no MariaDB 10.11 writes: nothing to compare with
  }
}

void AppendHex(std::string_view bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  out += "X'";
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  out += '\'';
}

// Printable ASCII that needs no escape in any sql_mode (no quote, no backslash).
bool PlainText(std::string_view bytes) {
  for (unsigned char c : bytes)
    if (c < 0x20 || c > 0x7e || c == '\'' || c == '\\') return false;
  return true;
}

void AppendDouble(double d, std::string& out) {
  char buf[40];
  // Scientific: an approximate-value literal the server parses as a double,
  // correctly rounded; the shortest form that reads back to the same double.
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  out.append(buf, r.ptr);
}

// Substitutes the `?` placeholders of `sql` (outside backquoted identifiers)
// with `literals`, in order.
void Substitute(std::string_view sql, const std::vector<const std::string*>& literals, std::string& out) {
  bool in_identifier = false;
  size_t k = 0;
  size_t from = 0;  // start of the text not yet copied
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '`') in_identifier = !in_identifier;  // a doubled backquote toggles twice
    if (c == '?' && !in_identifier && k < literals.size()) {
      out.append(sql.substr(from, i - from));
      out += *literals[k++];
      from = i + 1;
    }
  }
  out.append(sql.substr(from));
  out += ";\n";
}

// Collects each row's literals by column and writes its statement.
struct ScriptWriter {
  const TableInfo& table;
  binlog::RowsKind kind;
  const RowShape& shape;
  std::string_view sql;  // the statement with placeholders
  std::string& out;
  Status status;
  std::vector<std::string> before, after;  // literal per column of the current row
  std::vector<const std::string*> literals;
  std::vector<uint8_t> enum_error_value;  // per column of the after image: ENUM index 0
  std::string arena;
  binlog::RowImage image = binlog::RowImage::kAfter;

  void BeginRow(binlog::RowImage i) { image = i; }
  void OnCell(const binlog::Cell& cell) {
    if (!status.ok()) return;
    BoundValue v;
    arena.clear();
    Status st = ConvertCell(cell, table.columns[cell.index].target(), arena, &v);
    if (!st.ok()) {
      status = st.WithContext(table.quoted_name);
      return;
    }
    std::string& literal = (image == binlog::RowImage::kBefore ? before : after)[cell.index];
    literal.clear();
    AppendSqlLiteral(v, arena, literal);
    if (image == binlog::RowImage::kAfter)
      enum_error_value[cell.index] = cell.column->type == binlog::ColumnType::kEnum && v.type == ParamType::kLongLong &&
                                     v.num.i == 0;
  }
  void EndRow() {
    // A row ends with its after image (INSERT, UPDATE) or its only image (DELETE).
    if (!status.ok() || (kind == binlog::RowsKind::kUpdate && image == binlog::RowImage::kBefore)) return;
    literals.clear();
    bool relaxed = false;
    for (uint32_t c : shape.set_columns) {
      literals.push_back(&after[c]);
      relaxed = relaxed || enum_error_value[c];
    }
    for (uint32_t c : shape.where_columns) literals.push_back(&before[c]);
    // ENUM's error value '' (index 0, stored by a non-strict master session)
    // is refused by a strict one: this statement alone runs without
    // STRICT_ALL_TABLES (every other value is written exactly anyway).
    if (relaxed) out += "SET STATEMENT sql_mode = '" + std::string(kRelaxedSqlMode) + "' FOR ";
    Substitute(sql, literals, out);
  }
};

}  // namespace

Result<const TableInfo*> ScriptTables::Resolve(const binlog::TableSchema& schema) {
  if (session_ != nullptr) {
    VOMSREPL_ASSIGN_OR_RETURN(const TableInfo* info, catalog_.Resolve(*session_, schema));
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      const ColumnInfo& c = info->columns[i];
      if (c.data_type.empty() || TypeFits(schema.columns[i].type, c.data_type)) continue;
      return FailedPrecondition(
          info->quoted_name + " column " + std::to_string(i + 1) + " `" + c.name + "` is " + c.data_type + " on " +
          session_->config().name + ", but the binlog's rows have a " +
          std::string(binlog::ColumnTypeName(schema.columns[i].type)) +
          " there: the table changed after these events (ALTER TABLE moved or retyped columns), so its columns "
          "cannot be named from that server. Give a server with the table as it was then, or a range after the "
          "change");
    }
    return info;
  }
  auto key = std::make_pair(schema.database, schema.table);
  auto it = from_metadata_.find(key);
  if (it != from_metadata_.end() && it->second.columns.size() == schema.columns.size()) return &it->second;
  auto info = BuildTableInfo(schema, {}, {});
  if (!info.ok())
    return FailedPrecondition("`" + schema.database + "`.`" + schema.table + "`: " +
                              std::string(info.status().message()) +
                              "; the binlog carries no column names (binlog_row_metadata is not FULL): give "
                              "--schema-defaults-file, an option file for a server that has these tables (the "
                              "master, or a replica)");
  TableInfo& slot = from_metadata_[key];
  slot = std::move(*info);
  return &slot;
}

std::string ScriptSessionSql() {
  return "SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = '" + std::string(ReplicaSession::kSqlMode) + "';\n";
}

void AppendSqlLiteral(const BoundValue& v, std::string_view arena, std::string& out) {
  const std::string_view bytes = v.is_bytes() ? arena.substr(v.offset, v.length) : std::string_view();
  switch (v.type) {
    case ParamType::kNull:
      out += "NULL";
      return;
    case ParamType::kLongLong:
      out += v.is_unsigned ? std::to_string(uint64_t(v.num.i)) : std::to_string(v.num.i);
      return;
    case ParamType::kFloat:
      AppendDouble(double(v.num.f), out);
      return;
    case ParamType::kDouble:
      AppendDouble(v.num.d, out);
      return;
    case ParamType::kNewDecimal:
      out += bytes;
      return;
    case ParamType::kDate:
    case ParamType::kTime:
    case ParamType::kDateTime:
    case ParamType::kTimestamp:
      AppendTemporalText(v, /*always_fraction=*/false, out);
      return;
    case ParamType::kBlob:
    case ParamType::kString:
      // A binary string converts to any column character set byte for byte
      // (utf16 included); MySQL JSON text is UTF-8.
      if (PlainText(bytes)) {
        out += v.type == ParamType::kString ? "_utf8mb4'" : "_binary'";
        out += bytes;
        out += '\'';
        return;
      }
      if (v.type == ParamType::kString) out += "_utf8mb4 ";
      AppendHex(bytes, out);
      return;
  }
}

void AppendChecks(bool foreign_keys, bool unique, ScriptChecks& checks, std::string& out) {
  if (foreign_keys == checks.foreign_keys && unique == checks.unique) return;
  out += "SET SESSION foreign_key_checks = ";
  out += foreign_keys ? '1' : '0';
  out += ", unique_checks = ";
  out += unique ? '1' : '0';
  out += ";\n";
  checks = ScriptChecks{foreign_keys, unique};
}

Status AppendRowsEventSql(const TableInfo& table, const binlog::TableSchema& schema,
                          const binlog::RowsEventView& event, ScriptChecks& checks, std::string& out) {
  AppendChecks((event.flags & binlog::kRowsFlagNoForeignKeyChecks) == 0,
               (event.flags & binlog::kRowsFlagRelaxedUniqueChecks) == 0, checks, out);
  if (event.kind == binlog::RowsKind::kPartialUpdate)
    return NotSupported(table.quoted_name + ": a partial JSON update (binlog_row_value_options=PARTIAL_JSON) has no "
                        "after image to write out");
  const binlog::Bytes after_bitmap = event.kind == binlog::RowsKind::kWrite ? event.columns_before : event.columns_after;
  VOMSREPL_ASSIGN_OR_RETURN(RowShape shape, ShapeRows(table, event.kind, event.columns_before, after_bitmap));
  std::string sql;
  switch (event.kind) {
    case binlog::RowsKind::kWrite: sql = BuildInsertSql(table, shape.set_columns, 1, InsertMode::kPlain); break;
    case binlog::RowsKind::kDelete: sql = BuildDeleteSql(table, shape.where_columns, 1, shape.key_match); break;
    default:
      if (shape.set_columns.empty()) return Status::OK();  // only generated columns changed
      sql = BuildUpdateSql(table, shape.set_columns, shape.where_columns, shape.key_match);
      break;
  }
  const size_t n = schema.columns.size();
  ScriptWriter w{table, event.kind, shape, sql, out, Status::OK(), std::vector<std::string>(n),
                 std::vector<std::string>(n), {}, std::vector<uint8_t>(n, 0), {}};
  Status st = binlog::ForEachRow(event, schema, w);
  if (!st.ok()) return st.WithContext(table.quoted_name);
  return w.status;
}

}  // namespace vomsrepl::apply
