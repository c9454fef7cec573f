// TransactionApplier: applies txn::Transaction objects to one replica,
// exactly once, with the replica's own progress row as the truth.
//
// Progress row (`vomsrepl`.`progress`, one row per channel, ReplicaSession
// creates the table): seq (journal sequence), gtid, gtid_state, file, pos,
// applied_at, ddl_seq_pending. Row changes and the progress update commit in
// the SAME replica transaction:
//   BEGIN; <rows of 1..N source transactions>;
//   UPDATE progress SET seq=?, gtid=?, gtid_state=?, file=?, pos=?,
//          applied_at=UTC_TIMESTAMP(6) WHERE channel=?;  COMMIT
// so after any crash the row says exactly what is applied. Start() reads it;
// Apply() skips every transaction with seq <= progress.seq.
//
// Grouping: consecutive source transactions share one replica commit until
// group_max_transactions or group_max_rows is reached, or Flush() is called;
// a group always ends at a source transaction boundary (all chunks of a seq,
// in order, are inside one replica transaction), so readers of the replica
// only see states that existed on the master. Rows of a group are batched
// (row_applier.h); a divergence found by a batch rolls the replica
// transaction back and applies the group again row by row, where the
// divergence policy decides (stop / overwrite / skip).
//
// DDL (a transaction holding a kStatement) is not transactional: the open
// group is committed, then `ddl_seq_pending = seq` is committed, the
// statement runs with its session context (USE the database, sql_mode,
// character_set_client / collation_connection / collation_server by id,
// foreign_key_checks / unique_checks from flags2, timestamp, time_zone),
// then seq/position are updated and ddl_seq_pending cleared. If Start() finds
// ddl_seq_pending set, the DDL may or may not have run: when that seq comes
// again it is re-run and "already done" errors (1050, 1051, 1146, 1060, 1061,
// 1091, 1007, 1008) count as applied, with a warning naming the statement.
//
// Errors: kUnavailable for a lost connection, a deadlock or a lock wait
// timeout (the open replica transaction is gone: reconnect, Start() again and
// resume after progress().seq); kDataLoss for a divergence under policy stop
// (message: table, key values, journal seq, source position); others as the
// server said (errno in the message). After any error the open group is
// rolled back (best effort); Apply() then refuses until Start() is called
// again, and the caller resumes after progress().seq. A DDL the server
// refused clears ddl_seq_pending again (it did not run); after a lost
// connection the mark stays (it may have run).
//
// Source GTIDs (ReplicaConfig::preserve_gtid, replica_session.h): each
// source transaction is its own replica commit (group_max_transactions is
// 1), begun after `SET gtid_domain_id, server_id, gtid_seq_no` from its
// MariaDB GTID and followed by UseStateGtid(), so the replica's binlog holds
// it under the master's GTID, its progress row update included. A DDL runs
// under its GTID too; its pending mark and the progress row after it are
// logged in the state domain. On restart with ddl_seq_pending set, the
// replica's @@gtid_binlog_pos decides: a DDL whose GTID is there ran and is
// not run again. A transaction without a MariaDB GTID (a MySQL master, GTIDs
// off) stops the replica with FailedPrecondition. Source transactions that
// the filter drops entirely leave gaps in the sequence numbers (allowed,
// also in gtid_strict_mode).
//
// One applier per channel and replica: Start() takes the user lock
// GET_LOCK('vomsrepl.apply.<channel>', 2) on its session (held until the
// connection closes) and fails with Unavailable, and lock_held_elsewhere()
// true, when another session holds it (a daemon's runner and a `vomsrepl
// catchup` of the same replica).
//
// Thread-safety: one thread. The session must outlive the applier.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "apply/row_applier.h"
#include "apply/table_catalog.h"
#include "binlog/table_map.h"
#include "txn/transaction.h"

namespace vomsrepl::apply {

struct Progress;

struct ApplierOptions {
  std::string channel = "default";  // progress row key (one per replica and source)
  DivergencePolicy divergence = DivergencePolicy::kStop;
  uint32_t group_max_transactions = 100;  // source transactions per replica commit
  uint64_t group_max_rows = 5000;         // rows per replica commit (a bigger transaction is never split)
  uint32_t max_rows_per_statement = 1000;
  uint64_t max_statement_bytes = 4u << 20;  // also at most half of max_allowed_packet
  bool bulk_updates = true;  // MariaDB bulk execution for UPDATE batches (row_applier.h)
  bool fold_rows = true;     // net change per key within a group, foldable tables only (row_folder.h)
  bool fold_upsert = true;   // net UPDATEs as checked upserts (row_applier.h)
  bool check_before_image = true;  // UPDATE/DELETE also match the rest of the before image (row_applier.h)
  // Exactly once by journal seq: Apply() skips seq <= progress().seq. A
  // caller that positions its source itself after the progress row (catchup
  // from binlog files or the master, where several source transactions may
  // map to one journal seq) turns this off; seqs then need not increase.
  bool skip_applied_by_seq = true;
  std::function<void(const std::string&)> warn;  // warnings (divergence skipped or overwritten, DDL recovery, ...)
  // Memory of chunked transactions. Given a replay (a journal reader:
  // journal::Journal::ReplayChunks), the applier sends each chunk's rows
  // before it returns and keeps no copy of it, so a transaction of any size
  // costs one chunk; a careful retry reads the group's chunks again through
  // it. Without one (a source that cannot be read twice) the chunks of the
  // open group are kept in memory until its commit.
  using ChunkReplay = std::function<Status(uint64_t seq, uint32_t up_to_chunk,
                                           const std::function<Status(const txn::Transaction&)>& each)>;
  ChunkReplay replay_chunks;
  // Parallel apply (parallel_applier.h) on several connections of one
  // replica. take_channel_lock: only the first connection takes the channel
  // lock. before_commit (may block; an error rolls the group back like any
  // failure) runs before the progress row of a group is updated, so commits
  // can be held in source order; after_commit gets the progress just
  // committed (a group or a DDL).
  bool take_channel_lock = true;
  // What takes the channel lock, named to whoever is refused it (apply/channel_lock.h).
  std::string lock_holder;
  std::function<Status()> before_commit;
  std::function<void(const Progress&)> after_commit;
  // A DDL statement ran; its progress row is not yet updated (a test hook:
  // ops/crash_point.h replica.NAME.after_ddl).
  std::function<void()> after_ddl_statement;
};

// The replica's progress row.
struct Progress {
  std::string channel;
  uint64_t seq = 0;             // last applied journal sequence (0: nothing yet)
  std::string gtid;             // its source GTID
  std::string gtid_state;       // MariaDB GTID position including it
  BinlogPosition position;      // source position after it
  std::string applied_at;       // UTC "YYYY-MM-DD hh:mm:ss.ffffff", "" if never
  std::optional<uint64_t> ddl_seq_pending;
};

struct ApplierStats {
  uint64_t transactions_applied = 0;
  uint64_t transactions_skipped = 0;  // seq <= progress (exactly once)
  uint64_t commits = 0;
  uint64_t ddl_statements = 0;
  uint64_t ddl_recovered = 0;         // "already done" after a crash
  uint64_t careful_retries = 0;       // groups applied again row by row

  // Sums the workers' figures (ParallelApplier); every field above belongs here.
  ApplierStats& operator+=(const ApplierStats& o);
};

class TransactionApplier {
 public:
  TransactionApplier(ReplicaSession& session, ApplierOptions options);

  // Creates the progress table and this channel's row if missing, reads it.
  // Call after every (re)connect, before Apply().
  Result<Progress> Start();
  // Reads the progress row as committed on the replica.
  Result<Progress> ReadProgress();

  // Applies (or queues in the open group) one transaction or chunk. Chunks
  // of a seq must come in order (0, 1, ..., last_chunk). Skips seq <=
  // progress().seq.
  Status Apply(const txn::Transaction& transaction);
  // Commits the open group, if its last transaction is complete.
  Status Flush();
  // Rolls the open (uncommitted) group back: nothing of it reaches the
  // replica, progress() stays; Apply() may go on with a later transaction.
  void Discard();
  // Forgets the replica's table definitions (another connection ran a DDL).
  void ForgetSchema() { catalog_.Clear(); }

  // Last committed progress (what the replica holds).
  const Progress& progress() const { return progress_; }
  const ApplierStats& stats() const { return stats_; }
  // The last Start() failed because another session holds the channel lock.
  bool lock_held_elsewhere() const { return lock_held_elsewhere_; }
  const RowApplierStats& row_stats() const { return rows_.stats(); }

 private:
  Status LockChannel();
  Status ApplyChanges(const txn::Transaction& t);
  Status ApplyGroupCarefully();
  Status ApplyDdl(const txn::Transaction& t);
  Status RunStatement(const txn::Change& change, bool recovering, const txn::Transaction& t);
  Status Begin(const txn::Transaction& first);
  Status SetSourceGtid(const txn::Transaction& t);
  Result<bool> SourceGtidLogged(const txn::Transaction& t);
  Status CommitGroup();
  Status UpdateProgress(const txn::Transaction& last, bool clear_ddl);
  Status SetDdlPending(uint64_t seq, bool clear = false);
  void Abandon();
  Status Fail(Status st, const txn::Transaction& t);

  ReplicaSession& session_;
  ApplierOptions options_;
  TableCatalog catalog_;
  RowApplier rows_;
  binlog::TableMapCache table_maps_;
  std::vector<std::byte> scratch_;
  Progress progress_;
  bool started_ = false;
  bool lock_held_elsewhere_ = false;
  bool in_transaction_ = false;
  // Is `t` kept in group_ without its changes (replayed on a careful retry)?
  bool KeptWithoutChanges(const txn::Transaction& t) const {
    return options_.replay_chunks && (t.chunk > 0 || !t.last_chunk);
  }

  // Copies for a careful retry (stable addresses: pending rows point into
  // them); chunks only as WithoutChanges() when KeptWithoutChanges().
  std::deque<txn::Transaction> group_;
  uint32_t group_transactions_ = 0;      // complete source transactions in the group
  uint64_t group_rows_ = 0;
  ApplierStats stats_;
};

// True for the errors a re-run DDL gives when it had already been applied.
bool IsDdlAlreadyAppliedError(unsigned int mysql_errno);

}  // namespace vomsrepl::apply
