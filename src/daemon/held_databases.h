// HeldDatabases: the databases one replica's runner holds back (issue 24,
// item 3: a VO added while every VO writes; the rows and their states are in
// apply/database_hold.h).
//
// While a database is held, the runner applies every journaled transaction
// without that database's changes (txn/database_split.h); the journal keeps
// them (the runner's mirror carries retain_from, journal::Purge honours it).
// Once `vomsrepl bootstrap` has copied the database at journal seq C
// ("copied"), the runner, at the first transaction after C (or when idle):
//   1. commits its open group; its progress is R (>= C);
//   2. applies the database's share of seq C+1 .. R on a second connection,
//      under the hold's own progress row (exactly once by that row, which
//      bootstrap set to C; a crash resumes after it);
//   3. deletes the hold and that progress row in one replica transaction,
//      and applies the database from R+1 on, as any other.
// A transaction is never split across states: a hold changes only at a
// transaction's first chunk, with no group open.
//
// The rows on the replica are the truth, read at each session start and
// every second while a hold waits for its copy. A reload adds holds before
// its [filter] switch (Add: the rows are written by the reload, "pending"),
// and says when the switch is done (FilterSwitched): only then are pending
// rows promoted to "held", which bootstrap waits for, so a snapshot is never
// older than the switch. In a new process every pending row is promoted
// (the [filter] it starts with is the one the reload installed).
//
// With preserve_gtid, the catch-up (step 2) is logged in the replica's
// state_gtid_domain, like vomsrepl's own writes: those transactions have
// been applied under their GTIDs already (without this database).
//
// Thread-safety: Add, FilterSwitched, List, RetainFrom from any thread;
// Load, Prepare, Idle from the runner's thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/database_hold.h"
#include "apply/replica_session.h"
#include "apply/transaction_applier.h"
#include "journal/journal.h"
#include "txn/transaction.h"

namespace vomsrepl::daemon {

class HeldDatabases {
 public:
  HeldDatabases(std::string name, apply::ReplicaConfig replica, apply::ApplierOptions applier,
                journal::Journal& journal);

  // What the journal mirror said before this process read the rows
  // (RetainFrom answers it until the first Load).
  void Restore(uint64_t retain_from);
  // A reload, before its [filter] switch; the rows are written already.
  void Add(const std::vector<apply::DatabaseHold>& holds);
  void FilterSwitched();
  // A reload left `database` out of [filter] again (the row is updated already).
  void Abandon(const std::string& database);
  // A reload kept an abandoned database again without a hold (the row is deleted already).
  void Forget(const std::string& database);
  std::vector<apply::DatabaseHold> List() const;
  bool empty() const;
  // The first journal seq a hold still needs (0: none).
  uint64_t RetainFrom() const;

  // Runner thread. Load: the rows, at each session start, read on the
  // runner's own session (no transaction open); a second connection is
  // opened only while a database is held.
  Status Load(apply::ReplicaSession& runner_session);
  // Commits the runner's open group and returns its applied seq.
  using Flush = std::function<Result<uint64_t>()>;
  // Before `t` is applied: finishes the holds whose copy `t` follows
  // (steps 1-3) and leaves the held databases' changes out of `t`.
  Status Prepare(txn::Transaction& t, const Flush& flush);
  // The runner has applied everything journaled (through `applied`).
  Status Idle(uint64_t applied);
  // `t` without the held databases' changes (a chunk replayed by the applier).
  Result<txn::Transaction> Strip(const txn::Transaction& t) const;

 private:
  // Rows again (at most every second unless `force`), pending ones promoted
  // when the switch is done.
  Status Refresh(bool force);
  // The rows, read on `s`, become holds_ (pending ones promoted first when the switch is done).
  Status ReadRows(apply::ReplicaSession& s);
  Status Finish(const apply::DatabaseHold& hold, uint64_t applied);
  Status Replay(const apply::DatabaseHold& hold, uint64_t through, uint64_t* replayed);
  Status OpenSession();

  const std::string name_;
  const apply::ReplicaConfig replica_;
  const apply::ApplierOptions applier_;
  journal::Journal& journal_;

  mutable std::mutex mu_;
  std::vector<apply::DatabaseHold> holds_;
  bool switched_ = true;
  bool promote_ = false;
  bool loaded_ = false;          // the rows were read once
  uint64_t restored_retain_ = 0; // Restore()
  std::atomic<bool> any_{false};  // !holds_.empty(), read without the lock on the hot path

  // Runner thread only.
  apply::ReplicaSession session_;
  std::chrono::steady_clock::time_point next_refresh_{};
};

}  // namespace vomsrepl::daemon
