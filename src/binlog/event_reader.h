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
// A file of binlog format v1/v3 (first event START_V3, MySQL < 5.0) is
// NotSupported naming the server version; an encrypted binlog
// (START_ENCRYPTION) is NotSupported at that event.
//
// Performance: Next() allocates nothing (error messages excepted); a
// TRANSACTION_PAYLOAD inflates into a buffer reused across payloads. CRC32
// verification (ISA-L) can be turned off with verify_checksum = false.
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
  // `file` must outlive the reader (empty for a live stream fed through
  // FeedEvent). Seek(offset) moves to an event boundary; the FDE at offset 4
  // is still read first so that checksums are known, but not returned.
  EventReader(Bytes file, std::string file_name, bool verify_checksum = true);

  Status Seek(uint64_t offset);
  Status Next(ReadEvent* out);

  // Live streams (no file buffer): frames one whole event `raw` (header,
  // body, CRC32) that a master sent for `offset`, with the same FDE tracking,
  // checks and payload expansion as Next(). `raw` must stay valid until the
  // inner events of a TRANSACTION_PAYLOAD are read (they are copied into
  // the reader's buffer, so in practice only until FeedEvent returns). Unlike
  // a file, a stream may start with an artificial ROTATE before its FDE.
  Status FeedEvent(Bytes raw, uint64_t offset, ReadEvent* out);
  // After FeedEvent of a TRANSACTION_PAYLOAD: its inner events are pending.
  bool HasInner() const { return !inner_.empty(); }
  Status NextInner(ReadEvent* out) { return ReadInner(out); }
  void set_file_name(std::string name) { file_name_ = std::move(name); }
  // Live streams: whether events fed before the first FORMAT_DESCRIPTION (a
  // master's fake ROTATE) end with a CRC32. The reader cannot tell from the
  // bytes; the stream knows what the master was told (@master_binlog_checksum).
  void AssumeChecksumBeforeFde(bool crc32) {
    if (!seen_fde_) fde_.checksum = crc32 ? ChecksumAlg::kCrc32 : ChecksumAlg::kOff;
  }

  const FormatDescription& format() const { return fde_; }
  const std::string& file_name() const { return file_name_; }
  uint64_t offset() const { return pos_; }  // next outer event
  bool inside_payload() const { return !inner_.empty(); }
  bool at_end() const { return at_end_; }

 private:
  std::string Where(uint64_t offset) const;
  EventLocation Location(uint64_t offset, bool inside) const { return {file_name_, offset, inside}; }
  Status ReadOuter(ReadEvent* out);
  // Checks and absorbs a framed outer event at `offset` (FDE, payload,
  // unknown types); files must start with an FDE, live streams need not.
  Status AcceptOuter(ReadEvent* out, uint64_t offset, bool require_fde_first = true);
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
