// `vomsrepl undo`: the statements that revert a range of the binlog, for the
// tables a filter keeps, printed, counted or applied.
//
//   binlog files / live master ─► pipeline::StreamPipeline (range, filter)
//     ─► transactions with kept changes ─► each rows event inverted
//        (binlog/rows_invert.h) ─► newest transaction first, last row first
//     ─► kPrint:   SQL by key (apply/row_script.h), a BEGIN/COMMIT per
//                  undone transaction, its GTID and position as a comment
//        kPlan:    counts per table and kind, nothing else read or written
//        kExecute: one transaction on the target through the applier's
//                  prepared statements in careful mode with the before-image
//                  check: an UPDATE or DELETE finds its row by key AND by the
//                  rest of the image the range left (apply/row_applier.h), an
//                  INSERT of a deleted row refuses an existing key. A row
//                  changed since the range, missing, or already back stops
//                  the undo with table, key, GTID and position; everything is
//                  rolled back. COMMIT only when every row matched.
//
// Refused (nothing printed or written): with a server known, a table the
// range deletes from (updates) that a foreign key refers to with ON DELETE
// (ON UPDATE) CASCADE / SET NULL / SET DEFAULT (the engine's own changes to
// the referring rows are not in the binlog: no undo could restore them), and
// a table with a trigger (the undo would fire it again); a statement in the
// range on a kept table (DDL is not revertible: the error names it, its GTID and position;
// narrow the range or the filter), an XA transaction, partial images
// (binlog_row_image other than FULL), MySQL partial JSON updates, a range
// that ends inside a transaction, and a range with no row change to undo.
//
// Names, keys and binary columns (apply/table_catalog.h): from the schema
// server (`schema`: --execute's target, or --schema-defaults-file), else from
// the binlog's own metadata (binlog_row_metadata=FULL); with neither the
// command stops and says which option to give. The range is held in memory
// (its row images, about the size of the binlog range's row events).
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "source/file_stream.h"
#include "source/master_stream.h"
#include "txn/filter_rules.h"

namespace vomsrepl::lifecycle {

enum class UndoMode : uint8_t { kPrint, kPlan, kExecute };

struct UndoOptions {
  source::FileStreamOptions files;             // files and range, when `master` is not set
  std::optional<source::MasterConfig> master;  // a live master (non-blocking), its start
  txn::FilterConfig filter;                    // include_databases empty: every database
  UndoMode mode = UndoMode::kPrint;
  // kExecute: the server to revert; kPrint / kPlan: a server holding the
  // tables, to read their columns and keys from (optional with FULL metadata).
  std::optional<apply::ReplicaConfig> server;
  std::FILE* out = stdout;
};

struct UndoReport {
  uint64_t transactions = 0;  // transactions undone (with row changes of kept tables)
  uint64_t rows_inserted = 0, rows_updated = 0, rows_deleted = 0;  // by the undo
  std::string first_gtid, last_gtid;  // oldest and newest transaction undone (empty: no GTID)
  bool executed = false;               // kExecute committed
};

Result<UndoReport> RunUndo(const UndoOptions& options);

}  // namespace vomsrepl::lifecycle
