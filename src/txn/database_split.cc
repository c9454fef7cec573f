#include "txn/database_split.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "txn/filter_rules.h"
#include "txn/statement_router.h"

namespace vomsrepl::txn {
namespace {

// The 6-byte little-endian table id at the start of a TABLE_MAP or rows body.
bool TableId(Bytes body, uint64_t* id) {
  if (body.size() < 6) return false;
  *id = 0;
  for (int i = 0; i < 6; ++i) *id |= uint64_t(uint8_t(body[i])) << (8 * i);
  return true;
}

void AppendRaw(Transaction& to, Bytes bytes, bool statement) {
  to.changes.insert(to.changes.end(), bytes.begin(), bytes.end());
  ++to.change_count;
  to.has_statement |= statement;
}

// CREATE TABLE / ALTER TABLE without RENAME: only the table it creates or
// alters changes (its first object); another database named in it is read
// (REFERENCES, LIKE), not changed.
bool ChangesOnlyItsTable(std::string_view sql, uint64_t sql_mode) {
  auto tokens = LexSql(sql, sql_mode);
  if (!tokens.ok() || tokens->size() < 2) return false;
  const auto& t = *tokens;
  size_t i = 1;
  if (t[0].Is("CREATE")) {
    if (i < t.size() && t[i].Is("OR")) i += 2;  // OR REPLACE
    if (i < t.size() && t[i].Is("TEMPORARY")) ++i;
  } else if (t[0].Is("ALTER")) {
    while (i < t.size() && (t[i].Is("ONLINE") || t[i].Is("IGNORE"))) ++i;
  } else {
    return false;
  }
  if (i >= t.size() || !t[i].Is("TABLE")) return false;
  for (const auto& token : t)
    if (token.Is("RENAME")) return false;
  return true;
}

// Every database a journaled statement changes or names (its default
// database when it names none).
Result<std::vector<std::string>> StatementDatabases(const Change& c) {
  static const FilterRules keep_all = [] {
    FilterConfig all;
    all.include_databases = {"*"};
    return *FilterRules::Create(all);
  }();
  StatementRouter router(keep_all);
  const uint64_t sql_mode = c.context.has_sql_mode ? c.context.sql_mode : 0;
  auto routed = router.Route(c.database, c.sql, sql_mode);
  if (!routed.ok()) return routed.status();
  std::vector<std::string> out;
  if (!routed->objects.empty() && ChangesOnlyItsTable(c.sql, sql_mode)) {
    out.push_back(routed->objects.front().database);
    return out;
  }
  for (const auto& o : routed->objects)
    if (std::find(out.begin(), out.end(), o.database) == out.end()) out.push_back(o.database);
  if (out.empty()) out.emplace_back(c.database);
  return out;
}

}  // namespace

bool TableMapNames(std::span<const std::byte> body, std::string* database, std::string* table) {
  // table id (6), flags (2), db length (1), db, NUL, table length (1), table, NUL, ...
  size_t pos = 8;
  if (body.size() < pos + 1) return false;
  const size_t db_len = size_t(body[pos]);
  pos += 1;
  if (body.size() < pos + db_len + 2) return false;
  database->assign(reinterpret_cast<const char*>(body.data()) + pos, db_len);
  pos += db_len + 1;
  const size_t table_len = size_t(body[pos]);
  pos += 1;
  if (body.size() < pos + table_len) return false;
  table->assign(reinterpret_cast<const char*>(body.data()) + pos, table_len);
  return true;
}

Result<DatabaseSplit> SplitByDatabase(const Transaction& t, const std::function<bool(std::string_view)>& select) {
  DatabaseSplit out{t.WithoutChanges(), t.WithoutChanges()};
  for (Transaction* part : {&out.selected, &out.rest}) {
    part->change_count = 0;
    part->has_statement = false;
    part->row_tallies.clear();
  }
  std::unordered_map<uint64_t, bool> table_selected;  // table id -> its TABLE_MAP's database selected
  ChangeReader reader(t.changes);
  Change c;
  std::string db, table;
  for (size_t begin = reader.offset(); reader.Next(&c); begin = reader.offset()) {
    const Bytes raw = Bytes(t.changes).subspan(begin, reader.offset() - begin);
    bool chosen = false;
    switch (c.kind) {
      case ChangeKind::kTableMap: {
        uint64_t id = 0;
        if (!TableId(c.body, &id) || !TableMapNames(c.body, &db, &table))
          return Corruption("journal seq " + std::to_string(t.seq) + ": malformed TABLE_MAP");
        chosen = select(db);
        table_selected[id] = chosen;
        break;
      }
      case ChangeKind::kRows: {
        uint64_t id = 0;
        auto it = TableId(c.body, &id) ? table_selected.find(id) : table_selected.end();
        if (it == table_selected.end())
          return Corruption("journal seq " + std::to_string(t.seq) + ": a rows event for table id " +
                            std::to_string(id) + " without its TABLE_MAP");
        chosen = it->second;
        break;
      }
      case ChangeKind::kStatement: {
        auto dbs = StatementDatabases(c);
        if (!dbs.ok())
          return dbs.status().WithContext("journal seq " + std::to_string(t.seq) + ": statement in " +
                                          std::string(c.database));
        size_t n = 0;
        for (const auto& d : *dbs) n += select(d) ? 1 : 0;
        if (n != 0 && n != dbs->size()) {
          std::string names;
          for (const auto& d : *dbs) names += (names.empty() ? "" : ", ") + d;
          return FailedPrecondition("journal seq " + std::to_string(t.seq) + ": a statement names a held database "
                                    "and others (" + names + "), so it cannot be applied to part of them: " +
                                    std::string(c.sql.substr(0, 200)));
        }
        chosen = n != 0;
        break;
      }
    }
    AppendRaw(chosen ? out.selected : out.rest, raw, c.kind == ChangeKind::kStatement);
  }
  if (!reader.status().ok()) return reader.status().WithContext("journal seq " + std::to_string(t.seq));
  return out;
}

}  // namespace vomsrepl::txn
