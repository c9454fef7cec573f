// ReplicaSkip: what `POST /replica/NAME/skip?seq=N` may skip, and what an
// unauthenticated /status may show of an error (issue 20).
//
// A skip is exact: it names the journal seq of the transaction the replica
// failed on, and is accepted only while the replica is stopped on that
// error. A replica that is running, stopped by an operator, or failed on
// something that is no transaction (a refused connection, a purged journal
// range) has no failed seq: nothing to skip. A seq that is not the failed
// one (a stale page, a second click after the replica moved on) is refused,
// so a skip can never reach a transaction that has not arrived yet.
//
// The failed seq comes from the applier's error, which names it as
// "journal seq N" (apply/transaction_applier.h: a divergence names the row's
// origin seq, any other apply error the transaction it stopped in).
//
// Thread-safety: free functions on their arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vomsrepl/status.h>

#include "txn/transaction.h"

namespace vomsrepl::daemon {

// The first "journal seq N" in an applier's error message.
std::optional<uint64_t> FailedJournalSeq(std::string_view error);

// "seq=N" from a query string ("seq=12", "x=1&seq=12"); InvalidArgument when
// absent or not a positive decimal number.
Result<uint64_t> SkipSeqFromQuery(std::string_view query);

// FailedPrecondition unless `state` is an error state ("error: ..."), the
// replica has a failed seq (not 0) and `requested` is that seq.
Status CheckSkip(std::string_view replica, std::string_view state, uint64_t failed_seq, uint64_t requested);

// The tables a transaction (chunk) writes, "db.t1, db.t2", and "statement
// in db" for each statement (its text is left out); "" for none.
std::string TablesOf(const txn::Transaction& t);

// last_error for a reader without the control token: the status code, and
// the journal seq, source position and GTID when the error names them;
// key values, row images, statement text and server messages are left out.
std::string RedactedError(std::string_view last_error);

}  // namespace vomsrepl::daemon
