// Crash points: a TEST HOOK that makes the daemon kill itself with SIGKILL at
// a named place, so that crash tests hit narrow windows (between a replica
// commit and the RocksDB write that mirrors it, right before or after the
// journal write carrying the checkpoint) that a kill -9 at a random moment
// almost never reaches. Not a feature: production never sets it.
//
//   VOMSREPL_CRASH_AT=NAME[:N]   kill the process the Nth time (default 1st)
//                                the point NAME is passed
//
// The variable is read once, by `vomsrepl run` at startup
// (CrashPointFromEnvironment, then ArmCrashPoint); the daemon logs a warning
// that it is set. A bad value (unknown point, an unknown replica, N not a
// positive integer) is an InvalidArgument error at startup (exit 2).
//
// Points (kCrashPointNames; REPLICA is a configured [[replica]] name):
//   feeder.before_append         journal writer: a batch of transactions is
//                                about to be written (its WriteBatch carries
//                                the source checkpoint: journal.h)
//   feeder.after_append          that write (and its checkpoint) is done; the
//                                batch is not yet reported to the metrics
//   replica.REPLICA.before_commit  runner: right before the applier's Flush()
//                                that commits the open group (its rows are on
//                                the replica, uncommitted)
//   replica.REPLICA.after_commit   runner: an applier call committed (the
//                                progress row moved) and the runner has not
//                                yet written the replica's mirror to RocksDB;
//                                with n replicas, replica.replica1.after_commit
//                                is "after replica 1 of n"
//   replica.REPLICA.after_ddl      applier: a DDL statement ran on the
//                                replica; its progress row still holds the
//                                DDL's ddl_seq_pending mark
//
// When the hook is not armed, CrashPoint() is one load and one predictable
// branch. Before raising, the point logs one critical line:
//   crash point NAME reached (pass N, VOMSREPL_CRASH_AT test hook): raising SIGKILL
//
// Thread-safety: ArmCrashPoint/DisarmCrashPoint before the threads that pass
// points start (or in tests); CrashPoint from any thread (the pass count is
// atomic).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl::ops {

inline constexpr const char* kCrashAtVariable = "VOMSREPL_CRASH_AT";
inline constexpr std::string_view kCrashPointNames[] = {
    "feeder.before_append", "feeder.after_append", "replica.REPLICA.before_commit", "replica.REPLICA.after_commit"};

struct CrashPointSpec {
  std::string name;
  uint64_t at = 1;  // fire on this pass (1 = the first)
  std::string replica;  // for replica.* points: the replica named
};

// Parses NAME[:N] (whitespace around it is an error, like any other
// deviation). InvalidArgument names the value and lists the points.
Result<CrashPointSpec> ParseCrashAt(std::string_view value);

// Reads VOMSREPL_CRASH_AT: nullopt when unset or empty; an error when the
// value does not parse or names a replica not in `replicas`.
Result<std::optional<CrashPointSpec>> CrashPointFromEnvironment(const std::vector<std::string>& replicas);

void ArmCrashPoint(const CrashPointSpec& spec);
void DisarmCrashPoint();

namespace crash_point_internal {
extern std::atomic<bool> armed;
void Pass(std::string_view name);
}  // namespace crash_point_internal

// True when a point is armed (for callers that compute something before
// passing a point).
inline bool CrashPointArmed() { return crash_point_internal::armed.load(std::memory_order_relaxed); }

inline void CrashPoint(std::string_view name) {
  if (CrashPointArmed()) [[unlikely]]
    crash_point_internal::Pass(name);
}

}  // namespace vomsrepl::ops
