// Takeover: what a feeder that has just become active (its [standby] lease
// taken, daemon/replicator.h) does to its journal before it streams, so that
// the replicas' progress rows, written by whichever feeder fed them, mean the
// same transactions in this journal (issue 24).
//
// Journal seqs are not global: each feeder numbers the transactions it
// journals, 1, 2, ... from its first start. Two feeders with the same
// [filter] that read the same master number every kept transaction alike
// from any common point, so a replica's progress row (seq N, the source GTID
// and position of N) is a point both agree on. The new active feeder reads
// every enabled replica's progress row and takes the slowest one (lowest
// seq; the progress row of a database a replica holds back, copied by
// bootstrap and not caught up yet, counts as one more) as the point to
// stream from:
//   - its journal holds that seq and records the same source transaction for
//     it (GTID, else position): the journal is kept as it is (a restart of
//     the feeder that fed last, or a standby that fed before);
//   - otherwise (empty, stale, or from another history) the journal is
//     rebased there (journal/journal.h Rebase): the master streams again
//     from that replica's position, and the next kept transaction is
//     journaled as seq N + 1, exactly as the other feeder numbered it.
// A replica ahead of that point waits for its seq to be journaled again and
// checks it is the same source transaction (ReplicaRunner::AwaitJournalTail)
// before it applies anything more. A replica that cannot be reached is left
// out (logged) when another one could be read: if it is behind that point,
// it stops naming the seq it needs and `vomsrepl bootstrap`. When none could
// be read, Unavailable: the caller asks again (the point is unknown, and
// the journal or [master] start could be anywhere). Every replica read and
// none with a progress row: nothing to do ([master] start or the journal's
// checkpoint decide, as on a first start).
#pragma once

#include <string>

#include <vomsrepl/status.h>

#include "journal/journal.h"
#include "ops/config.h"

namespace vomsrepl::daemon {

// Returns what was done, one line for the log and the feeder role.
Result<std::string> PrepareJournalForTakeover(const ops::Config& config, journal::Journal& journal);

}  // namespace vomsrepl::daemon
