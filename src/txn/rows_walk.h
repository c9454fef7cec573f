// The rows events of one Transaction (or chunk) with their TABLE_MAPs
// resolved: the walk the applier (its row path and its DDL path) and the
// writeset builder share.
//
// WalkRowsChanges reads t.changes in order: a TABLE_MAP change updates `maps`;
// a rows change is decoded (scratch: reused buffer for compressed events)
// and handed with its table's schema to on_rows(schema, view); after a rows
// event that ends its statement the maps are cleared, as the server does; a
// statement change goes to on_statement(change). The caller clears `maps`
// where a transaction starts (chunk 0), since a later chunk reuses the maps
// of the chunks before it.
//
// Errors: what a callback returns; Corruption for an undecodable change, a
// rows event without its TABLE_MAP, or a malformed changes buffer.
#pragma once

#include <cstddef>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/rows_event.h"
#include "binlog/table_map.h"
#include "txn/change_format.h"
#include "txn/transaction.h"

namespace vomsrepl::txn {

namespace rows_walk_internal {
Status NoTableMap(uint64_t table_id);
}  // namespace rows_walk_internal

// on_statement for the walks of transactions without statements
// (Transaction::has_statement false).
inline Status NoStatementExpected(const Change&) {
  return Internal("statement in a transaction not marked has_statement");
}

template <class OnRows, class OnStatement>
Status WalkRowsChanges(const Transaction& t, binlog::TableMapCache& maps, std::vector<std::byte>& scratch,
                       OnRows&& on_rows, OnStatement&& on_statement) {
  const binlog::FormatDescription fde = ChangeFormat(t.mariadb_source);
  ChangeReader reader(t.changes);
  Change change;
  while (reader.Next(&change)) {
    switch (change.kind) {
      case ChangeKind::kTableMap:
        VOMSREPL_RETURN_IF_ERROR(maps.Update(change.body, fde));
        break;
      case ChangeKind::kRows: {
        VOMSREPL_ASSIGN_OR_RETURN(binlog::RowsEventView view,
                                  binlog::DecodeRowsEvent(change.event_type, change.body, fde, scratch));
        const binlog::TableSchema* schema = maps.Find(view.table_id);
        if (schema == nullptr) return rows_walk_internal::NoTableMap(view.table_id);
        VOMSREPL_RETURN_IF_ERROR(on_rows(*schema, view));
        if (view.end_of_statement) maps.Clear();
        break;
      }
      case ChangeKind::kStatement:
        VOMSREPL_RETURN_IF_ERROR(on_statement(change));
        break;
    }
  }
  return reader.status();
}

}  // namespace vomsrepl::txn
