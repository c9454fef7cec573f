// TransactionAssembler: turns the event stream of one source (binlog files
// or a live master) into filtered txn::Transaction objects.
//
// Feed() takes every event in stream order as source::FileStream /
// source::LiveStream deliver it (source::FileEvent: the binlog::ReadEvent,
// the file name, the FORMAT_DESCRIPTION in force); txn depends only on
// binlog, so those pieces come as arguments. Inner events of a
// TRANSACTION_PAYLOAD come after the payload event, marked inside_payload.
//
// Boundaries (MariaDB sql/log_event.h, MySQL libbinlogevents
// control_events.h; as source/transaction_boundary.h):
//   MariaDB GTID standalone (FL_STANDALONE): the group is its first QUERY.
//   MariaDB GTID otherwise: open until XID, QUERY COMMIT/ROLLBACK/XA COMMIT/
//     XA ROLLBACK, or XA_PREPARE (its BEGIN / XA START is part of it).
//   MySQL GTID / ANONYMOUS_GTID / GTID_TAGGED: then QUERY BEGIN opens a
//     multi-event transaction (ending at XID or QUERY COMMIT/ROLLBACK), any
//     other QUERY is a single-statement transaction (DDL); inside a
//     TRANSACTION_PAYLOAD the inner BEGIN .. XID do the same. MySQL 8.0.21+
//     atomic CREATE TABLE ... SELECT ("... START TRANSACTION", rows, XID)
//     stays open until its XID.
//   No GTID: QUERY BEGIN .. XID/COMMIT/ROLLBACK; any other QUERY alone.
// A transaction ending in ROLLBACK is delivered like a committed one: a
// server logs ROLLBACK only for changes to non-transactional tables, which
// stayed on the master. SAVEPOINT / ROLLBACK TO / XA END are ignored. An XA
// transaction (ending at XA_PREPARE) with kept changes is NotSupported, and
// so is a kept MariaDB START ALTER (binlog_alter_two_phase=ON: the ALTER may
// still be rolled back); the COMMIT ALTER / ROLLBACK ALTER groups that
// follow carry nothing to apply.
//
// Positions: the position after an outer event is its offset + event_length
// (the header's log_pos is not used: it is 0 in relay logs and inside
// payloads, and offset + length is the same on files and live streams); for
// inner payload events it is the position after the TRANSACTION_PAYLOAD.
// SourcePoint.position is the position after the commit event;
// SourcePoint.gtid_state starts from the checkpoint given to Reset() and is
// updated with every MariaDB GTID, kept or not; MySQL GTIDs are carried as
// text "uuid:gno" / "uuid:tag:gno" only.
//
// Filtering happens at TABLE_MAP (FilterRules::KeepTable on the source
// names): rows events of dropped table ids are skipped by table id without
// being decoded. Kept TABLE_MAPs are stored with the database renamed (body
// rebuilt: table id, flags, new name, the rest unchanged); rows events are
// stored as received; decode both with ChangeFormat(txn.mariadb_source)
// (change_format.h). Statements (QUERY events that are not transaction
// control) go through the StatementRouter; kept ones are stored with their
// StatementContext and the rewritten SQL, and reset the SchemaHistory of the
// tables they name. Every kept TABLE_MAP whose bytes differ from the last one
// of its table id is checked against the SchemaHistory (drift stops with
// FailedPrecondition).
//
// Sink protocol (TransactionSink, one virtual call per transaction or
// chunk, never per event):
//   OnTransaction(txn)      a transaction with kept changes, or a chunk of
//                           one. Chunks: chunk = 0, 1, ...; last_chunk only
//                           on the final one, which carries the SourcePoint
//                           (it may hold no change when the budget was hit
//                           just before the commit).
//   OnPositionAdvanced(pt)  a transaction that kept nothing ended: the
//                           checkpoint may move to pt. Called once per such
//                           transaction; the sink should coalesce (remember
//                           the latest point, persist it with the next
//                           journal write or on a timer), not write each.
//   OnAbandon(chunks)       AbandonOpenTransaction() dropped a transaction of
//                           which `chunks` chunks were already delivered: the
//                           sink discards them (the stream restarts the
//                           transaction from its first event).
// A non-OK status from the sink stops Feed() and is returned as is.
//
// Chunking: when the open transaction's encoded changes reach
// max_transaction_bytes after a rows event or statement, it is handed out as
// a chunk. Chunks split only between changes, and every chunk is decodable
// on its own: before the first rows event of a table id in a later chunk,
// the assembler repeats that table's (renamed) TABLE_MAP. Concatenating the chunks' rows events gives exactly the
// unchunked transaction's rows events.
//
// Row counting (options.count_rows, on by default): every kept rows event is
// decoded up to its row sizes (binlog::CountRows) to fill row_count. This
// costs a walk of the row images (and zlib for MariaDB compressed rows):
// measured on bench/corpus/voms.000001 (245 MB, 1.97 M events, 187 k
// transactions, all kept) at 0.19-0.24 s without and 0.22-0.31 s with
// counting (EventReader alone, no CRC: 0.07-0.10 s; 2 shared EPYC cores,
// noisy); sysbench.000001 (896 MB): 0.74 s vs 0.76 s. Turn it off when the
// journal does not need the count.
//
// Errors name file, position, event type and table where known. The
// assembler does not recover from errors: after one, Reset() it.
//
// Thread-safety: none; one assembler per stream. FilterRules and sink are
// referenced and must outlive the assembler.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "binlog/event_reader.h"
#include "binlog/events.h"
#include "binlog/format_description.h"
#include "binlog/table_map.h"
#include "txn/filter_rules.h"
#include "txn/schema_history.h"
#include "txn/statement_router.h"
#include "txn/transaction.h"

namespace vomsrepl::txn {

class TransactionSink {
 public:
  virtual ~TransactionSink() = default;
  virtual Status OnTransaction(Transaction&& txn) = 0;
  virtual Status OnPositionAdvanced(const SourcePoint& point) = 0;
  virtual Status OnAbandon(uint32_t chunks_delivered) = 0;
};

struct AssemblerOptions {
  size_t max_transaction_bytes = size_t{64} << 20;  // 64 MiB of encoded changes per chunk
  bool count_rows = true;
  bool check_schema = true;
};

struct AssemblerStats {
  uint64_t events = 0;
  uint64_t transactions = 0;           // delivered (last chunks)
  uint64_t chunks = 0;                 // every OnTransaction call
  uint64_t filtered_transactions = 0;  // OnPositionAdvanced calls
  uint64_t rows_events_kept = 0;
  uint64_t rows_events_skipped = 0;
  uint64_t rows_kept = 0;
  uint64_t statements_kept = 0;
  uint64_t statements_dropped = 0;
};

class TransactionAssembler {
 public:
  TransactionAssembler(const FilterRules& rules, TransactionSink& sink, AssemblerOptions options = {});

  // Starts outside any transaction with `gtid_state` already applied (the
  // checkpoint's MariaDB GTID position). Forgets table maps and any open
  // transaction (without OnAbandon). Keeps the schema history.
  void Reset(const MariadbGtidList& gtid_state);

  // Feeds the next event of the stream. `file` is the binlog file the event
  // is in (source::FileEvent::file; a directory part is ignored, so that
  // SourcePoint.position.file is the bare name the master knows); `fde` the
  // format description in force (source::FileEvent::format,
  // EventReader::format()). Typical loop:
  //   assembler.Feed(fe.event, *fe.file, *fe.format).
  Status Feed(const binlog::ReadEvent& event, std::string_view file, const binlog::FormatDescription& fde);

  // Filters by `rules` from the next transaction on (issue 24: a reload of
  // [filter]); they must outlive the assembler. Only between transactions
  // (FailedPrecondition inside one): the table decisions are dropped, and
  // every transaction's own TABLE_MAPs are decided again by the new rules.
  Status SetRules(const FilterRules& rules);

  // Drops the open transaction (the live stream reconnected and will send
  // it again from its first event). Calls OnAbandon when chunks of it were
  // delivered.
  Status AbandonOpenTransaction();

  bool in_transaction() const { return state_ != State::kOutside; }
  const MariadbGtidList& gtid_state() const { return gtid_state_; }
  const AssemblerStats& stats() const { return stats_; }
  SchemaHistory& schema_history() { return history_; }
  void set_schema_history(SchemaHistory history) { history_ = std::move(history); }

 private:
  enum class State : uint8_t { kOutside, kGroupStarted, kStandalone, kInTransaction };
  struct TableDecision {
    bool keep = false;
    std::vector<std::byte> body;  // kept: TABLE_MAP body with the database renamed
    std::string database, table;  // replica-side names (for messages)
  };

  Status OnTableMap(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde);
  Status OnRows(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde);
  Status OnQuery(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde);
  Status OnStatement(const binlog::ReadEvent& ev, const binlog::QueryEvent& q);
  Status OpenGroup(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde);
  Status Complete(const binlog::ReadEvent& ev);
  Status MaybeFlushChunk(const binlog::ReadEvent& ev);
  void ClearOpen();
  void EnsureBuffer();
  void ReserveNext(size_t last_size);
  void ClearTableMaps();
  std::string Where(const binlog::ReadEvent& ev) const;
  uint64_t EndOf(const binlog::ReadEvent& ev) const {
    return ev.inside_payload ? payload_end_ : ev.offset + ev.frame.header.event_length;
  }

  const FilterRules* rules_;
  StatementRouter router_;
  TransactionSink& sink_;
  AssemblerOptions options_;
  SchemaHistory history_;
  AssemblerStats stats_;

  std::string_view file_;  // valid during Feed()
  bool mariadb_source_ = false;
  uint64_t payload_end_ = 0;

  binlog::TableMapCache cache_;
  std::unordered_map<uint64_t, TableDecision> decisions_;
  std::vector<std::byte> scratch_;

  State state_ = State::kOutside;
  MariadbGtidList gtid_state_;
  bool has_maria_gtid_ = false;
  bool start_alter_ = false;  // MariaDB GTID with FL_START_ALTER_E1 (two-phase ALTER)
  MariadbGtid maria_gtid_;
  std::string gtid_text_;
  uint32_t group_server_id_ = 0;
  Transaction current_;
  uint32_t chunk_ = 0;                  // chunks delivered of the open transaction
  std::vector<uint64_t> maps_in_chunk_; // table ids whose TABLE_MAP is in current_ (after a flush)
  size_t reserve_hint_ = 1024;          // initial capacity of the next transaction's buffer
  SourcePoint point_;                   // reused for OnPositionAdvanced
};

}  // namespace vomsrepl::txn
