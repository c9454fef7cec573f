// TableCatalog: what the applier needs to know about a replica table to
// write statements for it: column names, signedness, generated columns and
// the key that identifies a row.
//
// Sources, in order of preference:
//   column names   TABLE_MAP metadata (binlog_row_metadata=FULL), else the
//                  replica's information_schema.COLUMNS in ordinal order
//   signedness     TABLE_MAP metadata, else the replica's COLUMN_TYPE
//   binary-ness    of CHAR/BINARY columns (a BINARY(n), UUID, INET6 or INET4
//                  value is padded back with 0x00, param_binder.h): the
//                  TABLE_MAP's charset (binlog_row_metadata MINIMAL / FULL),
//                  else the replica's DATA_TYPE (binary, uuid, inet6, inet4);
//                  the length is always the TABLE_MAP's
//   generated      always the replica (TABLE_MAP does not say): generated
//                  columns are never written, the server computes them
//   row key        TABLE_MAP primary key metadata, else the replica's PRIMARY
//                  KEY, else its smallest UNIQUE key over NOT NULL columns,
//                  else none: every column is compared (NULL-safe) with
//                  LIMIT 1, and a one-time warning says so.
//   foldable       the replica: unique keys, foreign keys both ways, triggers
// Entries are cached per (database, table) and re-read when the TABLE_MAP
// column count differs from the cached one; Clear() after every DDL.
//
// Thread-safety: one applier thread. Pointers returned stay valid until
// Clear().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/param_binder.h"
#include "binlog/column_type.h"

namespace vomsrepl::apply {

class ReplicaSession;

struct ColumnInfo {
  std::string name;
  bool is_unsigned = false;
  bool generated = false;
  bool nullable = true;
  std::string data_type;             // the replica's DATA_TYPE, lower case; "" unknown
  uint32_t fixed_binary_length = 0;  // ValueTarget::fixed_binary_length (BuildTableInfo)
  // A character or byte string compared by its bytes where a statement looks
  // for a row by value (row_statements.h: `BINARY c <=> ?`): in the column's
  // collation 'a' <=> 'A' and 'a ' <=> 'a' are true, and the wrong row of a
  // table without a key would be changed, or a row changed since would pass
  // the before-image check. Not the fixed types whose comparison is exact
  // already and whose BINARY form is their text (UUID, INET6, INET4).
  bool compare_bytes = false;

  ValueTarget target() const { return ValueTarget{is_unsigned, fixed_binary_length}; }
};

// DATA_TYPE values of the replica's information_schema for columns stored
// as fixed-length binary strings (BINARY(n); MariaDB UUID, INET6, INET4).
bool IsFixedBinaryDataType(std::string_view data_type);

struct TableInfo {
  std::string database;
  std::string table;
  std::string quoted_name;          // `db`.`table`
  std::vector<ColumnInfo> columns;  // TABLE_MAP order
  std::vector<uint32_t> key;        // column indices of the row key; empty: none
  bool key_from_table_map = false;
  // The replica's unique index over exactly the key columns (a joined
  // statement names it, row_statements.h); "" unknown. Set by Resolve.
  std::string key_index;
  // Rows of one replica commit may be folded to their net change per key
  // (row_folder.h): on the replica the row key is the table's only unique
  // key, no foreign key refers to or from the table, it has no trigger, and
  // no key column is generated. Set by TableCatalog::Resolve.
  bool foldable = false;
};

// Builds a TableInfo from a TABLE_MAP schema alone (names, signedness and
// primary key from its metadata); `replica_columns` (may be empty) fills
// what the metadata lacks and marks generated columns; `replica_key` (column
// names) is used when the TABLE_MAP has no primary key. Errors:
// FailedPrecondition when names are known from neither source or the column
// counts differ; InvalidArgument for names the server could not have.
Result<TableInfo> BuildTableInfo(const binlog::TableSchema& schema, const std::vector<ColumnInfo>& replica_columns,
                                 const std::vector<std::string>& replica_key);

class TableCatalog {
 public:
  using WarningSink = std::function<void(const std::string&)>;
  explicit TableCatalog(WarningSink warn = nullptr) : warn_(std::move(warn)) {}

  // Scripts (row_script.h) read a server's tables without writing to them:
  // a trigger there is not refused (`undo --execute` checks its own target).
  void set_refuse_triggers(bool refuse) { refuse_triggers_ = refuse; }

  Result<const TableInfo*> Resolve(ReplicaSession& session, const binlog::TableSchema& schema);
  // Forgets every table. Only when no batch refers to a TableInfo any more.
  void Clear() {
    tables_.clear();
    retired_.clear();
  }

 private:
  std::map<std::pair<std::string, std::string>, std::unique_ptr<TableInfo>> tables_;
  // Entries replaced by a re-read stay alive until Clear(): a pending batch
  // may still point at them.
  std::vector<std::unique_ptr<TableInfo>> retired_;
  WarningSink warn_;
  bool refuse_triggers_ = true;
};

}  // namespace vomsrepl::apply
