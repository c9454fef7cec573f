// check-config's test of the master read account (ops/master_read_account.h).
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "ops/config.h"
#include "ops/master_read_account.h"

namespace vomsrepl::app {

// check-config's test of [master] read_defaults_file: it connects and can
// read (SELECT ... LIMIT 0) one table of every kept database it sees. Prints
// `ok` / `warn` / `FAIL` lines to `out`; returns the first failure. A missing
// key is a `warn` (the commands fall back to the replication account).
Status CheckMasterReadAccount(const ops::Config& config, std::FILE* out);

}  // namespace vomsrepl::app
