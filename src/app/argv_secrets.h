// Passwords never travel on a command line: `ps` and shell histories show it to
// everybody. Every subcommand refuses a password-like option before CLI11
// parses anything, so the value is never echoed back in an "unknown option"
// or "extra argument" message (CLI11 prints every argument it did not expect,
// `--master-password=X` whole).
//
// Contract
//   * RefusePasswordArguments(args) looks at every argument (a bare "--" is
//     skipped, not a stop: a file named like an option is no reason to echo a
//     secret): any argument that begins with '-' and whose option name (the
//     part before '=', dashes stripped) contains "pass" in any case
//     (`--password`, `--master-password=X`, `--PASSWORD=X`, `--replica-Pass X`,
//     `--passwd`, `-PASS`), and `-p` with or without an attached value
//     (mysql-client style `-pSECRET`, `-p=SECRET`). The first one found gives
//     InvalidArgument (exit code 2) saying where passwords go: the [client]
//     group of a MySQL option file, mode 0600, named by `defaults_file` in the
//     TOML configuration or by a --*defaults-file option.
//   * The message ("option --password refused: ...", "option -p refused: ...",
//     "argument 3 (an option whose name contains \"pass\") refused: ...")
//     never contains any argument's text, except an option name of the plain form
//     `--WORD[-WORD...]` whose word holding "pass" is exactly pass, passwd,
//     password or passphrase (`--master-password`): nothing after '=', and
//     nothing that could be a value glued to the name (`--passS3cret`, `-pX`).
//   * No subcommand has an option whose name contains "pass" or starts with
//     `-p`, so nothing legitimate is refused.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

Status RefusePasswordArguments(const std::vector<std::string_view>& args);

// True when `arg` is an option RefusePasswordArguments refuses.
bool IsPasswordArgument(std::string_view arg);

}  // namespace vomsrepl::app
