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

// The derived table's alias: `v`, or `w` for a table named v (an alias must
// differ from the table's own name, which is its implicit alias).
std::string_view DerivedAlias(const TableInfo& t) {
  return t.table.size() == 1 && (t.table[0] == 'v' || t.table[0] == 'V') ? "w" : "v";
}

// `v`.`vN`
void AppendDerived(std::string& out, const TableInfo& t, size_t n) {
  out += '`';
  out += DerivedAlias(t);
  out += "`.`v";
  out += std::to_string(n);
  out += '`';
}

// `db`.`t`.`c`: the table is never aliased (MariaDB resolves an alias in a
// multi-table DELETE's table list only with a default database).
void AppendTableColumn(std::string& out, const TableInfo& t, uint32_t c) {
  out += t.quoted_name;
  out += '.';
  AppendColumn(out, t, c);
}

// `db`.`t`.`c`=`v`.`vN` (key) or [BINARY ]`db`.`t`.`c`<=>`v`.`vN` (check)
// for each column, N counting from `first`, each after " AND " but the
// very first of the ON clause.
void AppendJoinMatch(std::string& out, const TableInfo& t, std::span<const uint32_t> columns, size_t first,
                     bool key, bool* any) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (*any) out += " AND ";
    *any = true;
    if (!key && t.columns[columns[i]].compare_bytes) out += "BINARY ";
    AppendTableColumn(out, t, columns[i]);
    out += key ? "=" : "<=>";
    AppendDerived(out, t, first + i);
  }
}

// (derived table of `rows` rows of `width`) AS `v` STRAIGHT_JOIN `db`.`t`
// FORCE INDEX (the key's index) ON the key (derived columns from
// `first_key`) and the check columns after it. The join order and the index
// are forced: on a small table the optimizer would rather scan it, locking
// rows the statement does not change (and that a parallel worker may hold).
void AppendJoin(std::string& out, const TableInfo& t, std::span<const uint32_t> key_columns,
                std::span<const uint32_t> check_columns, size_t first_key, size_t width, size_t rows) {
  out += "(SELECT ";
  for (size_t i = 0; i < width; ++i) {
    if (i) out += ',';
    out += "? AS `v";
    out += std::to_string(i);
    out += '`';
  }
  if (rows > 1) {
    // Not a table value constructor (VALUES (?,?),...): MariaDB 10.11 types
    // its columns after the first row's parameters alone and clips later
    // rows' values to that type without a warning (a NULL first makes the
    // column BINARY(0)). A UNION takes every part's type into account.
    std::string part = " UNION ALL SELECT ";
    for (size_t i = 0; i < width; ++i) part += i ? ",?" : "?";
    out.reserve(out.size() + (rows - 1) * part.size() + 64 * (key_columns.size() + check_columns.size()));
    for (size_t r = 1; r < rows; ++r) out += part;
  }
  out += ") AS `";
  out += DerivedAlias(t);
  out += "` STRAIGHT_JOIN ";
  out += t.quoted_name;
  out += " FORCE INDEX (";
  AppendQuotedIdentifier(out, t.key_index);
  out += ") ON ";
  bool any = false;
  AppendJoinMatch(out, t, key_columns, first_key, true, &any);
  AppendJoinMatch(out, t, check_columns, first_key + key_columns.size(), false, &any);
}

}  // namespace

bool JoinKeyed(const TableInfo& t) {
  if (t.key.empty() || t.key_index.empty()) return false;
  for (uint32_t k : t.key) {
    const std::string& type = t.columns[k].data_type;
    if (type != "tinyint" && type != "smallint" && type != "mediumint" && type != "int" && type != "bigint")
      return false;
  }
  return true;
}

std::string BuildJoinUpdateSql(const TableInfo& t, std::span<const uint32_t> set_columns,
                               std::span<const uint32_t> key_columns, std::span<const uint32_t> check_columns,
                               size_t rows) {
  std::string sql = "UPDATE ";
  AppendJoin(sql, t, key_columns, check_columns, set_columns.size(),
             set_columns.size() + key_columns.size() + check_columns.size(), rows);
  sql += " SET ";
  for (size_t i = 0; i < set_columns.size(); ++i) {
    if (i) sql += ',';
    AppendTableColumn(sql, t, set_columns[i]);
    sql += '=';
    AppendDerived(sql, t, i);
  }
  return sql;
}

std::string BuildJoinDeleteSql(const TableInfo& t, std::span<const uint32_t> key_columns,
                               std::span<const uint32_t> check_columns, size_t rows) {
  std::string sql = "DELETE ";
  sql += t.quoted_name;
  sql += " FROM ";
  AppendJoin(sql, t, key_columns, check_columns, 0, key_columns.size() + check_columns.size(), rows);
  return sql;
}

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
