// SourceAlignment: maps a master binlog position to the journal, so that
// `vomsrepl verify` compares a replica chunk with the master chunk of the
// same source state.
//
// The master chunk is read in a consistent snapshot whose exact binlog
// position P comes from Binlog_snapshot_file / Binlog_snapshot_position. The
// replica state that corresponds to P is "every journaled transaction whose
// source position is <= P applied, nothing after": journal seq SeqAt(P).
// SeqAt waits until the feeder's source checkpoint has passed P (so that no
// kept transaction at or before P is still on its way), reopening the
// journal read-only (RocksDB read-only instances see the journal as of their
// open, and take no lock: the daemon keeps running).
//
// A replica applies source transactions in groups, so its snapshot may show
// a seq S > SeqAt(P). The chunk is still comparable when no journaled
// transaction in (SeqAt(P), S] touches the table (rows of it, or any
// statement: DDL counts as touching everything): Touches() answers that from
// the TABLE_MAP names in the journal (names as on the replicas, renames
// applied).
//
// Positions compare by binlog file sequence number (the digits after the
// last '.') and then offset. Limits: a master whose binlog rotated after the
// last journaled or filtered transaction (FLUSH LOGS, restart) leaves P in a
// file the checkpoint never reaches until new traffic arrives there: SeqAt
// times out (Unavailable) and says so.
//
// Thread-safety: one thread. Memory: one small entry (seq, position, tables
// touched) per journal transaction scanned since the first SeqAt.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "journal/journal.h"

#include "txn/database_split.h"

namespace vomsrepl::lifecycle {

// <0, 0, >0 like strcmp; by file number then offset.
int CompareBinlogPositions(const BinlogPosition& a, const BinlogPosition& b);

// Database and table named by a TABLE_MAP body: txn/database_split.h.
using txn::TableMapNames;

class SourceAlignment {
 public:
  // `scan_after`: scan the journal from that seq + 1 (bootstrap needs what
  // lies after a replica's progress); 0: from the checkpoint at the first open.
  explicit SourceAlignment(std::string state_dir, uint64_t scan_after = 0)
      : state_dir_(std::move(state_dir)), scan_after_(scan_after) {}

  // Opens the journal. Call it BEFORE reading the first master position:
  // what the journal holds at this open is taken to lie at or before every
  // position read afterwards (it is not scanned).
  Status Open() { return started_ ? Status::OK() : Refresh(); }
  // The last journal seq at or before master position `p` (0: none kept yet),
  // once the source checkpoint has reached `p`; Unavailable (naming both
  // positions) when it has not within `timeout`.
  Result<uint64_t> SeqAt(const BinlogPosition& p, std::chrono::milliseconds timeout);
  // Whether a transaction in (after, upto] touches `database`.`table`
  // (replica names) or holds a statement. Scans the journal up to `upto`
  // (reopening it as needed, within `timeout`).
  Result<bool> Touches(uint64_t after, uint64_t upto, const std::string& database, const std::string& table,
                       std::chrono::milliseconds timeout);
  // The databases (replica names) of the transactions in (after, upto];
  // *statement is set when one of them holds a statement (DDL).
  Result<std::vector<std::string>> DatabasesTouched(uint64_t after, uint64_t upto, bool* statement,
                                                    std::chrono::milliseconds timeout);

 private:
  Status ScanUpTo(uint64_t upto, std::chrono::milliseconds timeout);
  struct Entry {
    uint64_t seq = 0;
    BinlogPosition position;
    bool statement = false;
    std::vector<std::string> tables;  // "db\0table"
  };
  Status Refresh();  // reopens the journal and scans what is new
  const Entry* Find(uint64_t seq) const;

  std::string state_dir_;
  std::unique_ptr<journal::Journal> journal_;
  journal::SourceCheckpoint checkpoint_;
  std::vector<Entry> entries_;  // by seq, contiguous from the first scanned
  uint64_t scanned_ = 0;        // last seq scanned
  bool started_ = false;
  uint64_t scan_after_ = 0;
};

}  // namespace vomsrepl::lifecycle
