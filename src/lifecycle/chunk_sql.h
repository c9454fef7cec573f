// Chunk SQL: the statements `vomsrepl verify` (and `bootstrap`) run to walk a
// table in primary-key order and checksum it server-side, built from a
// TableShape (columns and key read from information_schema).
//
// Contract
//   * Identifiers are backquoted with embedded backquotes doubled
//     (apply/sql_identifier.h); values never go into SQL text: every key
//     value is a `?` parameter, bound as a string. Integer, decimal and
//     floating key columns wrap their parameter in CAST(? AS ...) so that the
//     comparison is numeric and exact (a string compared with an integer
//     column would be compared as DOUBLE, inexact above 2^53); other key
//     columns compare under the column's own collation (the string parameter
//     is coercible), which is also the collation ORDER BY uses, so chunk
//     bounds and the walk order agree.
//   * Row hash: every column as bytes (CAST(col AS BINARY): no character set
//     conversion, no "illegal mix of collations"), joined by CONCAT_WS('#')
//     and followed by one ISNULL flag per column, so NULL and '' differ and a
//     value moving between columns changes the hash. A chunk checksum is
//     COUNT(*) plus the BIT_XOR of a 64-bit hash per row (the first 16 hex
//     digits of MD5, or CRC32 and CRC32C side by side); tables without a
//     primary key add SUM(CRC32) so that duplicate rows cannot cancel out in
//     the XOR.
//   * Key predicates for a composite key (k1, k2, ...) > (v1, v2, ...) are
//     written out as (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ..., which the
//     range optimiser turns into index ranges; KeyPredicate::param_keys says
//     which key value each `?` takes, in order.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl::lifecycle {

struct ColumnShape {
  std::string name;
  std::string data_type;    // information_schema DATA_TYPE, lower case ("int", "varchar", ...)
  bool is_unsigned = false; // COLUMN_TYPE ends with "unsigned"
};

struct TableShape {
  std::string database;               // as on the server it describes
  std::string table;
  std::vector<ColumnShape> columns;   // ORDINAL_POSITION order
  std::vector<size_t> key;            // indexes into columns: the PRIMARY KEY, in key order; empty: none
  bool has_key() const { return !key.empty(); }
  // Same column names and types in the same order (the report names the first difference).
  static std::string DescribeDifference(const TableShape& a, const TableShape& b);
};

enum class RowHash {
  kMd5,       // BIT_XOR of the first 64 bits of MD5(row)
  kCrc32Pair, // BIT_XOR of CRC32(row) << 32 | CRC32C(row) (MariaDB 10.8+)
};
Result<RowHash> ParseRowHash(std::string_view name);

struct KeyPredicate {
  std::string sql;                 // "" when there is no bound
  std::vector<size_t> param_keys;  // for each `?`, the position in the key tuple
};

// `key > lower` (strict) or `key <= upper` (inclusive).
KeyPredicate KeyAfter(const TableShape& t);
KeyPredicate KeyAtMost(const TableShape& t);

// The parameters of a statement: for each `?` of the predicates (lower
// first, then upper), the key value it takes.
std::vector<std::string> BindKeys(const std::vector<const KeyPredicate*>& predicates,
                                  const std::vector<const std::vector<std::string>*>& keys);

// `db`.`table` backquoted.
std::string QualifiedName(const TableShape& t);
// The row hash input (CONCAT_WS of every column and the NULL flags).
std::string RowImageExpression(const TableShape& t);

// SELECT the key columns of the row `rows_per_chunk` rows after the lower
// bound (the inclusive upper bound of the next chunk); no row: the chunk runs
// to the end of the table. Parameters: the lower bound's when has_lower.
std::string ChunkEndSql(const TableShape& t, bool has_lower, uint64_t rows_per_chunk);
// SELECT COUNT(*), BIT_XOR(hash) [, SUM(CRC32)] over lower < key <= upper.
std::string ChunkChecksumSql(const TableShape& t, RowHash hash, bool has_lower, bool has_upper);
// SELECT key columns..., MD5(row) ... ORDER BY key: the rows of a chunk, to
// find which keys differ.
std::string ChunkRowsSql(const TableShape& t, bool has_lower, bool has_upper);

}  // namespace vomsrepl::lifecycle
