// RowApplier: applies the rows of rows events to a replica through prepared
// statements, batching consecutive rows of the same shape.
//
// Rows are converted (param_binder.h) into a pending batch that owns copies
// of the values, so a batch may span several rows events and several source
// transactions of one replica commit. A batch holds rows of one table, one
// kind (insert / update / delete), one set of present columns and one rows
// event flag word; any other row flushes it first, so statements run in
// source order. Flush() runs what is pending:
//   insert  multi-row INSERT, split by rows (max_rows_per_statement, 65535
//           placeholders) and bytes (max_statement_bytes, at most half of
//           max_allowed_packet: a larger request would drop the connection)
//   update  by key on MariaDB with an integer key (row_statements.h
//           JoinKeyed): one joined UPDATE per chunk whose keys are distinct,
//           the rows' values a derived table joined on the key and the
//           before-image check (BuildJoinUpdateSql: one index lookup per row,
//           one statement); otherwise one prepared UPDATE (SET the present
//           after-image columns, WHERE the key from the before image)
//           executed for many rows at once with MariaDB bulk execution when
//           the rows are found by a unique key and the server supports it;
//           row by row otherwise. Either way the found count equals the row
//           count exactly when every row matched.
//   delete  multi-row DELETE by key: an IN list (one key column, unchecked),
//           a joined DELETE (checked or a composite key, JoinKeyed), an OR of
//           one conjunction per row otherwise; row by row without a key
// Partial images (binlog_row_image MINIMAL / NOBLOB): only present columns
// are written; generated columns never are.
//
// Folding (options.fold, not in careful mode): rows of a table marked
// foldable by the catalog (row key = its only unique key, no foreign key
// either way, no trigger), with full images and no check flags, go to a
// RowFolder (row_folder.h) instead of the batch: several changes of one key
// inside the replica commit become one net DELETE, UPDATE or INSERT, sent by
// table and kind in multi-row / bulk statements at Flush() (or when the
// folder holds more than about 8 statements' worth). Rows of other tables
// keep the source order; the folded and the ordered rows of one table are
// never pending at the same time (either is flushed before the other gets a
// row), so every table still sees its changes in source order. Net UPDATEs
// go out as bulk UPDATE, or with fold_upsert as checked upserts (below).
//
// Before-image check (options.check_before_image, default on): an UPDATE or
// DELETE finds its row by the key AND by the rest of the before image the
// binlog carries: WHERE `k`=? AND `c`<=>? ... (row_statements.h), values
// bound like every other. So a row whose non-key column was changed on the
// replica by hand matches nothing, exactly like a missing row, and is a
// divergence instead of being silently overwritten. Checked: every present
// before-image column but the key, except those whose bound value cannot
// compare equal to the stored one for sure (CheckedColumn in row_applier.cc:
// FLOAT / DOUBLE, MySQL JSON, GEOMETRY, VECTOR, SET of more than 56
// members, generated columns). Batches
// keep working: each statement row still matches at most one row (the key
// is unique), so the affected count says whether every row matched. Folded
// net UPDATEs / DELETEs compare with the FIRST before image of their key in
// the group; net UPDATEs of a table with checked columns go out as bulk
// UPDATE rather than as upserts (an upsert cannot compare the old row with
// a before image). Off: the row is found by its key only.
//
// Divergence (a duplicate key on INSERT, like error 1062; an UPDATE or DELETE
// that matched no row, like error 1032, or whose row differs from the
// source's before image; CLIENT_FOUND_ROWS makes an UPDATE to identical
// values count as matched; a row whose values the replica refuses under the
// strict sql_mode, or stores with any warning, RefusedRow):
//   fast mode     (careful == false) the batch cannot say which row diverged:
//                 the call returns Aborted and needs_careful_retry() is true;
//                 the caller rolls the replica transaction back and applies
//                 the same changes again in careful mode.
//   careful mode  one row per statement, and the policy decides:
//                 stop       DataLoss naming table, key values, journal seq and
//                            source position (default)
//                 overwrite  idempotent: a duplicate INSERT and an UPDATE of a
//                            missing row become INSERT ... ON DUPLICATE KEY UPDATE
//                            of the after image, a missing DELETE is ignored;
//                            a differing row is updated / deleted by its key
//                            (the after image wins)
//                 skip       the row is skipped (a row stored with a warning
//                            is taken back to a savepoint set before it)
//                 (overwrite and skip call the warning sink for each row;
//                 a refused value stops under overwrite too: there is no
//                 exact value to write instead).
// Other server errors come back with their errno (ReplicaSession).
//
// Thread-safety: one thread; uses the session and catalog it was given,
// which must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/param_binder.h"
#include "apply/replica_session.h"
#include "apply/row_folder.h"
#include "apply/table_catalog.h"
#include "binlog/rows_event.h"
#include "txn/transaction.h"

namespace vomsrepl::apply {

enum class DivergencePolicy : uint8_t { kStop, kOverwrite, kSkip };
std::string_view DivergencePolicyName(DivergencePolicy policy);
Result<DivergencePolicy> ParseDivergencePolicy(std::string_view name);

struct RowApplierOptions {
  DivergencePolicy policy = DivergencePolicy::kStop;
  uint32_t max_rows_per_statement = 1000;
  uint64_t max_statement_bytes = 4u << 20;
  bool bulk_updates = true;  // MariaDB bulk execution for batches of UPDATEs by key
  bool fold = true;          // net change per key for foldable tables (row_folder.h)
  // Net UPDATEs of folded rows as a multi-row INSERT ... ON DUPLICATE KEY
  // UPDATE of the whole after image (one statement for many rows; cheaper on
  // the server than bulk UPDATE, which runs once per row). Accepted only when
  // the affected count is exactly 2 per row (every row existed and changed,
  // CLIENT_FOUND_ROWS: an inserted row counts 1, an unchanged one 1); any
  // other count rolls back and retries row by row, so a missing row is still
  // a divergence, never silently inserted. A net UPDATE whose after image
  // has the digest of its first before image (the row ends as it was: a
  // DELETE and INSERT of the same values, an UPDATE and its undo) is sent
  // by key instead, so that it does not send the group row by row.
  bool fold_upsert = true;
  std::function<void(const std::string&)> warn;  // may be empty
  // UPDATE / DELETE also compare the rest of the before image (above);
  // false: by key only.
  bool check_before_image = true;
  // Ends the message of a divergence under the stop policy.
  std::string stop_reason = "divergence policy stop: the replica differs from the master";
};

struct RowApplierStats {
  uint64_t rows_inserted = 0, rows_updated = 0, rows_deleted = 0;
  uint64_t rows_skipped = 0, rows_overwritten = 0;  // by the divergence policy
  uint64_t statements = 0;
  uint64_t joined_statements = 0;  // UPDATE / DELETE of many rows joined to their values (row_statements.h)
  uint64_t rows_received = 0;  // rows added (an UPDATE pair counts once)
  uint64_t rows_folded = 0;    // rows added to the folder (fold)
  uint64_t rows_folded_away = 0;  // ... that needed no statement row of their own
  uint64_t rows_unchanged_by_key = 0;  // net UPDATEs back to their first before image, sent by key, not upserted

  // Sums the workers' figures (ParallelApplier); every field above belongs here.
  RowApplierStats& operator+=(const RowApplierStats& o);
};

class RowApplier {
 public:
  RowApplier(ReplicaSession& session, TableCatalog& catalog, RowApplierOptions options);

  // The transaction the next rows come from (for messages): journal seq and
  // source point; `source` must stay valid while its rows may be pending.
  void SetOrigin(uint64_t seq, const txn::SourcePoint* source) {
    origin_seq_ = seq;
    origin_ = source;
  }
  void set_careful(bool careful) { careful_ = careful; }
  bool careful() const { return careful_; }

  // Adds every row of `event` (of the table `schema`).
  Status AddRowsEvent(const binlog::TableSchema& schema, const binlog::RowsEventView& event);
  // Executes what is pending (the ordered batch, then the folded rows).
  Status Flush();
  // Drops what is pending (after a rollback).
  void Discard();
  bool needs_careful_retry() const { return needs_retry_; }

  const RowApplierStats& stats() const { return stats_; }

 private:
  struct Batch {
    const TableInfo* table = nullptr;
    binlog::RowsKind kind = binlog::RowsKind::kWrite;
    uint16_t flags = 0;
    bool key_match = false;
    std::vector<uint32_t> set_columns;    // INSERT columns / UPDATE SET
    std::vector<uint32_t> where_columns;  // UPDATE / DELETE
    std::vector<uint32_t> check_columns;  // UPDATE / DELETE by key: checked before-image columns
    std::vector<BoundValue> values;       // per row: set values, where values, check values
    std::string arena;
    size_t rows = 0;
    uint64_t bytes = 0;
    std::vector<uint64_t> origin_seq;     // per row
    std::vector<const txn::SourcePoint*> origin;
    size_t width() const { return set_columns.size() + where_columns.size() + check_columns.size(); }
  };
  friend struct RowCollector;
  friend struct FoldCollector;

  Status FlushBatch();
  void ClearBatch();
  Status ExecuteBatch();
  Status FlushFolded();
  Status SendNet(const TableInfo& t, NetChange net, const std::vector<uint32_t>& set_columns,
                 const std::vector<uint32_t>& check_columns, const std::vector<RowFolder::NetRow>& rows, bool upsert,
                 uint64_t* sent);
  size_t ChunkRows(size_t r, size_t max_rows, uint64_t cap, uint64_t* bytes) const;
  template <class Statement>
  Status ForEachChunk(size_t max_rows, Statement statement);
  Status FlushUpserts();
  bool CanFold(const TableInfo& t, binlog::RowsKind kind, uint16_t flags, binlog::Bytes after_bitmap,
               binlog::Bytes before_bitmap, uint32_t columns) const;
  Status FoldRowsEvent(const TableInfo& t, const binlog::TableSchema& schema, const binlog::RowsEventView& event,
                       binlog::RowsKind kind);
  Status FlushInserts();
  Status FlushUpdates();
  Status UpdateRowByRow(const std::string& sql, const std::string& what, size_t from, size_t to);
  // Checked UPDATE / DELETE batches as joined statements (row_statements.h
  // BuildJoin*): not careful, by key, MariaDB, an integer key.
  bool JoinsRows() const;
  bool DistinctKeys(size_t r, size_t k) const;
  Status RunJoined(const std::string& sql, size_t r, size_t k, std::string_view what);
  Status FoundEveryRow(const Status& st, uint64_t affected, size_t r, size_t k, std::string_view statement);
  Status FlushDeletes();
  Status Run(const std::string& sql, size_t first_value, size_t count, uint64_t* affected, std::string_view what);
  // One statement executed for rows [first_row, first_row + rows) with
  // MariaDB bulk execution (column-wise arrays, STMT_ATTR_ARRAY_SIZE);
  // *affected is the total over all rows.
  Status RunBulk(const std::string& sql, size_t first_row, size_t rows, uint64_t* affected, std::string_view what);
  // The before-image columns of `t` an UPDATE / DELETE by key compares.
  std::vector<uint32_t> CheckColumns(const TableInfo& t, const binlog::TableSchema& schema,
                                     binlog::Bytes before_bitmap) const;
  // After a checked statement for `row` matched nothing: does its key exist?
  Result<bool> KeyExists(size_t row);
  // The divergence policy's answer for `row` (message with table, key,
  // journal seq and source position). `overwrite_resolves`: false when the
  // overwrite policy has nothing to write (a refused value): it stops.
  Status Divergence(const std::string& what, size_t row, bool overwrite_resolves = true);
  // After a row statement failed with `st` (its first row `row`): when the
  // replica refused or changed the row's values (a strict-mode error, a
  // constraint, any warning), Aborted for a careful retry in fast mode, else
  // the policy's answer (skip: OK, the row's change taken back; stop and
  // overwrite: DataLoss). Any other error is returned as it is.
  Status RefusedRow(const Status& st, size_t row);
  std::string DescribeRow(size_t row, bool where) const;
  uint64_t StatementByteCap() const;
  // Rows per multi-row statement of `width` parameters a row.
  size_t RowsPerStatement(size_t width) const;

  ReplicaSession& session_;
  TableCatalog& catalog_;
  RowApplierOptions options_;
  bool careful_ = false;
  bool needs_retry_ = false;
  uint64_t origin_seq_ = 0;
  const txn::SourcePoint* origin_ = nullptr;
  Batch batch_;
  RowFolder folder_;
  std::vector<std::byte> scratch_;
  RowApplierStats stats_;
};

}  // namespace vomsrepl::apply
