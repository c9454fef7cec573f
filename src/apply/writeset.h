// Writeset: the keys a source transaction writes on a replica, for parallel
// apply (parallel_applier.h). Two groups of transactions whose writesets are
// disjoint touch no common row and take no lock the other needs, so they may
// run on two replica connections at once.
//
// A key is a 64-bit hash; a collision only makes two groups wait for each
// other (never the reverse). An after image without key columns
// (binlog_row_image=MINIMAL) has the before image's key; a before image
// without them is an error (the caller applies that transaction alone). Per
// row image (before and after; an UPDATE that
// changes its key gives both keys):
//   row key       tables the catalog marks foldable (table_catalog.h: the
//                 row key is the table's only unique key, no foreign key
//                 either way, no trigger) whose key columns are integers,
//                 DECIMAL, BIT, YEAR or temporal: the hash of the table and
//                 the key's stored bytes (identical in every image of a row)
//   table key     foldable tables with a string or floating-point key
//                 column (a collation or -0.0 can make different bytes the
//                 same key): the hash of the table, so all its changes stay
//                 in one order
//   ordered key   every other table (kOrderedTablesKey): a foreign key, a
//                 second unique key or a trigger can make a change of one
//                 such table wait for a row of another, so they all share
//                 one key and keep the source order among themselves
// Thread-safety: one thread; the session is only used for catalog reads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "apply/table_catalog.h"
#include "binlog/table_map.h"
#include "txn/transaction.h"

namespace vomsrepl::apply {

inline constexpr uint64_t kOrderedTablesKey = 1;

class WritesetBuilder {
 public:
  WritesetBuilder(ReplicaSession& session, TableCatalog::WarningSink warn) : session_(session), catalog_(std::move(warn)) {}

  // Appends the keys of `t`'s row changes to *keys (unsorted, may repeat).
  // An error (a table the replica's catalog cannot resolve, a damaged
  // event) leaves *keys partly filled: the caller applies `t` alone.
  Status Add(const txn::Transaction& t, std::vector<uint64_t>* keys);
  // After a DDL: table definitions are read again.
  void Clear() { catalog_.Clear(); }

 private:
  ReplicaSession& session_;
  TableCatalog catalog_;
  binlog::TableMapCache maps_;
  std::vector<std::byte> scratch_;
  std::string buffer_;
};

// Sorts and deduplicates a writeset.
void NormalizeWriteset(std::vector<uint64_t>* keys);

}  // namespace vomsrepl::apply
