// Passwords never travel on a command line: `ps` and shell histories show it to
// everybody. Every subcommand refuses a password-like option before CLI11
// parses anything, so the value is never echoed back in an "unknown option"
// or "extra argument" message.
//
// Contract
//   * RefusePasswordArguments(args) looks at every argument up to a bare "--":
//     `--password`, `--password=...`, any other `--pass...` (`--passwd`,
//     `--pass=x`), `-p` and `-p...` (mysql-client style `-pSECRET`). The first
//     one found gives InvalidArgument (exit code 2) naming the option only
//     (never its value) and saying where passwords go: the [client] group of a
//     MySQL option file, mode 0600, named by `defaults_file` in the TOML
//     configuration or by a --*defaults-file option.
//   * No subcommand has an option that starts with `-p` or `--pass`, so
//     nothing legitimate is refused.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

Status RefusePasswordArguments(const std::vector<std::string_view>& args);

}  // namespace vomsrepl::app
