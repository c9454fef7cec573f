#include "lifecycle/table_inventory.h"

namespace vomsrepl::lifecycle {
namespace {

bool IsSystemDatabase(const std::string& db) {
  return db == "mysql" || db == "information_schema" || db == "performance_schema" || db == "sys";
}

}  // namespace

Result<std::vector<std::string>> ListTables(apply::ReplicaSession& s, const std::string& db) {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.QueryPrepared("SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
                                                       "TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' "
                                                       "ORDER BY TABLE_NAME",
                                                       {db}));
  std::vector<std::string> out;
  for (auto& r : rows) out.push_back(r[0].value_or(""));
  return out;
}

// NotFound when the table does not exist.
Result<TableShape> ReadShape(apply::ReplicaSession& s, const std::string& db, const std::string& table) {
  TableShape t;
  t.database = db;
  t.table = table;
  VOMSREPL_ASSIGN_OR_RETURN(auto cols, s.QueryPrepared("SELECT COLUMN_NAME, LOWER(DATA_TYPE), COLUMN_TYPE, IS_NULLABLE, "
                                                       "CHARACTER_SET_NAME, COLLATION_NAME FROM "
                                                       "information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND "
                                                       "TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
                                                       {db, table}));
  if (cols.empty()) return NotFound("table " + db + "." + table + " not found");
  for (auto& r : cols) {
    ColumnShape c;
    c.name = r[0].value_or("");
    c.data_type = r[1].value_or("");
    c.is_unsigned = r[2].value_or("").find("unsigned") != std::string::npos;
    c.nullable = r[3].value_or("YES") == "YES";
    c.charset = r[4].value_or("");
    c.collation = r[5].value_or("");
    t.columns.push_back(std::move(c));
  }
  VOMSREPL_ASSIGN_OR_RETURN(auto keys, s.QueryPrepared("SELECT COLUMN_NAME FROM information_schema.STATISTICS WHERE "
                                                       "TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = "
                                                       "'PRIMARY' ORDER BY SEQ_IN_INDEX",
                                                       {db, table}));
  for (auto& r : keys) {
    for (size_t i = 0; i < t.columns.size(); ++i)
      if (t.columns[i].name == r[0].value_or("")) t.key.push_back(i);
  }
  return t;
}

Result<std::vector<std::string>> ListDatabases(apply::ReplicaSession& s) {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1"));
  std::vector<std::string> out;
  for (auto& r : rows) {
    std::string db = r[0].value_or("");
    if (!IsSystemDatabase(db)) out.push_back(std::move(db));
  }
  return out;
}

}  // namespace vomsrepl::lifecycle
