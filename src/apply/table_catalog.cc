#include "apply/table_catalog.h"

#include <algorithm>

#include "apply/replica_session.h"
#include "apply/sql_identifier.h"

namespace vomsrepl::apply {
namespace {

bool IsTrue(const std::optional<std::string>& v) { return v && !v->empty() && *v != "0"; }

constexpr uint32_t kBinaryCollation = 63;

}  // namespace

bool IsFixedBinaryDataType(std::string_view t) {
  return t == "binary" || t == "uuid" || t == "inet6" || t == "inet4";
}

Result<TableInfo> BuildTableInfo(const binlog::TableSchema& schema, const std::vector<ColumnInfo>& replica_columns,
                                 const std::vector<std::string>& replica_key) {
  TableInfo t;
  t.database = schema.database;
  t.table = schema.table;
  VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(t.database));
  VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(t.table));
  t.quoted_name = QualifiedName(t.database, t.table);
  const size_t n = schema.columns.size();
  if (!replica_columns.empty() && replica_columns.size() != n) {
    return FailedPrecondition(t.quoted_name + ": the source table has " + std::to_string(n) +
                              " columns, the one on the server read for its columns has " +
                              std::to_string(replica_columns.size()) + " (schemas differ)");
  }
  t.columns.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const binlog::ColumnDesc& c = schema.columns[i];
    ColumnInfo& out = t.columns[i];
    const ColumnInfo* r = replica_columns.empty() ? nullptr : &replica_columns[i];
    if (!c.name.empty()) {
      out.name = c.name;
    } else if (r != nullptr) {
      out.name = r->name;
    } else {
      return FailedPrecondition("column " + std::to_string(i + 1) +
                                " has no name in the TABLE_MAP (binlog_row_metadata is not FULL) and no server "
                                "gave the table's columns");
    }
    VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(out.name).WithContext(t.quoted_name));
    out.is_unsigned = c.has_signedness ? c.is_unsigned : (r != nullptr && r->is_unsigned);
    out.generated = r != nullptr && r->generated;
    out.nullable = r != nullptr ? r->nullable : c.nullable;
    if (r != nullptr) out.data_type = r->data_type;
    if (c.type == binlog::ColumnType::kString) {
      const bool binary = c.charset != 0 ? c.charset == kBinaryCollation
                                         : (r != nullptr && IsFixedBinaryDataType(r->data_type));
      if (binary) out.fixed_binary_length = c.max_length;
    }
    switch (c.type) {
      case binlog::ColumnType::kString: case binlog::ColumnType::kVarchar: case binlog::ColumnType::kVarString:
      case binlog::ColumnType::kBlob:
        out.compare_bytes = out.data_type.empty() || !IsFixedBinaryDataType(out.data_type) ||
                            out.data_type == "binary";
        break;
      default:
        break;
    }
  }
  if (schema.has_primary_key_metadata && !schema.primary_key.empty()) {
    for (uint32_t k : schema.primary_key) {
      if (k >= n) return Corruption(t.quoted_name + ": primary key column index out of range");
      t.key.push_back(k);
    }
    t.key_from_table_map = true;
  } else {
    for (const std::string& name : replica_key) {
      auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const ColumnInfo& c) { return c.name == name; });
      if (it == t.columns.end()) {
        t.key.clear();
        break;
      }
      t.key.push_back(uint32_t(it - t.columns.begin()));
    }
  }
  return t;
}

namespace {

// The replica's unique index over exactly the row key's columns; "" when
// there is none (a TABLE_MAP primary key the replica does not have).
std::string KeyIndex(const TableInfo& t,
                     const std::vector<std::pair<std::string, std::vector<std::string>>>& unique_keys) {
  std::vector<std::string> key;
  for (uint32_t k : t.key) key.push_back(t.columns[k].name);
  std::sort(key.begin(), key.end());
  for (auto [name, columns] : unique_keys) {
    std::sort(columns.begin(), columns.end());
    if (!key.empty() && columns == key) return name;
  }
  return "";
}

}  // namespace

Result<const TableInfo*> TableCatalog::Resolve(ReplicaSession& session, const binlog::TableSchema& schema) {
  auto key = std::make_pair(schema.database, schema.table);
  auto it = tables_.find(key);
  if (it != tables_.end() && it->second->columns.size() == schema.columns.size()) return it->second.get();

  std::vector<std::string> params{schema.database, schema.table};
  VOMSREPL_ASSIGN_OR_RETURN(
      auto cols, session.QueryPrepared("SELECT COLUMN_NAME, COLUMN_TYPE LIKE '%unsigned%', IS_GENERATED <> 'NEVER', "
                                       "IS_NULLABLE = 'YES', LOWER(DATA_TYPE) FROM information_schema.COLUMNS "
                                       "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                                       params));
  std::vector<ColumnInfo> replica_columns;
  for (const SqlRow& r : cols) {
    ColumnInfo c;
    c.name = r[0].value_or("");
    c.is_unsigned = IsTrue(r[1]);
    c.generated = IsTrue(r[2]);
    c.nullable = IsTrue(r[3]);
    c.data_type = r[4].value_or("");
    replica_columns.push_back(std::move(c));
  }
  std::string qualified = QualifiedName(schema.database, schema.table);
  if (replica_columns.empty()) {
    return FailedPrecondition(session.config().name + ": table " + qualified +
                              " does not exist there, or its account has no privilege on it (information_schema "
                              "shows it no column)");
  }
  // A system-versioned table's row_start / row_end are in the row events but not
  // in information_schema (when implicit), and the replica would stamp its own
  // times into them: neither can be applied exactly. A trigger on the replica
  // would fire for every row applied, while the master's row events already hold
  // what its own triggers wrote (the built-in replica does not fire them either).
  VOMSREPL_ASSIGN_OR_RETURN(
      auto kind, session.QueryPrepared(
                     "SELECT TABLE_TYPE, (SELECT GROUP_CONCAT(TRIGGER_NAME ORDER BY TRIGGER_NAME SEPARATOR ', ') "
                     "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = t.TABLE_SCHEMA AND "
                     "EVENT_OBJECT_TABLE = t.TABLE_NAME) FROM information_schema.TABLES t "
                     "WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?",
                     params));
  if (!kind.empty() && kind[0][0].value_or("") == "SYSTEM VERSIONED") {
    return NotSupported(session.config().name + ": table " + qualified +
                        " is system-versioned (WITH SYSTEM VERSIONING): vomsrepl cannot apply its rows exactly (the "
                        "period columns row_start/row_end would take the replica's times); leave it out of the filter "
                        "([filter] exclude_tables) or drop the versioning (ALTER TABLE ... DROP SYSTEM VERSIONING)");
  }
  if (refuse_triggers_ && !kind.empty() && kind[0][1].has_value()) {
    return FailedPrecondition(session.config().name + ": table " + qualified + " has trigger(s) on the replica (" +
                              *kind[0][1] +
                              "): the rows vomsrepl applies would fire them, while the master's row events already "
                              "hold what its own triggers wrote (the built-in replica does not fire triggers for row "
                              "events either); drop them on the replica (DROP TRIGGER), the master keeps them");
  }
  // The replica's unique keys over NOT NULL columns: PRIMARY first, then
  // fewest columns first.
  VOMSREPL_ASSIGN_OR_RETURN(
      auto idx, session.QueryPrepared(
                    "SELECT s.INDEX_NAME, s.COLUMN_NAME FROM information_schema.STATISTICS s "
                    "JOIN (SELECT INDEX_NAME, COUNT(*) AS n FROM information_schema.STATISTICS "
                    "      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 "
                    "      GROUP BY INDEX_NAME HAVING SUM(NULLABLE = 'YES') = 0) k ON k.INDEX_NAME = s.INDEX_NAME "
                    "WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? "
                    "ORDER BY s.INDEX_NAME = 'PRIMARY' DESC, k.n, s.INDEX_NAME, s.SEQ_IN_INDEX",
                    {schema.database, schema.table, schema.database, schema.table}));
  std::vector<std::pair<std::string, std::vector<std::string>>> unique_keys;  // name, columns
  for (const SqlRow& r : idx) {
    if (unique_keys.empty() || unique_keys.back().first != r[0].value_or(""))
      unique_keys.emplace_back(r[0].value_or(""), std::vector<std::string>{});
    unique_keys.back().second.push_back(r[1].value_or(""));
  }
  std::vector<std::string> replica_key;
  if (!(schema.has_primary_key_metadata && !schema.primary_key.empty()) && !unique_keys.empty())
    replica_key = unique_keys[0].second;
  VOMSREPL_ASSIGN_OR_RETURN(TableInfo info, BuildTableInfo(schema, replica_columns, replica_key));
  info.key_index = KeyIndex(info, unique_keys);
  if (!info.key.empty()) {
    VOMSREPL_ASSIGN_OR_RETURN(
        auto fold, session.QueryPrepared(
                       "SELECT (SELECT COUNT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS "
                       "        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0), "
                       "(SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS "
                       " WHERE (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?) "
                       "    OR (UNIQUE_CONSTRAINT_SCHEMA = ? AND REFERENCED_TABLE_NAME = ?)), "
                       "(SELECT COUNT(*) FROM information_schema.TRIGGERS "
                       " WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?)",
                       {schema.database, schema.table, schema.database, schema.table, schema.database,
                        schema.table, schema.database, schema.table}));
    bool key_generated = false;
    for (uint32_t k : info.key) key_generated = key_generated || info.columns[k].generated;
    info.foldable = !fold.empty() && fold[0][0].value_or("") == "1" && fold[0][1].value_or("") == "0" &&
                    fold[0][2].value_or("") == "0" && !key_generated;
  }
  if (info.key.empty() && warn_) {
    warn_(session.config().name + ": table " + info.quoted_name +
          " has no primary key and no unique NOT NULL key: rows are found by comparing every column "
          "(slow; LIMIT 1 picks one of identical rows)");
  }
  auto owned = std::make_unique<TableInfo>(std::move(info));
  const TableInfo* p = owned.get();
  std::unique_ptr<TableInfo>& slot = tables_[key];
  if (slot) retired_.push_back(std::move(slot));
  slot = std::move(owned);
  return p;
}

}  // namespace vomsrepl::apply
