// `vomsrepl dump FILE...`: every event of binlog files as text (the form DBAs
// know from `mariadb-binlog -vv`) or as JSON lines.
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

#include "app/binlog_walk.h"
#include "source/file_stream.h"

namespace vomsrepl::app {

enum class OutputFormat { kText, kJson, kSql };  // kSql: dump only (dump_sql.h)

struct DumpOptions {
  WalkInput input;  // files, or a live master
  WalkFilters filters;
  OutputFormat format = OutputFormat::kText;
  bool utc = false;  // text: event times in UTC instead of local time
  std::string schema_defaults_file;  // kSql: a server with the tables (columns, keys)
};

// Writes to `out`; returns the status that ended the walk (OK at the end).
Status RunDump(const DumpOptions& options, std::FILE* out);

}  // namespace vomsrepl::app
