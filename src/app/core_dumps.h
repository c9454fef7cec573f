// Core dumps off: a core file of a process that read a password (the TOML
// `password`, the option files' [client] password inside Connector/C, the
// HTTP control token) would hold it in clear, readable by whoever gets the
// file (systemd-coredump, apport, a core in the working directory).
//
// Contract
//   * DisableCoreDumps() sets RLIMIT_CORE to 0 (soft and hard) and
//     PR_SET_DUMPABLE to 0. The second also keeps other processes of the same
//     user from ptrace-attaching and from reading /proc/PID/mem, environ and
//     the like (they become owned by root). Called by main() before `run` and
//     every other subcommand that reads a configuration, before the file is
//     read. An error names the call that failed (the caller decides: `run`
//     refuses to start).
//   * The shipped systemd unit sets LimitCORE=0 as well.
//
// Thread-safety: call once, before threads start.
#pragma once

#include <vomsrepl/status.h>

namespace vomsrepl::app {

Status DisableCoreDumps();

}  // namespace vomsrepl::app
