// Journal record format: the keys and values vomsrepl keeps in its RocksDB
// journal (no RocksDB here: plain bytes, so the format is testable alone).
//
// Keys, ordered bytewise. Column family "transactions":
//   'T' be64 seq be32 chunk   a transaction chunk (big-endian, so iteration
//                             is in journal order)
// Column family "default":
//   'C'                       the source checkpoint
//   'F'                       the format marker ("vomsrepl-journal" + u32 version)
//   'R' name                  a replica mirror
//   'X' key                   generic metadata (PutMeta/GetMeta)
//
// Record value (little-endian, version kRecordVersion):
//   u8 version, u8 flags (bit 0 last chunk, bit 1 has statement, bit 2 MariaDB source),
//   u32 chunk, u32 change_count, u64 row_count, u64 append time (µs since the
//   epoch, journal clock), SourcePoint, u32 changes length, changes bytes
//   (txn::Transaction::changes as encoded by the assembler, stored as is:
//   RocksDB compresses the blocks with zstd).
// SourcePoint: u16 file length, file, u64 offset, u16 gtid length, gtid,
//   u16 gtid_state count, count x (u32 domain, u32 server, u64 seq),
//   u32 server_id, u32 commit_time.
// Checkpoint value: u8 version, u64 seq, SourcePoint.
// Mirror value: u8 version, u64 seq, i64 applied_time, u32 commit_time,
//   u16 gtid length, gtid, u16 file length, file, u64 offset,
//   u32 state length, state.
//
// Every decoder checks lengths and versions: a foreign or damaged value is a
// Corruption error naming what it was (the caller adds the seq or name).
//
// Thread-safety: free functions over values.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "txn/transaction.h"

namespace vomsrepl::journal {

inline constexpr uint8_t kRecordVersion = 1;
inline constexpr char kTxnPrefix = 'T';
inline constexpr char kCheckpointKey = 'C';
inline constexpr char kFormatKey = 'F';
inline constexpr char kMirrorPrefix = 'R';
inline constexpr char kMetaPrefix = 'X';
inline constexpr std::string_view kFormatMagic = "vomsrepl-journal";
inline constexpr size_t kTxnKeySize = 13;
inline constexpr std::string_view kTransactionsColumnFamily = "transactions";

// Where the source stands: the last complete journaled transaction (seq, 0
// when none) and the source point to resume the master stream from, which
// may be past `seq` when filtered-out traffic followed (Journal::AdvanceSource).
struct SourceCheckpoint {
  uint64_t seq = 0;
  txn::SourcePoint source;
};

// What a replica's own progress row says (the replica is the truth; this
// copy serves `status` and retention).
struct ReplicaMirror {
  uint64_t seq = 0;            // last journal seq the replica applied
  std::string gtid;            // source GTID of that transaction
  BinlogPosition position;     // source position after it
  int64_t applied_time = 0;    // when the replica committed it (seconds since the epoch)
  uint32_t commit_time = 0;    // source commit time of that transaction (seconds)
  std::string state;           // applier state text ("running", "stopped: 1062 ...")
  // A database the replica holds back (apply/database_hold.h) still needs the
  // journal from this seq on: Purge keeps it (0: nothing held). Encoded after
  // `state`, absent in mirrors written before it existed.
  uint64_t retain_from = 0;
};

std::string TxnKey(uint64_t seq, uint32_t chunk);
// Parses a 'T' key; false if it is not one.
bool ParseTxnKey(std::string_view key, uint64_t* seq, uint32_t* chunk);

// Record header + changes.
void EncodeRecord(const txn::Transaction& t, uint64_t append_time_us, std::string* out);
// The record without the changes bytes (which follow it in the value).
void EncodeRecordHeader(const txn::Transaction& t, uint64_t append_time_us, std::string* out);
// Fills t from a record value (copies the changes into t.changes, reusing its
// capacity). `seq`, `chunk` come from the key and are checked against the value.
Status DecodeRecord(std::string_view value, uint64_t seq, uint32_t chunk, txn::Transaction* t,
                    uint64_t* append_time_us);
// Only the header fields (no copy of the changes).
Status DecodeRecordHeader(std::string_view value, uint64_t seq, bool* last_chunk, uint64_t* append_time_us,
                          uint32_t* commit_time);

void EncodeCheckpoint(const SourceCheckpoint& c, std::string* out);
Status DecodeCheckpoint(std::string_view value, SourceCheckpoint* c);

void EncodeMirror(const ReplicaMirror& m, std::string* out);
Status DecodeMirror(std::string_view value, ReplicaMirror* m);

std::string FormatMarker();
Status CheckFormatMarker(std::string_view value);

}  // namespace vomsrepl::journal
