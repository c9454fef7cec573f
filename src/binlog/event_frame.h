// Event framing: split one event into header and body, and verify its CRC32.
//
// Format: MySQL internals, "Binlog Event header" (19 bytes, v4) and
// libbinlogevents binlog_event.cpp (checksum: 4 bytes after the body, CRC32 of
// header + body; an FDE's CRC is computed with LOG_EVENT_BINLOG_IN_USE_F
// cleared, since the server sets that flag after writing).
#pragma once

#include <cstdint>
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

// Reads the 19-byte header at the start of `bytes` (which must hold it).
EventHeader ParseEventHeader(Bytes bytes);

// Frames the event at the start of `bytes`. `fde` is the description in force
// (for an FDE event itself, its own alg byte decides). `has_checksum` tells
// whether the event carries a CRC32 (false inside TRANSACTION_PAYLOAD).
// Errors: OutOfRange when `bytes` holds less than the event announces
// (truncated input); Corruption for a bad length or CRC. `where` ("file:offset")
// goes into the messages.
Result<EventFrame> FrameEvent(Bytes bytes, bool has_checksum, bool verify_checksum, std::string_view where);

// True when the event starting at `raw` carries a CRC32 under `fde`: the FDE
// event decides for itself from its alg byte.
bool EventHasChecksum(Bytes raw, const FormatDescription& fde);

}  // namespace vomsrepl::binlog
