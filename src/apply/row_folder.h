// RowFolder: the net change per row key of the rows of one replica commit,
// for tables where the order of rows with different keys cannot matter.
//
// A group of source transactions often changes one row several times
// (sysbench and VOMS-Admin both DELETE a row and INSERT it again with the
// same id; a row inserted and then updated; ...). Within one replica commit
// only the final state is visible, so the applier may send the net change
// per key instead of every step:
//   first change   last state   net statement
//   INSERT         present      INSERT the last after image
//   INSERT         deleted      nothing
//   UPDATE/DELETE  present      UPDATE SET the last after image WHERE the
//                               first before image's key (and check values)
//   UPDATE/DELETE  deleted      DELETE WHERE the first before image's key
//                               (and check values)
// Check values (the before-image check, row_applier.h): the columns of the
// before image besides the key that the row must still hold on the replica;
// for a folded key they are those of its FIRST before image, the state the
// replica had before the group.
// An UPDATE that changes the key counts as a DELETE of the old key and an
// INSERT of the new one. Per table the net DELETEs run first, then UPDATEs,
// then INSERTs: with the row key as the table's only unique key, no foreign
// key from or to the table and no trigger (TableInfo::foldable, checked on the
// replica's catalog), that order reaches the same final state as the source
// order, and statements of different tables commute.
//
// What folding cannot check: a key inserted and deleted again inside one
// group sends nothing, so a replica that already held that key (a
// divergence) is not reported for it. Every other divergence still is: a
// net DELETE or UPDATE that finds no row, a net INSERT that finds one.
//
// Keys are compared by their converted bytes (the binlog holds the stored
// value, identical for every image of one row). A change that contradicts
// the folded state (an INSERT of a key that is present, an UPDATE or DELETE
// of a key already deleted) returns Aborted: the caller applies the group
// again in source order, where the server reports what is wrong.
//
// Values are BoundValues into arena(); they stay valid until Clear().
// Thread-safety: one thread; a plain value type with no I/O.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/param_binder.h"
#include "apply/table_catalog.h"
#include "binlog/rows_event.h"
#include "txn/transaction.h"

namespace vomsrepl::apply {

enum class NetChange : uint8_t { kDelete, kUpdate, kInsert };

// A digest of one row image's stored bytes over every non-generated column
// (binlog ImageDigest), so that a net UPDATE whose last after image equals its
// first before image can be told apart: such a row is unchanged on the
// replica, and an upsert would count it like a missing row. `complete`: the
// image held every such column (a partial image proves nothing).
struct ImageDigest {
  uint64_t hash = 0;
  bool complete = false;
};

class RowFolder {
 public:
  // The byte arena the caller converts values into before Add().
  std::string& arena() { return arena_; }

  // One source row change of `table` (table->foldable, non-empty key, no
  // generated key column). `set_columns`: every non-generated column, the
  // same for all rows of a table. `check_columns`: the checked before-image
  // columns (may be empty; ignored for an INSERT), the same for all UPDATEs
  // and DELETEs of a table (other ones: Aborted, the group is applied in
  // source order). `before`: the before
  // image's key values in table->key order, then its values of
  // check_columns (UPDATE, DELETE); `after`: the after image's values of
  // set_columns (INSERT, UPDATE).
  // `before_digest` / `after_digest`: of the full before / after image
  // (NetRow::maybe_unchanged); default: unknown.
  Status Add(const TableInfo* table, const std::vector<uint32_t>& set_columns,
             const std::vector<uint32_t>& check_columns, binlog::RowsKind kind, std::span<const BoundValue> before,
             std::span<const BoundValue> after, uint64_t seq, const txn::SourcePoint* origin,
             ImageDigest before_digest = {}, ImageDigest after_digest = {});

  bool empty() const { return changes_ == 0; }
  bool Has(const TableInfo* table) const;
  uint64_t changes() const { return changes_; }  // source row changes added since Clear()
  uint64_t bytes() const { return bytes_; }      // approximate memory held

  // One net statement row. `values`: after values of set_columns then the
  // key values then the check values (UPDATE); set_columns only (INSERT);
  // key then check values (DELETE).
  struct NetRow {
    std::span<const BoundValue> values;
    uint64_t seq;
    const txn::SourcePoint* origin;
    // UPDATE: the last after image's digest equals the first before image's
    // (both complete): most likely the row ends as it was. A hint only (a
    // digest collision sends a changed row this way too), so such rows go
    // through a statement that is right either way (an UPDATE by key).
    bool maybe_unchanged = false;
  };
  // Calls `run` once per (table, kind) with net rows, tables in first-seen
  // order, kinds DELETE, UPDATE, INSERT, rows in first-seen key order. Stops
  // at the first error `run` returns.
  using NetRun = std::function<Status(const TableInfo&, NetChange, const std::vector<uint32_t>& set_columns,
                                      const std::vector<uint32_t>& check_columns, const std::vector<NetRow>& rows)>;
  Status ForEachNet(const NetRun& run) const;

  void Clear();

 private:
  struct Slot {
    bool existed = false;  // present on the replica before the group (first change UPDATE/DELETE)
    bool present = false;  // present after the last change
    uint32_t where = 0;    // index into values_ of the first before image's key + check values (existed only)
    uint32_t after = 0;    // index into values_ of the last after image (present only)
    uint64_t seq = 0;
    const txn::SourcePoint* origin = nullptr;
    ImageDigest first_before;  // existed only
    ImageDigest last_after;    // present only
  };
  struct Table {
    const TableInfo* info = nullptr;
    std::vector<uint32_t> set_columns;
    std::vector<uint32_t> check_columns;  // set by the first UPDATE / DELETE
    bool check_known = false;
    std::vector<uint32_t> key_in_set;  // position of each key column in set_columns
    std::unordered_map<std::string, uint32_t> index;  // encoded key -> slot
    std::vector<Slot> slots;
  };
  Table& TableFor(const TableInfo* info, const std::vector<uint32_t>& set_columns,
                  const std::vector<uint32_t>& check_columns, bool has_before, Status* st);
  std::string EncodeKey(std::span<const BoundValue> key) const;
  uint32_t Store(std::span<const BoundValue> v);
  Status Insert(Table& t, std::span<const BoundValue> after, uint64_t seq, const txn::SourcePoint* origin,
                ImageDigest after_digest);
  Status Remove(Table& t, std::span<const BoundValue> before, uint64_t seq, const txn::SourcePoint* origin,
                ImageDigest before_digest);

  std::string arena_;
  std::vector<BoundValue> values_;
  std::vector<Table> tables_;
  uint64_t changes_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace vomsrepl::apply
