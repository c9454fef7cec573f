// BinlogWalk: the loop shared by `dump` and `stats`: reads events from a
// FileStream, keeps the table maps, applies --database/--table filters at
// TABLE_MAP (rows events of filtered tables are skipped by table id before any
// row is decoded), decodes rows events, and hands everything to a sink.
//
// Sink interface (a template parameter, no virtual call per event):
//   Status OnEvent(const source::FileEvent& ev);                 // every event delivered
//   Status OnTableMap(const source::FileEvent& ev, const binlog::TableSchema& schema, bool wanted);
//   Status OnRows(const source::FileEvent& ev, const binlog::RowsEventView& rows,
//                 const binlog::TableSchema& schema);           // wanted tables only
//   bool WantsEvent(const source::FileEvent& ev);                // false: skip non-row event by filter
//   void AttachMaster(const source::MasterStream*);              // optional: told the master it reads
// OnEvent is called first for every event, then the specific hook.
#pragma once

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <cstdio>
#include <thread>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include <vomsrepl/progress.h>
#include <vomsrepl/status.h>

#include "binlog/rows_event.h"
#include "binlog/table_map.h"
#include "source/file_stream.h"
#include "source/live_stream.h"
#include "source/master_stream.h"
#include "txn/name_filter.h"

namespace vomsrepl::app {

struct WalkFilters {
  txn::NameFilter databases;
  txn::NameFilter tables;  // matched against the table name alone and "db.table"

  bool Wants(const std::string& db, const std::string& table) const {
    if (!databases.Matches(db)) return false;
    if (tables.empty()) return true;
    return tables.MatchesAny({table, db + "." + table});
  }
};

inline std::string Where(const source::FileEvent& ev) {
  return *ev.file + ":" + std::to_string(ev.event.offset) + (ev.event.inside_payload ? " (in payload)" : "");
}

// `Stream` is source::FileStream or source::LiveStream (same Next contract).
template <class Stream>
class BinlogWalk {
 public:
  BinlogWalk(Stream& stream, const WalkFilters& filters, ProgressReporter* progress = nullptr)
      : stream_(stream), filters_(filters), progress_(progress) {}

  template <class Sink>
  Status Run(Sink& sink) {
    source::FileEvent ev;
    for (;;) {
      Status s = stream_.Next(&ev);
      if (s.code() == StatusCode::kOutOfRange && s.message() == "end of input") return Status::OK();
      if (!s.ok()) return s;
      const auto& h = ev.event.frame.header;
      const auto& fde = *ev.format;
      if (progress_ != nullptr && !ev.event.inside_payload) {
        walked_bytes_ += h.event_length;
        progress_->SetDone(walked_bytes_);  // a relaxed store: no cost per event worth measuring
      }
      if (h.type == EventType::kFormatDescription || h.type == EventType::kRotate) {
        if (!ev.event.inside_payload) Reset();
      }
      VOMSREPL_RETURN_IF_ERROR(sink.OnEvent(ev));
      if (h.type == EventType::kTableMap) {
        const binlog::TableSchema* schema = nullptr;
        Status st = cache_.Update(ev.event.frame.body, fde, &schema);
        if (!st.ok()) return st.WithContext("Table_map event at " + Where(ev));
        bool wanted = Wanted(*schema);
        VOMSREPL_RETURN_IF_ERROR(sink.OnTableMap(ev, *schema, wanted));
      } else if (binlog::IsRowsEvent(h.type)) {
        uint64_t table_id = 0;
        if (!binlog::PeekTableId(h.type, ev.event.frame.body, fde, &table_id))
          return Corruption(std::string(EventTypeName(h.type)) + " event at " + Where(ev) + " is too short");
        const binlog::TableSchema* schema = cache_.Find(table_id);
        if (schema == nullptr)
          return Corruption(std::string(EventTypeName(h.type)) + " event at " + Where(ev) + " names table id " +
                            std::to_string(table_id) + " without a preceding Table_map event");
        if (Wanted(*schema)) {
          auto rows = binlog::DecodeRowsEvent(h.type, ev.event.frame.body, fde, scratch_);
          if (!rows.ok())
            return rows.status().WithContext(std::string(EventTypeName(h.type)) + " event at " + Where(ev) +
                                             " on `" + schema->database + "`.`" + schema->table + "`");
          Status rs = sink.OnRows(ev, *rows, *schema);
          if (!rs.ok())
            return rs.WithContext(std::string(EventTypeName(h.type)) + " event at " + Where(ev) + " on `" +
                                  schema->database + "`.`" + schema->table + "`");
        }
      }
    }
  }

 private:
  void Reset() {
    cache_.Clear();
    wanted_.clear();
  }
  // Filter decision per table id, re-evaluated when the id maps another table.
  bool Wanted(const binlog::TableSchema& schema) {
    Decision& d = wanted_[schema.table_id];
    if (!d.valid || d.database != schema.database || d.table != schema.table) {
      d.valid = true;
      d.database = schema.database;
      d.table = schema.table;
      d.wanted = filters_.Wants(schema.database, schema.table);
    }
    return d.wanted;
  }
  struct Decision {
    bool valid = false;
    bool wanted = false;
    std::string database, table;
  };

  Stream& stream_;
  const WalkFilters& filters_;
  ProgressReporter* progress_;
  uint64_t walked_bytes_ = 0;
  binlog::TableMapCache cache_;
  std::unordered_map<uint64_t, Decision> wanted_;
  std::vector<std::byte> scratch_;
};

// Where `dump` and `stats` read from: files, or a live master when `master`
// is set.
struct WalkInput {
  source::FileStreamOptions files;
  std::optional<source::MasterConfig> master;
  // A progress line on stderr (bytes of binlog read; of the files' total
  // size): a line per interval when stderr is not a terminal, none when
  // stdout and stderr are both a terminal (it would cut through the output).
  std::string progress_label;  // empty: no progress line
  std::chrono::milliseconds progress_interval{10000};
};

// The reporter for `input`, or nothing (see WalkInput::progress_label).
inline std::unique_ptr<ProgressReporter> WalkProgress(const WalkInput& input) {
  if (input.progress_label.empty() || (::isatty(STDOUT_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1))
    return nullptr;
  uint64_t total = 0;
  if (!input.master) {
    for (const std::string& f : input.files.files) {
      struct stat st {};
      if (::stat(f.c_str(), &st) == 0) total += uint64_t(st.st_size);
    }
    total -= std::min<uint64_t>(total, input.files.start_position.value_or(0));
  }
  auto progress = std::make_unique<ProgressReporter>(StderrProgress(input.progress_label, "bytes", input.progress_interval));
  progress->SetTotal(total);
  return progress;
}

// Runs `sink` over the input. For a master: connects (preflight first),
// streams until the master's current end (or forever with blocking), and
// reports a reconnect that cut a transaction on stderr.
// SIGINT/SIGTERM while following a master: a thread waiting in sigwait()
// cancels the stream, so the walk ends cleanly and the output is flushed.
// The signals are blocked in the calling thread for the object's lifetime.
class StopOnSignal {
 public:
  explicit StopOnSignal(source::MasterStream& master);
  ~StopOnSignal();
  bool signalled() const { return signalled_.load(); }

 private:
  sigset_t set_{}, old_{};
  std::atomic<bool> signalled_{false};
  std::atomic<bool> done_{false};
  std::thread thread_;
};

template <class Sink>
Status WalkInputWith(const WalkInput& input, const WalkFilters& filters, Sink& sink) {
  if (input.master) {
    source::MasterStream master(*input.master);
    StopOnSignal stop(master);
    VOMSREPL_RETURN_IF_ERROR(master.Connect());
    source::LiveStream live(master, input.files.verify_checksum, [](const Status& s) {
      std::fprintf(stderr, "vomsrepl: %s; the transaction is read again from its start\n", s.ToString().c_str());
    });
    auto progress = WalkProgress(input);
    if constexpr (requires { sink.AttachMaster(&master); }) sink.AttachMaster(&master);
    BinlogWalk walk(live, filters, progress.get());
    Status s = walk.Run(sink);
    if (!s.ok() && s.code() == StatusCode::kAborted && stop.signalled()) return Status::OK();  // stopped by the operator
    return s;
  }
  source::FileStream stream(input.files);
  VOMSREPL_RETURN_IF_ERROR(stream.Validate());
  auto progress = WalkProgress(input);
  BinlogWalk walk(stream, filters, progress.get());
  return walk.Run(sink);
}

}  // namespace vomsrepl::app
