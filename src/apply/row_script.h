// Row changes as SQL text with their values written out: what
// `vomsrepl dump --format=sql` and `vomsrepl undo` print, to read or to pipe
// into `mariadb`.
//
// One statement per row, the applier's statements (row_statements.h) by key,
// without the before-image check: INSERT of the after image; UPDATE SET the
// after image WHERE the key from the before image; DELETE WHERE the key (a
// table without a usable key: every column with `<=>`, LIMIT 1).
//
// Values: each is converted as the applier binds it (param_binder.h, with the
// catalog's signedness and BINARY(n) padding), then written as a literal the
// server reads back to the same stored value, whatever the column:
//   integers, BIT, ENUM index, SET mask   decimal numbers
//   FLOAT, DOUBLE      the shortest scientific form that reads back to the
//                      same double (a FLOAT's value is exact as a double)
//   DECIMAL            its exact text
//   DATE, TIME, DATETIME, TIMESTAMP       quoted text, with microseconds when
//                      not zero; TIMESTAMP in UTC (the script sets
//                      time_zone = '+00:00', kScriptSessionSql)
//   strings, BLOBs, GEOMETRY               _binary'text' when every byte is
//                      printable ASCII other than ' and \, else X'hex': binary
//                      strings, which the server stores byte for byte in a
//                      column of any character set (a plain 'AB' would be
//                      converted from UTF-8 into a utf16 column)
//   MySQL JSON         _utf8mb4'text', else _utf8mb4 X'hex'
// Scripts start with kScriptSessionSql: the applier's session settings
// (UTF-8 names, UTC, strict sql_mode with NO_AUTO_VALUE_ON_ZERO so that a
// stored 0 stays 0 in an AUTO_INCREMENT column).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <string_view>

#include <vomsrepl/status.h>

#include "apply/param_binder.h"
#include "apply/table_catalog.h"
#include "binlog/rows_event.h"

namespace vomsrepl::apply {

// Names, keys and binary columns of the tables a script writes to: from a
// server that has the tables (TableCatalog over `session`, when given), else
// from the TABLE_MAP's own metadata (binlog_row_metadata=FULL). Without
// either: FailedPrecondition naming the table and --schema-defaults-file.
class ScriptTables {
 public:
  // A script writes nothing to `session`'s server: a trigger there is no
  // reason to refuse (TableCatalog::set_refuse_triggers).
  explicit ScriptTables(ReplicaSession* session) : session_(session) { catalog_.set_refuse_triggers(false); }
  Result<const TableInfo*> Resolve(const binlog::TableSchema& schema);
  TableCatalog& catalog() { return catalog_; }

 private:
  ReplicaSession* session_;
  TableCatalog catalog_;
  std::map<std::pair<std::string, std::string>, TableInfo> from_metadata_;
};

// "SET NAMES utf8mb4, time_zone = '+00:00', sql_mode = '...';\n"
std::string ScriptSessionSql();

// Appends the literal of `value` (bytes in `arena`) to `out`.
void AppendSqlLiteral(const BoundValue& value, std::string_view arena, std::string& out);

// The session's foreign_key_checks / unique_checks as a script has set them.
// A rows event logged with them off (its NO_FOREIGN_KEY_CHECKS /
// RELAXED_UNIQUE_CHECKS flags: the master's session had turned them off, e.g.
// while loading a dump) is preceded by the SET that matches it.
struct ScriptChecks {
  bool foreign_keys = true;
  bool unique = true;
};

// Appends the SET that gives the session these checks, when `checks` differs.
void AppendChecks(bool foreign_keys, bool unique, ScriptChecks& checks, std::string& out);

// Appends one statement per row of `event` (table `schema`, resolved as
// `table`), each ending ";\n", after a SET of the checks when the event's
// flags differ from `checks` (updated). A partial JSON update is
// NotSupported; a bad value is the converter's error naming the column.
Status AppendRowsEventSql(const TableInfo& table, const binlog::TableSchema& schema,
                          const binlog::RowsEventView& event, ScriptChecks& checks, std::string& out);

}  // namespace vomsrepl::apply
