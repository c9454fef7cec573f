// ApplierGrants: what SHOW GRANTS FOR CURRENT_USER() says about the applier's
// account on a replica, against what ReplicaSession::Preflight needs.
//
// Contract
//   * ParseGrantLine reads one line of SHOW GRANTS (MariaDB 10.11 / MySQL
//     wording): the privileges (upper case, column lists dropped,
//     READ_ONLY ADMIN spelled READ ONLY ADMIN), the level (*.*, a database
//     pattern, a table, a role, other: PROXY, routines) and WITH GRANT OPTION.
//     Only keywords and names are kept: the rest of the line (the password
//     hash of IDENTIFIED BY PASSWORD) is never copied.
//   * CheckApplierGrants: needed are SELECT, INSERT, UPDATE, DELETE on the
//     replicated databases (every database-level grant that is not the state
//     schema by its literal name, or *.*), the same on the state schema
//     (a grant whose pattern matches it, or *.*), and READ ONLY ADMIN on *.*
//     when the replica is read_only (ALL PRIVILEGES on *.* has it; SUPER does
//     not on MariaDB 10.11), and BINLOG REPLAY on *.* when the replica
//     preserves source GTIDs (or SUPER or ALL PRIVILEGES on *.*, which give
//     it). Missing ones are `missing` (Preflight refuses);
//     CREATE, DROP, ALTER, INDEX missing on the replicated databases are
//     `missing_ddl` (a warning: the master's DDL would stop the replica).
//     Any other privilege on *.* (SUPER, ALL PRIVILEGES, FILE, BINLOG REPLAY
//     when GTIDs are not preserved, ...) and
//     WITH GRANT OPTION anywhere are `excess` (a warning). With a role or a
//     table-level grant in the list, `unsure` is set: what is missing may be
//     granted there, so Preflight only warns.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vomsrepl::apply {

struct GrantLine {
  enum class Level { kGlobal, kDatabase, kTable, kRole, kOther };
  Level level = Level::kOther;
  std::vector<std::string> privileges;  // "SELECT", "READ ONLY ADMIN", "ALL PRIVILEGES", ...
  std::string database;                 // kDatabase, kTable: the grant's name or LIKE pattern, as written
  bool grant_option = false;
};

// nullopt: not a GRANT line.
std::optional<GrantLine> ParseGrantLine(std::string_view line);

// A database grant's name pattern (`_` and `%` wildcards, `\` escapes) against a name.
bool GrantPatternMatches(std::string_view pattern, std::string_view name);

struct MissingGrant {
  std::string privileges;  // "INSERT, UPDATE"
  std::string on;          // "the replicated databases", "`vomsrepl`.*", "*.*"
  std::string fix_on;      // for a GRANT statement: "`voms\_%`.*", "`vomsrepl`.*", "*.*"
};

struct ApplierGrantReport {
  std::vector<MissingGrant> missing;
  std::vector<MissingGrant> missing_ddl;
  std::vector<std::string> excess;  // "SUPER ON *.*", "WITH GRANT OPTION ON `voms\_%`.*"
  bool unsure = false;
};

ApplierGrantReport CheckApplierGrants(const std::vector<std::string>& show_grants, std::string_view state_schema,
                                      bool need_read_only_admin, bool need_binlog_replay = false);

}  // namespace vomsrepl::apply
