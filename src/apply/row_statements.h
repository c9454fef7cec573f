// SQL text of the statements the applier prepares for row changes. Only
// identifiers appear in the text (backquoted, backquotes doubled, see
// sql_identifier.h); every value is a `?` placeholder bound at execution.
//
//   INSERT  INSERT [IGNORE] INTO `db`.`t` (`a`,`b`) VALUES (?,?),(?,?)
//           [ON DUPLICATE KEY UPDATE `a`=VALUES(`a`),`b`=VALUES(`b`)]
//   UPDATE  UPDATE `db`.`t` SET `a`=?,`b`=? WHERE `k`=? [AND `c`<=>?] [LIMIT 1]
//   DELETE  DELETE FROM `db`.`t` WHERE `k` IN (?,?,?)            one key column
//           DELETE FROM `db`.`t` WHERE (`k1`=? AND `k2`=?) OR (...)  several
//           DELETE FROM `db`.`t` WHERE (`k`=? AND `c`<=>?) OR (...)  with check
//           DELETE FROM `db`.`t` WHERE `a`<=>? AND `b`<=>? LIMIT 1  no key
//   EXISTS  SELECT 1 FROM `db`.`t` WHERE `k`=? LIMIT 1  (does the key exist?)
// WHERE columns compare with `=` when they are the row key (never NULL; the
// key is unique in its own collation) and with the NULL-safe `<=>` otherwise,
// strings by their bytes (`BINARY c <=> ?`, table_catalog.h compare_bytes) (a table without a usable key: every
// present column of the before image, LIMIT 1). `check_columns` (after the
// key, key_match only) are the rest of the before image the row must still
// hold (the before-image check, row_applier.h): `<=>`, so a NULL matches NULL.
// Parameters per row: SET values, key values, check values.
//
// Pure functions of their arguments: unit-testable without a server.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/rows_event.h"

#include "apply/table_catalog.h"

namespace vomsrepl::apply {

// What one row statement of a rows event writes and how it finds its row,
// the same for the applier and the printed scripts (row_script.h):
//   set_columns    INSERT / UPDATE: the after image's present columns but the
//                  generated ones (the server computes those)
//   where_columns  UPDATE / DELETE: the row key when the before image carries
//                  all of it (key_match), else every present non-generated
//                  column of the before image (`<=>`, LIMIT 1)
// An UPDATE that changes no writable column has empty set_columns: nothing
// to send. FailedPrecondition when the before image has no column to find
// the row by.
struct RowShape {
  std::vector<uint32_t> set_columns, where_columns;
  bool key_match = false;
};
Result<RowShape> ShapeRows(const TableInfo& table, binlog::RowsKind kind, binlog::Bytes before_bitmap,
                           binlog::Bytes after_bitmap);

enum class InsertMode : uint8_t {
  kPlain,   // duplicate key is an error (divergence)
  kIgnore,  // skip rows whose key exists (policy skip)
  kUpsert,  // ON DUPLICATE KEY UPDATE every inserted column (policy overwrite)
};

// `columns`: indices into table.columns; `rows` >= 1.
std::string BuildInsertSql(const TableInfo& table, std::span<const uint32_t> columns, size_t rows, InsertMode mode);

// SET `set_columns`, WHERE `where_columns`; `key_match`: the WHERE columns are
// the row key (`=`, no LIMIT) rather than every column (`<=>`, LIMIT 1).
std::string BuildUpdateSql(const TableInfo& table, std::span<const uint32_t> set_columns,
                           std::span<const uint32_t> where_columns, bool key_match,
                           std::span<const uint32_t> check_columns = {});

// `rows` > 1 only with key_match.
std::string BuildDeleteSql(const TableInfo& table, std::span<const uint32_t> where_columns, size_t rows,
                           bool key_match, std::span<const uint32_t> check_columns = {});

// Many rows of one table found by their key and checked against the rest of
// their before image in ONE statement (the applier's checked batches, row_
// applier.h): the rows' parameters form a derived table `v`, one row per
// source row, its columns v0, v1, ... in the parameter order of one row (set
// values, key values, check values), joined to the table on the key (one
// index lookup per row) and the check:
//   UPDATE (SELECT ? AS `v0`,? AS `v1`,? AS `v2` UNION ALL SELECT ?,?,? ...)
//     AS `v` STRAIGHT_JOIN `db`.`t` FORCE INDEX (`PRIMARY`)
//     ON `db`.`t`.`k`=`v`.`v1` AND BINARY `db`.`t`.`c`<=>`v`.`v2`
//     SET `db`.`t`.`a`=`v`.`v0`
//   DELETE `db`.`t` FROM (...) AS `v` STRAIGHT_JOIN `db`.`t` FORCE INDEX ... ON ...
// (`w` instead of `v` for a table named v; the index is the replica's
// unique index over the key, TableInfo::key_index; the table is not aliased:
// MariaDB resolves an alias of a multi-table DELETE only with a default
// database.) The forced order and index make it one index lookup per row,
// locking nothing else.
// A row of `v` finds at most one row (its key is unique); with distinct keys
// in `v` the found count (CLIENT_FOUND_ROWS) is the row count exactly when
// every row was found holding its before image. One statement instead of
// one bulk execution per row (UPDATE) or an OR of conjunctions the server
// evaluates for every row it reads (DELETE). The derived table's column
// types are those of all its rows' parameters (UNION; not a table value
// constructor, which MariaDB types after its first row alone, clipping the
// others silently).
// JoinKeyed: the replica has an index over the key and every key column is
// an integer on the replica, so that the
// lookup `t`.`k`=`v`.`vN` uses the key's index whatever type the derived
// column takes (a string key would be compared in the derived column's
// binary collation, without the index).
bool JoinKeyed(const TableInfo& table);
std::string BuildJoinUpdateSql(const TableInfo& table, std::span<const uint32_t> set_columns,
                               std::span<const uint32_t> key_columns, std::span<const uint32_t> check_columns,
                               size_t rows);
std::string BuildJoinDeleteSql(const TableInfo& table, std::span<const uint32_t> key_columns,
                               std::span<const uint32_t> check_columns, size_t rows);

// SELECT 1 ... WHERE the key LIMIT 1: tells a row that differs from a
// missing one after a checked statement matched nothing.
std::string BuildKeyExistsSql(const TableInfo& table, std::span<const uint32_t> key_columns);

}  // namespace vomsrepl::apply
