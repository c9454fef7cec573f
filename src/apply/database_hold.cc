#include "apply/database_hold.h"

#include <cstdio>
#include <functional>

#include "apply/sql_identifier.h"

namespace vomsrepl::apply {
namespace {

std::string HoldTable(const ReplicaSession& s) { return QuoteIdentifier(s.config().state_schema) + ".`held_database`"; }
std::string ProgressTable(const ReplicaSession& s) { return QuoteIdentifier(s.config().state_schema) + ".`progress`"; }

std::optional<HoldState> ParseState(std::string_view s) {
  if (s == "pending") return HoldState::kPending;
  if (s == "held") return HoldState::kHeld;
  if (s == "copied") return HoldState::kCopied;
  if (s == "abandoned") return HoldState::kAbandoned;
  return std::nullopt;
}

uint64_t Number(const std::optional<std::string>& v) { return v ? std::strtoull(v->c_str(), nullptr, 10) : 0; }

constexpr std::string_view kColumns = "`db`, `master_db`, `state`, `since_seq`, `copied_seq`, `replay_channel`";

Result<std::vector<DatabaseHold>> Rows(ReplicaSession& s, const std::string& sql, const std::vector<std::string>& params) {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, s.QueryPrepared(sql, params));
  std::vector<DatabaseHold> out;
  for (const auto& r : rows) {
    if (r.size() < 6) return Internal("held_database: short row");
    DatabaseHold h;
    h.database = r[0].value_or("");
    h.master_database = r[1].value_or("");
    auto state = ParseState(r[2].value_or(""));
    if (!state)
      return FailedPrecondition(s.config().name + ": " + HoldTable(s) + " row of database " + h.database +
                                " has state '" + r[2].value_or("") + "' (pending, held, copied or abandoned expected)");
    h.state = *state;
    h.since_seq = Number(r[3]);
    h.copied_seq = Number(r[4]);
    h.replay_channel = r[5].value_or("");
    out.push_back(std::move(h));
  }
  return out;
}

// `statements` in one replica transaction (ROLLBACK on the first failure).
Status InTransaction(ReplicaSession& s, const std::function<Status()>& statements) {
  VOMSREPL_RETURN_IF_ERROR(s.Execute("START TRANSACTION"));
  Status st = statements();
  if (st.ok()) st = s.Execute("COMMIT");
  if (!st.ok()) s.Execute("ROLLBACK").IgnoreError();
  return st;
}

}  // namespace

std::string_view HoldStateName(HoldState state) {
  switch (state) {
    case HoldState::kPending: return "pending";
    case HoldState::kHeld: return "held";
    case HoldState::kCopied: return "copied";
    case HoldState::kAbandoned: return "abandoned";
  }
  return "?";
}

std::string ReplayChannel(std::string_view channel, std::string_view database) {
  // FNV-1a, 64 bits, over channel NUL database: a stable name, not a secret.
  uint64_t h = 0xcbf29ce484222325ull;
  auto add = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 0x100000001b3ull;
    }
  };
  add(channel);
  add(std::string_view("\0", 1));
  add(database);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return "hold:" + std::string(hex);
}

Result<std::string> CrossDatabaseForeignKeys(ReplicaSession& master, const std::string& database) {
  VOMSREPL_ASSIGN_OR_RETURN(
      // KEY_COLUMN_USAGE, not REFERENTIAL_CONSTRAINTS: an account with SELECT only (the
      // master read account) sees no row of the latter on MariaDB 10.11.
      auto rows, master.QueryPrepared("SELECT DISTINCT TABLE_SCHEMA, TABLE_NAME, REFERENCED_TABLE_SCHEMA, "
                                      "REFERENCED_TABLE_NAME, CONSTRAINT_NAME FROM information_schema.KEY_COLUMN_USAGE "
                                      "WHERE REFERENCED_TABLE_SCHEMA IS NOT NULL AND ((TABLE_SCHEMA = ? AND "
                                      "REFERENCED_TABLE_SCHEMA <> ?) OR (REFERENCED_TABLE_SCHEMA = ? AND TABLE_SCHEMA "
                                      "<> ?)) ORDER BY 1, 2, 5",
                                      {database, database, database, database}));
  std::string out;
  for (const auto& r : rows) {
    if (r.size() < 5) continue;
    out += (out.empty() ? "" : ", ") + r[0].value_or("") + "." + r[1].value_or("") + " -> " + r[2].value_or("") + "." +
           r[3].value_or("") + " (" + r[4].value_or("") + ")";
  }
  return out;
}

Status EnsureHoldTable(ReplicaSession& s) {
  return s.Execute("CREATE TABLE IF NOT EXISTS " + HoldTable(s) +
                   " ("
                   "`channel` VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL, "
                   "`db` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'on the replica', "
                   "`master_db` VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT '', "
                   "`state` VARCHAR(16) CHARACTER SET ascii NOT NULL COMMENT 'pending, held, copied, abandoned', "
                   "`since_seq` BIGINT UNSIGNED NOT NULL DEFAULT 0 COMMENT 'first journal seq with its changes', "
                   "`copied_seq` BIGINT UNSIGNED NULL COMMENT 'journal seq of the bootstrap snapshot', "
                   "`replay_channel` VARCHAR(64) CHARACTER SET utf8mb4 NOT NULL COMMENT 'progress row of its catch-up', "
                   "`updated_at` DATETIME(6) NULL COMMENT 'UTC', "
                   "PRIMARY KEY (`channel`, `db`)"
                   ") ENGINE=InnoDB");
}

Result<std::vector<DatabaseHold>> ReadHolds(ReplicaSession& s, const std::string& channel) {
  return Rows(s, "SELECT " + std::string(kColumns) + " FROM " + HoldTable(s) + " WHERE `channel` = ? ORDER BY `db`",
              {channel});
}

Result<std::optional<DatabaseHold>> ReadHold(ReplicaSession& s, const std::string& channel,
                                             const std::string& database) {
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, Rows(s, "SELECT " + std::string(kColumns) + " FROM " + HoldTable(s) +
                                                   " WHERE `channel` = ? AND `db` = ?",
                                            {channel, database}));
  if (rows.empty()) return std::optional<DatabaseHold>();
  return std::optional<DatabaseHold>(std::move(rows[0]));
}

Status WritePendingHold(ReplicaSession& s, const std::string& channel, const DatabaseHold& hold) {
  VOMSREPL_RETURN_IF_ERROR(EnsureHoldTable(s));
  return s
      .QueryPrepared("REPLACE INTO " + HoldTable(s) +
                         " (`channel`, `db`, `master_db`, `state`, `since_seq`, `copied_seq`, `replay_channel`, "
                         "`updated_at`) VALUES (?, ?, ?, ?, CAST(? AS UNSIGNED), NULL, ?, UTC_TIMESTAMP(6))",
                     {channel, hold.database, hold.master_database, "pending", std::to_string(hold.since_seq),
                      ReplayChannel(channel, hold.database)})
      .status();
}

Status PromoteHolds(ReplicaSession& s, const std::string& channel) {
  return s
      .QueryPrepared("UPDATE " + HoldTable(s) +
                         " SET `state` = ?, `updated_at` = UTC_TIMESTAMP(6) WHERE `channel` = ? AND `state` = ?",
                     {"held", channel, "pending"})
      .status();
}

Status MarkHoldCopied(ReplicaSession& s, const std::string& channel, const DatabaseHold& hold, uint64_t seq,
                      const std::string& gtid_state, const BinlogPosition& position) {
  return InTransaction(s, [&]() -> Status {
    VOMSREPL_ASSIGN_OR_RETURN(auto current, s.QueryPrepared("SELECT `state` FROM " + HoldTable(s) +
                                                                " WHERE `channel` = ? AND `db` = ? FOR UPDATE",
                                                            {channel, hold.database}));
    if (current.empty() || current[0][0].value_or("") != "held")
      return FailedPrecondition(s.config().name + ": the hold of " + hold.database + " is " +
                                (current.empty() ? std::string("gone") : "'" + current[0][0].value_or("") + "'") +
                                " (held expected): another bootstrap or an operator changed it meanwhile");
    VOMSREPL_RETURN_IF_ERROR(
        s.QueryPrepared("REPLACE INTO " + ProgressTable(s) +
                            " (`channel`, `seq`, `gtid`, `gtid_state`, `file`, `pos`, `applied_at`, `ddl_seq_pending`) "
                            "VALUES (?, CAST(? AS UNSIGNED), '', ?, ?, CAST(? AS UNSIGNED), UTC_TIMESTAMP(6), NULL)",
                        {hold.replay_channel, std::to_string(seq), gtid_state, position.file,
                         std::to_string(position.offset)})
            .status());
    return s
        .QueryPrepared("UPDATE " + HoldTable(s) +
                           " SET `state` = ?, `copied_seq` = CAST(? AS UNSIGNED), `updated_at` = "
                           "UTC_TIMESTAMP(6) WHERE `channel` = ? AND `db` = ?",
                       {"copied", std::to_string(seq), channel, hold.database})
        .status();
  });
}

Status DeleteHoldRows(ReplicaSession& s, const std::string& channel, const DatabaseHold& hold) {
  VOMSREPL_RETURN_IF_ERROR(
      s.QueryPrepared("DELETE FROM " + ProgressTable(s) + " WHERE `channel` = ?", {hold.replay_channel}).status());
  return s.QueryPrepared("DELETE FROM " + HoldTable(s) + " WHERE `channel` = ? AND `db` = ?", {channel, hold.database})
      .status();
}

Status DeleteHold(ReplicaSession& s, const std::string& channel, const DatabaseHold& hold) {
  return InTransaction(s, [&]() { return DeleteHoldRows(s, channel, hold); });
}

Status AbandonHold(ReplicaSession& s, const std::string& channel, const DatabaseHold& hold) {
  return InTransaction(s, [&]() -> Status {
    VOMSREPL_RETURN_IF_ERROR(
        s.QueryPrepared("DELETE FROM " + ProgressTable(s) + " WHERE `channel` = ?", {hold.replay_channel}).status());
    return s
        .QueryPrepared("UPDATE " + HoldTable(s) +
                           " SET `state` = ?, `copied_seq` = NULL, `updated_at` = UTC_TIMESTAMP(6) WHERE "
                           "`channel` = ? AND `db` = ?",
                       {"abandoned", channel, hold.database})
        .status();
  });
}

}  // namespace vomsrepl::apply
