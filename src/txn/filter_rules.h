// FilterRules: which source databases and tables vomsrepl keeps, and the
// database renames it applies (the classic replicate-do-db /
// replicate-rewrite-db pair; VOMS `--master-db` to `--db`).
//
// Databases: include/exclude globs (name_filter.h: `*`, `?`, whole name,
// case-sensitive); an empty include list means the default `voms_*`.
// Tables: include/exclude globs. A pattern containing a '.' is matched
// against "db.table" (SOURCE database name, before any rename; `*` also
// matches '.'); a pattern without '.' is matched against the table name
// alone. An empty table include list keeps every table of a kept database.
// Renames: exact source database name -> target name. Filtering always
// looks at source names; TargetDatabase() gives the name on the replicas.
//
// Validation (FilterRules::Create, InvalidArgument naming the bad entry):
// empty names or patterns, control characters, names longer than 64
// characters (server limit, NAME_CHAR_LEN), a rename whose source is not kept
// by the database filter, a rename target matched by an exclude glob (the
// config would both keep and exclude that name), two renames of the same
// source, two renames to the same target.
//
// Thread-safety: immutable after Create(); const methods may be called from
// any thread. Returned string_views point into the rules or into the
// argument, and live as long as both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "txn/name_filter.h"

namespace vomsrepl::txn {

struct DatabaseRename {
  std::string from;  // source database name (exact)
  std::string to;    // name on the replicas
};

struct FilterConfig {
  std::vector<std::string> include_databases;  // empty: {"voms_*"}
  std::vector<std::string> exclude_databases;
  std::vector<std::string> include_tables;     // empty: every table of a kept database
  std::vector<std::string> exclude_tables;
  std::vector<DatabaseRename> renames;
};

// Server limit on database and table names (characters).
inline constexpr size_t kMaxNameChars = 64;

// Checks one database or table name: not empty, no control character, at
// most 64 characters (UTF-8 code points). `what` names it in the message.
Status ValidateObjectName(std::string_view name, std::string_view what);

class FilterRules {
 public:
  // Keeps `voms_*`, no table filter, no rename.
  FilterRules();
  static Result<FilterRules> Create(FilterConfig config);

  bool KeepDatabase(std::string_view db) const;
  // KeepDatabase(db) and the table globs.
  bool KeepTable(std::string_view db, std::string_view table) const;
  // The replica-side name of source database `db` (db itself when not renamed).
  std::string_view TargetDatabase(std::string_view db) const;
  bool IsRenamed(std::string_view db) const;

  const FilterConfig& config() const { return config_; }

 private:
  FilterConfig config_;
  NameFilter databases_;
  bool has_table_rules_ = false;
};

}  // namespace vomsrepl::txn
