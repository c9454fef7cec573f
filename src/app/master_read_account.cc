#include "app/master_read_account.h"

#include "ops/master_read_account.h"

#include "apply/sql_identifier.h"
#include "lifecycle/table_inventory.h"
#include "txn/filter_rules.h"

namespace vomsrepl::app {

Status CheckMasterReadAccount(const ops::Config& config, std::FILE* out) {
  if (config.master_read_defaults_file.empty()) {
    std::fprintf(out, "warn master: no [master] read_defaults_file: `verify` and `bootstrap` would read the master's "
                      "tables through the replication account, which usually has no SELECT on them (they then "
                      "fail); set it to an option file of an account with SELECT on the replicated databases\n");
    return Status::OK();
  }
  Status st = [&]() -> Status {
    VOMSREPL_ASSIGN_OR_RETURN(apply::ReplicaConfig c, ops::MasterReadAccount(config, ""));
    VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules filter, txn::FilterRules::Create(config.filter));
    apply::ReplicaSession s;
    VOMSREPL_RETURN_IF_ERROR(s.Open(c));
    VOMSREPL_ASSIGN_OR_RETURN(auto dbs, lifecycle::ListDatabases(s));
    size_t readable = 0;
    for (const std::string& db : dbs) {
      if (!filter.KeepDatabase(db)) continue;
      VOMSREPL_ASSIGN_OR_RETURN(auto tables, lifecycle::ListTables(s, db));
      if (tables.empty()) continue;
      Status read = s.Query("SELECT 1 FROM " + apply::QualifiedName(db, tables[0]) +
                              " LIMIT 0")
                        .status();
      if (!read.ok())
        return FailedPrecondition("the account cannot read " + db + "." + tables[0] + " (" +
                                  std::string(read.message()) + "); fix: GRANT SELECT ON `" + db + "`.* TO it");
      ++readable;
    }
    if (readable == 0) {
      std::fprintf(out, "warn master read account (%s): sees no table of a database kept by [filter]: either no "
                        "such database exists yet, or the account lacks SELECT on them\n",
                   config.master_read_defaults_file.c_str());
    } else {
      std::fprintf(out, "ok   master read account (%s): reads the %zu kept database(s) it sees\n",
                   config.master_read_defaults_file.c_str(), readable);
    }
    return Status::OK();
  }();
  if (!st.ok()) {
    st = st.WithContext("[master] read_defaults_file " + config.master_read_defaults_file);
    std::fprintf(out, "FAIL %s\n", st.ToString().c_str());
  }
  return st;
}

}  // namespace vomsrepl::app
