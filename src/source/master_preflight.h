// Internal to the source module: the preflight checks of MasterStream and the
// mapping of the master's dump errors to Status codes (unit-testable without
// a server).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "source/master_session.h"
#include "source/master_stream.h"

namespace vomsrepl::source {

// Runs every check on an open session, appending to `report`.
void RunPreflightChecks(MasterSession& session, const MasterConfig& config, PreflightReport* report);

// The Status for an error the master sent in answer to COM_BINLOG_DUMP
// (errno 1236 ER_MASTER_FATAL_ERROR_READING_BINLOG and friends): kBinlogPurged
// when the file or GTID is gone (the message names `wanted` and the way back),
// kFailedPrecondition otherwise.
Status StatusForDumpError(unsigned int mysql_errno, std::string_view server_message, std::string_view wanted);

// Error 4052 (ER_SLAVE_SAME_ID) on the dump: another replica registered with
// our server id and the master dropped this stream. Unavailable (reconnect)
// when config.retry_duplicate_server_id, else FailedPrecondition; the message
// says what happened and the fix.
Status StatusForDuplicateServerId(const MasterConfig& config, std::string_view server_message);

// The name of the user lock a feeder holds on the master for its server id
// (server_id_lock.h); a number only, nothing of the user's.
std::string ServerIdLockName(uint32_t server_id);

// A server id for a diagnostic stream: derived from the host name and process
// id (in [2^30, 2^31)), then the first one upward that is not the master's
// @@server_id, not listed by SHOW SLAVE HOSTS (when the account may run it),
// not held by a running vomsrepl feeder's server-id lock and not in
// config.avoid_server_ids.
Result<uint32_t> PickServerId(MasterSession& session, const MasterConfig& config);

// True when `file` sorts before `oldest` in the master's binlog sequence:
// same base name, smaller numeric extension ("m-bin.000003" < "m-bin.000010").
bool BinlogFileIsOlder(std::string_view file, std::string_view oldest);

// Message telling the operator how to recover from a purged binlog.
std::string PurgedBinlogAdvice();

}  // namespace vomsrepl::source
