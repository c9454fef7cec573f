// Journal: the RocksDB journal of filtered source transactions, the source
// checkpoint, mirrors of each replica's progress, retention and small
// metadata (schema history), in one RocksDB database under STATE_DIR/journal.
//
// Sequence numbers. Append assigns each transaction the next seq (1, 2, ...);
// the chunks of a transaction streamed in pieces share its seq and carry
// chunk 0, 1, ... with last_chunk on the final one. A transaction is
// *complete* once its last chunk is written; readers never see a chunk of an
// incomplete transaction, and on Open the chunks of an incomplete trailing
// transaction (a crash mid-transaction) are deleted: the source resumes at
// the checkpoint and streams that transaction again, whole.
//
// Atomicity and durability. The last chunk of a transaction and the source
// checkpoint (seq + SourcePoint) are written in ONE rocksdb::WriteBatch, so
// after any crash checkpoint().seq is the last complete transaction on disk.
// SyncPolicy says when that write reaches stable storage:
//   kEveryCommit  the write of each last chunk is synced (WAL fsync) before
//                 Append returns: durable_seq() == last_seq() after Append.
//   kBeforeApply  Append does not sync; a JournalReader of the writable
//                 instance syncs the WAL (SyncThrough: one fsync for
//                 everything appended so far) before it returns a
//                 transaction beyond durable_seq(), and a background thread
//                 syncs every `sync_interval`. What a reader returns, and so
//                 what any replica applies, is durable as with kEveryCommit,
//                 with one fsync per reader wake-up instead of one per append;
//                 a power loss may lose transactions no reader has read yet
//                 (the source streams them again from the checkpoint).
//   kPeriodic     a background thread syncs every `sync_interval`, and Append
//                 syncs after `sync_every_transactions` unsynced transactions.
//   kNone         RocksDB's own WAL writes only (survives a process crash,
//                 not a power loss); Sync() still syncs.
// The WAL is written in order, so whatever survives a crash is a prefix of
// what was appended: a checkpoint on disk is never ahead of a record.
//
// AdvanceSource (filtered-out traffic between journaled transactions) only
// moves the in-memory checkpoint; it is written (unsynced) at most every
// `sync_interval` and by Sync(), the periodic syncer, the next Append (whose
// checkpoint supersedes it) and the destructor. It becomes durable with the
// next synced write. Losing it in a crash only makes the source re-read
// traffic that is filtered out again: nothing journaled lies in between.
//
// Thread-safety: every method may be called from any thread. Append,
// AdvanceSource and Sync serialise on one mutex (one feeder thread appends);
// readers, mirrors, metadata, checkpoint() and Stats() run concurrently
// with them (RocksDB is thread-safe). A JournalReader is used by one thread
// at a time and must not outlive its Journal. WaitForSeq is woken by Append.
//
// Read-only instances (OpenReadOnly) work while a daemon holds the state
// directory (RocksDB OpenForReadOnly takes no lock): they see the journal as
// of their open; writes return FailedPrecondition.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <vomsrepl/status.h>

#include "journal/journal_format.h"
#include "journal/state_dir_lock.h"
#include "txn/transaction.h"

namespace rocksdb {
class DB;
class Iterator;
class Slice;
class WriteBatch;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace vomsrepl::journal {

enum class SyncPolicy { kEveryCommit, kBeforeApply, kPeriodic, kNone };

// Metadata keys shared by the daemon and the lifecycle commands.
// kSourceServerIdMeta: @@server_id of the master the checkpoint belongs to
// (written by the feeder at its first connect, changed only by `vomsrepl
// switch-master`); the feeder refuses a master with another server_id.
inline constexpr std::string_view kSourceServerIdMeta = "source_server_id";
// kMasterSwitchMeta: one line per switch-master (UTC time, from, to, resume point).
inline constexpr std::string_view kMasterSwitchMeta = "master_switches";
// kRebaseMeta: the checkpoint seq of the last Rebase (a journal that holds no
// transaction after it is not a lost tail).
inline constexpr std::string_view kRebaseMeta = "rebased_at_seq";
// kFeederRoleMeta: "active since ..." / "standby since ..." of a feeder with a
// [standby] lease (daemon/replicator.h), for `vomsrepl status`.
inline constexpr std::string_view kFeederRoleMeta = "feeder_role";
// kKeptDomainsMeta: the MariaDB GTID domains of every transaction journaled
// ("0,1", written by the feeder when a new one appears). `switch-master`
// leaves out of its resume point a domain the new master lacks when nothing
// of it was ever kept (e.g. vomsrepl's own state writes, domain 424242, in
// the binlog of a preserve_gtid replica read by a second-tier feeder).
inline constexpr std::string_view kKeptDomainsMeta = "kept_gtid_domains";
// Its text, "0,1", and back (a malformed part is left out).
std::string KeptDomainsText(const std::set<uint32_t>& domains);
std::set<uint32_t> ParseKeptDomains(std::string_view text);
// kSchemaHistoryMeta: the assembler's SchemaHistory (txn/schema_history.h).
inline constexpr std::string_view kSchemaHistoryMeta = "schema_history";

// "every_commit", "before_apply", "periodic", "none".
Result<SyncPolicy> ParseSyncPolicy(std::string_view text);

struct JournalOptions {
  std::string directory;  // the state directory (locked); RocksDB lives in directory/journal
  SyncPolicy sync = SyncPolicy::kEveryCommit;
  std::chrono::milliseconds sync_interval{100};  // kPeriodic, kBeforeApply; also the AdvanceSource write interval
  uint32_t sync_every_transactions = 1000;       // kPeriodic: sync after this many unsynced transactions
  // Retention: Purge keeps what any replica mirror has not applied (and,
  // for a database it holds back, everything from its retain_from), plus
  // transactions journaled within `retention_window` and the last
  // `retention_count` transactions (0 = no such extra).
  std::chrono::seconds retention_window{0};
  uint64_t retention_count = 0;
  // RocksDB block compression level (zstd, at flush). 1, not zstd's default 3:
  // on 2 cores the flush thread's compression bounded the append rate of
  // sysbench-like rows (level 1: +46% transactions/s, on-disk ratio 0.218 vs
  // 0.220 of the raw binlog; VOMS-like rows: same rate, 0.064 vs 0.061;
  // bench/README.md, "Journal").
  int zstd_level = 1;
};

struct JournalStats {
  uint64_t first_seq = 0;      // 0 when the journal is empty
  uint64_t last_seq = 0;       // last complete transaction
  uint64_t transactions = 0;   // last_seq - first_seq + 1, or 0
  uint64_t durable_seq = 0;    // last seq known synced (writable instance)
  uint64_t syncs = 0;          // WAL syncs (fsync) of this instance since its open
  uint64_t sst_bytes = 0;      // rocksdb.total-sst-files-size
  uint64_t memtable_bytes = 0; // rocksdb.cur-size-all-mem-tables
  uint64_t disk_bytes = 0;     // every file under directory/journal (SST, WAL, MANIFEST, logs)
};

struct PurgeResult {
  uint64_t deleted = 0;      // transactions removed by this call
  uint64_t first_seq = 0;    // first seq kept
  std::string reason;        // what bounded the purge ("replica r2 at seq 17", "no replica mirrors", ...)
};

class JournalReader;

class Journal {
 public:
  // Takes the state directory lock (FailedPrecondition naming the holder's
  // PID), creates or opens the RocksDB journal, checks its format marker and
  // removes an incomplete trailing transaction (logged as a warning).
  static Result<std::unique_ptr<Journal>> Open(const JournalOptions& options);
  // No lock, no writes: for `vomsrepl status` while the daemon runs.
  // FailedPrecondition when `state_dir` is not a vomsrepl state directory.
  static Result<std::unique_ptr<Journal>> OpenReadOnly(const std::string& state_dir);

  ~Journal();  // writes a pending AdvanceSource checkpoint and syncs (writable instances)
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Appends one transaction or chunk: sets t.seq (and checks t.chunk is the
  // chunk expected: 0 for a new transaction). When t.last_chunk, the
  // checkpoint {t.seq, t.source} is written in the same batch and waiting
  // readers are woken. InvalidArgument for a chunk out of order.
  Status Append(txn::Transaction& t);
  // Group commit: appends several transactions (and chunks) in one
  // WriteBatch, with one checkpoint (that of the last complete one) and, for
  // kEveryCommit, one sync. All or nothing: on error nothing was appended.
  // The feeder uses it when the source has several transactions ready.
  Status AppendBatch(std::span<txn::Transaction> transactions);
  // Removes the chunks already appended of the incomplete transaction (the
  // source lost it mid-way, e.g. a reconnect inside a large transaction: it
  // comes again, whole, and gets the same seq). Readers never saw them.
  // No-op when no transaction is open.
  Status AbandonOpenTransaction();
  // A feeder taking over from another (issue 24) whose journal cannot serve
  // the replicas: every transaction record is deleted, the schema history
  // with them (it belongs to the old source point), and the checkpoint set to
  // `checkpoint` (the slowest replica's progress row): the next Append gets
  // seq checkpoint.seq + 1, as it had on the feeder that journaled it
  // first, and the source resumes after checkpoint.source. first_seq() is
  // then checkpoint.seq + 1 (a reader of anything older gets NotFound) and
  // opened_last_seq() checkpoint.seq (a replica ahead of it waits for the
  // master to stream its seq again and checks it is the same transaction).
  // Synced. FailedPrecondition inside an incomplete chunked transaction.
  Status Rebase(const SourceCheckpoint& checkpoint);
  // Moves the source checkpoint past filtered-out traffic (see the file
  // comment for when it is durable). FailedPrecondition inside an
  // incomplete chunked transaction.
  Status AdvanceSource(const txn::SourcePoint& point);
  // Writes a pending AdvanceSource and syncs the WAL: everything appended so
  // far is durable when it returns OK.
  Status Sync();
  // Makes every transaction up to `seq` durable: returns at once when
  // durable_seq() >= seq, else syncs the WAL (everything appended so far).
  // Does not wait for Append (its own mutex); concurrent callers share a sync.
  Status SyncThrough(uint64_t seq) const;

  // Last complete transaction and where the source resumes (in memory; a
  // read-only instance: as of its open).
  Result<SourceCheckpoint> checkpoint() const;
  uint64_t last_seq() const { return last_seq_.load(std::memory_order_acquire); }
  // last_seq() when this instance was opened: what survived the previous run
  // (after an OS crash, without the tail that was not synced).
  uint64_t opened_last_seq() const { return opened_last_seq_; }
  uint64_t first_seq() const { return first_seq_.load(std::memory_order_acquire); }
  uint64_t durable_seq() const { return durable_seq_.load(std::memory_order_acquire); }
  // Waits until last_seq() >= seq or the timeout passes; returns whether it is.
  bool WaitForSeq(uint64_t seq, std::chrono::milliseconds timeout) const;

  // A reader from `from_seq` (inclusive, >= 1). NotFound when from_seq was
  // purged (the message names the first seq kept).
  Result<std::unique_ptr<JournalReader>> NewReader(uint64_t from_seq) const;
  // Reads chunks 0..up_to_chunk of the complete transaction `seq` again, in
  // order, calling `each` with every one (memory: one chunk): an applier
  // that keeps no copy of a chunked transaction's chunks replays them so.
  // NotFound when seq was purged; Corruption when it is not complete or has
  // fewer chunks; each's first error stops the replay and is returned.
  Status ReplayChunks(uint64_t seq, uint32_t up_to_chunk,
                      const std::function<Status(const txn::Transaction&)>& each) const;

  // When the complete transaction `seq` was committed on the master
  // (seconds since the epoch; its journal append time when the source gave
  // none): what a replica's lag is measured from (ops/replica_status.h).
  // NotFound when seq was purged or is not journaled (yet).
  Result<int64_t> CommitTimeOf(uint64_t seq) const;

  // Replica mirrors (written unsynced: the replica's own row is the truth).
  Status SetReplicaMirror(const std::string& name, const ReplicaMirror& mirror);
  Status RemoveReplicaMirror(const std::string& name);
  Result<std::vector<std::pair<std::string, ReplicaMirror>>> ListReplicaMirrors() const;

  // Deletes transactions below min(applied seq of every mirror), keeping the
  // retention window and count. With no mirror at all nothing is deleted
  // (a replica not yet registered must still find its transactions).
  // DeleteRange plus a compaction hint for the range.
  Result<PurgeResult> Purge();

  Result<JournalStats> Stats() const;

  // Small metadata (schema history, ...), synced (except with kPeriodic and kNone).
  Status PutMeta(std::string_view key, std::string_view bytes);
  // NotFound when absent.
  Result<std::string> GetMeta(std::string_view key) const;

  // Flushes the memtable and compacts everything (benchmarks, tests, tools).
  Status CompactAll();

  const std::string& directory() const { return dir_; }

 private:
  friend class JournalReader;
  Journal() = default;
  Status Init(bool read_only);
  Status WriteCheckpointLocked(bool sync);
  Status SyncLocked();
  void RaiseDurable(uint64_t seq) const;
  void SyncerLoop();
  Status CheckWritable() const;

  JournalOptions options_;
  std::string dir_;
  std::optional<StateDirLock> lock_;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  rocksdb::ColumnFamilyHandle* meta_cf_ = nullptr;  // default: format marker, checkpoint, mirrors, metadata
  rocksdb::ColumnFamilyHandle* txn_cf_ = nullptr;   // "transactions": the records
  bool read_only_ = false;

  mutable std::mutex mu_;            // writer state below
  uint64_t open_seq_ = 0;            // seq of the transaction whose chunks are being appended
  uint32_t open_chunk_ = 0;          // next chunk expected (0: no open transaction)
  SourceCheckpoint checkpoint_;
  bool pending_advance_ = false;
  std::chrono::steady_clock::time_point last_advance_write_{};
  uint64_t unsynced_transactions_ = 0;
  std::string scratch_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;  // reused by AppendBatch

  std::atomic<uint64_t> last_seq_{0};
  uint64_t opened_last_seq_ = 0;
  std::atomic<uint64_t> first_seq_{0};
  mutable std::atomic<uint64_t> syncs_{0};
  mutable std::atomic<uint64_t> durable_seq_{0};  // raised by const SyncThrough (a sync changes no content)

  mutable std::mutex wait_mu_;
  mutable std::condition_variable wait_cv_;

  mutable std::mutex sync_through_mu_;  // SyncThrough callers

  std::mutex syncer_mu_;
  std::condition_variable syncer_cv_;
  bool stop_syncer_ = false;
  std::thread syncer_;
};

// Reads whole transactions' chunks in journal order from a seq, one chunk at
// a time (memory: one chunk), never past the last complete transaction.
class JournalReader {
 public:
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  // Fills *out with the next chunk (seq, chunk, last_chunk, source, counts,
  // changes; out->changes' capacity is reused) and returns true; returns
  // false when no complete transaction is left for now (wait with
  // Journal::WaitForSeq(next_seq()) and call again). Corruption naming the
  // seq for a damaged or foreign record or a gap; NotFound when the next seq
  // was purged meanwhile.
  Result<bool> Next(txn::Transaction* out);
  // The seq the next call reads (its chunk next_chunk()).
  uint64_t next_seq() const { return next_seq_; }
  uint32_t next_chunk() const { return next_chunk_; }

 private:
  friend class Journal;
  JournalReader(const Journal* journal, uint64_t from_seq);

  const Journal* journal_;
  uint64_t next_seq_;
  uint32_t next_chunk_ = 0;
  uint64_t bound_ = 0;  // last complete seq the iterator may show
  std::string upper_key_;
  std::unique_ptr<rocksdb::Slice> upper_bound_;  // points into upper_key_; outlives it_
  std::unique_ptr<rocksdb::Iterator> it_;
};

}  // namespace vomsrepl::journal
