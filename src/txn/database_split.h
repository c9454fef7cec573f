// DatabaseSplit: a journaled transaction (or chunk) cut in two by database,
// for a replica that holds some databases back (apply/database_hold.h): the
// changes of the selected databases, and the rest.
//
// Attribution, on replica-side names (the journal's are renamed already):
//   - a TABLE_MAP by its database, a rows event by the TABLE_MAP its table
//     id names (an unmapped table id is Corruption);
//   - a statement by every database it names (StatementRouter's attribution
//     with a filter that keeps everything: qualifiers, table positions,
//     three-part names; unqualified names belong to its default database),
//     except CREATE TABLE / ALTER TABLE without RENAME: by the table it
//     creates or alters only (a REFERENCES or LIKE names a table it reads).
//     A statement naming selected and other databases cannot be cut:
//     FailedPrecondition naming it (a cross-database DDL while a database is
//     held; the replica stops on it, nothing is applied by halves).
// Both parts keep the transaction's seq, chunk, source point and flavour;
// row_count is the whole transaction's in each (an upper bound, for group
// sizes). A change is copied byte for byte.
//
// Thread-safety: free functions on their arguments.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <vomsrepl/status.h>

#include "txn/transaction.h"

namespace vomsrepl::txn {

// The database and table names of a journaled TABLE_MAP body (6-byte table
// id form); false when the body is too short.
bool TableMapNames(std::span<const std::byte> body, std::string* database, std::string* table);

struct DatabaseSplit {
  Transaction selected;  // changes of databases `select` is true for
  Transaction rest;      // everything else
};

Result<DatabaseSplit> SplitByDatabase(const Transaction& t, const std::function<bool(std::string_view)>& select);

}  // namespace vomsrepl::txn
