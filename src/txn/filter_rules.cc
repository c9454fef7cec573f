#include "txn/filter_rules.h"

#include <algorithm>

namespace vomsrepl::txn {
namespace {

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status ValidatePatterns(const std::vector<std::string>& patterns, std::string_view what) {
  for (const auto& p : patterns) {
    Status s = NameFilter::ValidatePattern(p);
    if (!s.ok()) return s.WithContext(what);
  }
  return Status::OK();
}

}  // namespace

Status ValidateObjectName(std::string_view name, std::string_view what) {
  if (name.empty()) return InvalidArgument(std::string(what) + ": empty name");
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return InvalidArgument(std::string(what) + " '" + std::string(name) + "' contains a control character");
  }
  if (Utf8Chars(name) > kMaxNameChars)
    return InvalidArgument(std::string(what) + " '" + std::string(name) + "' is longer than 64 characters");
  return Status::OK();
}

FilterRules::FilterRules() : databases_({"voms_*"}, {}) { config_.include_databases = {"voms_*"}; }

Result<FilterRules> FilterRules::Create(FilterConfig config) {
  if (config.include_databases.empty()) config.include_databases = {"voms_*"};
  VOMSREPL_RETURN_IF_ERROR(ValidatePatterns(config.include_databases, "filter include_databases"));
  VOMSREPL_RETURN_IF_ERROR(ValidatePatterns(config.exclude_databases, "filter exclude_databases"));
  VOMSREPL_RETURN_IF_ERROR(ValidatePatterns(config.include_tables, "filter include_tables"));
  VOMSREPL_RETURN_IF_ERROR(ValidatePatterns(config.exclude_tables, "filter exclude_tables"));

  FilterRules r;
  r.databases_ = NameFilter(config.include_databases, config.exclude_databases);
  r.has_table_rules_ = !config.include_tables.empty() || !config.exclude_tables.empty();

  NameFilter excluded(config.exclude_databases, {});
  for (size_t i = 0; i < config.renames.size(); ++i) {
    const auto& rn = config.renames[i];
    VOMSREPL_RETURN_IF_ERROR(ValidateObjectName(rn.from, "rename source database"));
    VOMSREPL_RETURN_IF_ERROR(ValidateObjectName(rn.to, "rename target database"));
    if (!r.databases_.Matches(rn.from))
      return InvalidArgument("rename '" + rn.from + "' -> '" + rn.to + "': source database '" + rn.from +
                             "' is not kept by the database filter");
    if (!config.exclude_databases.empty() && excluded.Matches(rn.to))
      return InvalidArgument("rename '" + rn.from + "' -> '" + rn.to + "': target database '" + rn.to +
                             "' is excluded by exclude_databases");
    for (size_t j = 0; j < i; ++j) {
      if (config.renames[j].from == rn.from)
        return InvalidArgument("database '" + rn.from + "' is renamed twice ('" + config.renames[j].to + "' and '" +
                               rn.to + "')");
      if (config.renames[j].to == rn.to)
        return InvalidArgument("two databases are renamed to '" + rn.to + "' ('" + config.renames[j].from +
                               "' and '" + rn.from + "')");
    }
  }
  r.config_ = std::move(config);
  return r;
}

bool FilterRules::KeepDatabase(std::string_view db) const { return !db.empty() && databases_.Matches(db); }

namespace {
// A table pattern with a '.' is matched against "db.table", one without
// against the table name alone.
bool TableGlobMatch(const std::string& pattern, std::string_view qualified, std::string_view table) {
  return pattern.find('.') != std::string::npos ? GlobMatch(pattern, qualified) : GlobMatch(pattern, table);
}
}  // namespace

bool FilterRules::KeepTable(std::string_view db, std::string_view table) const {
  if (!KeepDatabase(db)) return false;
  if (!has_table_rules_) return true;
  std::string qualified;
  qualified.reserve(db.size() + 1 + table.size());
  qualified.append(db).append(".").append(table);
  const auto& inc = config_.include_tables;
  bool included = inc.empty() || std::any_of(inc.begin(), inc.end(), [&](const std::string& p) {
                    return TableGlobMatch(p, qualified, table);
                  });
  if (!included) return false;
  const auto& exc = config_.exclude_tables;
  return std::none_of(exc.begin(), exc.end(),
                      [&](const std::string& p) { return TableGlobMatch(p, qualified, table); });
}

std::string_view FilterRules::TargetDatabase(std::string_view db) const {
  for (const auto& rn : config_.renames) {
    if (rn.from == db) return rn.to;
  }
  return db;
}

bool FilterRules::IsRenamed(std::string_view db) const {
  return std::any_of(config_.renames.begin(), config_.renames.end(), [&](const auto& rn) { return rn.from == db; });
}

}  // namespace vomsrepl::txn
