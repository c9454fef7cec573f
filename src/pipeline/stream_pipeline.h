// StreamPipeline: a start point becomes assembled transactions. The one loop
// of "read events, assemble them" for `vomsrepl run` (the feeder) and
// `vomsrepl catchup`; the live `dump`/`stats` walk the same streams without
// assembling (app/binlog_walk.h).
//
//   source::MasterStream ──► source::LiveStream ──┐
//   (MasterConfig::start)                         ├──► txn::TransactionAssembler ──► its sink
//   source::FileStream ───────────────────────────┘
//   (FileStreamOptions::SetStart)
//
// Where a stream starts is a source::StartPoint (source/start_point.h) in
// both cases. A reconnect of the master stream that cut a transaction makes
// the assembler abandon what it holds of it (the stream sends the
// transaction again from its first event; chunks already delivered are
// discarded by the sink's OnAbandon); a failure to abandon ends the run with
// that error.
//
// Run*() return what ended the stream: OutOfRange "end of input" at the end
// of files or of a non-blocking master stream, Aborted after
// MasterStream::Cancel() or a sink's stop, else the first error of the
// stream, the assembler, its sink or the after-event hook.
//
// Thread-safety: one thread at a time; MasterStream::Cancel() from any.
#pragma once

#include <functional>

#include <vomsrepl/status.h>

#include "source/file_stream.h"
#include "source/live_stream.h"
#include "source/master_stream.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::pipeline {

class StreamPipeline {
 public:
  // Called after each event was fed to the assembler (metrics, checkpoints);
  // a non-OK status ends the run with it.
  using AfterEvent = std::function<Status(const source::FileEvent&)>;
  // Told when a reconnect cut a transaction, after the assembler abandoned it.
  using OnCut = std::function<void(const Status& cause)>;

  explicit StreamPipeline(txn::TransactionAssembler& assembler) : assembler_(assembler) {}
  // Called with each event before the assembler sees it (the feeder swaps
  // its filter rules there, between transactions).
  void set_before_event(AfterEvent before) { before_event_ = std::move(before); }

  // From a connected master stream (MasterStream::Connect() done).
  Status RunMaster(source::MasterStream& master, const OnCut& on_cut = {}, const AfterEvent& after_event = {});
  // From binlog files (FileStream::Validate() done or not: the first Next() checks).
  Status RunFiles(source::FileStream& files, const AfterEvent& after_event = {});

 private:
  template <class Stream>
  Status Run(Stream& stream, const Status& cut_error, const AfterEvent& after_event);

  txn::TransactionAssembler& assembler_;
  AfterEvent before_event_;
};

}  // namespace vomsrepl::pipeline
