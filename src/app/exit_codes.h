// Process exit codes of the vomsrepl CLI (documented in README.md, "Exit codes").
#pragma once

#include <vomsrepl/status.h>

namespace vomsrepl::app {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;          // any other failure
inline constexpr int kExitUsage = 2;          // bad command line or configuration
inline constexpr int kExitCorruption = 3;     // input bytes violate the binlog format
inline constexpr int kExitNotSupported = 4;   // an event or feature we do not handle
inline constexpr int kExitUnavailable = 5;    // server unreachable
inline constexpr int kExitPrecondition = 6;   // environment not as required
inline constexpr int kExitBinlogPurged = 7;   // master no longer has the binlog we need
inline constexpr int kExitDifferent = 8;      // verify found differences

inline int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument: return kExitUsage;
    case StatusCode::kCorruption: return kExitCorruption;
    case StatusCode::kDataLoss: return kExitCorruption;
    case StatusCode::kNotSupported: return kExitNotSupported;
    case StatusCode::kUnavailable: return kExitUnavailable;
    case StatusCode::kFailedPrecondition: return kExitPrecondition;
    case StatusCode::kBinlogPurged: return kExitBinlogPurged;
    default: return kExitError;
  }
}

}  // namespace vomsrepl::app
