// Event framing: split one event into header and body, and verify its CRC32.
//
// Format: MySQL internals, "Binlog Event header" (19 bytes, v4) and
// libbinlogevents binlog_event.cpp (checksum: 4 bytes after the body, CRC32 of
// header + body; an FDE's CRC is computed with LOG_EVENT_BINLOG_IN_USE_F
// cleared, since the server clears/sets that flag after writing:
// Log_event_footer::event_checksum_test).
//
// Framing allocates nothing on success: the location of an event (file name,
// offset) is only turned into text when an error is reported.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <vomsrepl/event.h>
#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

struct EventFrame {
  EventHeader header;
  Bytes body;  // after the 19-byte header, without the CRC32
  Bytes raw;   // the whole event: header + body (+ CRC32)
};

// Where an event is, for error messages: "file:offset" plus " (inside
// Transaction_payload)" for inner events. `file` is a view: the caller keeps
// the name alive for the call.
struct EventLocation {
  std::string_view file;
  uint64_t offset = 0;
  bool inside_payload = false;
  std::string ToString() const;
};

// Reads the 19-byte header at the start of `bytes`; the caller guarantees
// bytes.size() >= 19.
EventHeader ParseEventHeader(Bytes bytes);

// Frames the event at the start of `bytes`. `has_checksum` tells whether the
// event carries a CRC32 (false inside TRANSACTION_PAYLOAD and for servers
// without binlog_checksum). With `verify_checksum` false the CRC32 is stripped
// but not checked.
// Errors: OutOfRange when `bytes` holds less than the event announces
// (truncated input: "header says N bytes, M available"); Corruption for a
// length below 19 (+4 with a checksum) or a CRC mismatch (stored and computed
// values). Every message names the location and the event type.
Result<EventFrame> FrameEvent(Bytes bytes, bool has_checksum, bool verify_checksum, const EventLocation& where);

// Same as above, writing the frame into `*out` (the hot path of EventReader: no
// EventFrame temporary copied through Result<>, whose field-by-field stores then
// wide reloads stalled store forwarding and cost ~40% of a framing walk). On
// error `*out` is unspecified.
Status FrameEventInto(Bytes bytes, bool has_checksum, bool verify_checksum, const EventLocation& where,
                      EventFrame* out);

// Same, deciding `has_checksum` from `fde` (for an FDE event itself, from its
// own checksum-algorithm byte: EventHasChecksum).
Result<EventFrame> FrameEvent(Bytes bytes, const FormatDescription& fde, bool verify_checksum,
                              const EventLocation& where);

// True when the event starting at `raw` carries a CRC32 under `fde`: the FDE
// event decides for itself from its alg byte (FdeHasChecksum).
bool EventHasChecksum(Bytes raw, const FormatDescription& fde);

// For a FORMAT_DESCRIPTION event starting at `raw`: does its own alg byte say
// CRC32? Reads only the server version and the alg byte (no allocation).
bool FdeHasChecksum(Bytes raw);

}  // namespace vomsrepl::binlog
