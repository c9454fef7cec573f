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
//     column would be compared as DOUBLE, inexact above 2^53). Character key
//     columns (CHAR, VARCHAR, TEXT) take their parameter as the column's own
//     bytes, CONVERT(CAST(? AS BINARY) USING cs) COLLATE coll: the key values
//     are read with character_set_results = binary, i.e. in the column's
//     character set, and a plain `?` would be taken for utf8mb4 (the
//     connection's) and converted: latin1 0x80-0xFF refused ("illegal mix of
//     collations"), or latin1 bytes that happen to be valid UTF-8 compared as
//     other characters. Other key columns compare with a plain `?`. Either way
//     the comparison is under the column's own collation, which is also the
//     collation ORDER BY uses, so chunk bounds and the walk order agree.
//   * Row hash: every column joined by CONCAT_WS('#'), character columns as
//     bytes (CAST(col AS BINARY): no character set conversion, no "illegal
//     mix of collations"), followed by one ISNULL flag per NULLable column
//     (CONCAT_WS skips NULLs), so NULL and '' differ. A chunk checksum is
//     COUNT(*) plus the BIT_XOR of a hash per row: CRC32 (32 bits per row, as
//     CHECKSUM TABLE and pt-table-checksum; about as fast as CHECKSUM TABLE)
//     or the first 64 bits of MD5 (stronger, ~5x slower on MariaDB 10.11);
//     tables without a primary key add SUM(CRC32) so that duplicate rows
//     cannot cancel out in the XOR. Drill-down rows carry MD5(row).
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
  bool nullable = true;     // IS_NULLABLE
  std::string charset{};    // CHARACTER_SET_NAME of a character column ("" otherwise)
  std::string collation{};  // COLLATION_NAME of a character column ("" otherwise)
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
  kCrc32,  // BIT_XOR of CRC32(row)
  kMd5,    // BIT_XOR of the first 64 bits of MD5(row)
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

// SELECT every column of up to `limit` rows in key order after the lower
// bound (bootstrap's copy); without a key: LIMIT `limit` OFFSET `offset`.
std::string PageSql(const TableShape& t, bool has_lower, uint64_t limit, uint64_t offset = 0);
// INSERT INTO `database`.`table` (every column) VALUES (?, ...), ... x rows.
std::string MultiRowInsertSql(const TableShape& t, const std::string& database, size_t rows);

}  // namespace vomsrepl::lifecycle
