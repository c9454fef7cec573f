#include "binlog/event_reader.h"

#include <cstring>

#include "binlog/compression.h"
#include "binlog/events.h"

namespace vomsrepl::binlog {

bool IsKnownEventType(EventType type) {
  const uint8_t t = static_cast<uint8_t>(type);
  return (t >= 1 && t <= 42) || (t >= 160 && t <= 171);
}

EventReader::EventReader(Bytes file, std::string file_name, bool verify_checksum)
    : file_(file), file_name_(std::move(file_name)), verify_checksum_(verify_checksum) {}

std::string EventReader::Where(uint64_t offset) const { return file_name_ + ":" + std::to_string(offset); }

Status EventReader::Seek(uint64_t offset) {
  if (offset < 4 || offset > file_.size())
    return InvalidArgument("position " + std::to_string(offset) + " is outside " + file_name_ + " (" +
                           std::to_string(file_.size()) + " bytes)");
  if (offset > 4 && !seen_fde_) {
    // Read the FDE first so that checksums and post-header lengths are known.
    pos_ = 4;
    ReadEvent ev;
    VOMSREPL_RETURN_IF_ERROR(ReadOuter(&ev));
    if (ev.frame.header.type != EventType::kFormatDescription)
      return NotSupported(file_name_ + " does not start with a FORMAT_DESCRIPTION event");
    if (offset < pos_)
      return InvalidArgument("position " + std::to_string(offset) + " is inside the FORMAT_DESCRIPTION event of " +
                             file_name_ + " (events start at 4 and " + std::to_string(pos_) + ")");
  }
  pos_ = offset;
  inner_ = {};
  at_end_ = false;
  return Status::OK();
}

Status EventReader::Next(ReadEvent* out) {
  if (!inner_.empty()) return ReadInner(out);
  return ReadOuter(out);
}

// Binlog file: 4-byte magic 0xfe 'b' 'i' 'n', then events (MySQL internals
// "Binary Log Overview"); the first v4 event is a FORMAT_DESCRIPTION.
Status EventReader::ReadOuter(ReadEvent* out) {
  if (!magic_checked_) {
    if (file_.size() < 4 || std::memcmp(file_.data(), kBinlogMagic, 4) != 0)
      return Corruption(file_name_ + " is not a binlog file (bad magic number; expected fe 62 69 6e)");
    magic_checked_ = true;
  }
  if (pos_ >= file_.size()) {
    at_end_ = true;
    return OutOfRange("end of file " + file_name_);
  }
  const Bytes rest = file_.subspan(pos_);
  const bool has_checksum = EventHasChecksum(rest, fde_);
  VOMSREPL_RETURN_IF_ERROR(FrameEventInto(rest, has_checksum, verify_checksum_, Location(pos_, false), &out->frame));
  VOMSREPL_RETURN_IF_ERROR(AcceptOuter(out, pos_, /*require_fde_first=*/true));
  pos_ += out->frame.header.event_length;
  return Status::OK();
}

Status EventReader::FeedEvent(Bytes raw, uint64_t offset, ReadEvent* out) {
  inner_ = {};
  const bool has_checksum = EventHasChecksum(raw, fde_);
  VOMSREPL_RETURN_IF_ERROR(FrameEventInto(raw, has_checksum, verify_checksum_, Location(offset, false), &out->frame));
  if (out->frame.raw.size() != raw.size())
    return Corruption(std::string(EventTypeName(out->frame.header.type)) + " event at " + Where(offset) +
                      ": header says " + std::to_string(out->frame.header.event_length) + " bytes, packet holds " +
                      std::to_string(raw.size()));
  return AcceptOuter(out, offset, /*require_fde_first=*/false);
}

Status EventReader::AcceptOuter(ReadEvent* out, uint64_t offset, bool require_fde_first) {
  out->offset = offset;
  out->inside_payload = false;
  const EventHeader& h = out->frame.header;
  switch (h.type) {
    case EventType::kFormatDescription: {
      // The FDE decoder wants the alg byte and CRC32, which framing stripped.
      auto fde = DecodeFormatDescription(out->frame.raw.subspan(EventHeader::kSize));
      if (!fde.ok()) return fde.status().WithContext("Format_desc event at " + Where(offset));
      fde_ = std::move(*fde);
      seen_fde_ = true;
      break;
    }
    case EventType::kStartV3: {
      auto v3 = DecodeStartV3(out->frame.body);
      return NotSupported("binlog format v" + std::string(v3.ok() ? std::to_string(v3->binlog_version) : "1/3") +
                          " (Start_v3 event at " + Where(offset) + ", server " +
                          std::string(v3.ok() ? v3->server_version : "unknown") +
                          "): only binlog v4 (MySQL 5.0+, MariaDB) is supported");
    }
    case EventType::kStartEncryption: {
      auto enc = DecodeStartEncryption(out->frame.body);
      if (!enc.ok()) return enc.status().WithContext("at " + Where(offset));
      return EncryptedBinlogNotSupported(*enc, Where(offset));
    }
    case EventType::kTransactionPayload: {
      auto tp = DecodeTransactionPayload(out->frame.body);
      if (!tp.ok()) return tp.status().WithContext("at " + Where(offset));
      if (tp->compression == kPayloadNone) {
        payload_buffer_.assign(tp->payload.begin(), tp->payload.end());
      } else {
        VOMSREPL_RETURN_IF_ERROR(UncompressZstdPayload(tp->payload, tp->uncompressed_size, payload_buffer_)
                                     .WithContext("Transaction_payload at " + Where(offset)));
      }
      inner_ = Bytes(payload_buffer_.data(), payload_buffer_.size());
      payload_offset_ = offset;
      break;
    }
    default:
      if (!IsKnownEventType(h.type) && (h.flags & kEventFlagIgnorable) == 0) [[unlikely]]
        return NotSupported("unknown event type " + std::to_string(static_cast<int>(h.type)) + " in " + file_name_ +
                            " at offset " + std::to_string(offset) + " (not marked ignorable: cannot skip it safely)");
      break;
  }
  if (require_fde_first && !seen_fde_) [[unlikely]]
    return Corruption(file_name_ + ": first event is " + std::string(EventTypeName(h.type)) +
                      ", not FORMAT_DESCRIPTION");
  return Status::OK();
}

// MySQL libbinlogevents Transaction_payload_event: the payload holds whole
// events without checksums.
Status EventReader::ReadInner(ReadEvent* out) {
  auto frame = FrameEvent(inner_, /*has_checksum=*/false, false, Location(payload_offset_, true));
  if (!frame.ok()) {
    inner_ = {};
    if (frame.status().code() == StatusCode::kOutOfRange) return Corruption(std::string(frame.status().message()));
    return frame.status();
  }
  out->frame = *frame;
  out->offset = payload_offset_;
  out->inside_payload = true;
  inner_ = inner_.subspan(frame->header.event_length);
  const EventType t = frame->header.type;
  if ((!IsKnownEventType(t) && (frame->header.flags & kEventFlagIgnorable) == 0) ||
      t == EventType::kFormatDescription || t == EventType::kTransactionPayload || t == EventType::kRotate) {
    inner_ = {};
    return Corruption("event type " + std::to_string(static_cast<int>(t)) + " (" + std::string(EventTypeName(t)) +
                      ") cannot appear inside the Transaction_payload at " + Where(payload_offset_));
  }
  return Status::OK();
}

}  // namespace vomsrepl::binlog
