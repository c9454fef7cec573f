// EventReader: walks the events of one binlog or relay-log file held in
// memory, tracking the FORMAT_DESCRIPTION in force and expanding
// TRANSACTION_PAYLOAD events into their inner events.
//
// Contract: Next() returns each event in file order; after a
// TRANSACTION_PAYLOAD event it returns the events inside it (marked
// `inside_payload`, with the payload event's offset) before the next outer
// event. Frames point into the file buffer or the reader's decompression
// buffer and are valid until the next call. At the clean end of the file
// Next() returns OutOfRange with an empty message prefix "end of file"
// (`at_end()` is then true); a truncated last event is OutOfRange with the
// offset and lengths, and at_end() stays false.
//
// An unknown event type is skipped by size when its header carries
// LOG_EVENT_IGNORABLE_F, else NotSupported naming type, file and offset.
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/event_frame.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

inline constexpr uint8_t kBinlogMagic[4] = {0xfe, 0x62, 0x69, 0x6e};

struct ReadEvent {
  EventFrame frame;
  uint64_t offset = 0;          // file offset of the event (of the payload event for inner events)
  bool inside_payload = false;  // an event unpacked from a TRANSACTION_PAYLOAD
};

// True for event types this decoder knows (decodes or deliberately frames).
bool IsKnownEventType(EventType type);

class EventReader {
 public:
  // `file` must outlive the reader. `start_offset` 0 means "after the magic";
  // a later offset must be an event boundary (the FDE at offset 4 is still
  // read first so that checksums are known, but not returned).
  EventReader(Bytes file, std::string file_name, bool verify_checksum = true);

  Status Seek(uint64_t offset);
  Status Next(ReadEvent* out);

  const FormatDescription& format() const { return fde_; }
  const std::string& file_name() const { return file_name_; }
  uint64_t offset() const { return pos_; }  // next outer event
  bool at_end() const { return at_end_; }

 private:
  std::string Where(uint64_t offset) const;
  Status ReadOuter(ReadEvent* out);
  Status ReadInner(ReadEvent* out);

  Bytes file_;
  std::string file_name_;
  bool verify_checksum_;
  FormatDescription fde_ = FormatDescription::DefaultV4();
  bool seen_fde_ = false;
  uint64_t pos_ = 4;
  bool at_end_ = false;
  bool magic_checked_ = false;

  // TRANSACTION_PAYLOAD expansion.
  std::vector<std::byte> payload_buffer_;
  Bytes inner_;               // remaining inner events
  uint64_t payload_offset_ = 0;
};

}  // namespace vomsrepl::binlog
