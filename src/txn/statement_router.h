// StatementRouter: decides what happens to a statement found in a QUERY
// event (DDL, or statement-based leftovers) under the FilterRules, and
// rewrites renamed database names inside it.
//
// A small SQL lexer (SqlLexer) understands backquoted identifiers (doubled
// backquotes), '...' and "..." strings (backslash escapes unless
// NO_BACKSLASH_ESCAPES; "..." is an identifier under ANSI_QUOTES), comments
// (/* */, "-- ", #), executable comments /*! ... */, /*!NNNNN ... */ and
// MariaDB /*M!NNNNNN ... */ (their content is lexed as part of the statement:
// replicas are recent servers that execute them), and @variables.
//
// Attribution: every database the statement names counts: the qualifiers of
// its object names (CREATE/ALTER/DROP/RENAME/TRUNCATE TABLE, CREATE/ALTER/
// DROP DATABASE|SCHEMA, CREATE/DROP INDEX ... ON t, VIEW, TRIGGER (+ its ON
// table), PROCEDURE, FUNCTION, EVENT, SEQUENCE), of table references in table
// positions (after FROM, JOIN, INTO, UPDATE, REFERENCES, TABLE(S), LIKE in
// CREATE TABLE, ALTER TABLE ... RENAME TO), and the first part of every
// three-part name db.table.column. Unqualified object/table names belong to
// the default database. A two-part name outside a table position (t.col)
// is taken for alias.column and does not count.
//
// Decisions:
//   - every named database (and table, under the table globs) kept -> kKeep;
//     renamed databases are rewritten inside the SQL (backquoted, embedded
//     backquotes doubled; every qualifier equal to a renamed source database
//     is rewritten, also in positions that do not count for attribution,
//     such as db.func()); the statement's database becomes the target name
//     of the default database when that is kept, else "" (every name the
//     statement uses is then qualified);
//   - every named database dropped (or none named) -> kDrop;
//   - a mix of kept and dropped -> FailedPrecondition "... cannot be
//     attributed safely";
//   - DML (INSERT/UPDATE/DELETE/REPLACE/LOAD DATA) touching a kept database ->
//     FailedPrecondition "statement-based DML on kept database; set
//     binlog_format=ROW";
//   - a statement that does not lex, or of a kind we do not parse, whose
//     default database or any named database is kept -> FailedPrecondition;
//   - account management (GRANT, REVOKE, CREATE/ALTER/DROP/RENAME USER|ROLE,
//     SET PASSWORD, SET DEFAULT ROLE) and FLUSH -> kDrop always: replicas keep
//     their own accounts and privileges, which are not VO data.
// Transaction control (BEGIN, COMMIT, ROLLBACK, SAVEPOINT, XA ...) is the
// assembler's business: ClassifyControl() recognises it cheaply.
// Errors carry the reason only; the caller adds file, position, statement.
//
// Thread-safety: Route() is const and reentrant. The router keeps a
// reference to the rules, which must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "txn/filter_rules.h"

namespace vomsrepl::txn {

// sql_mode bits the lexer needs (MySQL/MariaDB sql/sql_class.h MODE_*).
inline constexpr uint64_t kSqlModeAnsiQuotes = 4;
inline constexpr uint64_t kSqlModeNoBackslashEscapes = 1ULL << 20;

enum class SqlTokenKind : uint8_t { kWord, kQuotedIdent, kString, kNumber, kVariable, kPunct };

struct SqlToken {
  SqlTokenKind kind = SqlTokenKind::kPunct;
  size_t begin = 0, end = 0;  // span in the statement text
  std::string text;           // identifier value (unquoted), word as written, punct char
  bool IsIdent() const { return kind == SqlTokenKind::kWord || kind == SqlTokenKind::kQuotedIdent; }
  bool IsPunct(char c) const { return kind == SqlTokenKind::kPunct && text.size() == 1 && text[0] == c; }
  // Case-insensitive keyword test (bare words only).
  bool Is(std::string_view keyword) const;
};

// Splits `sql` into tokens, skipping blanks and comments. InvalidArgument for
// an unterminated quote or comment.
Result<std::vector<SqlToken>> LexSql(std::string_view sql, uint64_t sql_mode = 0);

// `name` backquoted, embedded backquotes doubled.
std::string QuoteIdentifier(std::string_view name);

enum class ControlKind : uint8_t {
  kNone,         // not transaction control: route it
  kBegin,        // BEGIN, START TRANSACTION, XA START/BEGIN
  kCommit,       // COMMIT [WORK]
  kRollback,     // ROLLBACK [WORK] (not ROLLBACK TO)
  kXaEnd,        // XA COMMIT / XA ROLLBACK (ends an XA group)
  kIgnorable,    // SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT, XA END / XA PREPARE
};
// By the leading keywords, case-insensitively, skipping blanks and comments.
ControlKind ClassifyControl(std::string_view sql);

enum class StatementKind : uint8_t { kDdl, kDml, kAccount, kOther };

struct ObjectRef {
  enum class Kind : uint8_t { kDatabase, kTable, kRoutine };
  Kind kind = Kind::kTable;
  std::string database;  // source name (the default database when unqualified)
  std::string name;      // table / routine name; empty for kDatabase
};

struct RoutedStatement {
  bool keep = false;
  StatementKind kind = StatementKind::kOther;
  std::string sql;                  // rewritten (keep only)
  std::string database;             // replica-side default database (keep only)
  std::vector<ObjectRef> objects;   // every attributed reference, SOURCE names
};

class StatementRouter {
 public:
  explicit StatementRouter(const FilterRules& rules) : rules_(&rules) {}
  // Routes by `rules` from now on (they must outlive the router).
  void SetRules(const FilterRules& rules) { rules_ = &rules; }

  Result<RoutedStatement> Route(std::string_view default_db, std::string_view sql, uint64_t sql_mode = 0) const;

 private:
  const FilterRules* rules_;
};

}  // namespace vomsrepl::txn
