// EventSource: the seam between where binlog events come from (a live master,
// binlog files) and what consumes them (decoder, transaction assembly).
//
// A source hands out one raw event at a time. The bytes are exactly what the
// server wrote: the 19-byte v4 header, the body and, when the stream carries
// checksums, the 4-byte CRC32. They stay valid until the next call to Next()
// on the same source (zero copy: the source reuses its buffer).
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include <vomsrepl/event.h>
#include <vomsrepl/status.h>

namespace vomsrepl {

struct SourceEvent {
  EventHeader header;               // parsed from `raw`
  std::span<const std::byte> raw;   // header + body (+ CRC32); valid until the next Next()
  std::string_view file;            // binlog file the event belongs to; valid until the next Next()
  uint64_t offset = 0;              // offset of the event's first byte in `file`
  bool artificial = false;          // fake ROTATE / FDE sent by a master, not in the file
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Fills `out` with the next event. Returns OutOfRange at the normal end of
  // the input (end of the last file, stop position reached, non-blocking
  // stream drained); any other non-OK status is an error naming the file and
  // offset.
  virtual Status Next(SourceEvent* out) = 0;
};

}  // namespace vomsrepl
