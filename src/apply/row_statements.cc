#include "apply/row_statements.h"

#include "apply/sql_identifier.h"

namespace vomsrepl::apply {
namespace {

void AppendColumn(std::string& out, const TableInfo& t, uint32_t i) { AppendQuotedIdentifier(out, t.columns[i].name); }

// The columns, each followed by `suffix`, joined by `separator`.
void AppendColumns(std::string& out, const TableInfo& t, std::span<const uint32_t> columns, const char* separator,
                   const char* suffix) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += separator;
    AppendColumn(out, t, columns[i]);
    out += suffix;
  }
}

// `c`<=>? , or BINARY `c`<=>? for a string compared by its bytes
// (ColumnInfo::compare_bytes).
void AppendSameValue(std::string& out, const TableInfo& t, uint32_t c) {
  if (t.columns[c].compare_bytes) out += "BINARY ";
  AppendColumn(out, t, c);
  out += "<=>?";
}

void AppendRowMatch(std::string& out, const TableInfo& t, std::span<const uint32_t> where, bool key_match) {
  if (key_match) {
    AppendColumns(out, t, where, " AND ", "=?");  // unique in the key's collation
    return;
  }
  for (size_t i = 0; i < where.size(); ++i) {
    if (i) out += " AND ";
    AppendSameValue(out, t, where[i]);
  }
}

void AppendCheck(std::string& out, const TableInfo& t, std::span<const uint32_t> check) {
  for (uint32_t c : check) {
    out += " AND ";
    AppendSameValue(out, t, c);
  }
}

// The WHERE condition of one row: by key plus the before-image check, or
// (no key) every column, at most one row.
void AppendOneRow(std::string& out, const TableInfo& t, std::span<const uint32_t> where, bool key_match,
                  std::span<const uint32_t> check) {
  AppendRowMatch(out, t, where, key_match);
  if (key_match) {
    AppendCheck(out, t, check);
  } else {
    out += " LIMIT 1";
  }
}

}  // namespace

Result<RowShape> ShapeRows(const TableInfo& t, binlog::RowsKind kind, binlog::Bytes before_bitmap,
                           binlog::Bytes after_bitmap) {
  const uint32_t n = uint32_t(t.columns.size());
  RowShape shape;
  if (kind != binlog::RowsKind::kDelete) {
    for (uint32_t i = 0; i < n; ++i)
      if (binlog::rows_internal::BitSet(after_bitmap, i) && !t.columns[i].generated) shape.set_columns.push_back(i);
    if (kind == binlog::RowsKind::kUpdate && shape.set_columns.empty()) return shape;  // nothing writable changed
  }
  if (kind != binlog::RowsKind::kWrite) {
    bool key_present = !t.key.empty();
    for (uint32_t k : t.key) key_present = key_present && binlog::rows_internal::BitSet(before_bitmap, k);
    if (key_present) {
      shape.where_columns = t.key;
      shape.key_match = true;
    } else {
      for (uint32_t i = 0; i < n; ++i)
        if (binlog::rows_internal::BitSet(before_bitmap, i) && !t.columns[i].generated)
          shape.where_columns.push_back(i);
    }
    if (shape.where_columns.empty())
      return FailedPrecondition(t.quoted_name + ": the before image has no column to find the row by");
  }
  return shape;
}

std::string BuildInsertSql(const TableInfo& t, std::span<const uint32_t> columns, size_t rows, InsertMode mode) {
  std::string sql = mode == InsertMode::kIgnore ? "INSERT IGNORE INTO " : "INSERT INTO ";
  sql += t.quoted_name;
  sql += " (";
  AppendColumns(sql, t, columns, ",", "");
  sql += ") VALUES ";
  std::string tuple = "(";
  for (size_t i = 0; i < columns.size(); ++i) tuple += i ? ",?" : "?";
  tuple += ')';
  sql.reserve(sql.size() + rows * (tuple.size() + 1) + 64);
  for (size_t r = 0; r < rows; ++r) {
    if (r) sql += ',';
    sql += tuple;
  }
  if (mode == InsertMode::kUpsert && !columns.empty()) {
    sql += " ON DUPLICATE KEY UPDATE ";
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i) sql += ',';
      AppendColumn(sql, t, columns[i]);
      sql += "=VALUES(";
      AppendColumn(sql, t, columns[i]);
      sql += ')';
    }
  }
  return sql;
}

std::string BuildUpdateSql(const TableInfo& t, std::span<const uint32_t> set_columns,
                           std::span<const uint32_t> where_columns, bool key_match,
                           std::span<const uint32_t> check_columns) {
  std::string sql = "UPDATE ";
  sql += t.quoted_name;
  sql += " SET ";
  AppendColumns(sql, t, set_columns, ",", "=?");
  sql += " WHERE ";
  AppendOneRow(sql, t, where_columns, key_match, check_columns);
  return sql;
}

std::string BuildDeleteSql(const TableInfo& t, std::span<const uint32_t> where_columns, size_t rows, bool key_match,
                           std::span<const uint32_t> check_columns) {
  std::string sql = "DELETE FROM ";
  sql += t.quoted_name;
  sql += " WHERE ";
  if (!key_match || rows <= 1) {
    AppendOneRow(sql, t, where_columns, key_match, check_columns);
    return sql;
  }
  if (where_columns.size() == 1 && check_columns.empty()) {
    AppendColumn(sql, t, where_columns[0]);
    sql += " IN (";
    for (size_t r = 0; r < rows; ++r) sql += r ? ",?" : "?";
    sql += ')';
    return sql;
  }
  for (size_t r = 0; r < rows; ++r) {
    sql += r ? " OR (" : "(";
    AppendRowMatch(sql, t, where_columns, true);
    AppendCheck(sql, t, check_columns);
    sql += ')';
  }
  return sql;
}

std::string BuildKeyExistsSql(const TableInfo& t, std::span<const uint32_t> key_columns) {
  std::string sql = "SELECT 1 FROM ";
  sql += t.quoted_name;
  sql += " WHERE ";
  AppendRowMatch(sql, t, key_columns, true);
  sql += " LIMIT 1";
  return sql;
}

}  // namespace vomsrepl::apply
