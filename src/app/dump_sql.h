// `vomsrepl dump --format=sql`: a binlog range as SQL to pipe into `mariadb`.
//
// Transactions are kept (BEGIN ... COMMIT, the GTID and position as a
// comment before each), and only those with something kept are written.
// Row changes become statements by key with their values written out
// (apply/row_script.h: INSERT of the after image, UPDATE back by key, DELETE
// by key; values that read back to the same stored bytes). Statements (DDL)
// are written as logged after `USE db` when their default database passes
// --database (as mariadb-binlog --database), each between DELIMITER lines so
// that a compound statement stays whole. The script starts with
// apply::ScriptSessionSql() (UTF-8, UTC, strict sql_mode).
//
// Column names and keys: --schema-defaults-file (a server that has the
// tables), else the binlog's own metadata (binlog_row_metadata=FULL), else
// the command stops naming the table and the option (rows are never written
// by position). A range that ends inside a transaction leaves it without
// COMMIT (a comment says so): the client's session rolls it back. Statements
// run in the script's session settings (UTF-8 text, the applier's sql_mode),
// not in the logged session's.
#pragma once

#include <cstdio>

#include <vomsrepl/status.h>

#include "app/dump_command.h"

namespace vomsrepl::app {

Status RunDumpSql(const DumpOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
