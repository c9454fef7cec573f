// The rows event that undoes another (`vomsrepl undo`): applied after the
// original, it brings the rows back to what they were before it.
//
//   WRITE   -> DELETE of the same rows (found by the written image)
//   DELETE  -> WRITE of the deleted rows (their before image)
//   UPDATE  -> UPDATE from the after image back to the before image
// Rows come out in reverse order (the last change is undone first).
//
// Undoing needs whole images (binlog_row_image=FULL, the default): a DELETE's
// before image, and both images of an UPDATE, must carry every column, or the
// values to restore are not in the binlog (NotSupported naming the table and
// the missing columns). MySQL's PARTIAL_UPDATE_ROWS carries JSON diffs, not
// the after image: NotSupported.
//
// The result is a view like DecodeRowsEvent's: its `rows` point into
// `rows_out` (reused), its bitmaps into `event`'s buffers.
#pragma once

#include <cstddef>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/rows_event.h"

namespace vomsrepl::binlog {

Status InvertRowsEvent(const RowsEventView& event, const TableSchema& schema, std::vector<std::byte>& rows_out,
                       RowsEventView* inverted);

}  // namespace vomsrepl::binlog
