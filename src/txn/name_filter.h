// NameFilter: include/exclude glob lists over database or table names.
//
// Globs support `*` (any run of characters) and `?` (one character), matched
// against the whole name, case-sensitively (database and table names are
// case-sensitive on Linux servers with lower_case_table_names=0). A name is
// kept when it matches at least one include glob (an empty include list keeps
// everything) and no exclude glob.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include <initializer_list>

namespace vomsrepl::txn {

bool GlobMatch(std::string_view pattern, std::string_view text);

class NameFilter {
 public:
  NameFilter() = default;
  NameFilter(std::vector<std::string> include, std::vector<std::string> exclude)
      : include_(std::move(include)), exclude_(std::move(exclude)) {}

  bool Matches(std::string_view name) const;
  // One object known by several names (a table as `t` and as `db.t`): kept
  // when an include glob matches any of them (or there is none) and no
  // exclude glob matches any of them.
  bool MatchesAny(std::initializer_list<std::string_view> names) const;
  bool empty() const { return include_.empty() && exclude_.empty(); }

  // Rejects empty patterns and patterns with control characters.
  static Status ValidatePattern(std::string_view pattern);

 private:
  std::vector<std::string> include_;
  std::vector<std::string> exclude_;
};

}  // namespace vomsrepl::txn
