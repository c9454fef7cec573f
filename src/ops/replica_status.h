// ReplicaStatus: the one status document of a feeder, shared by `GET /status`
// (the running daemon) and `vomsrepl status --format json` (its state
// directory), so that both name every field the same way (issue 21). The
// schema is documented in docs/voms-guide.md ("The status document").
//
// Lag (what an alert watches) is measured from the OLDEST transaction the
// replica has not applied: lag_seconds = now - master commit time of journal
// seq applied_seq + 1, so it grows by one every second while a replica is
// down, stopped or stuck, and is 0 only when the replica has applied the
// whole journal. lag_transactions = journal last seq - applied_seq.
//
// States: every applier state text (daemon/replica_runner.h) maps to one of
// kReplicaStates; the text itself is kept as `state_detail`.
//
// Thread-safety: free functions on their arguments; ComputeLag reads the
// journal (thread-safe).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/journal.h"

namespace vomsrepl::ops {

// The states of vomsrepl_replica_state{replica,state} and of /status
// replicas[].state, in this order.
inline constexpr std::array<std::string_view, 5> kReplicaStates = {"starting", "running", "reconnecting", "stopped",
                                                                   "error"};

// One of kReplicaStates for an applier state text ("reconnecting since ...
// (...)" -> "reconnecting", "error: ..." -> "error", "waiting for the journal
// ..." -> "starting"; an empty or unknown text -> "starting").
std::string_view ReplicaStateName(std::string_view state_text);

struct ReplicaLag {
  uint64_t transactions = 0;           // journal transactions not applied yet
  // nullopt: unknown (nothing of it in the journal). When the oldest
  // unapplied transaction was purged, measured from the first one kept (a
  // lower bound).
  std::optional<int64_t> seconds;
};

// Lag of a replica that applied up to `applied_seq`, at wall time `now`
// (seconds since the epoch).
ReplicaLag ComputeLag(const journal::Journal& journal, uint64_t applied_seq, int64_t now);

// A database the replica holds back until bootstrapped (apply/database_hold.h).
struct HeldDatabaseStatus {
  std::string database;         // on the replica
  std::string master_database;
  std::string state;            // pending, held, copied
  uint64_t since_seq = 0;
  uint64_t copied_seq = 0;      // copied: the snapshot's journal seq
};

struct ReplicaStatus {
  std::string name;
  std::string state_detail;       // the applier's state text
  uint64_t applied_seq = 0;
  std::string gtid;               // source GTID of the last applied transaction
  std::string position;           // source position after it
  int64_t commit_time = 0;        // its master commit time (0: unknown)
  int64_t applied_time = 0;       // when the replica committed it (0: unknown)
  ReplicaLag lag;
  std::optional<uint64_t> transactions;  // applied since the daemon started (daemon only)
  uint64_t failed_seq = 0;
  uint64_t skip_pending_seq = 0;
  // A delayed replica ([[replica]] delay_s; daemon only): its delay, and while
  // it waits, when the next transaction is due (seconds since the epoch; 0:
  // not waiting).
  std::optional<uint32_t> delay_s;
  std::optional<int64_t> delayed_until;
  std::optional<std::vector<HeldDatabaseStatus>> held_databases;  // daemon only
  std::string last_error;         // already redacted when the reader must not see it
};

struct SourceStatus {
  // With a [standby] lease (daemon/replicator.h): "active" or "standby", and
  // the detail ("active since 2026-12-07T22:10:00Z", "standby since ...;
  // the lease is held by connection 42 from 10.0.0.5:51234"). Null without a
  // lease, or when the state directory never recorded a role.
  std::optional<std::string> role;
  std::optional<std::string> role_detail;
  std::optional<std::string> state;            // feeder state (daemon only)
  std::optional<std::string> stream_position;  // (daemon only)
  uint64_t checkpoint_seq = 0;
  std::string position;
  std::string gtid;
  std::string gtid_state;
  int64_t commit_time = 0;
};

struct StatusDocument {
  std::optional<std::string> state_dir;  // `vomsrepl status` only
  SourceStatus source;
  journal::JournalStats journal;
  std::vector<ReplicaStatus> replicas;
};

// The document as one line of JSON (with a final newline). Fields a reader
// cannot know (the daemon's live state in `vomsrepl status`) are null.
std::string StatusDocumentJson(const StatusDocument& doc);

}  // namespace vomsrepl::ops
