// `vomsrepl replica stop|start|skip NAME --config FILE [--seq N]`: per-replica
// control of a running daemon, through its HTTP endpoint ([http] listen,
// loopback by default), authenticated with the control token read from
// [http] token_file (default STATE_DIR/http.token, written by `vomsrepl run`).
// stop pauses that replica's applier after its current commit and waits (up
// to --wait seconds, default 60; 0: not at all) until /status shows it
// stopped: its session closed, the replica free for a `bootstrap` or a
// `catchup` that follows at once; start resumes
// it (also after an error); skip records the transaction the replica failed
// on as applied without its changes, then starts it (a warning is logged).
// skip first reads the failed journal seq from /status and prints it with
// the error (or takes --seq N), then sends POST .../skip?seq=N: the daemon
// refuses (409) unless the replica is stopped on an error at that seq.
// remove forgets a replica that is no longer in the configuration (issue 24,
// item 3): its journal mirror goes, so retention moves on (through POST
// /replica/NAME/remove, or on the state directory when no daemon runs);
// refused for a replica still in [[replica]] (a reload forgets those).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::app {

struct ReplicaCommandOptions {
  std::string config_path;
  std::string action;  // stop, start, skip, remove
  std::string name;
  uint64_t seq = 0;    // skip: the failed journal seq (0: read it from /status)
  int wait_s = 60;     // stop: how long to wait for "stopped" (0: do not wait)
};

Status RunReplicaCommand(const ReplicaCommandOptions& options, std::FILE* out);

// From a /status document: the replica's failed_seq (0 when none) and its
// last_error (JSON escapes \" \\ \n \t undone). NotFound when the document
// has no replica of that name.
struct FailedTransaction {
  uint64_t seq = 0;
  std::string state;
  std::string last_error;
};
Result<FailedTransaction> FailedTransactionOf(const std::string& status_json, const std::string& replica);

}  // namespace vomsrepl::app
