#include "binlog/event_frame.h"

#include <cstdio>
#include <string>

#include "binlog/crc32.h"

namespace vomsrepl::binlog {
namespace {

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

}  // namespace

EventHeader ParseEventHeader(Bytes bytes) {
  ByteCursor c(bytes.first(EventHeader::kSize));
  EventHeader h;
  h.timestamp = c.ReadU32();
  h.type = static_cast<EventType>(c.ReadU8());
  h.server_id = c.ReadU32();
  h.event_length = c.ReadU32();
  h.next_position = c.ReadU32();
  h.flags = c.ReadU16();
  return h;
}

bool EventHasChecksum(Bytes raw, const FormatDescription& fde) {
  if (raw.size() >= EventHeader::kSize &&
      static_cast<EventType>(std::to_integer<uint8_t>(raw[4])) == EventType::kFormatDescription) {
    EventHeader h = ParseEventHeader(raw);
    if (h.event_length > raw.size() || h.event_length < EventHeader::kSize) return false;
    auto body = raw.subspan(EventHeader::kSize, h.event_length - EventHeader::kSize);
    auto fd = DecodeFormatDescription(body);
    return fd.ok() && fd->HasChecksum();
  }
  return fde.HasChecksum();
}

Result<EventFrame> FrameEvent(Bytes bytes, bool has_checksum, bool verify_checksum, std::string_view where) {
  if (bytes.size() < EventHeader::kSize)
    return OutOfRange("truncated event header at " + std::string(where) + ": " + std::to_string(bytes.size()) +
                      " of 19 bytes");
  EventFrame f;
  f.header = ParseEventHeader(bytes);
  const uint32_t len = f.header.event_length;
  const size_t min_len = EventHeader::kSize + (has_checksum ? 4 : 0);
  if (len < min_len)
    return Corruption("bad event length " + std::to_string(len) + " for " +
                      std::string(EventTypeName(f.header.type)) + " event at " + std::string(where));
  if (len > bytes.size())
    return OutOfRange("truncated " + std::string(EventTypeName(f.header.type)) + " event at " + std::string(where) +
                      ": header says " + std::to_string(len) + " bytes, " + std::to_string(bytes.size()) +
                      " available");
  f.raw = bytes.first(len);
  size_t body_end = len - (has_checksum ? 4 : 0);
  f.body = f.raw.subspan(EventHeader::kSize, body_end - EventHeader::kSize);
  if (has_checksum && verify_checksum) {
    uint32_t stored = uint32_t(LoadLE<4>(f.raw.data() + body_end));
    uint32_t crc;
    if (f.header.type == EventType::kFormatDescription && (f.header.flags & kEventFlagBinlogInUse)) {
      std::byte flags_low = f.raw[17] & std::byte{0xfe};
      crc = Crc32(0, f.raw.first(17));
      crc = Crc32(crc, Bytes(&flags_low, 1));
      crc = Crc32(crc, f.raw.subspan(18, body_end - 18));
    } else {
      crc = Crc32(0, f.raw.first(body_end));
    }
    if (crc != stored)
      return Corruption("CRC32 mismatch in " + std::string(EventTypeName(f.header.type)) + " event at " +
                        std::string(where) + ": stored " + Hex32(stored) + ", computed " + Hex32(crc));
  }
  return f;
}

}  // namespace vomsrepl::binlog
