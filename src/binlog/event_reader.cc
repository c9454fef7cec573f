#include "binlog/event_reader.h"

#include <cstring>

#include "binlog/compression.h"
#include "binlog/events.h"

namespace vomsrepl::binlog {

bool IsKnownEventType(EventType type) {
  uint8_t t = static_cast<uint8_t>(type);
  return (t >= 1 && t <= 42) || (t >= 160 && t <= 171);
}

EventReader::EventReader(Bytes file, std::string file_name, bool verify_checksum)
    : file_(file), file_name_(std::move(file_name)), verify_checksum_(verify_checksum) {}

std::string EventReader::Where(uint64_t offset) const { return file_name_ + ":" + std::to_string(offset); }

Status EventReader::Seek(uint64_t offset) {
  if (offset < 4 || offset > file_.size())
    return InvalidArgument("position " + std::to_string(offset) + " is outside " + file_name_ + " (" +
                           std::to_string(file_.size()) + " bytes)");
  if (offset > 4) {
    // Read the FDE first so that checksums and post-header lengths are known.
    ReadEvent ev;
    VOMSREPL_RETURN_IF_ERROR(ReadOuter(&ev));
    if (ev.frame.header.type != EventType::kFormatDescription)
      return NotSupported(file_name_ + " does not start with a FORMAT_DESCRIPTION event");
  }
  pos_ = offset;
  inner_ = {};
  return Status::OK();
}

Status EventReader::Next(ReadEvent* out) {
  if (!inner_.empty()) return ReadInner(out);
  return ReadOuter(out);
}

Status EventReader::ReadOuter(ReadEvent* out) {
  if (!magic_checked_) {
    if (file_.size() < 4 || std::memcmp(file_.data(), kBinlogMagic, 4) != 0)
      return Corruption(file_name_ + " is not a binlog file (bad magic number)");
    magic_checked_ = true;
  }
  if (pos_ == file_.size()) {
    at_end_ = true;
    return OutOfRange("end of file " + file_name_);
  }
  Bytes rest = file_.subspan(pos_);
  bool has_checksum = EventHasChecksum(rest, fde_);
  VOMSREPL_ASSIGN_OR_RETURN(out->frame, FrameEvent(rest, has_checksum, verify_checksum_, Where(pos_)));
  out->offset = pos_;
  out->inside_payload = false;
  const EventHeader& h = out->frame.header;
  if (h.type == EventType::kFormatDescription) {
    // The FDE decoder wants the alg byte and CRC32, which framing stripped.
    auto fde = DecodeFormatDescription(out->frame.raw.subspan(EventHeader::kSize));
    if (!fde.ok()) return fde.status().WithContext("Format_desc event at " + Where(pos_));
    fde_ = std::move(*fde);
    seen_fde_ = true;
  } else if (!seen_fde_) {
    if (h.type == EventType::kStartV3)
      return NotSupported("binlog format v1/v3 (MySQL before 5.0) in " + file_name_);
    return Corruption(file_name_ + ": first event is " + std::string(EventTypeName(h.type)) +
                      ", not FORMAT_DESCRIPTION");
  } else if (!IsKnownEventType(h.type)) {
    if ((h.flags & kEventFlagIgnorable) == 0)
      return NotSupported("unknown event type " + std::to_string(static_cast<int>(h.type)) + " at " + Where(pos_) +
                          " (not marked ignorable)");
  } else if (h.type == EventType::kStartEncryption) {
    return NotSupported("encrypted binlog (Start_encryption event at " + Where(pos_) +
                        "): decryption needs the server's key management plugin and is not supported");
  } else if (h.type == EventType::kTransactionPayload) {
    auto tp = DecodeTransactionPayload(out->frame.body);
    if (!tp.ok()) return tp.status().WithContext("at " + Where(pos_));
    if (tp->compression == 255) {
      payload_buffer_.assign(tp->payload.begin(), tp->payload.end());
    } else {
      VOMSREPL_RETURN_IF_ERROR(UncompressZstdPayload(tp->payload, tp->uncompressed_size, payload_buffer_)
                                   .WithContext("Transaction_payload at " + Where(pos_)));
    }
    inner_ = Bytes(payload_buffer_.data(), payload_buffer_.size());
    payload_offset_ = pos_;
  }
  pos_ += h.event_length;
  return Status::OK();
}

Status EventReader::ReadInner(ReadEvent* out) {
  auto frame = FrameEvent(inner_, /*has_checksum=*/false, false, Where(payload_offset_) + " (inside payload)");
  if (!frame.ok()) {
    inner_ = {};
    if (frame.status().code() == StatusCode::kOutOfRange)
      return Corruption(std::string(frame.status().message()));
    return frame.status();
  }
  out->frame = *frame;
  out->offset = payload_offset_;
  out->inside_payload = true;
  inner_ = inner_.subspan(frame->header.event_length);
  if (!IsKnownEventType(frame->header.type))
    return NotSupported("unknown event type " + std::to_string(static_cast<int>(frame->header.type)) +
                        " inside Transaction_payload at " + Where(payload_offset_));
  return Status::OK();
}

}  // namespace vomsrepl::binlog
