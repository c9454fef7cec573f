// `vomsrepl undo FILE... | --master ...`: the statements that revert a range
// of the binlog (lifecycle/undo.h), printed as SQL (default), counted
// (--plan) or applied to a server in one transaction (--execute
// --target-defaults-file F).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "app/binlog_walk.h"

namespace vomsrepl::app {

struct UndoCommandOptions {
  WalkInput input;  // files or a live master, and the range
  std::vector<std::string> databases, tables, exclude_databases, exclude_tables;
  bool plan = false;
  bool execute = false;
  std::string target_defaults_file;  // --execute: the server to revert
  std::string schema_defaults_file;  // print/plan: a server with the tables (columns, keys)
};

Status RunUndoCommand(const UndoCommandOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
