// txn::Transaction objects from the binlog files of a MariaDB sandbox master,
// made by the product's txn::TransactionAssembler fed by source::FileStream,
// as `vomsrepl run` makes them from a live master, so that the applier tests
// apply exactly what the journal would hold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "txn/transaction.h"

namespace vomsrepl::apply::testing {

// Reads `files` in order, starting at `start_offset` in the first one (an
// event boundary, e.g. SHOW MASTER STATUS taken before the workload), through
// a TransactionAssembler with the default filter (`voms_*`, no rename: every
// test database is voms_*) and the GTID state starting empty. Each source
// transaction with kept changes is one txn::Transaction, never chunked (the
// tests split chunks themselves); they get seq first_seq, first_seq + 1, ...
// as the journal numbers them. Errors are the assembler's (file, offset,
// event type).
Result<std::vector<txn::Transaction>> TransactionsFromBinlog(const std::vector<std::string>& files,
                                                             uint64_t start_offset, uint64_t first_seq);

}  // namespace vomsrepl::apply::testing
