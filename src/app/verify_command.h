// `vomsrepl verify --config FILE`: compares the master with each replica,
// table by table in primary-key chunks at matching source positions
// (lifecycle/verifier.h), and prints what differs.
//
// The master is read through an account that can SELECT the kept databases:
// --master-defaults-file (or VOMSREPL_VERIFY_MASTER_DEFAULTS_FILE), default
// the config's [master] defaults_file (whose replication account usually
// cannot). Replicas are read through their [[replica]] defaults_file.
// The daemon's state directory (the config's state_dir) is read, never
// written: `vomsrepl run` keeps running meanwhile, and verify waits for each
// replica to reach the master's snapshot position chunk by chunk.
//
// Result: OK with *identical set; the caller exits 0 or kExitDifferent (8).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "app/dump_command.h"

namespace vomsrepl::app {

struct VerifyCommandOptions {
  std::string config_path;
  std::vector<std::string> replicas;        // --replica (default: every enabled replica)
  std::vector<std::string> databases;       // --db globs (source names)
  std::vector<std::string> tables;          // --table globs ("table" or "db.table")
  uint64_t chunk_rows = 5000;
  uint32_t pause_ms = 0;
  uint32_t threads = 1;
  uint32_t wait_timeout_s = 60;
  std::string master_defaults_file;
  std::string hash = "crc32";
  uint32_t max_keys = 1000;
  bool chunks_only = false;  // no CHECKSUM TABLE first pass
  OutputFormat format = OutputFormat::kText;
  uint32_t progress_interval_s = 10;  // progress line period when stderr is not a terminal
};

Status RunVerifyCommand(const VerifyCommandOptions& options, std::FILE* out, bool* identical);

}  // namespace vomsrepl::app
