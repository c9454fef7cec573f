#include "journal/journal.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <charconv>
#include <limits>

#include <rocksdb/db.h>
#include <rocksdb/experimental.h>
#include <rocksdb/options.h>
#include <rocksdb/slice.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

namespace vomsrepl::journal {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::OK();
  std::string m = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Corruption(std::move(m));
  if (s.IsNotFound()) return NotFound(std::move(m));
  if (s.IsIOError()) return Unavailable(std::move(m));
  if (s.IsNotSupported()) return NotSupported(std::move(m));
  return Internal(std::move(m));
}

rocksdb::Slice AsSlice(std::string_view v) { return rocksdb::Slice(v.data(), v.size()); }

uint64_t NowMicros() {
  return uint64_t(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

rocksdb::DBOptions MakeDbOptions() {
  rocksdb::DBOptions opt;
  opt.create_if_missing = true;
  opt.create_missing_column_families = true;
  opt.keep_log_file_num = 3;
  opt.max_log_file_size = 4 << 20;
  opt.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  // The checkpoint (default family) must never reach a table file ahead of
  // the records it covers (transactions family): flush both together.
  opt.atomic_flush = true;
  opt.max_total_wal_size = 256 << 20;
  return opt;
}

rocksdb::ColumnFamilyOptions MakeMetaOptions() {
  rocksdb::ColumnFamilyOptions cf;
  cf.write_buffer_size = 8 << 20;
  return cf;
}

// The transactions column family holds only 'T' keys, appended in key order:
// flushed files do not overlap, so compaction moves them down without
// rewriting (the checkpoint, rewritten by every append, lives in the default
// column family and would otherwise overlap every file). Each byte is
// compressed once, at flush, with zstd; large blocks compress row images
// better (many similar rows per block).
rocksdb::ColumnFamilyOptions MakeTransactionsOptions(const JournalOptions& o) {
  rocksdb::ColumnFamilyOptions cf;
  cf.compression = rocksdb::kZSTD;
  cf.bottommost_compression = rocksdb::kZSTD;
  cf.compression_opts.level = o.zstd_level;
  cf.bottommost_compression_opts.level = o.zstd_level;
  cf.bottommost_compression_opts.enabled = true;
  cf.write_buffer_size = 64 << 20;
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 64 * 1024;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

std::string JournalPath(const std::string& dir) { return dir + "/journal"; }

// The last transaction key (any chunk), or false.
bool LastTxnKey(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t* seq, uint32_t* chunk) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  std::string end(1, char(kTxnPrefix + 1));
  it->SeekForPrev(end);
  if (it->Valid() && it->key() == rocksdb::Slice(end)) it->Prev();
  return it->Valid() && ParseTxnKey(std::string_view(it->key().data(), it->key().size()), seq, chunk);
}

bool FirstTxnKey(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t* seq, uint32_t* chunk) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), cf));
  it->Seek(std::string(1, kTxnPrefix));
  return it->Valid() && ParseTxnKey(std::string_view(it->key().data(), it->key().size()), seq, chunk);
}

}  // namespace

std::string KeptDomainsText(const std::set<uint32_t>& domains) {
  std::string text;
  for (uint32_t d : domains) text += (text.empty() ? "" : ",") + std::to_string(d);
  return text;
}

std::set<uint32_t> ParseKeptDomains(std::string_view text) {
  std::set<uint32_t> out;
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    uint32_t d = 0;
    const std::string_view part = text.substr(0, comma);
    if (auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), d); ec == std::errc() &&
                                                                                    end == part.data() + part.size())
      out.insert(d);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return out;
}

Result<SyncPolicy> ParseSyncPolicy(std::string_view text) {
  if (text == "every_commit") return SyncPolicy::kEveryCommit;
  if (text == "before_apply") return SyncPolicy::kBeforeApply;
  if (text == "periodic") return SyncPolicy::kPeriodic;
  if (text == "none") return SyncPolicy::kNone;
  return InvalidArgument("journal sync policy '" + std::string(text) + "': expected every_commit, before_apply, periodic or none");
}

Result<std::unique_ptr<Journal>> Journal::Open(const JournalOptions& options) {
  if (options.directory.empty()) return InvalidArgument("journal: no state directory given");
  if (options.zstd_level < -5 || options.zstd_level > 22)
    return InvalidArgument("journal: zstd level " + std::to_string(options.zstd_level) + " outside -5..22");
  if (options.sync == SyncPolicy::kPeriodic &&
      (options.sync_interval.count() <= 0 || options.sync_every_transactions == 0))
    return InvalidArgument("journal: periodic sync needs a positive interval and transaction count");
  if (options.sync == SyncPolicy::kBeforeApply && options.sync_interval.count() <= 0)
    return InvalidArgument("journal: before_apply sync needs a positive interval");
  VOMSREPL_ASSIGN_OR_RETURN(auto lock, StateDirLock::Acquire(options.directory));
  std::unique_ptr<Journal> j(new Journal());
  j->options_ = options;
  j->dir_ = options.directory;
  j->lock_.emplace(std::move(lock));
  VOMSREPL_RETURN_IF_ERROR(j->Init(false));
  if (options.sync == SyncPolicy::kPeriodic || options.sync == SyncPolicy::kBeforeApply)
    j->syncer_ = std::thread([p = j.get()] { p->SyncerLoop(); });
  return j;
}

Result<std::unique_ptr<Journal>> Journal::OpenReadOnly(const std::string& state_dir) {
  struct stat st {};
  if (::stat(state_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return FailedPrecondition("state directory " + state_dir + " does not exist");
  std::string current = JournalPath(state_dir) + "/CURRENT";
  if (::stat(current.c_str(), &st) != 0)
    return FailedPrecondition(state_dir + " is not a vomsrepl state directory (no journal/CURRENT)");
  std::unique_ptr<Journal> j(new Journal());
  j->dir_ = state_dir;
  VOMSREPL_RETURN_IF_ERROR(j->Init(true));
  return j;
}

Status Journal::Init(bool read_only) {
  read_only_ = read_only;
  std::string path = JournalPath(dir_);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, MakeMetaOptions()},
      {std::string(kTransactionsColumnFamily), MakeTransactionsOptions(options_)}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status rs;
  if (read_only) {
    // A running daemon may delete a table file (compaction) between our read
    // of the MANIFEST and our open of the file: try again on that race.
    for (int attempt = 0; attempt < 20; ++attempt) {
      rs = rocksdb::DB::OpenForReadOnly(MakeDbOptions(), path, cfs, &handles, &db_);
      if (rs.ok() || !(rs.IsCorruption() || rs.IsIOError() || rs.IsPathNotFound())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10 + 10 * attempt));
    }
  } else {
    // An existing RocksDB database without our column family is not a
    // journal: refuse it before Open would add the family to it.
    std::vector<std::string> names;
    if (rocksdb::DB::ListColumnFamilies(MakeDbOptions(), path, &names).ok() &&
        std::find(names.begin(), names.end(), std::string(kTransactionsColumnFamily)) == names.end())
      return Corruption(path + " is a RocksDB database but not a vomsrepl journal (no '" +
                        std::string(kTransactionsColumnFamily) + "' column family)");
    rs = rocksdb::DB::Open(MakeDbOptions(), path, cfs, &handles, &db_);
  }
  if (rs.IsInvalidArgument() && read_only)
    return FailedPrecondition(dir_ + " is not a vomsrepl state directory (" + rs.ToString() + ")");
  VOMSREPL_RETURN_IF_ERROR(FromRocks(rs, "journal: cannot open " + path));
  handles_ = handles;
  meta_cf_ = handles[0];
  txn_cf_ = handles[1];
  std::string value;
  rs = db_->Get(rocksdb::ReadOptions(), std::string(1, kFormatKey), &value);
  if (rs.IsNotFound()) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (it->Valid()) return Corruption(path + " is a RocksDB database but not a vomsrepl journal (no format marker)");
    if (read_only) return FailedPrecondition(dir_ + " is not a vomsrepl state directory (empty journal)");
    rocksdb::WriteOptions wo;
    wo.sync = true;
    VOMSREPL_RETURN_IF_ERROR(
        FromRocks(db_->Put(wo, std::string(1, kFormatKey), FormatMarker()), "journal: write " + path));
  } else {
    VOMSREPL_RETURN_IF_ERROR(FromRocks(rs, "journal: read format marker"));
    VOMSREPL_RETURN_IF_ERROR(CheckFormatMarker(value).WithContext(path));
  }

  rs = db_->Get(rocksdb::ReadOptions(), std::string(1, kCheckpointKey), &value);
  if (!rs.IsNotFound()) {
    VOMSREPL_RETURN_IF_ERROR(FromRocks(rs, "journal: read checkpoint"));
    VOMSREPL_RETURN_IF_ERROR(DecodeCheckpoint(value, &checkpoint_).WithContext(path));
  }

  uint64_t last_seq = 0, first_seq = 0;
  uint32_t chunk = 0;
  bool any = LastTxnKey(db_, txn_cf_, &last_seq, &chunk);
  if (any && last_seq > checkpoint_.seq) {
    // Chunks of a transaction whose last chunk never made it: a crash while
    // it streamed. The source resumes at the checkpoint and sends it again.
    if (read_only) {
      last_seq = checkpoint_.seq;  // invisible to readers; the daemon removes them on its next open
    } else {
      rocksdb::WriteOptions wo;
      wo.sync = true;
      std::string from = TxnKey(checkpoint_.seq + 1, 0), to = TxnKey(last_seq + 1, 0);
      VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->DeleteRange(wo, txn_cf_, from, to),
                                         "journal: remove incomplete transaction"));
      spdlog::warn("journal {}: removed {} chunk(s) of incomplete transaction seq {} (interrupted while it was "
                   "journaled); it is streamed again from the source checkpoint {}",
                   path, chunk + 1, last_seq, checkpoint_.source.position.ToString());
      any = LastTxnKey(db_, txn_cf_, &last_seq, &chunk);
    }
  }
  if (!any) last_seq = 0;
  // Rebase() leaves a checkpoint and no record until the next Append.
  bool rebased_empty = false;
  if (!any && checkpoint_.seq > 0) {
    std::string at;
    rs = db_->Get(rocksdb::ReadOptions(), std::string(1, kMetaPrefix) + std::string(kRebaseMeta), &at);
    rebased_empty = rs.ok() && at == std::to_string(checkpoint_.seq);
  }
  if (checkpoint_.seq > 0 && last_seq < checkpoint_.seq && !rebased_empty)
    return DataLoss("journal " + path + ": the checkpoint names seq " + std::to_string(checkpoint_.seq) +
                    " but the journal ends at seq " + std::to_string(last_seq));
  if (any && !FirstTxnKey(db_, txn_cf_, &first_seq, &chunk)) first_seq = 0;
  last_seq_ = checkpoint_.seq;
  opened_last_seq_ = checkpoint_.seq;
  first_seq_ = any ? first_seq : (rebased_empty ? checkpoint_.seq + 1 : 0);
  durable_seq_ = checkpoint_.seq;
  return Status::OK();
}

Journal::~Journal() {
  if (syncer_.joinable()) {
    {
      std::lock_guard<std::mutex> g(syncer_mu_);
      stop_syncer_ = true;
    }
    syncer_cv_.notify_all();
    syncer_.join();
  }
  if (db_ != nullptr) {
    if (!read_only_) {
      std::lock_guard<std::mutex> g(mu_);
      Status s = SyncLocked();
      if (!s.ok()) spdlog::error("journal {}: final sync failed: {}", dir_, s.ToString());
    }
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
    rocksdb::Status cs = db_->Close();
    if (!cs.ok() && !read_only_) spdlog::warn("journal {}: close: {}", dir_, cs.ToString());
    delete db_;
  }
}

Status Journal::CheckWritable() const {
  if (read_only_) return FailedPrecondition("journal " + dir_ + " is open read-only");
  return Status::OK();
}

Status Journal::Append(txn::Transaction& t) { return AppendBatch(std::span<txn::Transaction>(&t, 1)); }

Status Journal::AppendBatch(std::span<txn::Transaction> transactions) {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  if (transactions.empty()) return Status::OK();
  std::unique_lock<std::mutex> lock(mu_);
  if (batch_ == nullptr) batch_ = std::make_unique<rocksdb::WriteBatch>();
  rocksdb::WriteBatch& batch = *batch_;
  batch.Clear();
  // Work on copies: nothing changes unless the write succeeds.
  uint64_t open_seq = open_seq_, next_seq = checkpoint_.seq + 1;
  uint32_t open_chunk = open_chunk_;
  const txn::Transaction* last_complete = nullptr;
  uint64_t completed = 0;
  uint64_t now_us = NowMicros();
  for (txn::Transaction& t : transactions) {
    uint64_t seq = open_chunk == 0 ? next_seq : open_seq;
    if (t.chunk != open_chunk)
      return InvalidArgument("journal: chunk " + std::to_string(t.chunk) + " appended where chunk " +
                             std::to_string(open_chunk) + " of seq " + std::to_string(seq) + " was expected");
    if (t.changes.size() > std::numeric_limits<uint32_t>::max())
      return InvalidArgument("journal: a chunk of seq " + std::to_string(seq) +
                             " is larger than 4 GiB; stream it in chunks");
    t.seq = seq;
    // The header goes to scratch_, the changes go from the transaction's
    // buffer straight into the batch (one copy).
    EncodeRecordHeader(t, now_us, &scratch_);
    std::string key = TxnKey(seq, t.chunk);
    rocksdb::Slice key_slice(key);
    rocksdb::Slice parts[2] = {rocksdb::Slice(scratch_),
                               rocksdb::Slice(reinterpret_cast<const char*>(t.changes.data()), t.changes.size())};
    VOMSREPL_RETURN_IF_ERROR(FromRocks(
        batch.Put(txn_cf_, rocksdb::SliceParts(&key_slice, 1), rocksdb::SliceParts(parts, 2)),
        "journal: batch"));
    if (t.last_chunk) {
      open_chunk = 0;
      next_seq = seq + 1;
      last_complete = &t;
      ++completed;
    } else {
      open_seq = seq;
      ++open_chunk;
    }
  }
  SourceCheckpoint cp;
  if (last_complete != nullptr) {
    cp.seq = last_complete->seq;
    cp.source = last_complete->source;
    std::string v;
    EncodeCheckpoint(cp, &v);
    VOMSREPL_RETURN_IF_ERROR(FromRocks(batch.Put(std::string(1, kCheckpointKey), v), "journal: batch"));
  }
  rocksdb::WriteOptions wo;
  wo.sync = last_complete != nullptr && options_.sync == SyncPolicy::kEveryCommit;
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "journal: append seq " +
                                                               std::to_string(transactions[0].seq) + " chunk " +
                                                               std::to_string(transactions[0].chunk)));
  open_seq_ = open_seq;
  open_chunk_ = open_chunk;
  if (last_complete == nullptr) return Status::OK();
  checkpoint_ = std::move(cp);
  pending_advance_ = false;
  uint64_t seq = checkpoint_.seq;
  if (first_seq_.load(std::memory_order_relaxed) == 0)
    first_seq_.store(transactions[0].seq, std::memory_order_release);
  if (wo.sync) {
    syncs_.fetch_add(1, std::memory_order_relaxed);
    RaiseDurable(seq);
  } else {
    unsynced_transactions_ += completed;
  }
  {
    std::lock_guard<std::mutex> g(wait_mu_);
    last_seq_.store(seq, std::memory_order_release);
  }
  wait_cv_.notify_all();
  if (options_.sync == SyncPolicy::kPeriodic && unsynced_transactions_ >= options_.sync_every_transactions)
    return SyncLocked();
  return Status::OK();
}

Status Journal::AbandonOpenTransaction() {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> lock(mu_);
  if (open_chunk_ == 0) return Status::OK();
  // Unsynced: after a crash the reopen removes them anyway (past the checkpoint).
  std::string from = TxnKey(open_seq_, 0), to = TxnKey(open_seq_ + 1, 0);
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->DeleteRange(rocksdb::WriteOptions(), txn_cf_, from, to),
                                     "journal: abandon seq " + std::to_string(open_seq_)));
  spdlog::info("journal {}: abandoned {} chunk(s) of incomplete transaction seq {}; it is journaled again whole",
               dir_, open_chunk_, open_seq_);
  open_chunk_ = 0;
  return Status::OK();
}

Status Journal::Rebase(const SourceCheckpoint& checkpoint) {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> lock(mu_);
  if (open_chunk_ != 0)
    return FailedPrecondition("journal: rebase inside the incomplete transaction seq " + std::to_string(open_seq_));
  rocksdb::WriteBatch batch;
  VOMSREPL_RETURN_IF_ERROR(FromRocks(batch.DeleteRange(txn_cf_, TxnKey(0, 0), TxnKey(std::numeric_limits<uint64_t>::max(), 0)),
                                     "journal: batch"));
  std::string v;
  EncodeCheckpoint(checkpoint, &v);
  VOMSREPL_RETURN_IF_ERROR(FromRocks(batch.Put(std::string(1, kCheckpointKey), v), "journal: batch"));
  VOMSREPL_RETURN_IF_ERROR(FromRocks(
      batch.Put(std::string(1, kMetaPrefix) + std::string(kRebaseMeta), std::to_string(checkpoint.seq)), "journal: batch"));
  VOMSREPL_RETURN_IF_ERROR(
      FromRocks(batch.Delete(std::string(1, kMetaPrefix) + std::string(kSchemaHistoryMeta)), "journal: batch"));
  rocksdb::WriteOptions wo;
  wo.sync = true;
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "journal: rebase at seq " + std::to_string(checkpoint.seq)));
  syncs_.fetch_add(1, std::memory_order_relaxed);
  checkpoint_ = checkpoint;
  pending_advance_ = false;
  unsynced_transactions_ = 0;
  opened_last_seq_ = checkpoint.seq;
  first_seq_.store(checkpoint.seq + 1, std::memory_order_release);
  durable_seq_.store(checkpoint.seq, std::memory_order_release);
  {
    std::lock_guard<std::mutex> g(wait_mu_);
    last_seq_.store(checkpoint.seq, std::memory_order_release);
  }
  wait_cv_.notify_all();
  return Status::OK();
}

Status Journal::AdvanceSource(const txn::SourcePoint& point) {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> lock(mu_);
  if (open_chunk_ != 0)
    return FailedPrecondition("journal: source advanced inside the incomplete transaction seq " +
                              std::to_string(open_seq_));
  checkpoint_.source = point;
  pending_advance_ = true;
  auto now = std::chrono::steady_clock::now();
  if (now - last_advance_write_ >= options_.sync_interval) return WriteCheckpointLocked(false);
  return Status::OK();
}

Status Journal::WriteCheckpointLocked(bool sync) {
  std::string v;
  EncodeCheckpoint(checkpoint_, &v);
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->Put(wo, std::string(1, kCheckpointKey), v), "journal: write checkpoint"));
  if (sync) syncs_.fetch_add(1, std::memory_order_relaxed);
  pending_advance_ = false;
  last_advance_write_ = std::chrono::steady_clock::now();
  return Status::OK();
}

Status Journal::SyncLocked() {
  if (pending_advance_) VOMSREPL_RETURN_IF_ERROR(WriteCheckpointLocked(false));
  uint64_t seq = checkpoint_.seq;
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "journal: sync"));
  syncs_.fetch_add(1, std::memory_order_relaxed);
  unsynced_transactions_ = 0;
  RaiseDurable(seq);
  return Status::OK();
}

void Journal::RaiseDurable(uint64_t seq) const {
  uint64_t cur = durable_seq_.load(std::memory_order_acquire);
  while (cur < seq && !durable_seq_.compare_exchange_weak(cur, seq, std::memory_order_acq_rel)) {
  }
}

Status Journal::SyncThrough(uint64_t seq) const {
  if (durable_seq() >= seq) return Status::OK();
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> lock(sync_through_mu_);
  if (durable_seq() >= seq) return Status::OK();  // a concurrent caller's sync covered it
  // Every transaction up to last_seq() was written to the WAL before
  // last_seq() moved: the sync below covers them.
  const uint64_t covered = last_seq();
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->SyncWAL(), "journal: sync"));
  syncs_.fetch_add(1, std::memory_order_relaxed);
  RaiseDurable(covered);
  if (covered < seq)
    return Internal("journal: SyncThrough(" + std::to_string(seq) + ") beyond the last transaction " +
                    std::to_string(covered));
  return Status::OK();
}

Status Journal::Sync() {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard<std::mutex> lock(mu_);
  return SyncLocked();
}

void Journal::SyncerLoop() {
  std::unique_lock<std::mutex> lk(syncer_mu_);
  while (!stop_syncer_) {
    syncer_cv_.wait_for(lk, options_.sync_interval, [this] { return stop_syncer_; });
    if (stop_syncer_) break;
    lk.unlock();
    {
      std::lock_guard<std::mutex> g(mu_);
      if (pending_advance_ || durable_seq_.load() < checkpoint_.seq) {
        Status s = SyncLocked();
        if (!s.ok()) spdlog::error("journal {}: periodic sync failed: {}", dir_, s.ToString());
      }
    }
    lk.lock();
  }
}

Result<SourceCheckpoint> Journal::checkpoint() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoint_;
}

bool Journal::WaitForSeq(uint64_t seq, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lk(wait_mu_);
  return wait_cv_.wait_for(lk, timeout, [&] { return last_seq_.load(std::memory_order_acquire) >= seq; });
}

Result<std::unique_ptr<JournalReader>> Journal::NewReader(uint64_t from_seq) const {
  if (from_seq == 0) return InvalidArgument("journal: readers start at seq 1 or later");
  uint64_t first = first_seq();
  if (first != 0 && from_seq < first)
    return NotFound("journal: seq " + std::to_string(from_seq) + " was purged; the journal starts at seq " +
                    std::to_string(first));
  return std::unique_ptr<JournalReader>(new JournalReader(this, from_seq));
}

Status Journal::ReplayChunks(uint64_t seq, uint32_t up_to_chunk,
                             const std::function<Status(const txn::Transaction&)>& each) const {
  VOMSREPL_ASSIGN_OR_RETURN(std::unique_ptr<JournalReader> reader, NewReader(seq));
  txn::Transaction chunk;
  for (;;) {
    VOMSREPL_ASSIGN_OR_RETURN(bool got, reader->Next(&chunk));
    if (!got)
      return Corruption("journal: seq " + std::to_string(seq) + " is not a complete transaction: chunk " +
                        std::to_string(reader->next_chunk()) + " cannot be replayed");
    VOMSREPL_RETURN_IF_ERROR(each(chunk));
    if (chunk.chunk == up_to_chunk) return Status::OK();
    if (chunk.last_chunk)
      return Corruption("journal: seq " + std::to_string(seq) + " ends at chunk " + std::to_string(chunk.chunk) +
                        ", before chunk " + std::to_string(up_to_chunk));
  }
}

Result<int64_t> Journal::CommitTimeOf(uint64_t seq) const {
  // The source point (commit time) is on the last chunk; the append time of
  // chunk 0 stands in when the source gave none.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), txn_cf_));
  uint64_t first_append_us = 0;
  for (it->Seek(TxnKey(seq, 0)); it->Valid(); it->Next()) {
    uint64_t key_seq = 0;
    uint32_t chunk = 0;
    if (!ParseTxnKey(std::string_view(it->key().data(), it->key().size()), &key_seq, &chunk) || key_seq != seq) break;
    bool last_chunk = false;
    uint64_t append_us = 0;
    uint32_t commit = 0;
    VOMSREPL_RETURN_IF_ERROR(
        DecodeRecordHeader(std::string_view(it->value().data(), it->value().size()), seq, &last_chunk, &append_us, &commit));
    if (chunk == 0) first_append_us = append_us;
    if (last_chunk) return commit != 0 ? int64_t(commit) : int64_t(first_append_us / 1000000);
  }
  VOMSREPL_RETURN_IF_ERROR(FromRocks(it->status(), "journal: read seq " + std::to_string(seq)));
  return NotFound("journal: seq " + std::to_string(seq) + " is not a complete transaction in the journal");
}

Status Journal::SetReplicaMirror(const std::string& name, const ReplicaMirror& mirror) {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  if (name.empty()) return InvalidArgument("journal: replica mirror without a name");
  std::string v;
  EncodeMirror(mirror, &v);
  return FromRocks(db_->Put(rocksdb::WriteOptions(), std::string(1, kMirrorPrefix) + name, v),
                   "journal: write mirror of replica " + name);
}

Status Journal::RemoveReplicaMirror(const std::string& name) {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  return FromRocks(db_->Delete(rocksdb::WriteOptions(), std::string(1, kMirrorPrefix) + name),
                   "journal: remove mirror of replica " + name);
}

Result<std::vector<std::pair<std::string, ReplicaMirror>>> Journal::ListReplicaMirrors() const {
  std::vector<std::pair<std::string, ReplicaMirror>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(std::string(1, kMirrorPrefix)); it->Valid() && it->key().size() > 0 && it->key()[0] == kMirrorPrefix;
       it->Next()) {
    std::string name(it->key().data() + 1, it->key().size() - 1);
    ReplicaMirror m;
    VOMSREPL_RETURN_IF_ERROR(
        DecodeMirror(std::string_view(it->value().data(), it->value().size()), &m).WithContext("replica " + name));
    out.emplace_back(std::move(name), std::move(m));
  }
  VOMSREPL_RETURN_IF_ERROR(FromRocks(it->status(), "journal: list replica mirrors"));
  return out;
}

Result<PurgeResult> Journal::Purge() {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  PurgeResult r;
  r.first_seq = first_seq();
  VOMSREPL_ASSIGN_OR_RETURN(auto mirrors, ListReplicaMirrors());
  if (mirrors.empty()) {
    r.reason = "no replica mirrors";
    return r;
  }
  uint64_t first = first_seq(), last = last_seq();
  if (first == 0) {
    r.reason = "journal empty";
    return r;
  }
  // Delete seq < bound. The slowest replica's last applied transaction stays.
  uint64_t bound = std::numeric_limits<uint64_t>::max();
  for (const auto& [name, m] : mirrors) {
    if (m.seq < bound) {
      bound = m.seq;
      r.reason = "replica " + name + " at seq " + std::to_string(m.seq);
    }
    if (m.retain_from != 0 && m.retain_from < bound) {
      bound = m.retain_from;
      r.reason = "replica " + name + " holding a database back, from seq " + std::to_string(m.retain_from);
    }
  }
  bound = std::min(bound, last);
  if (options_.retention_count > 0) {
    uint64_t keep_from = last >= options_.retention_count ? last - options_.retention_count + 1 : 0;
    if (keep_from < bound) {
      bound = keep_from;
      r.reason = "retention count " + std::to_string(options_.retention_count);
    }
  }
  if (options_.retention_window.count() > 0 && bound > first) {
    // First seq journaled within the window: binary search on the append
    // time of chunk 0 (append times follow the seq order).
    uint64_t cutoff = NowMicros() - uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                                 options_.retention_window).count());
    uint64_t lo = first, hi = bound;  // answer in [lo, hi]
    std::string v;
    while (lo < hi) {
      uint64_t mid = lo + (hi - lo) / 2;
      rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), txn_cf_, TxnKey(mid, 0), &v);
      VOMSREPL_RETURN_IF_ERROR(FromRocks(rs, "journal: read seq " + std::to_string(mid)));
      bool last_chunk = false;
      uint64_t t_us = 0;
      uint32_t commit = 0;
      VOMSREPL_RETURN_IF_ERROR(DecodeRecordHeader(v, mid, &last_chunk, &t_us, &commit));
      if (t_us >= cutoff) hi = mid; else lo = mid + 1;
    }
    if (lo < bound) {
      bound = lo;
      r.reason = "retention window " + std::to_string(options_.retention_window.count()) + " s";
    }
  }
  if (bound <= first) return r;
  std::string from = TxnKey(first, 0), to = TxnKey(bound, 0);
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->DeleteRange(rocksdb::WriteOptions(), txn_cf_, from, to),
                                     "journal: purge"));
  first_seq_.store(bound, std::memory_order_release);
  rocksdb::Slice b(from), e(to);
  rocksdb::Status hint = rocksdb::experimental::SuggestCompactRange(db_, txn_cf_, &b, &e);
  if (!hint.ok()) spdlog::debug("journal {}: compaction hint: {}", dir_, hint.ToString());
  r.deleted = bound - first;
  r.first_seq = bound;
  return r;
}

Result<JournalStats> Journal::Stats() const {
  JournalStats s;
  s.first_seq = first_seq();
  s.last_seq = last_seq();
  s.transactions = s.first_seq && s.last_seq >= s.first_seq ? s.last_seq - s.first_seq + 1 : 0;
  s.durable_seq = durable_seq();
  s.syncs = syncs_.load(std::memory_order_relaxed);
  for (auto* cf : handles_) {
    uint64_t v = 0;
    if (db_->GetIntProperty(cf, "rocksdb.total-sst-files-size", &v)) s.sst_bytes += v;
    if (db_->GetIntProperty(cf, "rocksdb.cur-size-all-mem-tables", &v)) s.memtable_bytes += v;
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(JournalPath(dir_), ec)) {
    std::error_code fec;
    if (e.is_regular_file(fec)) s.disk_bytes += e.file_size(fec);
  }
  return s;
}

Status Journal::PutMeta(std::string_view key, std::string_view bytes) {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  rocksdb::WriteOptions wo;
  // Rare writes, often by a lifecycle command that exits right after: synced
  // under every_commit and before_apply (periodic and none leave it to the
  // background sync, Sync() or the destructor).
  wo.sync = options_.sync == SyncPolicy::kEveryCommit || options_.sync == SyncPolicy::kBeforeApply;
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->Put(wo, std::string(1, kMetaPrefix) + std::string(key), AsSlice(bytes)),
                                     "journal: write metadata " + std::string(key)));
  if (wo.sync) syncs_.fetch_add(1, std::memory_order_relaxed);
  return Status::OK();
}

Result<std::string> Journal::GetMeta(std::string_view key) const {
  std::string v;
  rocksdb::Status rs = db_->Get(rocksdb::ReadOptions(), std::string(1, kMetaPrefix) + std::string(key), &v);
  if (rs.IsNotFound()) return NotFound("journal: no metadata " + std::string(key));
  VOMSREPL_RETURN_IF_ERROR(FromRocks(rs, "journal: read metadata " + std::string(key)));
  return v;
}

Status Journal::CompactAll() {
  VOMSREPL_RETURN_IF_ERROR(CheckWritable());
  VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->Flush(rocksdb::FlushOptions(), handles_), "journal: flush"));
  rocksdb::CompactRangeOptions co;
  co.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (auto* cf : handles_)
    VOMSREPL_RETURN_IF_ERROR(FromRocks(db_->CompactRange(co, cf, nullptr, nullptr), "journal: compact"));
  return Status::OK();
}

// ---------------------------------------------------------------- reader

JournalReader::JournalReader(const Journal* journal, uint64_t from_seq) : journal_(journal), next_seq_(from_seq) {}

JournalReader::~JournalReader() = default;

Result<bool> JournalReader::Next(txn::Transaction* out) {
  if (it_ == nullptr || !it_->Valid()) {
    if (it_ != nullptr) VOMSREPL_RETURN_IF_ERROR(FromRocks(it_->status(), "journal: read"));
    uint64_t last = journal_->last_seq();
    if (next_seq_ > last) {
      it_.reset();  // caught up: pin no memtable or file while waiting
      return false;
    }
    // A new iterator sees everything up to `last` (complete transactions
    // only: the upper bound stops before any later chunk).
    it_.reset();
    // before_apply: nothing is returned that the journal could still lose.
    if (journal_->options_.sync == SyncPolicy::kBeforeApply && !journal_->read_only_)
      VOMSREPL_RETURN_IF_ERROR(journal_->SyncThrough(last));
    bound_ = last;
    upper_key_ = TxnKey(last + 1, 0);
    if (upper_bound_ == nullptr) upper_bound_ = std::make_unique<rocksdb::Slice>();
    *upper_bound_ = rocksdb::Slice(upper_key_);
    rocksdb::ReadOptions ro;
    ro.iterate_upper_bound = upper_bound_.get();
    it_.reset(journal_->db_->NewIterator(ro, journal_->txn_cf_));
    it_->Seek(TxnKey(next_seq_, next_chunk_));
    if (!it_->Valid()) {
      VOMSREPL_RETURN_IF_ERROR(FromRocks(it_->status(), "journal: read"));
      uint64_t first = journal_->first_seq();
      if (next_seq_ < first)
        return NotFound("journal: seq " + std::to_string(next_seq_) + " was purged; the journal starts at seq " +
                        std::to_string(first));
      return Corruption("journal: seq " + std::to_string(next_seq_) + " chunk " + std::to_string(next_chunk_) +
                        " is missing (the journal holds up to seq " + std::to_string(bound_) + ")");
    }
  }
  uint64_t seq = 0;
  uint32_t chunk = 0;
  std::string_view key(it_->key().data(), it_->key().size());
  if (!ParseTxnKey(key, &seq, &chunk))
    return Corruption("journal: malformed key after seq " + std::to_string(next_seq_));
  if (seq != next_seq_ || chunk != next_chunk_) {
    if (seq > next_seq_ && next_chunk_ == 0 && next_seq_ < journal_->first_seq())
      return NotFound("journal: seq " + std::to_string(next_seq_) + " was purged; the journal starts at seq " +
                      std::to_string(journal_->first_seq()));
    return Corruption("journal: expected seq " + std::to_string(next_seq_) + " chunk " + std::to_string(next_chunk_) +
                      ", found seq " + std::to_string(seq) + " chunk " + std::to_string(chunk) + " (gap)");
  }
  uint64_t append_us = 0;
  VOMSREPL_RETURN_IF_ERROR(DecodeRecord(std::string_view(it_->value().data(), it_->value().size()), seq, chunk, out,
                                        &append_us));
  if (out->last_chunk) {
    ++next_seq_;
    next_chunk_ = 0;
  } else {
    ++next_chunk_;
  }
  it_->Next();
  return true;
}

}  // namespace vomsrepl::journal
