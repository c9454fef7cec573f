// Database holds (issue 24, item 3: a VO added online): a database the
// [filter] keeps from some journal seq on, but that a replica does not hold
// yet. Its runner leaves the database's changes out of what it applies (the
// journal keeps them) until `vomsrepl bootstrap` has copied the database at a
// snapshot, then applies the changes journaled after that snapshot and
// includes the database from then on (daemon/held_databases.h).
//
// One row per (channel, replica database) in `<state_schema>`.`held_database`
// on the replica, next to the progress rows:
//   pending  a reload is switching the [filter] (written before the switch):
//            the runner holds the database already; bootstrap waits for
//            "held", so its snapshot is never older than the switch;
//   held     the [filter] keeps the database: bootstrap may copy it;
//   copied   bootstrap copied it at journal seq `copied_seq` and wrote the
//            progress row of `replay_channel` at that seq: the runner applies
//            the database's share of seq copied_seq+1 .. its own progress
//            under that channel (exactly once by that row), then deletes both
//            rows and includes the database;
//   abandoned a reload left the database out of [filter] again before it was
//            caught up: the runner goes on leaving out whatever the journal
//            still holds of it, and the journal need not keep anything for
//            it. A later `reload --hold-new` holds it again (pending); a
//            bootstrap into the paused replica (the way without a hold)
//            deletes the row with the progress row it writes.
//
// Thread-safety: as the session's (one thread).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "apply/replica_session.h"

namespace vomsrepl::apply {

enum class HoldState : uint8_t { kPending, kHeld, kCopied, kAbandoned };
std::string_view HoldStateName(HoldState state);  // "pending", "held", "copied", "abandoned"

struct DatabaseHold {
  std::string database;         // on the replica (after [filter.rename])
  std::string master_database;  // on the master, for messages and bootstrap commands
  HoldState state = HoldState::kPending;
  uint64_t since_seq = 0;       // the first journal seq that may hold its changes
  uint64_t copied_seq = 0;      // copied: the snapshot's journal seq
  std::string replay_channel;   // progress row of its catch-up (ReplayChannel)
};

// Foreign keys between `database` and another database, as `master` (any
// session on the master) sees them, one text: "db.table -> db.table
// (constraint), ..." ("" when there is none).
// A key of a database the account cannot read is not seen (one the filter
// does not keep: the replicas apply nothing of it).
// Such a database cannot be held: while it is copied at the snapshot, the
// replica applies the other databases past it, and their ON DELETE / ON
// UPDATE actions (which the binlog does not carry) would miss the copy.
Result<std::string> CrossDatabaseForeignKeys(ReplicaSession& master, const std::string& database);

// The progress channel of a held database's catch-up: "hold:" and 16 hex
// digits of a hash of (channel, database), within the progress table's 64.
std::string ReplayChannel(std::string_view channel, std::string_view database);

// Creates the table (ReplicaSession::EnsureProgressTable calls it).
Status EnsureHoldTable(ReplicaSession& session);

Result<std::vector<DatabaseHold>> ReadHolds(ReplicaSession& session, const std::string& channel);
Result<std::optional<DatabaseHold>> ReadHold(ReplicaSession& session, const std::string& channel,
                                             const std::string& database);
// Writes (or rewrites) a pending hold: a reload, before its [filter] switch.
Status WritePendingHold(ReplicaSession& session, const std::string& channel, const DatabaseHold& hold);
// pending -> held for every hold of the channel: the switch is done.
Status PromoteHolds(ReplicaSession& session, const std::string& channel);
// Bootstrap's last step, in one replica transaction: the replay channel's
// progress row at `seq` (source `gtid_state`, `position`) and the hold
// "copied" at `seq`. FailedPrecondition when the hold is no longer "held"
// (nothing changed then).
Status MarkHoldCopied(ReplicaSession& session, const std::string& channel, const DatabaseHold& hold, uint64_t seq,
                      const std::string& gtid_state, const BinlogPosition& position);
// The runner's last step: the hold and its replay progress row go, in one
// replica transaction.
Status DeleteHold(ReplicaSession& session, const std::string& channel, const DatabaseHold& hold);
// The same two DELETEs inside the caller's open transaction.
Status DeleteHoldRows(ReplicaSession& session, const std::string& channel, const DatabaseHold& hold);
// A reload that leaves the database out again: the hold becomes "abandoned"
// and its replay progress row goes (one replica transaction).
Status AbandonHold(ReplicaSession& session, const std::string& channel, const DatabaseHold& hold);

}  // namespace vomsrepl::apply
