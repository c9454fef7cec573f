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

std::string TypeText(EventType t) {
  return std::string(EventTypeName(t)) + " (type " + std::to_string(static_cast<int>(t)) + ")";
}

}  // namespace

std::string EventLocation::ToString() const {
  std::string s(file);
  s += ':';
  s += std::to_string(offset);
  if (inside_payload) s += " (inside Transaction_payload)";
  return s;
}

// MySQL internals "Binlog Event header": timestamp 4, type 1, server_id 4,
// event_size 4, log_pos 4, flags 2.
EventHeader ParseEventHeader(Bytes bytes) {
  const std::byte* p = bytes.data();
  EventHeader h;
  h.timestamp = uint32_t(LoadLE<4>(p));
  h.type = static_cast<EventType>(std::to_integer<uint8_t>(p[4]));
  h.server_id = uint32_t(LoadLE<4>(p + 5));
  h.event_length = uint32_t(LoadLE<4>(p + 9));
  h.next_position = uint32_t(LoadLE<4>(p + 13));
  h.flags = uint16_t(LoadLE<2>(p + 17));
  return h;
}

// libbinlogevents control_events.cpp Format_description_event: binlog_version 2,
// server_version 50, create_timestamp 4, header_length 1, post-header lengths,
// then (5.6.1+ / MariaDB 5.3+) the alg byte and 4 checksum bytes at the end.
bool FdeHasChecksum(Bytes raw) {
  if (raw.size() < EventHeader::kSize) return false;
  EventHeader h = ParseEventHeader(raw);
  if (h.event_length > raw.size() || h.event_length < EventHeader::kSize + 2 + 50 + 4 + 1 + 5) return false;
  Bytes body = raw.subspan(EventHeader::kSize, h.event_length - EventHeader::kSize);
  std::string_view version = AsStringView(body.subspan(2, 50));
  version = version.substr(0, version.find('\0'));
  FormatDescription writer;
  ReadServerVersion(version, &writer);
  if (!CarriesChecksumAlgByte(writer)) return false;
  return std::to_integer<uint8_t>(body[body.size() - 5]) == uint8_t(ChecksumAlg::kCrc32);
}

bool EventHasChecksum(Bytes raw, const FormatDescription& fde) {
  if (raw.size() >= EventHeader::kSize &&
      static_cast<EventType>(std::to_integer<uint8_t>(raw[4])) == EventType::kFormatDescription)
    return FdeHasChecksum(raw);
  return fde.HasChecksum();
}

// MySQL internals "Binlog Event header" + libbinlogevents
// Log_event_footer::event_checksum_test.
Status FrameEventInto(Bytes bytes, bool has_checksum, bool verify_checksum, const EventLocation& where,
                      EventFrame* out) {
  if (bytes.size() < EventHeader::kSize)
    return OutOfRange("truncated event header at " + where.ToString() + ": " + std::to_string(bytes.size()) +
                      " of 19 bytes available");
  EventFrame& f = *out;
  f.header = ParseEventHeader(bytes);
  const uint32_t len = f.header.event_length;
  const size_t min_len = EventHeader::kSize + (has_checksum ? 4 : 0);
  if (len < min_len) [[unlikely]]
    return Corruption("bad event length " + std::to_string(len) + " (minimum " + std::to_string(min_len) + ") of " +
                      TypeText(f.header.type) + " event at " + where.ToString());
  if (len > bytes.size()) [[unlikely]]
    return OutOfRange("truncated " + TypeText(f.header.type) + " event at " + where.ToString() + ": header says " +
                      std::to_string(len) + " bytes, " + std::to_string(bytes.size()) + " available");
  f.raw = bytes.first(len);
  const size_t body_end = len - (has_checksum ? 4 : 0);
  f.body = f.raw.subspan(EventHeader::kSize, body_end - EventHeader::kSize);
  if (has_checksum && verify_checksum) {
    const uint32_t stored = uint32_t(LoadLE<4>(f.raw.data() + body_end));
    uint32_t crc;
    if (f.header.type == EventType::kFormatDescription && (f.header.flags & kEventFlagBinlogInUse)) {
      const std::byte flags_low = f.raw[17] & std::byte{0xfe};
      crc = Crc32(0, f.raw.first(17));
      crc = Crc32(crc, Bytes(&flags_low, 1));
      crc = Crc32(crc, f.raw.subspan(18, body_end - 18));
    } else {
      crc = Crc32(0, f.raw.first(body_end));
    }
    if (crc != stored) [[unlikely]]
      return Corruption("CRC32 mismatch in " + TypeText(f.header.type) + " event at " + where.ToString() +
                        ": expected (stored) " + Hex32(stored) + ", actual (computed) " + Hex32(crc));
  }
  return Status::OK();
}

Result<EventFrame> FrameEvent(Bytes bytes, bool has_checksum, bool verify_checksum, const EventLocation& where) {
  EventFrame f;
  VOMSREPL_RETURN_IF_ERROR(FrameEventInto(bytes, has_checksum, verify_checksum, where, &f));
  return f;
}

Result<EventFrame> FrameEvent(Bytes bytes, const FormatDescription& fde, bool verify_checksum,
                              const EventLocation& where) {
  return FrameEvent(bytes, EventHasChecksum(bytes, fde), verify_checksum, where);
}

}  // namespace vomsrepl::binlog
