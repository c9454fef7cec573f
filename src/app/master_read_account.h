// The master account through which `verify` and `bootstrap` read tables: the
// command's --master-defaults-file, else [master] read_defaults_file, else
// [master] defaults_file (the replication account, which usually has no
// SELECT: the commands then see no table and fail saying which key to set).
#pragma once

#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "ops/config.h"

namespace vomsrepl::app {

// InvalidArgument when no option file is named or the file fails
// ops::CheckOptionFile (missing, unreadable, a password readable by others).
Result<apply::ReplicaConfig> MasterReadAccount(const ops::Config& config, const std::string& flag_file);

// Where the master read account came from, for messages: "the option file F
// (--master-defaults-file)", "... ([master] read_defaults_file)", or the
// replication account's file with the advice to set read_defaults_file.
std::string DescribeMasterReadAccount(const ops::Config& config, const std::string& flag_file);

// check-config's test of [master] read_defaults_file: it connects and can
// read (SELECT ... LIMIT 0) one table of every kept database it sees. Prints
// `ok` / `warn` / `FAIL` lines to `out`; returns the first failure. A missing
// key is a `warn` (the commands fall back to the replication account).
Status CheckMasterReadAccount(const ops::Config& config, std::FILE* out);

}  // namespace vomsrepl::app
