#include "txn/name_filter.h"

namespace vomsrepl::txn {

// Iterative glob match with single-star backtracking: O(n*m) worst case, no
// recursion, no allocation.
bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_t = t;
    } else if (star_p != std::string_view::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool NameFilter::MatchesAny(std::initializer_list<std::string_view> names) const {
  auto any = [&names](const std::vector<std::string>& globs) {
    for (const auto& g : globs)
      for (std::string_view n : names)
        if (GlobMatch(g, n)) return true;
    return false;
  };
  return (include_.empty() || any(include_)) && !any(exclude_);
}

bool NameFilter::Matches(std::string_view name) const {
  bool included = include_.empty();
  for (const auto& g : include_) {
    if (GlobMatch(g, name)) {
      included = true;
      break;
    }
  }
  if (!included) return false;
  for (const auto& g : exclude_) {
    if (GlobMatch(g, name)) return false;
  }
  return true;
}

Status NameFilter::ValidatePattern(std::string_view pattern) {
  if (pattern.empty()) return InvalidArgument("empty name pattern");
  for (char c : pattern) {
    if (static_cast<unsigned char>(c) < 0x20)
      return InvalidArgument("name pattern '" + std::string(pattern) + "' contains a control character");
  }
  return Status::OK();
}

}  // namespace vomsrepl::txn
