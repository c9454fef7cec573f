#include "binlog/decoded_event.h"

#include <string>
#include <type_traits>

namespace vomsrepl::binlog {
namespace {

// The decoded value as the event (Event = T), or wrapped in Event (a
// std::string_view decoder whose event struct holds only that field).
template <class Event = void, class T>
Result<DecodedEvent> Wrap(Result<T> r) {
  if (!r.ok()) return r.status();
  if constexpr (std::is_void_v<Event>) {
    return DecodedEvent(std::move(*r));
  } else {
    return DecodedEvent(Event{*r});
  }
}

}  // namespace

// MySQL libbinlogevents binlog_event.h Log_event_type; MariaDB sql/log_event.h.
bool IsRowsEventType(EventType type) {
  switch (type) {
    case EventType::kPreGaWriteRows:
    case EventType::kPreGaUpdateRows:
    case EventType::kPreGaDeleteRows:
    case EventType::kWriteRowsV1:
    case EventType::kUpdateRowsV1:
    case EventType::kDeleteRowsV1:
    case EventType::kWriteRowsV2:
    case EventType::kUpdateRowsV2:
    case EventType::kDeleteRowsV2:
    case EventType::kPartialUpdateRows:
    case EventType::kWriteRowsCompressedV1:
    case EventType::kUpdateRowsCompressedV1:
    case EventType::kDeleteRowsCompressedV1:
    case EventType::kWriteRowsCompressed:
    case EventType::kUpdateRowsCompressed:
    case EventType::kDeleteRowsCompressed:
      return true;
    default:
      return false;
  }
}

Result<DecodedEvent> DecodeEvent(const EventFrame& frame, const FormatDescription& fde,
                                 std::vector<std::byte>& scratch) {
  const EventHeader& h = frame.header;
  const Bytes body = frame.body;
  switch (h.type) {
    case EventType::kFormatDescription: return DecodedEvent(FormatDescriptionRef{body});
    case EventType::kQuery:
    case EventType::kQueryCompressed:
    case EventType::kExecuteLoadQuery: return Wrap(DecodeQuery(h.type, body, fde, scratch));
    case EventType::kRotate: return Wrap(DecodeRotate(body, fde, h.flags));
    case EventType::kStop: return DecodedEvent(StopEvent{});
    case EventType::kXid: return Wrap(DecodeXid(body));
    case EventType::kIntvar: return Wrap(DecodeIntvar(body));
    case EventType::kRand: return Wrap(DecodeRand(body));
    case EventType::kUserVar: return Wrap(DecodeUserVar(body));
    case EventType::kIncident: return Wrap(DecodeIncident(body));
    case EventType::kHeartbeat:
    case EventType::kHeartbeatV2: return Wrap(DecodeHeartbeat(h.type, body, h.next_position));
    case EventType::kRowsQuery:
    case EventType::kAnnotateRows: return Wrap<RowsQueryEvent>(DecodeRowsQuery(h.type, body));
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
    case EventType::kGtidTagged: return Wrap(DecodeMysqlGtid(h.type, body));
    case EventType::kPreviousGtids: return DecodedEvent(PreviousGtidsRef{body});
    case EventType::kMariaGtid: return Wrap(DecodeMariaGtid(body, h.server_id));
    case EventType::kMariaGtidList: return Wrap(DecodeMariaGtidListView(body));
    case EventType::kBinlogCheckpoint: return Wrap<BinlogCheckpointEvent>(DecodeBinlogCheckpoint(body));
    case EventType::kStartEncryption: {
      auto e = DecodeStartEncryption(body);
      if (!e.ok()) return e.status();
      return EncryptedBinlogNotSupported(*e, "this position");
    }
    case EventType::kTransactionPayload: return Wrap(DecodeTransactionPayload(body));
    case EventType::kTransactionContext: return Wrap(DecodeTransactionContext(body));
    case EventType::kViewChange: return Wrap(DecodeViewChange(body));
    case EventType::kXaPrepare: return Wrap(DecodeXaPrepare(body));
    case EventType::kStartV3: return Wrap(DecodeStartV3(body));
    case EventType::kLoad:
    case EventType::kNewLoad:
    case EventType::kCreateFile: return Wrap(DecodeLoad(h.type, body, fde));
    case EventType::kAppendBlock:
    case EventType::kBeginLoadQuery: return Wrap(DecodeAppendBlock(body));
    case EventType::kExecLoad:
    case EventType::kDeleteFile: return Wrap(DecodeFileId(h.type, body));
    case EventType::kTableMap: return DecodedEvent(RawTableMapRef{body});
    case EventType::kIgnorable: return DecodedEvent(IgnorableEventRef{static_cast<uint8_t>(h.type), body});
    default:
      if (IsRowsEventType(h.type)) return DecodedEvent(RawRowsEventRef{h.type, body});
      if (h.flags & kEventFlagIgnorable) return DecodedEvent(IgnorableEventRef{static_cast<uint8_t>(h.type), body});
      return NotSupported("event type " + std::to_string(static_cast<int>(h.type)) + " (" +
                          std::string(EventTypeName(h.type)) + ") is not decoded and not marked ignorable");
  }
}

}  // namespace vomsrepl::binlog
