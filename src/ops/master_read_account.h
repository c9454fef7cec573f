// The master account through which `verify`, `bootstrap` and a reload's
// filter check read the master: the command's --master-defaults-file, else
// [master] read_defaults_file, else [master] defaults_file (the replication
// account, which usually has no SELECT: the commands then see no table and
// fail saying which key to set). A ReplicaSession configuration (the session
// that reads tables is the same kind on both sides).
#pragma once

#include <string>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "ops/config.h"

namespace vomsrepl::ops {

// InvalidArgument when no option file is named or the file fails
// CheckOptionFile (missing, unreadable, a password readable by others).
Result<apply::ReplicaConfig> MasterReadAccount(const Config& config, const std::string& flag_file);

// Where the master read account came from, for messages: "the option file F
// (--master-defaults-file)", "... ([master] read_defaults_file)", or the
// replication account's file with the advice to set read_defaults_file.
std::string DescribeMasterReadAccount(const Config& config, const std::string& flag_file);

}  // namespace vomsrepl::ops
