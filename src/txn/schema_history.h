// SchemaHistory: the column shapes each kept table had at its TABLE_MAP
// events, by replica-side (renamed) "db.table", to detect schema drift: a
// table whose TABLE_MAP changes (column count, types, type metadata,
// nullability, signedness when both maps carry it) without a DDL touching it
// in between. Drift means a DDL we did not see or could not attribute (run
// with sql_log_bin=0 on the master, or filtered out by mistake): applying
// rows against the replica's old definition would corrupt it silently, so
// the assembler stops with FailedPrecondition naming table, position, column
// and both types.
//
// Per table the history keeps a list of versions (the columns and the
// position of the first TABLE_MAP that showed them, or of the DDL that reset
// the entry); identical TABLE_MAPs add nothing. A DDL on the table (the
// StatementRouter's objects) appends a "reset" marker: the next TABLE_MAP is
// accepted as the new shape. A DDL on a whole database (CREATE/DROP/ALTER
// DATABASE) resets every table of it.
//
// Persistence: Serialize() gives a self-contained byte string (versioned,
// little-endian) and Deserialize() reads it back; the journal stores it with
// its checkpoint, so that drift is still detected after a restart. Only the
// latest version of each table is serialized (older versions are kept in
// memory for diagnostics only).
//
// Thread-safety: none; one history per assembler. Not on the hot path: the
// assembler calls Check() only when a table id's TABLE_MAP bytes changed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "binlog/column_type.h"

namespace vomsrepl::txn {

struct ColumnShape {
  binlog::ColumnType type = binlog::ColumnType::kNull;  // resolved type (ENUM/SET from STRING)
  uint16_t meta = 0;                                    // wire metadata as the server combined it
  bool nullable = true;
  uint8_t signedness = 0;  // 0 unknown (no optional metadata), 1 signed, 2 unsigned
  bool operator==(const ColumnShape&) const = default;
};

struct TableVersion {
  BinlogPosition since;    // TABLE_MAP (or DDL) that started this version
  bool reset = false;      // a DDL touched the table: the next TABLE_MAP starts a new shape
  std::vector<ColumnShape> columns;
};

// "VARCHAR(10)", "INT UNSIGNED", "DECIMAL(10,2)", "DATETIME(3)" ...
std::string DescribeColumn(const ColumnShape& c);

class SchemaHistory {
 public:
  // Compares `schema` (its database already renamed to `database`) with the
  // latest version of the table; records it when new. FailedPrecondition on
  // drift.
  Status Check(std::string_view database, std::string_view table, const binlog::TableSchema& schema,
               const BinlogPosition& at);
  void ResetTable(std::string_view database, std::string_view table, const BinlogPosition& at);
  void ResetDatabase(std::string_view database, const BinlogPosition& at);

  // The versions of one table, oldest first (nullptr when never seen).
  const std::vector<TableVersion>* Versions(std::string_view database, std::string_view table) const;
  size_t table_count() const { return tables_.size(); }

  std::vector<std::byte> Serialize() const;
  static Result<SchemaHistory> Deserialize(std::span<const std::byte> bytes);

 private:
  static std::string Key(std::string_view database, std::string_view table);
  // key: database + '\0' + table (neither may contain NUL)
  std::map<std::string, std::vector<TableVersion>, std::less<>> tables_;
};

}  // namespace vomsrepl::txn
