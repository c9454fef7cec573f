#include "daemon/reload.h"

#include <set>

#include "apply/replica_session.h"
#include "daemon/replicator.h"
#include "ops/master_read_account.h"
#include "txn/filter_rules.h"

namespace vomsrepl::daemon {
namespace {

Result<std::vector<std::string>> MasterDatabases(const ops::Config& config) {
  VOMSREPL_ASSIGN_OR_RETURN(apply::ReplicaConfig account, ops::MasterReadAccount(config, ""));
  apply::ReplicaSession s;
  VOMSREPL_RETURN_IF_ERROR(s.Open(account).WithContext("the master read account"));
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT schema_name FROM information_schema.schemata"));
  std::vector<std::string> out;
  for (const auto& r : rows)
    if (!r.empty() && r[0]) out.push_back(*r[0]);
  return out;
}

}  // namespace

Result<FilterCheck> CheckFilterChange(const ops::Config& running, const ops::Config& next,
                                      const std::function<bool(const std::string&)>& stopped) {
  VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules old_rules, txn::FilterRules::Create(running.filter));
  VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules new_rules, txn::FilterRules::Create(next.filter));
  VOMSREPL_ASSIGN_OR_RETURN(std::vector<std::string> dbs, MasterDatabases(next));
  // Newly kept, or kept under another name on the replicas.
  std::vector<std::string> added;
  for (const std::string& db : dbs) {
    if (!new_rules.KeepDatabase(db)) continue;
    if (old_rules.KeepDatabase(db) && old_rules.TargetDatabase(db) == new_rules.TargetDatabase(db)) continue;
    added.push_back(db);
  }
  FilterCheck check;
  if (added.empty()) return check;
  std::vector<std::string> refusals, commands_stop, commands_after;
  for (const auto& r : next.replicas) {
    if (!r.enabled) continue;
    apply::ReplicaSession session;
    VOMSREPL_RETURN_IF_ERROR(session.Open(ReplicaOptionsFrom(next, r).replica)
                                 .WithContext("checking that replica " + r.name + " holds the databases the new "
                                              "[filter] keeps"));
    for (const std::string& db : added) {
      const std::string target(new_rules.TargetDatabase(db));
      VOMSREPL_ASSIGN_OR_RETURN(
          auto rows, session.QueryPrepared("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
                                           {target}));
      if (!rows.empty() && rows[0][0] && *rows[0][0] != "0") continue;
      const std::string bootstrap = "vomsrepl bootstrap --config " + next.path + " --replica " + r.name + " --db " + db +
                                    (target != db ? " --as " + target : "");
      const std::string start = "vomsrepl replica start " + r.name + " --config " + next.path;
      if (stopped(r.name)) {
        check.notes.push_back("replica " + r.name + " (stopped) does not hold " + target + " yet: `" + bootstrap +
                              "`, then `" + start + "`");
        continue;
      }
      refusals.push_back("replica " + r.name + " does not hold " + target + " (master database " + db + ")");
      commands_stop.push_back("vomsrepl replica stop " + r.name + " --config " + next.path);
      commands_after.push_back(bootstrap);
      commands_after.push_back(start);
    }
  }
  if (refusals.empty()) return check;
  std::string msg = "the new [filter] keeps databases that running replicas do not hold: ";
  for (size_t i = 0; i < refusals.size(); ++i) msg += (i ? "; " : "") + refusals[i];
  msg += ". Nothing was changed. Run, in this order:";
  std::set<std::string> seen;
  for (const auto& c : commands_stop)
    if (seen.insert(c).second) msg += "\n  " + c;
  msg += "\n  vomsrepl reload --config " + next.path;
  for (const auto& c : commands_after)
    if (seen.insert(c).second) msg += "\n  " + c;
  return FailedPrecondition(msg);
}

}  // namespace vomsrepl::daemon
