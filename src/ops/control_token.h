// ControlToken: the bearer credential of the HTTP control plane (issue 20).
//
// The daemon's state-changing endpoints (POST /replica/NAME/stop|start|skip)
// and the unredacted /status need `Authorization: Bearer TOKEN`, where TOKEN
// is the content of a file only its owner can read ([http] token_file,
// default STATE_DIR/http.token). `vomsrepl run` creates it on first start
// when absent: 32 bytes from the kernel CSPRNG (getrandom), 64 hex digits,
// written with O_CREAT|O_EXCL and mode 0600. `vomsrepl replica ...` reads
// the same file. The token is never logged, never echoed in an error.
//
// Contract
//   * LoadOrCreateControlToken(path): reads the token, creating the file
//     first if it does not exist (the directory must exist).
//   * ReadControlToken(path): reads it; NotFound when the file is absent.
//   * Both refuse (InvalidArgument, naming the file and the fix) a file that
//     is a symlink, not a regular file, readable or writable by group or
//     others, owned by another user than this process's effective user, or
//     that holds fewer than 32 characters of [A-Za-z0-9._~+/=-] (after
//     trimming a final newline).
//   * BearerMatches(authorization_header, token): true only for
//     "Bearer TOKEN" with exactly this token, compared in constant time
//     (the time depends on the lengths only). An empty token matches nothing.
//
// Thread-safety: free functions on their arguments.
#pragma once

#include <string>
#include <string_view>

#include <vomsrepl/status.h>

namespace vomsrepl::ops {

inline constexpr size_t kControlTokenMinLength = 32;

Result<std::string> LoadOrCreateControlToken(const std::string& path);
Result<std::string> ReadControlToken(const std::string& path);
bool BearerMatches(std::string_view authorization_header, std::string_view token);

}  // namespace vomsrepl::ops
