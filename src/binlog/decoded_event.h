// DecodedEvent: one switch from a framed event to the view struct of its type.
//
// Non-row events are decoded here (events.h). TABLE_MAP and every rows event
// type (pre-GA v0 20-22, v1 23-25, v2 30-32, PARTIAL_UPDATE_ROWS 39, MariaDB
// compressed 166-171) come back undecoded as RawTableMapRef / RawRowsEventRef:
// their decoding needs the table map cache and is done by DecodeTableMap /
// DecodeRowsEvent (table_map.h, rows_event.h).
//
// Views point into the frame (or `scratch` for QUERY_COMPRESSED) and are valid
// until the next event is read. No allocation per event (PREVIOUS_GTIDS is
// returned as its raw body; decode it with DecodePreviousGtids).
#pragma once

#include <variant>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/event_frame.h"
#include "binlog/events.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog {

// The FDE itself: EventReader::format() holds the decoded description.
struct FormatDescriptionRef {
  Bytes body;
};
struct RawTableMapRef {
  Bytes body;
};
struct RawRowsEventRef {
  EventType type = EventType::kWriteRowsV2;
  Bytes body;
};
// An event of a type we do not know, delivered only because its header had
// LOG_EVENT_IGNORABLE_F (or an IGNORABLE_LOG_EVENT, type 28).
struct IgnorableEventRef {
  uint8_t type = 0;
  Bytes body;
};

using DecodedEvent =
    std::variant<FormatDescriptionRef, QueryEvent, RotateEvent, StopEvent, XidEvent, IntvarEvent, RandEvent,
                 UserVarEvent, IncidentEvent, HeartbeatEvent, RowsQueryEvent, MysqlGtidEvent, PreviousGtidsRef,
                 MariaGtidEvent, MariaGtidListEvent, BinlogCheckpointEvent, TransactionPayloadEvent,
                 TransactionContextEvent, ViewChangeEvent, XaPrepareEvent, StartV3Event, LoadEvent,
                 AppendBlockEvent, FileIdEvent, RawTableMapRef, RawRowsEventRef, IgnorableEventRef>;

// True for TABLE_MAP's rows-event siblings (every type RawRowsEventRef holds).
bool IsRowsEventType(EventType type);

// Decodes `frame` under `fde`. Errors name the event type; the caller adds
// the location (EventLocation). START_ENCRYPTION is NotSupported (an encrypted
// binlog), an unknown type without LOG_EVENT_IGNORABLE_F is NotSupported.
Result<DecodedEvent> DecodeEvent(const EventFrame& frame, const FormatDescription& fde,
                                 std::vector<std::byte>& scratch);

}  // namespace vomsrepl::binlog
