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

// True when `file` sorts before `oldest` in the master's binlog sequence:
// same base name, smaller numeric extension ("m-bin.000003" < "m-bin.000010").
bool BinlogFileIsOlder(std::string_view file, std::string_view oldest);

// Message telling the operator how to recover from a purged binlog.
std::string PurgedBinlogAdvice();

}  // namespace vomsrepl::source
