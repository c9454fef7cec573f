// Deterministic synthetic transactions for the journal tests and the crash
// writer: the chunks and bytes of transaction `seq` are a function of `seq`
// alone, so a reader can check every byte it gets back. Also the replica
// mirror rows that point into them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "journal/journal_format.h"
#include "txn/transaction.h"

namespace vomsrepl::journal::testing {

// 1..3 chunks.
inline uint32_t ChunksOf(uint64_t seq) { return uint32_t(1 + (seq * 7) % 3); }

inline void FillChunk(uint64_t seq, uint32_t chunk, txn::Transaction* t) {
  t->ClearChanges();
  t->chunk = chunk;
  t->last_chunk = chunk + 1 == ChunksOf(seq);
  t->mariadb_source = seq % 3 != 0;  // both flavours, to prove the flag survives the journal
  size_t size = 16 + (seq * 131 + chunk * 17) % 2000;
  std::string body(size, '\0');
  for (size_t i = 0; i < size; ++i) body[i] = char(uint8_t(seq * 31 + chunk * 7 + i));
  txn::ChangeWriter w(*t);
  w.AddRows(EventType::kWriteRowsV1,
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(body.data()), body.size()));
  t->row_count = chunk + 1;
  t->source = txn::SourcePoint();
  if (t->last_chunk) {
    t->source.position.file = "master-bin.000001";
    t->source.position.offset = 4 + seq * 100;
    t->source.gtid = "0-1-" + std::to_string(seq);
    t->source.gtid_state.Update(MariadbGtid{0, 1, seq});
    t->source.server_id = 1;
    t->source.commit_time = uint32_t(1700000000 + seq);
  }
}

// Empty string when `t` is what FillChunk(seq, chunk) makes, else what differs.
inline std::string CheckChunk(uint64_t seq, uint32_t chunk, const txn::Transaction& t) {
  txn::Transaction want;
  FillChunk(seq, chunk, &want);
  std::string where = "seq " + std::to_string(seq) + " chunk " + std::to_string(chunk) + ": ";
  if (t.seq != seq) return where + "seq " + std::to_string(t.seq);
  if (t.chunk != chunk) return where + "chunk " + std::to_string(t.chunk);
  if (t.last_chunk != want.last_chunk) return where + "last_chunk";
  if (t.mariadb_source != want.mariadb_source) return where + "mariadb_source";
  if (t.changes != want.changes) return where + "changes differ";
  if (t.change_count != want.change_count || t.row_count != want.row_count) return where + "counts";
  if (t.last_chunk && !(t.source.position == want.source.position && t.source.gtid == want.source.gtid &&
                        t.source.gtid_state == want.source.gtid_state && t.source.commit_time == want.source.commit_time))
    return where + "source point";
  return "";
}

// The mirror row of a replica that applied `seq` (GTID 0-1-seq) and is in `state`.
inline ReplicaMirror MirrorAt(uint64_t seq, std::string state, BinlogPosition position = {},
                              uint32_t commit_time = 0, int64_t applied_time = 0) {
  ReplicaMirror m;
  m.seq = seq;
  m.gtid = "0-1-" + std::to_string(seq);
  m.position = std::move(position);
  m.commit_time = commit_time;
  m.applied_time = applied_time;
  m.state = std::move(state);
  return m;
}

}  // namespace vomsrepl::journal::testing
