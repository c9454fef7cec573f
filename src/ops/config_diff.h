// ConfigDiff: what changed between the configuration a daemon runs with and
// the file on disk now (issue 24, `vomsrepl reload`, SIGHUP, `check-config
// --diff`), key by key as the files say it (a key left out and a key set to
// its default count as different: reloading them changes nothing).
//
// Each change is sorted into what a running daemon can take without a
// restart (log settings, [apply], [filter] and its renames, [replica_tls],
// every [[replica]] by name: added, removed, changed) and what needs one
// (state_dir, [master] and its tls, [journal], [http], [standby]). The text
// names section and key with both values, except values of keys whose name
// holds "password" (shown as "(changed)").
//
// Thread-safety: a free function on its arguments.
#pragma once

#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "ops/config.h"

namespace vomsrepl::ops {

struct ConfigDiff {
  std::vector<std::string> lines;         // every change, one line each ("[apply] group_rows: 50000 -> 1000")
  std::vector<std::string> need_restart;  // the lines of changes a reload cannot take
  bool log = false;
  bool apply = false;        // [apply] (every replica's applier)
  bool filter = false;       // [filter] (the feeder)
  bool replica_tls = false;  // [replica_tls] (every replica)
  std::vector<std::string> replicas_added, replicas_removed, replicas_changed;
  bool empty() const { return lines.empty(); }
};

// InvalidArgument when either text is not TOML (both were parsed once already).
Result<ConfigDiff> DiffConfigs(const Config& running, const Config& next);

}  // namespace vomsrepl::ops
