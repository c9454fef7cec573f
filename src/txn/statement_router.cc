#include "txn/statement_router.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace vomsrepl::txn {
namespace {

bool IsWordChar(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) != std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Lexer over one statement. Comments are skipped; executable comments open
// a region whose closing "*/" is skipped too.
class Lexer {
 public:
  Lexer(std::string_view sql, uint64_t sql_mode)
      : s_(sql),
        ansi_quotes_(sql_mode & kSqlModeAnsiQuotes),
        backslash_(!(sql_mode & kSqlModeNoBackslashEscapes)) {}

  Status Run(std::vector<SqlToken>& out) {
    while (true) {
      VOMSREPL_RETURN_IF_ERROR(SkipBlanks());
      if (i_ >= s_.size()) break;
      unsigned char c = s_[i_];
      SqlToken t;
      t.begin = i_;
      if (c == '`') {
        t.kind = SqlTokenKind::kQuotedIdent;
        VOMSREPL_RETURN_IF_ERROR(Quoted('`', false, &t.text));
      } else if (c == '\'' || c == '"') {
        bool ident = c == '"' && ansi_quotes_;
        t.kind = ident ? SqlTokenKind::kQuotedIdent : SqlTokenKind::kString;
        VOMSREPL_RETURN_IF_ERROR(Quoted(char(c), !ident && backslash_, &t.text));
      } else if (c == '@') {
        t.kind = SqlTokenKind::kVariable;
        ++i_;
        if (i_ < s_.size() && s_[i_] == '@') ++i_;
        // @name, @'name', @`name`, @@scope.name
        while (i_ < s_.size()) {
          char d = s_[i_];
          std::string ignored;
          if (d == '`' || d == '\'' || d == '"') {
            VOMSREPL_RETURN_IF_ERROR(Quoted(d, d != '`' && backslash_, &ignored));
          } else if (IsWordChar(static_cast<unsigned char>(d)) || d == '.') {
            ++i_;
          } else {
            break;
          }
        }
      } else if (IsWordChar(c)) {
        bool digits = true;
        while (i_ < s_.size() && IsWordChar(static_cast<unsigned char>(s_[i_]))) {
          if (!std::isdigit(static_cast<unsigned char>(s_[i_]))) digits = false;
          ++i_;
        }
        t.kind = digits ? SqlTokenKind::kNumber : SqlTokenKind::kWord;
        t.text.assign(s_.substr(t.begin, i_ - t.begin));
      } else {
        t.kind = SqlTokenKind::kPunct;
        t.text.assign(1, char(c));
        ++i_;
      }
      t.end = i_;
      out.push_back(std::move(t));
    }
    if (exec_depth_ > 0) return InvalidArgument("unterminated executable comment");
    return Status::OK();
  }

 private:
  Status SkipBlanks() {
    while (i_ < s_.size()) {
      unsigned char c = s_[i_];
      if (std::isspace(c)) {
        ++i_;
      } else if (c == '#') {
        SkipLine();
      } else if (c == '-' && i_ + 1 < s_.size() && s_[i_ + 1] == '-' &&
                 (i_ + 2 >= s_.size() || std::isspace(static_cast<unsigned char>(s_[i_ + 2])) ||
                  static_cast<unsigned char>(s_[i_ + 2]) < 0x20)) {
        SkipLine();
      } else if (c == '/' && i_ + 1 < s_.size() && s_[i_ + 1] == '*') {
        size_t j = i_ + 2;
        bool exec = false;
        if (j < s_.size() && s_[j] == '!') {
          exec = true;
          ++j;
        } else if (j + 1 < s_.size() && (s_[j] == 'M' || s_[j] == 'm') && s_[j + 1] == '!') {
          exec = true;
          j += 2;
        }
        if (exec) {
          while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
          ++exec_depth_;
          i_ = j;
        } else {
          size_t close = s_.find("*/", j);
          if (close == std::string_view::npos) return InvalidArgument("unterminated comment");
          i_ = close + 2;
        }
      } else if (c == '*' && exec_depth_ > 0 && i_ + 1 < s_.size() && s_[i_ + 1] == '/') {
        --exec_depth_;
        i_ += 2;
      } else {
        break;
      }
    }
    return Status::OK();
  }
  void SkipLine() {
    size_t nl = s_.find('\n', i_);
    i_ = nl == std::string_view::npos ? s_.size() : nl + 1;
  }
  // At the opening quote; leaves i_ after the closing one. A doubled quote
  // stands for one; with `backslash`, \x stands for x (escapes are kept as
  // written except the quote pair: the value matters only for identifiers).
  Status Quoted(char q, bool backslash, std::string* value) {
    size_t start = i_;
    ++i_;
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (backslash && c == '\\' && i_ + 1 < s_.size()) {
        value->push_back(s_[i_ + 1]);
        i_ += 2;
      } else if (c == q) {
        if (i_ + 1 < s_.size() && s_[i_ + 1] == q) {
          value->push_back(q);
          i_ += 2;
        } else {
          ++i_;
          return Status::OK();
        }
      } else {
        value->push_back(c);
        ++i_;
      }
    }
    return InvalidArgument(std::string("unterminated ") + (q == '`' ? "quoted identifier" : "string") +
                           " starting at byte " + std::to_string(start));
  }

  std::string_view s_;
  bool ansi_quotes_;
  bool backslash_;
  size_t i_ = 0;
  int exec_depth_ = 0;
};

// Words that end a table list or cannot be a table alias.
bool IsClauseKeyword(const SqlToken& t) {
  static constexpr const char* kWords[] = {
      "WHERE", "ON", "USING", "JOIN", "INNER", "LEFT", "RIGHT", "CROSS", "NATURAL", "STRAIGHT_JOIN", "OUTER",
      "SET", "VALUES", "VALUE", "SELECT", "ORDER", "GROUP", "HAVING", "LIMIT", "UNION", "PARTITION", "FOR",
      "LOCK", "WINDOW", "INTO", "ENGINE", "ADD", "DROP", "MODIFY", "CHANGE", "ALTER", "RENAME", "TO", "AS",
      "IF", "DEFAULT", "CHARACTER", "CHARSET", "COLLATE", "COMMENT", "AUTO_INCREMENT", "ROW_FORMAT", "WITH",
      "TYPE", "FORCE", "ALGORITHM", "LIKE", "READ", "WRITE", "EXCEPT", "INTERSECT", "RETURNING", "FROM",
      "CASCADE", "RESTRICT", "WAIT", "NOWAIT", "SELECT", "IGNORE", "REPLACE"};
  if (t.kind != SqlTokenKind::kWord) return false;
  for (const char* w : kWords) {
    if (t.Is(w)) return true;
  }
  return false;
}

struct RefAt {
  ObjectRef::Kind kind;
  int db_token;    // -1: default database
  int name_token;  // -1 for kDatabase given by db_token
};

class Analyzer {
 public:
  Analyzer(const std::vector<SqlToken>& t) : t_(t) {}

  // Returns false when the statement's header cannot be parsed.
  bool Analyze() {
    if (t_.empty()) return false;
    const SqlToken& w = t_[0];
    if (w.Is("GRANT") || w.Is("REVOKE") || w.Is("FLUSH")) {
      kind_ = StatementKind::kAccount;
      return true;
    }
    if (w.Is("SET") && t_.size() > 1 && (t_[1].Is("PASSWORD") || t_[1].Is("DEFAULT") || t_[1].Is("ROLE"))) {
      kind_ = StatementKind::kAccount;
      return true;
    }
    if (w.Is("INSERT") || w.Is("REPLACE") || w.Is("UPDATE") || w.Is("DELETE") || w.Is("LOAD")) {
      kind_ = StatementKind::kDml;
      if (w.Is("INSERT") || w.Is("REPLACE") || w.Is("UPDATE")) TableList(1, ObjectRef::Kind::kTable);
      ScanGeneric(1);
      return true;
    }
    if (w.Is("CREATE") || w.Is("ALTER") || w.Is("DROP")) return Ddl();
    if (w.Is("RENAME")) {
      kind_ = StatementKind::kDdl;
      if (t_.size() > 1 && (t_[1].Is("USER") || t_[1].Is("ROLE"))) {
        kind_ = StatementKind::kAccount;
        return true;
      }
      if (t_.size() < 2 || !(t_[1].Is("TABLE") || t_[1].Is("TABLES"))) return false;
      // RENAME TABLE a TO b [, c TO d]
      size_t i = 2;
      while (true) {
        size_t next = Name(i, ObjectRef::Kind::kTable);
        if (next == i || next >= t_.size() || !t_[next].Is("TO")) return false;
        i = Name(next + 1, ObjectRef::Kind::kTable);
        if (i == next + 1) return false;
        if (i < t_.size() && t_[i].Is("WAIT")) i += 2;
        if (i < t_.size() && t_[i].Is("NOWAIT")) ++i;
        if (i < t_.size() && t_[i].IsPunct(',')) {
          ++i;
          continue;
        }
        break;
      }
      ScanGeneric(i);
      return true;
    }
    if (w.Is("TRUNCATE") || w.Is("ANALYZE") || w.Is("OPTIMIZE") || w.Is("REPAIR") || w.Is("CHECK")) {
      kind_ = StatementKind::kDdl;
      size_t i = 1;
      while (i < t_.size() && (t_[i].Is("NO_WRITE_TO_BINLOG") || t_[i].Is("LOCAL"))) ++i;
      if (i < t_.size() && (t_[i].Is("TABLE") || t_[i].Is("TABLES"))) ++i;
      else if (!w.Is("TRUNCATE")) return false;
      size_t end = TableList(i, ObjectRef::Kind::kTable);
      if (end == i) return false;
      ScanGeneric(end);
      return true;
    }
    kind_ = StatementKind::kOther;
    ScanGeneric(0);
    return false;
  }

  StatementKind kind() const { return kind_; }
  const std::vector<RefAt>& refs() const { return refs_; }

 private:
  bool At(size_t i, std::string_view kw) const { return i < t_.size() && t_[i].Is(kw); }

  size_t SkipIfExists(size_t i) const {
    if (At(i, "IF")) {
      if (At(i + 1, "NOT") && At(i + 2, "EXISTS")) return i + 3;
      if (At(i + 1, "EXISTS")) return i + 2;
    }
    return i;
  }

  // [db .] name at i: records a ref, returns the index after it (i when none).
  size_t Name(size_t i, ObjectRef::Kind kind) {
    i = SkipIfExists(i);
    if (i >= t_.size() || !t_[i].IsIdent()) return i;
    if (i + 2 < t_.size() && t_[i + 1].IsPunct('.') && t_[i + 2].IsIdent()) {
      refs_.push_back({kind, int(i), int(i + 2)});
      return i + 3;
    }
    refs_.push_back({kind, -1, int(i)});
    return i + 1;
  }

  // name [[AS] alias] [, name ...]: returns the index after the list.
  size_t TableList(size_t i, ObjectRef::Kind kind) {
    static constexpr const char* kFiller[] = {"LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY", "IGNORE", "INTO",
                                              "TABLE", "TEMPORARY", "QUICK", "ONLY", "LATERAL"};
    for (bool again = true; again;) {
      again = false;
      for (const char* f : kFiller) {
        if (At(i, f)) {
          ++i;
          again = true;
        }
      }
      size_t j = SkipIfExists(i);
      if (j != i) {
        i = j;
        again = true;
      }
    }
    while (true) {
      if (i >= t_.size() || !t_[i].IsIdent() || IsClauseKeyword(t_[i])) return i;
      size_t next = Name(i, kind);
      if (next == i) return i;
      i = next;
      if (At(i, "AS") && i + 1 < t_.size() && t_[i + 1].IsIdent()) i += 2;
      else if (i + 1 < t_.size() && t_[i].IsIdent() && !IsClauseKeyword(t_[i]) && t_[i + 1].IsPunct(',')) ++i;
      if (i < t_.size() && t_[i].IsPunct(',')) {
        ++i;
        continue;
      }
      return i;
    }
  }

  // DEFINER = user, ALGORITHM = x, SQL SECURITY x, OR REPLACE, ...
  size_t SkipCreateOptions(size_t i) const {
    while (i < t_.size()) {
      if (At(i, "OR") && At(i + 1, "REPLACE")) i += 2;
      else if (At(i, "DEFINER") && i + 1 < t_.size() && t_[i + 1].IsPunct('=')) {
        i += 2;
        if (At(i, "CURRENT_USER")) {
          ++i;
          if (i + 1 < t_.size() && t_[i].IsPunct('(') && t_[i + 1].IsPunct(')')) i += 2;
        } else {
          if (i < t_.size()) ++i;  // user (word, quoted or string)
          if (i < t_.size() && t_[i].kind == SqlTokenKind::kVariable) ++i;  // @host
        }
      } else if (At(i, "ALGORITHM") && i + 2 < t_.size() && t_[i + 1].IsPunct('=')) i += 3;
      else if (At(i, "SQL") && At(i + 1, "SECURITY")) i += 3;
      else if (At(i, "TEMPORARY") || At(i, "ONLINE") || At(i, "OFFLINE") || At(i, "IGNORE") || At(i, "UNIQUE") ||
               At(i, "FULLTEXT") || At(i, "SPATIAL") || At(i, "AGGREGATE") || At(i, "NONBLOCKING"))
        ++i;
      else
        break;
    }
    return i;
  }

  bool Ddl() {
    kind_ = StatementKind::kDdl;
    bool create = t_[0].Is("CREATE"), alter = t_[0].Is("ALTER"), drop = t_[0].Is("DROP");
    size_t i = SkipCreateOptions(1);
    if (i >= t_.size()) return false;
    const SqlToken& obj = t_[i];
    if (obj.Is("USER") || obj.Is("ROLE")) {
      kind_ = StatementKind::kAccount;
      return true;
    }
    if (obj.Is("TABLE") || obj.Is("TABLES") || obj.Is("SEQUENCE")) {
      size_t end = TableList(i + 1, ObjectRef::Kind::kTable);
      if (end == i + 1) return false;
      like_allowed_ = create;
      ScanGeneric(end);
      return true;
    }
    if (obj.Is("DATABASE") || obj.Is("SCHEMA")) {
      size_t j = SkipIfExists(i + 1);
      if (j < t_.size() && t_[j].IsIdent() && !(alter && IsDatabaseOption(t_[j]))) {
        refs_.push_back({ObjectRef::Kind::kDatabase, int(j), -1});
      } else if (alter) {
        refs_.push_back({ObjectRef::Kind::kDatabase, -1, -1});
      } else {
        return false;
      }
      return true;
    }
    if (obj.Is("INDEX")) {
      // CREATE INDEX [IF NOT EXISTS] i [USING x] ON t (...); DROP INDEX [IF EXISTS] i ON t
      size_t j = SkipIfExists(i + 1);
      while (j < t_.size() && !t_[j].Is("ON")) ++j;
      if (j >= t_.size()) return false;
      size_t end = Name(j + 1, ObjectRef::Kind::kTable);
      if (end == j + 1) return false;
      ScanGeneric(end);
      return true;
    }
    if (obj.Is("VIEW")) {
      size_t end = TableList(i + 1, ObjectRef::Kind::kTable);
      if (end == i + 1) return false;
      ScanGeneric(end);
      return true;
    }
    if (obj.Is("TRIGGER")) {
      size_t end = Name(i + 1, ObjectRef::Kind::kRoutine);
      if (end == i + 1) return false;
      if (create) {
        size_t j = end;
        while (j < t_.size() && !t_[j].Is("ON")) ++j;
        if (j >= t_.size()) return false;
        size_t e2 = Name(j + 1, ObjectRef::Kind::kTable);
        if (e2 == j + 1) return false;
        end = e2;
      }
      ScanGeneric(end);
      return true;
    }
    if (obj.Is("PROCEDURE") || obj.Is("FUNCTION") || obj.Is("EVENT") || obj.Is("PACKAGE")) {
      size_t j = i + 1;
      if (At(j, "BODY")) ++j;  // MariaDB PACKAGE BODY
      size_t end = Name(j, ObjectRef::Kind::kRoutine);
      if (end == j) return false;
      ScanGeneric(end);
      return true;
    }
    if (obj.Is("SERVER") || obj.Is("TABLESPACE") || obj.Is("LOGFILE") || obj.Is("RESOURCE")) {
      kind_ = StatementKind::kOther;  // server-wide objects: no database
      return true;
    }
    (void)drop;
    kind_ = StatementKind::kOther;
    ScanGeneric(i);
    return false;
  }

  static bool IsDatabaseOption(const SqlToken& t) {
    return t.Is("DEFAULT") || t.Is("CHARACTER") || t.Is("CHARSET") || t.Is("COLLATE") || t.Is("COMMENT") ||
           t.Is("UPGRADE") || t.Is("READ") || t.Is("ENCRYPTION");
  }

  // Table references in table positions, three-part names anywhere.
  void ScanGeneric(size_t from) {
    for (size_t i = from; i < t_.size(); ++i) {
      const SqlToken& t = t_[i];
      if (t.IsIdent() && i + 4 < t_.size() && t_[i + 1].IsPunct('.') && t_[i + 2].IsIdent() &&
          t_[i + 3].IsPunct('.') && (t_[i + 4].IsIdent() || t_[i + 4].IsPunct('*')) &&
          !(i > 0 && t_[i - 1].IsPunct('.'))) {
        refs_.push_back({ObjectRef::Kind::kTable, int(i), int(i + 2)});
        i += 4;
        continue;
      }
      if (t.kind != SqlTokenKind::kWord) continue;
      bool intro = t.Is("FROM") || t.Is("JOIN") || t.Is("INTO") || t.Is("REFERENCES") || t.Is("USING") ||
                   (t.Is("UPDATE") && !(i > 0 && t_[i - 1].Is("KEY")) && !(i > 0 && t_[i - 1].Is("ON"))) ||
                   (like_allowed_ && t.Is("LIKE"));
      if (t.Is("RENAME") && i + 1 < t_.size() && !(t_[i + 1].Is("COLUMN") || t_[i + 1].Is("INDEX") ||
                                                    t_[i + 1].Is("KEY") || t_[i + 1].Is("CONSTRAINT"))) {
        intro = true;
        if (At(i + 1, "TO") || At(i + 1, "AS")) ++i;
      }
      if ((t.Is("TABLE") || t.Is("TABLES")) && i > 0 && !t_[i - 1].Is("CREATE")) intro = true;
      if (!intro) continue;
      size_t end = TableList(i + 1, ObjectRef::Kind::kTable);
      if (end > i + 1) i = end - 1;
    }
  }

  const std::vector<SqlToken>& t_;
  StatementKind kind_ = StatementKind::kOther;
  std::vector<RefAt> refs_;
  bool like_allowed_ = false;
};

}  // namespace

bool SqlToken::Is(std::string_view keyword) const {
  return kind == SqlTokenKind::kWord && EqualsNoCase(text, keyword);
}

Result<std::vector<SqlToken>> LexSql(std::string_view sql, uint64_t sql_mode) {
  std::vector<SqlToken> out;
  Lexer lexer(sql, sql_mode);
  VOMSREPL_RETURN_IF_ERROR(lexer.Run(out));
  return out;
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('`');
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  out.push_back('`');
  return out;
}

ControlKind ClassifyControl(std::string_view sql) {
  // Fast path on the first bytes: BEGIN / COMMIT are the hot statements.
  size_t i = 0;
  auto skip = [&] {
    while (i < sql.size()) {
      unsigned char c = sql[i];
      if (std::isspace(c)) {
        ++i;
      } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*' && !(i + 2 < sql.size() && sql[i + 2] == '!')) {
        size_t close = sql.find("*/", i + 2);
        if (close == std::string_view::npos) return;
        i = close + 2;
      } else if (c == '#' || (c == '-' && i + 2 < sql.size() && sql[i + 1] == '-' && std::isspace(static_cast<unsigned char>(sql[i + 2])))) {
        size_t nl = sql.find('\n', i);
        i = nl == std::string_view::npos ? sql.size() : nl + 1;
      } else {
        return;
      }
    }
  };
  auto word = [&]() -> std::string_view {
    skip();
    size_t b = i;
    while (i < sql.size() && IsWordChar(static_cast<unsigned char>(sql[i]))) ++i;
    return sql.substr(b, i - b);
  };
  std::string_view w1 = word();
  if (EqualsNoCase(w1, "BEGIN")) {
    std::string_view w2 = word();
    return w2.empty() || EqualsNoCase(w2, "WORK") ? ControlKind::kBegin : ControlKind::kNone;  // BEGIN NOT ATOMIC: a block
  }
  if (EqualsNoCase(w1, "COMMIT")) return ControlKind::kCommit;
  if (EqualsNoCase(w1, "ROLLBACK")) {
    std::string_view w2 = word();
    if (EqualsNoCase(w2, "WORK")) w2 = word();
    return EqualsNoCase(w2, "TO") ? ControlKind::kIgnorable : ControlKind::kRollback;
  }
  if (EqualsNoCase(w1, "START")) {
    return EqualsNoCase(word(), "TRANSACTION") ? ControlKind::kBegin : ControlKind::kNone;
  }
  if (EqualsNoCase(w1, "SAVEPOINT")) return ControlKind::kIgnorable;
  if (EqualsNoCase(w1, "RELEASE")) return ControlKind::kIgnorable;
  if (EqualsNoCase(w1, "XA")) {
    std::string_view w2 = word();
    if (EqualsNoCase(w2, "START") || EqualsNoCase(w2, "BEGIN")) return ControlKind::kBegin;
    if (EqualsNoCase(w2, "COMMIT") || EqualsNoCase(w2, "ROLLBACK")) return ControlKind::kXaEnd;
    return ControlKind::kIgnorable;  // XA END, XA PREPARE
  }
  return ControlKind::kNone;
}

Result<RoutedStatement> StatementRouter::Route(std::string_view default_db, std::string_view sql,
                                               uint64_t sql_mode) const {
  RoutedStatement out;
  auto tokens = LexSql(sql, sql_mode);
  if (!tokens.ok()) {
    if (rules_->KeepDatabase(default_db))
      return FailedPrecondition("statement cannot be parsed (" + std::string(tokens.status().message()) +
                                ") and its default database `" + std::string(default_db) +
                                "` is kept: it cannot be attributed safely");
    return out;  // drop: nothing we can see names a kept database
  }
  Analyzer a(*tokens);
  bool parsed = a.Analyze();
  out.kind = a.kind();
  if (out.kind == StatementKind::kAccount) return out;

  // Attribute.
  const auto& t = *tokens;
  bool any_kept = false, any_dropped = false;
  std::string first_kept, first_dropped;
  for (const RefAt& r : a.refs()) {
    ObjectRef ref;
    ref.kind = r.kind;
    ref.database = r.db_token >= 0 ? t[r.db_token].text : std::string(default_db);
    if (r.kind != ObjectRef::Kind::kDatabase && r.name_token >= 0) ref.name = t[r.name_token].text;
    bool keep = r.kind == ObjectRef::Kind::kTable ? rules_->KeepTable(ref.database, ref.name)
                                                   : rules_->KeepDatabase(ref.database);
    std::string label = ref.name.empty() ? "`" + ref.database + "`" : "`" + ref.database + "`.`" + ref.name + "`";
    if (keep) {
      if (!any_kept) first_kept = label;
      any_kept = true;
    } else {
      if (!any_dropped) first_dropped = label;
      any_dropped = true;
    }
    out.objects.push_back(std::move(ref));
  }
  bool default_kept = rules_->KeepDatabase(default_db);
  if (out.kind == StatementKind::kDml) {
    if (any_kept || (a.refs().empty() && default_kept))
      return FailedPrecondition("statement-based DML on kept database " +
                                (any_kept ? first_kept : "`" + std::string(default_db) + "`") +
                                "; set binlog_format=ROW");
    return out;
  }
  if (!parsed) {
    if (any_kept || default_kept)
      return FailedPrecondition(std::string("statement of a kind vomsrepl does not parse names kept database ") +
                                (any_kept ? first_kept : "`" + std::string(default_db) + "`") +
                                ": it cannot be attributed safely");
    return out;
  }
  if (any_kept && any_dropped)
    return FailedPrecondition("statement names kept " + first_kept + " and filtered-out " + first_dropped +
                              ": it cannot be attributed safely");
  if (!any_kept) return out;

  // Keep: rewrite renamed qualifiers.
  out.keep = true;
  std::vector<size_t> rewrite;
  for (const RefAt& r : a.refs()) {
    if (r.db_token >= 0 && rules_->IsRenamed(t[r.db_token].text)) rewrite.push_back(size_t(r.db_token));
  }
  for (size_t i = 0; i + 1 < t.size(); ++i) {
    if (t[i].IsIdent() && t[i + 1].IsPunct('.') && !(i > 0 && t[i - 1].IsPunct('.')) &&
        rules_->IsRenamed(t[i].text) && rules_->KeepDatabase(t[i].text))
      rewrite.push_back(i);
  }
  std::sort(rewrite.begin(), rewrite.end());
  rewrite.erase(std::unique(rewrite.begin(), rewrite.end()), rewrite.end());
  size_t copied = 0;
  out.sql.reserve(sql.size() + 16 * rewrite.size());
  for (size_t i : rewrite) {
    out.sql.append(sql.substr(copied, t[i].begin - copied));
    out.sql.append(QuoteIdentifier(rules_->TargetDatabase(t[i].text)));
    copied = t[i].end;
  }
  out.sql.append(sql.substr(copied));
  if (default_kept) out.database = std::string(rules_->TargetDatabase(default_db));
  return out;
}

}  // namespace vomsrepl::txn
