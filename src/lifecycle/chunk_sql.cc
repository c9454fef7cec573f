#include "lifecycle/chunk_sql.h"

#include "apply/sql_identifier.h"

namespace vomsrepl::lifecycle {
namespace {

using apply::QuoteIdentifier;

bool IsIntegerType(const std::string& t) {
  return t == "tinyint" || t == "smallint" || t == "mediumint" || t == "int" || t == "integer" || t == "bigint" ||
         t == "year";
}

// Types whose values carry a character set (compared and concatenated as bytes).
bool IsCharacterType(const std::string& t) {
  return t == "char" || t == "varchar" || t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext" ||
         t == "enum" || t == "set" || t == "json";
}

// CHAR, VARCHAR and the TEXT types: the key columns whose parameter carries
// the column's character set and collation.
bool IsCharacterKeyType(const std::string& t) {
  return t == "char" || t == "varchar" || t == "tinytext" || t == "text" || t == "mediumtext" || t == "longtext";
}

// A character set or collation name as information_schema gives it
// (latin1, utf8mb4_general_ci): put into SQL text only if it is one.
bool IsPlainName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_')) return false;
  }
  return true;
}

// The `?` for a key column: typed where a string would compare as DOUBLE;
// for a character column the column's own bytes, charset and collation.
std::string Placeholder(const ColumnShape& c) {
  if (IsIntegerType(c.data_type)) return c.is_unsigned ? "CAST(? AS UNSIGNED)" : "CAST(? AS SIGNED)";
  if (c.data_type == "decimal" || c.data_type == "numeric") return "CAST(? AS DECIMAL(65,30))";
  if (c.data_type == "float" || c.data_type == "double" || c.data_type == "real") return "CAST(? AS DOUBLE)";
  if (IsCharacterKeyType(c.data_type) && IsPlainName(c.charset) && IsPlainName(c.collation)) {
    return "CONVERT(CAST(? AS BINARY) USING " + c.charset + ") COLLATE " + c.collation;
  }
  return "?";
}

// (k1 OP1 v1) OR (k1 = v1 AND k2 OP1 v2) OR ... with the last term's
// operator `last_op` (">" / ">" for after, "<" / "<=" for at most).
KeyPredicate Compose(const TableShape& t, const char* op, const char* last_op) {
  KeyPredicate p;
  const size_t n = t.key.size();
  if (n == 0) return p;
  for (size_t i = 0; i < n; ++i) {
    if (i) p.sql += " OR ";
    p.sql += "(";
    for (size_t j = 0; j < i; ++j) {
      const ColumnShape& c = t.columns[t.key[j]];
      p.sql += QuoteIdentifier(c.name) + " = " + Placeholder(c) + " AND ";
      p.param_keys.push_back(j);
    }
    const ColumnShape& c = t.columns[t.key[i]];
    p.sql += QuoteIdentifier(c.name) + " " + (i + 1 == n ? last_op : op) + " " + Placeholder(c) + ")";
    p.param_keys.push_back(i);
  }
  if (n > 1) p.sql = "(" + p.sql + ")";
  return p;
}

std::string KeyList(const TableShape& t) {
  std::string s;
  for (size_t i = 0; i < t.key.size(); ++i) {
    if (i) s += ", ";
    s += QuoteIdentifier(t.columns[t.key[i]].name);
  }
  return s;
}

std::string RangeWhere(const TableShape& t, bool has_lower, bool has_upper) {
  std::string w;
  if (has_lower) w += KeyAfter(t).sql;
  if (has_upper) w += (w.empty() ? "" : " AND ") + KeyAtMost(t).sql;
  return w.empty() ? "" : " WHERE " + w;
}

}  // namespace

std::string TableShape::DescribeDifference(const TableShape& a, const TableShape& b) {
  size_t n = std::min(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.columns[i].name != b.columns[i].name)
      return "column " + std::to_string(i + 1) + " is `" + a.columns[i].name + "` on one side, `" +
             b.columns[i].name + "` on the other";
    if (a.columns[i].nullable != b.columns[i].nullable)
      return "column `" + a.columns[i].name + "` is NULL on one side, NOT NULL on the other";
    if (a.columns[i].data_type != b.columns[i].data_type || a.columns[i].is_unsigned != b.columns[i].is_unsigned)
      return "column `" + a.columns[i].name + "` is " + a.columns[i].data_type + " on one side, " +
             b.columns[i].data_type + " on the other";
  }
  if (a.columns.size() != b.columns.size())
    return std::to_string(a.columns.size()) + " columns on one side, " + std::to_string(b.columns.size()) +
           " on the other";
  if (a.key != b.key) return "the primary keys differ";
  return "";
}

Result<RowHash> ParseRowHash(std::string_view name) {
  if (name == "md5") return RowHash::kMd5;
  if (name == "crc32") return RowHash::kCrc32;
  return InvalidArgument("row hash '" + std::string(name) + "': expected md5 or crc32");
}

KeyPredicate KeyAfter(const TableShape& t) { return Compose(t, ">", ">"); }
KeyPredicate KeyAtMost(const TableShape& t) { return Compose(t, "<", "<="); }

std::vector<std::string> BindKeys(const std::vector<const KeyPredicate*>& predicates,
                                  const std::vector<const std::vector<std::string>*>& keys) {
  std::vector<std::string> out;
  for (size_t i = 0; i < predicates.size() && i < keys.size(); ++i)
    for (size_t k : predicates[i]->param_keys) out.push_back((*keys[i])[k]);
  return out;
}

std::string QualifiedName(const TableShape& t) { return apply::QualifiedName(t.database, t.table); }

std::string RowImageExpression(const TableShape& t) {
  std::string values, flags;
  for (const ColumnShape& c : t.columns) {
    std::string q = QuoteIdentifier(c.name);
    values += IsCharacterType(c.data_type) ? ", CAST(" + q + " AS BINARY)" : ", " + q;
    if (c.nullable) flags += (flags.empty() ? "" : ", ") + std::string("ISNULL(") + q + ")";
  }
  if (!flags.empty()) values += ", CONCAT(" + flags + ")";
  return "CONCAT_WS('#'" + values + ")";
}

std::string ChunkEndSql(const TableShape& t, bool has_lower, uint64_t rows_per_chunk) {
  std::string keys = KeyList(t);
  return "SELECT " + keys + " FROM " + QualifiedName(t) + RangeWhere(t, has_lower, false) + " ORDER BY " + keys +
         " LIMIT 1 OFFSET " + std::to_string(rows_per_chunk > 0 ? rows_per_chunk - 1 : 0);
}

std::string ChunkChecksumSql(const TableShape& t, RowHash hash, bool has_lower, bool has_upper) {
  std::string row = RowImageExpression(t);
  std::string h = hash == RowHash::kMd5 ? "CAST(CONV(LEFT(MD5(" + row + "), 16), 16, 10) AS UNSIGNED)"
                                        : "CRC32(" + row + ")";
  std::string sql = "SELECT COUNT(*), COALESCE(BIT_XOR(" + h + "), 0)";
  if (!t.has_key()) sql += ", COALESCE(SUM(CRC32(" + row + ")), 0)";
  sql += " FROM " + QualifiedName(t) + RangeWhere(t, has_lower, has_upper);
  return sql;
}

std::string ChunkRowsSql(const TableShape& t, bool has_lower, bool has_upper) {
  std::string keys = KeyList(t);
  return "SELECT " + keys + ", MD5(" + RowImageExpression(t) + ") FROM " + QualifiedName(t) +
         RangeWhere(t, has_lower, has_upper) + " ORDER BY " + keys;
}

std::string PageSql(const TableShape& t, bool has_lower, uint64_t limit, uint64_t offset) {
  std::string cols;
  for (size_t i = 0; i < t.columns.size(); ++i) cols += (i ? ", " : "") + QuoteIdentifier(t.columns[i].name);
  std::string sql = "SELECT " + cols + " FROM " + QualifiedName(t);
  if (!t.has_key()) return sql + " LIMIT " + std::to_string(limit) + " OFFSET " + std::to_string(offset);
  return sql + RangeWhere(t, has_lower, false) + " ORDER BY " + KeyList(t) + " LIMIT " + std::to_string(limit);
}

std::string MultiRowInsertSql(const TableShape& t, const std::string& database, size_t rows) {
  std::string cols, one = "(";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    cols += (i ? ", " : "") + QuoteIdentifier(t.columns[i].name);
    one += i ? ", ?" : "?";
  }
  one += ")";
  std::string sql = "INSERT INTO " + apply::QualifiedName(database, t.table) + " (" + cols +
                    ") VALUES ";
  sql.reserve(sql.size() + rows * (one.size() + 2));
  for (size_t r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    sql += one;
  }
  return sql;
}

}  // namespace vomsrepl::lifecycle
