// Bootstrapper: `vomsrepl bootstrap`: copies one database from the master to
// a replica at one consistent source position, and sets the replica's
// progress row so that `vomsrepl run` continues from exactly there: no gap,
// no overlap.
//
// Steps
//   1. Snapshot. `threads` master sessions each START TRANSACTION WITH
//      CONSISTENT SNAPSHOT; they share one snapshot when each reports the
//      same Binlog_snapshot_file/_position P (MariaDB: the binlog position of
//      the snapshot; commits reach InnoDB in binlog order), else all are
//      rolled back and started again (no lock is ever taken on the master;
//      after 50 tries it falls back to one session). The GTID state at P is
//      BINLOG_GTID_POS(P).
//   2. Journal seq. S = the last journal seq at or before P
//      (SourceAlignment::SeqAt: the feeder must be running and have passed
//      P). Journal transactions <= S are in the snapshot, those > S are not.
//   3. Schema: CREATE DATABASE and every base table from SHOW CREATE TABLE
//      on the master (foreign_key_checks=0), under the replica name. The
//      replica database must hold no table yet.
//   4. Rows: tables spread over the sessions (one replica session each);
//      each table is read in primary-key pages (no key: LIMIT/OFFSET in the
//      snapshot) and written as multi-row INSERTs whose values are bound
//      parameters (binary strings, NULL as NULL); unique and foreign-key
//      checks off.
//   5. Progress: the channel's row becomes seq=S, gtid_state=G, file/pos=P.
//
// The progress row is per channel (replica), not per database. Moving it to
// S is correct when no journal transaction between the channel's previous
// seq R and S touches another database the replica holds; Bootstrap checks
// exactly that from the journal (DDL counts as touching its database) and
// refuses otherwise (FailedPrecondition, naming the databases): bootstrap a
// replica's databases before it is fed, or while no other database changes.
// A skip-list of (database, seq) in the applier would lift this limit; it is
// not built.
//
// Online (issue 24, item 3): when the replica holds the target database back
// (apply/database_hold.h: a `vomsrepl reload --hold-new` kept it), the runner
// keeps running. Bootstrap waits until the hold is "held" (the [filter]
// switch is done), takes no channel lock (a per-database lock instead), makes
// no check of the other databases, and its step 5 writes the hold instead of
// the progress row: "copied" at S, and S into the hold's own progress row;
// the runner applies the database's changes after S from the journal
// (daemon/held_databases.h).
//
// Preconditions: the replica's runner in `vomsrepl run` is stopped
// (`vomsrepl replica stop NAME`) during the bootstrap and started again
// afterwards (it re-reads the progress row): bootstrap takes the channel lock
// (apply/channel_lock.h) first and refuses (FailedPrecondition, naming the
// holder) while a runner or a catchup holds it. The master database exists
// and shows at least one table to the master account, else
// FailedPrecondition before anything is created on the replica. Not
// checkable: no DDL on the database during the copy (SHOW CREATE TABLE is not
// part of the snapshot). Views, triggers and routines are not copied.
//
// Thread-safety: RunBootstrap is self-contained; it runs `threads` threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "apply/replica_session.h"

namespace vomsrepl::lifecycle {

struct BootstrapOptions {
  apply::ReplicaConfig master;    // SELECT on the database (and SHOW VIEW is not needed)
  std::string master_account;     // where that account comes from, for messages
  apply::ReplicaConfig replica;   // the applier account (CREATE, INSERT, vomsrepl.progress, READ ONLY ADMIN)
  std::string channel;            // the replica's name in the config
  std::string database;           // on the master
  std::string target_database;    // on the replica (the filter's rename of `database`)
  std::string state_dir;          // the daemon's journal (read only)
  // A preserve_gtid replica (binlog, gtid_strict_mode): the copy is logged
  // in this GTID domain, vomsrepl's own (its state_gtid_domain), never in the
  // domain of the master's transactions; 0: the session's default.
  uint32_t gtid_domain = 0;
  uint32_t threads = 2;
  uint32_t batch_rows = 1000;     // rows per INSERT (and per page read)
  uint64_t max_statement_bytes = 4u << 20;
  // At most this many bytes of row values copied per second, over all the
  // sessions (the copy's share of the master's and the replica's disks and
  // CPU); 0: no limit.
  uint64_t max_bytes_per_second = 0;
  std::chrono::milliseconds wait_timeout{60000};
  bool progress = true;           // a progress line on stderr (vomsrepl/progress.h)
  std::chrono::milliseconds progress_interval{10000};  // between lines when stderr is not a terminal
  std::function<void(const std::string&)> log;
};

struct BootstrapResult {
  BinlogPosition position;        // P
  std::string gtid_state;         // G
  uint64_t seq = 0;               // S
  uint64_t previous_seq = 0;      // R
  uint64_t tables = 0, rows = 0, bytes = 0;
  uint32_t snapshot_sessions = 0; // sessions that shared the snapshot
  uint32_t snapshot_tries = 0;
  double seconds = 0;
  bool held = false;              // the replica held the database back: S went into its hold, not the progress row
};

Result<BootstrapResult> RunBootstrap(const BootstrapOptions& options);

}  // namespace vomsrepl::lifecycle
