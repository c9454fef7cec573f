// TableInventory: what information_schema says about the tables of a
// database, through an apply::ReplicaSession (any server: master or replica).
//
// Thread-safety: one thread per session.
#pragma once

#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "lifecycle/chunk_sql.h"

namespace vomsrepl::lifecycle {

// Base tables of `db`, by name (views are not data: not listed).
Result<std::vector<std::string>> ListTables(apply::ReplicaSession& session, const std::string& db);
// Columns in order and the PRIMARY KEY; NotFound when the table does not exist.
Result<TableShape> ReadShape(apply::ReplicaSession& session, const std::string& db, const std::string& table);
// Databases of the server, system schemas left out.
Result<std::vector<std::string>> ListDatabases(apply::ReplicaSession& session);

}  // namespace vomsrepl::lifecycle
