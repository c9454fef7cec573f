// LiveStream: events of a live master (MasterStream) in the shape FileStream
// gives for files, so `dump --master` and `stats --master` share the walk of
// `dump FILE`: each raw event is framed and checked, the FORMAT_DESCRIPTION is
// tracked, and TRANSACTION_PAYLOAD events are followed by their inner events.
//
// A reconnect that cut a transaction (MasterStream::IsTransactionRestart) is
// reported once through `on_restart` (the stream then resends that
// transaction from its start) and the walk goes on.
// Thread-safety: one thread at a time; Cancel() of the master stream from any.
#pragma once

#include <functional>
#include <string>

#include <vomsrepl/status.h>

#include "binlog/event_reader.h"
#include "source/file_stream.h"
#include "source/master_stream.h"

namespace vomsrepl::source {

class LiveStream {
 public:
  LiveStream(MasterStream& master, bool verify_checksum, std::function<void(const Status&)> on_restart)
      : master_(master), reader_(binlog::Bytes(), "", verify_checksum), on_restart_(std::move(on_restart)) {}

  // Same contract as FileStream::Next: OutOfRange "end of input" at the end
  // of a non-blocking stream.
  Status Next(FileEvent* out);

 private:
  MasterStream& master_;
  binlog::EventReader reader_;
  std::function<void(const Status&)> on_restart_;
  std::string file_;
  bool first_ = true;
};

}  // namespace vomsrepl::source
