#include "daemon/reload.h"

#include <set>
#include <utility>

#include "apply/replica_session.h"
#include "daemon/replicator.h"
#include "ops/master_read_account.h"
#include "txn/filter_rules.h"

namespace vomsrepl::daemon {
namespace {

// The master's databases and tables, as the master read account sees them;
// a database without a table appears with an empty table name.
Result<std::vector<std::pair<std::string, std::string>>> MasterTables(const ops::Config& config) {
  VOMSREPL_ASSIGN_OR_RETURN(apply::ReplicaConfig account, ops::MasterReadAccount(config, ""));
  apply::ReplicaSession s;
  VOMSREPL_RETURN_IF_ERROR(s.Open(account).WithContext("the master read account"));
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.Query("SELECT s.schema_name, COALESCE(t.table_name, '') FROM "
                                               "information_schema.schemata s LEFT JOIN information_schema.tables t "
                                               "ON t.table_schema = s.schema_name"));
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : rows)
    if (r.size() >= 2 && r[0]) out.emplace_back(*r[0], r[1].value_or(""));
  return out;
}

}  // namespace

Result<FilterCheck> CheckFilterChange(const ops::Config& running, const ops::Config& next,
                                      const std::function<bool(const std::string&)>& stopped, bool hold_new) {
  VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules old_rules, txn::FilterRules::Create(running.filter));
  VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules new_rules, txn::FilterRules::Create(next.filter));
  VOMSREPL_ASSIGN_OR_RETURN(auto tables, MasterTables(next));
  // Databases with something the new filter keeps and the running one does
  // not (a database or table newly included, included again after an
  // exclusion, or kept under another name): the replicas' copy of it, if
  // any, has not followed the master's writes while it was left out.
  std::vector<std::string> added;
  std::set<std::string> seen_db;
  for (const auto& [db, table] : tables) {
    const bool keep_new = table.empty() ? new_rules.KeepDatabase(db) : new_rules.KeepTable(db, table);
    if (!keep_new) continue;
    const bool keep_old = table.empty() ? old_rules.KeepDatabase(db) : old_rules.KeepTable(db, table);
    if (keep_old && old_rules.TargetDatabase(db) == new_rules.TargetDatabase(db)) continue;
    if (seen_db.insert(db).second) added.push_back(db);
  }
  FilterCheck check;
  if (added.empty()) return check;
  // A database tied to another one by foreign keys cannot be held (apply/database_hold.h).
  std::string tied;
  {
    VOMSREPL_ASSIGN_OR_RETURN(apply::ReplicaConfig account, ops::MasterReadAccount(next, ""));
    apply::ReplicaSession master;
    VOMSREPL_RETURN_IF_ERROR(master.Open(account).WithContext("the master read account"));
    for (const std::string& db : added) {
      VOMSREPL_ASSIGN_OR_RETURN(std::string keys, apply::CrossDatabaseForeignKeys(master, db));
      if (keys.empty()) continue;
      tied += (tied.empty() ? "" : "; ") + db + " has foreign keys to or from other databases (" + keys + ")";
    }
  }
  if (hold_new && !tied.empty())
    return FailedPrecondition(tied + ": a replica cannot hold it back while it applies those (their ON DELETE / ON "
                              "UPDATE actions are not in the binlog and would miss the copy). Nothing was changed. "
                              "Add it with the replicas paused: `vomsrepl reload --config " + next.path +
                              "` (without --hold-new) says how");
  std::vector<std::string> refusals, commands_stop, commands_after, online;
  for (const auto& r : next.replicas) {
    // A disabled replica counts too: enabled again, it would apply the new
    // database's changes onto whatever it holds of it.
    std::string start_after;
    apply::ReplicaSession session;
    VOMSREPL_RETURN_IF_ERROR(session.Open(ReplicaOptionsFrom(next, r).replica)
                                 .WithContext("checking that replica " + r.name + (r.enabled ? "" : " (disabled)") +
                                              " holds the databases the new [filter] keeps"));
    for (const std::string& db : added) {
      const std::string target(new_rules.TargetDatabase(db));
      VOMSREPL_ASSIGN_OR_RETURN(
          auto rows, session.QueryPrepared("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
                                           {target}));
      const bool holds = !rows.empty() && rows[0][0] && *rows[0][0] != "0";
      const std::string drop = "DROP DATABASE `" + target + "` on replica " + r.name +
                               " (as an administrator: bootstrap fills an empty database)";
      const std::string bootstrap = "vomsrepl bootstrap --config " + next.path + " --replica " + r.name + " --db " + db +
                                    (target != db ? " --as " + target : "");
      const std::string start = "vomsrepl replica start " + r.name + " --config " + next.path;
      const std::string why = holds ? "holds a copy of " + target + " that has not followed the master's writes to "
                                      "what the running [filter] leaves out (master database " + db + ")"
                                    : "does not hold " + target + " (master database " + db + ")";
      if (hold_new) {
        FilterCheck::Hold h;
        h.replica = r.name;
        h.hold.database = target;
        h.hold.master_database = db;
        check.holds.push_back(std::move(h));
        check.notes.push_back("replica " + r.name + " " + why + ": it holds " + target + " back (and applies "
                              "everything else) until " + (holds ? drop + ", then `" : "`") + bootstrap +
                              "` has copied it; it then catches " + target + " up from the journal by itself");
        continue;
      }
      if (holds) online.push_back(drop);
      online.push_back(bootstrap);
      if (!r.enabled || stopped(r.name)) {
        check.notes.push_back("replica " + r.name + (r.enabled ? " (stopped) " : " (disabled) ") + why + ": " + (holds ? drop + ", then `" : "`") +
                              bootstrap + "`, then `" + start + "`");
        continue;
      }
      refusals.push_back("replica " + r.name + " " + why);
      commands_stop.push_back("vomsrepl replica stop " + r.name + " --config " + next.path);
      if (holds) commands_after.push_back(drop);
      commands_after.push_back(bootstrap);
      start_after = start;
    }
    // Started again once every database it lacks is copied.
    if (!start_after.empty()) commands_after.push_back(start_after);
  }
  if (refusals.empty()) return check;
  std::string msg = "the new [filter] keeps what the running one leaves out, and running replicas lack an up-to-date copy of it: ";
  for (size_t i = 0; i < refusals.size(); ++i) msg += (i ? "; " : "") + refusals[i];
  std::set<std::string> seen;
  if (tied.empty()) {
    msg += ". Nothing was changed. Either, with no replica paused (each holds the new database back until its "
           "bootstrap, and applies everything else meanwhile):";
    msg += "\n  vomsrepl reload --hold-new --config " + next.path;
    for (const auto& c : online)
      if (seen.insert(c).second) msg += "\n  " + c;
    msg += "\nor, pausing those replicas, in this order:";
    seen.clear();
  } else {
    msg += ". Nothing was changed. " + tied + ", so no replica can hold it back (reload --hold-new): pause those "
           "replicas, in this order:";
  }
  for (const auto& c : commands_stop)
    if (seen.insert(c).second) msg += "\n  " + c;
  msg += "\n  vomsrepl reload --config " + next.path;
  for (const auto& c : commands_after)
    if (seen.insert(c).second) msg += "\n  " + c;
  return FailedPrecondition(msg);
}

}  // namespace vomsrepl::daemon
