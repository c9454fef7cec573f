// Catchup: `vomsrepl catchup --replica NAME --until TARGET`: applies to one
// replica, from its own progress row, every kept source transaction up to the
// target (catchup_target.h), and stops exactly there, as START SLAVE UNTIL.
//
// Where the transactions come from (the plan, printed before anything is
// applied):
//   journal  the daemon's journal (state_dir, opened read-only: the daemon may
//            run) when it still holds the transaction after the replica's
//            progress (journal seq progress+1). When the target lies beyond
//            what the feeder has read so far, catchup waits (wait_timeout)
//            for the feeder's source checkpoint to pass it.
//   files    binlog files given with --from-files (point-in-time recovery of a
//            replica restored from a backup), or
//   master   a binlog stream of its own (server id `stream_server_id`), when
//            the journal does not hold what the replica needs next (retention
//            removed it, or there is no journal).
//            Both start after the replica's progress (its MariaDB GTID state,
//            else its file:pos) through the config's filters and renames; when
//            the stream reaches the journal's first transaction (same GTID or
//            same end position), the rest comes from the journal.
//
// Exactly once: the replica's progress row is the truth, updated in the same
// replica transaction as the rows (apply/transaction_applier.h). A
// transaction streamed from files or the master records journal seq 0 when
// the journal exists but no longer holds it (the daemon then refuses to feed
// the replica until a later catchup or a bootstrap brings it into the
// journal's range), or leaves the seq as it was when there is no journal.
// A crash or an error leaves the replica at its last commit; run catchup
// again.
//
// Stopping exactly: a transaction beyond the target is never applied. A
// transaction large enough to arrive in chunks is applied in a replica
// transaction of its own and rolled back when its end proves beyond the
// target.
//
// The channel lock (apply/transaction_applier.h) keeps a daemon's runner of
// the same replica out while catchup applies: pause it first (`vomsrepl
// replica stop NAME`); it stays paused afterwards, so the replica stays at the
// target until `vomsrepl replica start NAME`.
//
// Thread-safety: one call at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "apply/transaction_applier.h"
#include "lifecycle/catchup_target.h"
#include "source/master_stream.h"
#include "txn/filter_rules.h"

namespace vomsrepl::lifecycle {

struct CatchupOptions {
  apply::ReplicaConfig replica;
  apply::ApplierOptions applier;  // channel = the replica's name
  CatchupTarget target;
  std::string state_dir;                    // the daemon's; its journal may be absent
  std::vector<std::string> files;           // --from-files (in order)
  txn::FilterRules rules;
  source::MasterConfig master;              // for the master source
  uint32_t stream_server_id = 0;            // server id of catchup's own master stream; 0: picked free
  uint64_t max_transaction_bytes = 64ull << 20;
  std::chrono::seconds wait_timeout{60};    // for the feeder to journal up to the target
  bool plan_only = false;                   // print the plan, apply nothing
  bool progress = true;                     // a progress line on stderr (vomsrepl/progress.h)
  std::chrono::milliseconds progress_interval{10000};  // between lines when stderr is not a terminal
  std::FILE* out = nullptr;                 // plan and result lines
  std::function<void(const std::string&)> log;
};

struct CatchupResult {
  apply::Progress before, after;
  std::string sources;         // "journal", "files+journal", "master", ...
  uint64_t transactions = 0;   // applied
  uint64_t rows = 0;
  double seconds = 0;
  bool reached = false;        // the target was met (false: plan only, or nothing to apply)
};

Result<CatchupResult> RunCatchup(CatchupOptions options);

}  // namespace vomsrepl::lifecycle
