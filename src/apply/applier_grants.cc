#include "apply/applier_grants.h"

#include <algorithm>
#include <cctype>
#include <set>

#include <vomsrepl/ascii.h>

namespace vomsrepl::apply {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(' ');
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(' ');
  return std::string(s.substr(b, e - b + 1));
}

// A backquoted name at s[*i] (doubled backquotes inside); advances *i past it.
std::optional<std::string> ReadQuoted(std::string_view s, size_t* i) {
  if (*i >= s.size() || s[*i] != '`') return std::nullopt;
  std::string out;
  for (size_t j = *i + 1; j < s.size(); ++j) {
    if (s[j] != '`') {
      out += s[j];
    } else if (j + 1 < s.size() && s[j + 1] == '`') {
      out += '`';
      ++j;
    } else {
      *i = j + 1;
      return out;
    }
  }
  return std::nullopt;
}

// SHOW GRANTS writes the pattern's own backslashes: `voms\_%`.
bool IsLiteral(std::string_view pattern, std::string_view name) {
  std::string plain;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      plain += pattern[++i];
    } else if (c == '%' || c == '_') {
      return false;
    } else {
      plain += c;
    }
  }
  return plain == name;
}

bool MatchFrom(std::string_view p, size_t pi, std::string_view n, size_t ni) {
  while (pi < p.size()) {
    char c = p[pi];
    if (c == '%') {
      for (size_t k = ni; k <= n.size(); ++k)
        if (MatchFrom(p, pi + 1, n, k)) return true;
      return false;
    }
    if (ni >= n.size()) return false;
    if (c == '_') {
      ++pi, ++ni;
      continue;
    }
    if (c == '\\' && pi + 1 < p.size()) c = p[++pi];
    if (std::tolower(static_cast<unsigned char>(c)) != std::tolower(static_cast<unsigned char>(n[ni]))) return false;
    ++pi, ++ni;
  }
  return ni == n.size();
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

bool GrantPatternMatches(std::string_view pattern, std::string_view name) { return MatchFrom(pattern, 0, name, 0); }

std::optional<GrantLine> ParseGrantLine(std::string_view line) {
  if (AsciiUpper(line.substr(0, 6)) != "GRANT ") return std::nullopt;
  GrantLine g;
  // Privileges up to " ON " (outside backquotes and column lists) or, for a
  // role, up to " TO ".
  std::vector<std::string> privs;
  std::string current;
  int depth = 0;
  size_t i = 6;
  bool role = false;
  for (; i < line.size(); ++i) {
    char c = line[i];
    if (c == '`') {
      size_t j = i;
      auto q = ReadQuoted(line, &j);
      if (!q) return std::nullopt;
      if (depth == 0 && Trim(current).empty()) role = true;
      i = j - 1;
      continue;
    }
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth > 0 || c == ')') continue;  // column list: dropped
    if (c == ',') {
      privs.push_back(Trim(current));
      current.clear();
      continue;
    }
    std::string rest = AsciiUpper(line.substr(i, 4));
    if (rest == " ON " || rest == " TO ") break;
    current += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (i >= line.size()) return std::nullopt;
  privs.push_back(Trim(current));
  for (std::string& p : privs) {
    if (p == "READ_ONLY ADMIN") p = "READ ONLY ADMIN";
    if (!p.empty()) g.privileges.push_back(p);
  }
  std::string tail = AsciiUpper(line.substr(i));
  g.grant_option = tail.size() >= 18 && tail.compare(tail.size() - 18, 18, " WITH GRANT OPTION") == 0;
  if (role || AsciiUpper(line.substr(i, 4)) == " TO ") {
    g.level = GrantLine::Level::kRole;
    return g;
  }
  size_t t = i + 4;  // after " ON "
  if (line.substr(t, 3) == "*.*") {
    g.level = GrantLine::Level::kGlobal;
    return g;
  }
  auto db = ReadQuoted(line, &t);
  if (!db) return g;  // PROXY, PROCEDURE, FUNCTION, PACKAGE: kOther
  g.database = *db;
  if (line.substr(t, 2) == ".*") {
    g.level = GrantLine::Level::kDatabase;
  } else if (line.substr(t, 2) == ".`") {
    g.level = GrantLine::Level::kTable;
  }
  return g;
}

ApplierGrantReport CheckApplierGrants(const std::vector<std::string>& show_grants, std::string_view state_schema,
                                      bool need_read_only_admin, bool need_binlog_replay) {
  ApplierGrantReport report;
  std::set<std::string> global, data, state;
  bool global_all = false;
  auto add = [](std::set<std::string>& to, const GrantLine& g) {
    for (const auto& p : g.privileges) to.insert(p);
  };
  for (const std::string& line : show_grants) {
    auto g = ParseGrantLine(line);
    if (!g) continue;
    std::string where;
    switch (g->level) {
      case GrantLine::Level::kGlobal:
        where = "*.*";
        add(global, *g);
        for (const auto& p : g->privileges) {
          if (p == "ALL PRIVILEGES") global_all = true;
          if (p == "USAGE" || p == "READ ONLY ADMIN" || (need_binlog_replay && p == "BINLOG REPLAY")) continue;
          report.excess.push_back(p + " ON *.*");
        }
        break;
      case GrantLine::Level::kDatabase:
        where = "`" + g->database + "`.*";
        if (GrantPatternMatches(g->database, state_schema)) add(state, *g);
        if (!IsLiteral(g->database, state_schema)) add(data, *g);
        break;
      case GrantLine::Level::kTable:
      case GrantLine::Level::kRole:
        report.unsure = true;
        break;
      case GrantLine::Level::kOther:
        break;
    }
    if (g->grant_option && !where.empty()) report.excess.push_back("WITH GRANT OPTION ON " + where);
  }
  auto lacking = [&](const std::set<std::string>& level, std::initializer_list<const char*> need) {
    std::vector<std::string> out;
    if (global_all || level.count("ALL PRIVILEGES")) return out;
    for (const char* p : need)
      if (!level.count(p) && !global.count(p)) out.push_back(p);
    return out;
  };
  if (need_read_only_admin && !global_all && !global.count("READ ONLY ADMIN")) {
    report.missing.push_back({"READ ONLY ADMIN", "*.*", "*.*"});
  }
  if (need_binlog_replay && !global_all && !global.count("BINLOG REPLAY") && !global.count("SUPER")) {
    report.missing.push_back({"BINLOG REPLAY", "*.*", "*.*"});
  }
  if (auto m = lacking(data, {"SELECT", "INSERT", "UPDATE", "DELETE"}); !m.empty()) {
    report.missing.push_back({Join(m), "the replicated databases", "`voms\\_%`.*"});
  }
  if (auto m = lacking(state, {"SELECT", "INSERT", "UPDATE", "DELETE"}); !m.empty()) {
    report.missing.push_back({Join(m), "the state schema `" + std::string(state_schema) + "`",
                              "`" + std::string(state_schema) + "`.*"});
  }
  if (auto m = lacking(data, {"CREATE", "DROP", "ALTER", "INDEX"}); !m.empty()) {
    report.missing_ddl.push_back({Join(m), "the replicated databases", "`voms\\_%`.*"});
  }
  return report;
}

}  // namespace vomsrepl::apply
