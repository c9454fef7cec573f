// Verifier: `vomsrepl verify`: compares every kept table of the master with
// each replica, chunk by chunk in primary-key order, each chunk at the same
// source position, and lists the keys that differ.
//
// Per chunk (lower < key <= upper, `chunk_rows` rows on the master):
//   1. master, in one START TRANSACTION WITH CONSISTENT SNAPSHOT: the exact
//      binlog position P of the snapshot (Binlog_snapshot_file/_position),
//      the chunk's upper bound and its checksum (chunk_sql.h);
//   2. SourceAlignment::SeqAt(P): the journal seq S that holds every kept
//      transaction up to P; wait until the replica's progress row reaches S;
//   3. replica, in one consistent snapshot: its progress seq R and the chunk
//      checksum (database renamed). R == S, or no journaled transaction in
//      (S, R] touching the table, means both reads show the same source
//      state; otherwise the chunk is read again (up to `max_attempts`), and
//      after that compared anyway and flagged `unaligned` (a table written
//      faster than the replica can be caught at a matching point);
//      a differing chunk's row-by-row read (4.) is retried, with pauses, until
//      it aligns or `wait_timeout` passes, and only then flagged `unaligned`;
//   4. a differing chunk is read again row by row (key + MD5 of the row) on
//      both sides, aligned the same way, and each differing key is listed as
//      missing on the replica, extra on the replica or with different values.
// First, unless checksum_table_first is off: CHECKSUM TABLE of the whole table
// on the master and on the replica at the same time, each between two source
// positions (snapshot positions on the master, progress seqs on the replica);
// when the journal shows no change to the table in the window spanning both
// and the values are equal, the table is identical (no chunk read).
// Otherwise the chunks below.
// Tables without a primary key are compared whole (one chunk, count + XOR +
// SUM of row hashes, so duplicate rows count); their differing rows cannot be
// named. A table missing on a replica, an extra table on a replica, or
// different columns are reported per table (problem), and not compared.
//
// Never success on nothing: FailedPrecondition when a --db pattern matches
// no kept database the master account can see, when the selection leaves no
// table to compare, or when a replica shows no table at all in a database
// whose master tables are compared (database missing there, or the account
// cannot see it). A table the account sees but may not read fails with the
// server's error (FailedPrecondition).
//
// Master load: one chunk query at a time per thread (`threads` tables in
// parallel, default 1), `pause` after each master read;
// sessions use REPEATABLE READ snapshots, read only.
//
// Accounts: the master account needs SELECT on the databases (the feeder's
// replication account has none); each replica's applier account (SELECT on
// voms_% and vomsrepl.progress) is enough.
//
// Thread-safety: RunVerify is self-contained (its own sessions).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "apply/replica_session.h"
#include "lifecycle/chunk_sql.h"
#include "txn/filter_rules.h"
#include "txn/name_filter.h"

namespace vomsrepl::lifecycle {

struct VerifyReplica {
  std::string name;               // also its progress channel
  apply::ReplicaConfig session;   // defaults file of an account that can read
};

struct VerifyOptions {
  apply::ReplicaConfig master;    // an account with SELECT on the kept databases
  std::string master_account;     // where that account comes from, for messages
  std::string config_path;        // for messages
  std::vector<VerifyReplica> replicas;
  txn::FilterRules filter;        // kept databases and tables, renames (the daemon's [filter])
  txn::NameFilter databases;      // --db (source names); empty: all kept
  std::vector<std::string> database_globs;  // the --db patterns (each must match a kept database)
  txn::NameFilter tables;         // --table ("table" or "db.table", source names)
  std::string state_dir;          // the daemon's journal (read only)
  uint64_t chunk_rows = 5000;
  uint32_t threads = 1;           // tables verified in parallel (sessions per server each)
  std::chrono::milliseconds pause{0};
  std::chrono::milliseconds wait_timeout{60000};
  uint32_t max_attempts = 6;
  size_t max_keys = 1000;         // keys listed per table and replica (all are counted)
  RowHash hash = RowHash::kCrc32;
  // First pass per table: CHECKSUM TABLE on both sides within a window the
  // journal shows free of changes to it (as fast as CHECKSUM TABLE itself; one
  // full scan per table and server, not chunked, so --pause-ms spaces tables
  // only); tables it cannot prove identical are compared in chunks.
  bool checksum_table_first = true;
  std::function<void(const std::string&)> log;  // one line per table (optional)
  bool progress = true;           // a progress line on stderr (vomsrepl/progress.h)
  std::chrono::milliseconds progress_interval{10000};  // between lines when stderr is not a terminal
};

enum class KeyDifferenceKind { kMissingOnReplica, kExtraOnReplica, kDifferentValues };
std::string_view KeyDifferenceKindName(KeyDifferenceKind kind);

struct KeyDifference {
  KeyDifferenceKind kind;
  std::vector<std::string> key;   // key column values as text, in key order
};

struct TableVerdict {
  std::string replica;
  std::string master_database, replica_database, table;
  std::vector<std::string> key_columns;   // empty: no primary key (whole-table checksum)
  uint64_t chunks = 0, master_rows = 0, replica_rows = 0, differing_chunks = 0;
  bool unaligned = false;                 // some chunk compared without a matching source position
  bool by_checksum_table = false;         // proven identical by the CHECKSUM TABLE first pass (no chunks, rows not counted)
  std::string problem;                    // missing/extra table, different columns
  std::vector<KeyDifference> keys;        // at most max_keys
  uint64_t keys_total = 0;
  double seconds = 0;
  bool identical() const { return problem.empty() && differing_chunks == 0; }
};

struct VerifyReport {
  std::vector<std::string> replicas;
  std::vector<TableVerdict> tables;       // per table and replica
  double seconds = 0;
  uint64_t master_rows_read = 0;          // rows checksummed on the master (each replica pass)
  bool identical() const;
  uint64_t different_tables() const;
};

Result<VerifyReport> RunVerify(const VerifyOptions& options);

void WriteVerifyText(const VerifyReport& report, std::FILE* out);
void WriteVerifyJson(const VerifyReport& report, std::FILE* out);

}  // namespace vomsrepl::lifecycle
