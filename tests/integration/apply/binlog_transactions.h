// Test-side stand-in for the assembler: txn::Transaction objects from the
// binlog files of a MariaDB sandbox master (GTID .. XID / COMMIT; a standalone
// GTID group is one DDL statement), with no filtering or renaming.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "txn/transaction.h"

namespace vomsrepl::apply::testing {

// Reads `files` in order, starting at `start_offset` in the first one (an
// event boundary, e.g. SHOW MASTER STATUS taken before the workload).
// Transactions get seq first_seq, first_seq + 1, ...
Result<std::vector<txn::Transaction>> TransactionsFromBinlog(const std::vector<std::string>& files,
                                                             uint64_t start_offset, uint64_t first_seq);

}  // namespace vomsrepl::apply::testing
