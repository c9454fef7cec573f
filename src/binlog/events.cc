#include "binlog/events.h"

#include <cstdio>
#include <string>

#include "binlog/compression.h"

namespace vomsrepl::binlog {
namespace {

Status Truncated(std::string_view what) { return Corruption(std::string(what) + " event body is truncated"); }

Uuid ReadUuid(ByteCursor& c) {
  Uuid u{};
  Bytes b = c.ReadBytes(16);
  if (b.size() == 16)
    for (size_t i = 0; i < 16; ++i) u[i] = std::to_integer<uint8_t>(b[i]);
  return u;
}

// mysql::serialization variable-length unsigned integer (MySQL 8.3+
// libs/mysql/serialization/variable_length_integers.h): the number of
// trailing 1-bits of the first byte is the number of extra bytes.
uint64_t ReadVarlenUnsigned(ByteCursor& c) {
  if (c.remaining() == 0) {
    c.Invalidate();
    return 0;
  }
  uint8_t first = std::to_integer<uint8_t>(c.rest()[0]);
  int extra = std::countr_one(first);
  if (extra >= 8) {
    c.Skip(1);
    return c.ReadU64();
  }
  uint64_t v = c.ReadUIntN(size_t(extra) + 1);
  return v >> (extra + 1);
}
int64_t ReadVarlenSigned(ByteCursor& c) {
  uint64_t v = ReadVarlenUnsigned(c);
  return int64_t(v >> 1) ^ -int64_t(v & 1);
}

// 7-byte commit timestamp with the "original follows" flag in bit 55.
constexpr uint64_t kCommitTsFlag = uint64_t(1) << 55;

}  // namespace

std::string FormatUuid(const Uuid& u) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return buf;
}

// MySQL libbinlogevents statement_events.cpp Query_event::Query_event;
// MariaDB sql/log_event.cc Query_log_event (status variable codes Q_*).
Result<QueryEvent> DecodeQuery(EventType type, Bytes body, const FormatDescription& fde,
                               std::vector<std::byte>& scratch) {
  QueryEvent q;
  uint8_t post = fde.PostHeaderLength(type == EventType::kQueryCompressed ? EventType::kQuery : type);
  if (post == 0) post = 13;
  ByteCursor c(body);
  q.thread_id = c.ReadU32();
  q.exec_time = c.ReadU32();
  uint8_t db_len = c.ReadU8();
  q.error_code = c.ReadU16();
  uint16_t status_len = post >= 13 ? c.ReadU16() : 0;
  if (post > 13) c.Skip(post - 13);
  Bytes status = c.ReadBytes(status_len);
  q.database = c.ReadString(db_len);
  c.Skip(1);  // NUL after the database name
  Bytes text = c.ReadRest();
  if (!c.ok()) return Truncated("Query");

  ByteCursor s(status);
  while (s.ok() && !s.empty() && q.status_vars_complete) {
    uint8_t code = s.ReadU8();
    switch (code) {
      case 0: q.has_flags2 = true; q.flags2 = s.ReadU32(); break;
      case 1: q.has_sql_mode = true; q.sql_mode = s.ReadU64(); break;
      case 2: q.catalog = s.ReadLengthPrefixedString(); s.Skip(1); break;  // old: with NUL
      case 3: q.auto_increment_increment = s.ReadU16(); q.auto_increment_offset = s.ReadU16(); break;
      case 4:
        q.has_charset = true;
        q.charset_client = s.ReadU16();
        q.collation_connection = s.ReadU16();
        q.collation_server = s.ReadU16();
        break;
      case 5: q.time_zone = s.ReadLengthPrefixedString(); break;
      case 6: q.catalog = s.ReadLengthPrefixedString(); break;
      case 7: q.lc_time_names = s.ReadU16(); break;
      case 8: q.charset_database = s.ReadU16(); break;
      case 9: s.Skip(8); break;   // table_map_for_update
      case 10: s.Skip(4); break;  // master_data_written
      case 11: s.ReadLengthPrefixedString(); s.ReadLengthPrefixedString(); break;  // invoker user, host
      case 12: {                  // updated_db_names
        uint8_t n = s.ReadU8();
        if (n != 254)
          for (uint8_t i = 0; i < n && s.ok(); ++i) s.ReadNulTerminated();
        break;
      }
      case 13: q.has_microseconds = true; q.microseconds = s.ReadU24(); break;
      case 14: s.Skip(8); break;  // commit_ts (unused by servers)
      case 15: s.Skip(8); break;  // commit_ts2
      case 16: s.Skip(1); break;  // explicit_defaults_for_timestamp
      case 17: q.has_ddl_xid = true; q.ddl_xid = s.ReadU64(); break;
      case 18: s.Skip(2); break;  // default_collation_for_utf8mb4
      case 19: s.Skip(1); break;  // sql_require_primary_key
      case 20: s.Skip(1); break;  // default_table_encryption
      case 128: q.has_microseconds = true; q.microseconds = s.ReadU24(); break;  // MariaDB Q_HRNOW
      case 129: q.has_ddl_xid = true; q.ddl_xid = s.ReadU64(); break;           // MariaDB Q_XID
      case 130: s.Skip(1); break;                                               // MariaDB Q_GTID_FLAGS3
      default:
        q.status_vars_complete = false;
        q.unknown_status_var = code;
        break;
    }
  }
  if (!s.ok()) return Corruption("Query event: status variables are malformed");

  if (type == EventType::kQueryCompressed) {
    VOMSREPL_RETURN_IF_ERROR(UncompressMariadbPayload(text, scratch).WithContext("Query_compressed"));
    q.query = AsStringView({scratch.data(), scratch.size()});
  } else {
    q.query = AsStringView(text);
  }
  return q;
}

// MySQL libbinlogevents control_events.cpp Rotate_event.
Result<RotateEvent> DecodeRotate(Bytes body, const FormatDescription& fde) {
  ByteCursor c(body);
  RotateEvent r;
  uint8_t post = fde.PostHeaderLength(EventType::kRotate);
  if (post >= 8 || fde.post_header_lengths.empty()) r.position = c.ReadU64();
  r.next_file = AsStringView(c.ReadRest());
  if (!c.ok() || r.next_file.empty()) return Truncated("Rotate");
  return r;
}

Result<XidEvent> DecodeXid(Bytes body) {
  ByteCursor c(body);
  XidEvent x{c.ReadU64()};
  if (!c.ok()) return Truncated("Xid");
  return x;
}

Result<IntvarEvent> DecodeIntvar(Bytes body) {
  ByteCursor c(body);
  IntvarEvent e;
  e.kind = c.ReadU8();
  e.value = c.ReadU64();
  if (!c.ok()) return Truncated("Intvar");
  return e;
}

Result<RandEvent> DecodeRand(Bytes body) {
  ByteCursor c(body);
  RandEvent e;
  e.seed1 = c.ReadU64();
  e.seed2 = c.ReadU64();
  if (!c.ok()) return Truncated("Rand");
  return e;
}

// MySQL libbinlogevents statement_events.cpp User_var_event.
Result<UserVarEvent> DecodeUserVar(Bytes body) {
  ByteCursor c(body);
  UserVarEvent u;
  uint32_t name_len = c.ReadU32();
  u.name = c.ReadString(name_len);
  u.is_null = c.ReadU8() != 0;
  if (!u.is_null) {
    u.value_type = c.ReadU8();
    u.charset = c.ReadU32();
    uint32_t len = c.ReadU32();
    u.value = c.ReadBytes(len);
    if (!c.empty()) u.flags = c.ReadU8();
  }
  if (!c.ok()) return Truncated("User_var");
  return u;
}

Result<IncidentEvent> DecodeIncident(Bytes body) {
  ByteCursor c(body);
  IncidentEvent e;
  e.incident = c.ReadU16();
  if (!c.empty()) e.message = c.ReadLengthPrefixedString();
  if (!c.ok()) return Truncated("Incident");
  return e;
}

Result<std::string_view> DecodeRowsQuery(EventType type, Bytes body) {
  ByteCursor c(body);
  if (type == EventType::kRowsQuery) c.Skip(1);  // length byte, ignored (text runs to the end)
  std::string_view text = AsStringView(c.ReadRest());
  if (!c.ok()) return Truncated("Rows_query");
  return text;
}

// MySQL libbinlogevents control_events.cpp Gtid_event (5.6 short body,
// 5.7 logical clock, 8.0 commit timestamps, transaction length, server
// versions); GTID_TAGGED_LOG_EVENT (MySQL 8.3+) in mysql::serialization form.
Result<MysqlGtidEvent> DecodeMysqlGtid(EventType type, Bytes body) {
  MysqlGtidEvent g;
  g.anonymous = type == EventType::kAnonymousGtid;
  ByteCursor c(body);
  if (type == EventType::kGtidTagged) {
    ReadVarlenUnsigned(c);  // serialization format version
    uint64_t size = ReadVarlenUnsigned(c);
    ReadVarlenUnsigned(c);  // last non-ignorable field id
    if (!c.ok() || size != body.size()) return Corruption("Gtid_tagged event: bad message size");
    while (c.ok() && !c.empty()) {
      uint64_t field = ReadVarlenUnsigned(c);
      switch (field) {
        case 0: g.flags = uint8_t(ReadVarlenUnsigned(c)); break;
        case 1:
          for (auto& b : g.sid) b = uint8_t(ReadVarlenUnsigned(c));
          break;
        case 2: g.gno = uint64_t(ReadVarlenSigned(c)); break;
        case 3: g.tag = c.ReadString(size_t(ReadVarlenUnsigned(c))); break;
        case 4: g.has_logical_clock = true; g.last_committed = uint64_t(ReadVarlenSigned(c)); break;
        case 5: g.sequence_number = uint64_t(ReadVarlenSigned(c)); break;
        case 6: g.immediate_commit_us = ReadVarlenUnsigned(c); break;
        case 7: g.original_commit_us = ReadVarlenUnsigned(c); break;
        case 8: g.transaction_length = ReadVarlenUnsigned(c); break;
        default: ReadVarlenUnsigned(c); break;  // server versions, commit group ticket, future integer fields
      }
    }
    if (!c.ok()) return Truncated("Gtid_tagged");
    if (g.original_commit_us == 0) g.original_commit_us = g.immediate_commit_us;
    return g;
  }
  g.flags = c.ReadU8();
  g.sid = ReadUuid(c);
  g.gno = c.ReadU64();
  if (!c.ok()) return Truncated("Gtid");
  if (c.remaining() >= 17 && c.rest()[0] == std::byte{2}) {  // LOGICAL_TIMESTAMP_TYPECODE
    c.Skip(1);
    g.has_logical_clock = true;
    g.last_committed = c.ReadU64();
    g.sequence_number = c.ReadU64();
  }
  if (c.remaining() >= 7) {
    g.immediate_commit_us = c.ReadU56();
    if (g.immediate_commit_us & kCommitTsFlag) {
      g.immediate_commit_us &= ~kCommitTsFlag;
      g.original_commit_us = c.ReadU56();
    } else {
      g.original_commit_us = g.immediate_commit_us;
    }
    if (!c.empty()) g.transaction_length = c.ReadPackedInt();
    // Server versions and the commit group ticket follow; not needed.
  }
  if (!c.ok()) return Truncated("Gtid");
  return g;
}

// MySQL libbinlogevents control_events.cpp Previous_gtids_event / Gtid_set
// encoding; tagged format (8.3+): word 0 = format | n_sids << 8 | format << 56,
// and each SID carries a tag (varlen length + text).
Result<std::vector<PreviousGtidsEntry>> DecodePreviousGtids(Bytes body) {
  ByteCursor c(body);
  uint64_t word = c.ReadU64();
  bool tagged = (word >> 56) == 1;
  uint64_t n_sids = tagged ? (word >> 8) & ((uint64_t(1) << 48) - 1) : word;
  if (!c.ok() || n_sids > body.size() / 16) return Corruption("Previous_gtids event: bad SID count");
  std::vector<PreviousGtidsEntry> out;
  out.reserve(size_t(n_sids));
  for (uint64_t i = 0; i < n_sids && c.ok(); ++i) {
    PreviousGtidsEntry e;
    e.sid = ReadUuid(c);
    if (tagged) e.tag = std::string(c.ReadString(size_t(ReadVarlenUnsigned(c))));
    uint64_t n = c.ReadU64();
    if (!c.ok() || n > c.remaining() / 16) return Corruption("Previous_gtids event: bad interval count");
    for (uint64_t k = 0; k < n; ++k) {
      GtidInterval iv;
      iv.start = c.ReadU64();
      iv.end = c.ReadU64();
      e.intervals.push_back(iv);
    }
    out.push_back(std::move(e));
  }
  if (!c.ok()) return Truncated("Previous_gtids");
  return out;
}

// MariaDB sql/log_event.cc Gtid_log_event::Gtid_log_event.
Result<MariaGtidEvent> DecodeMariaGtid(Bytes body, uint32_t server_id) {
  ByteCursor c(body);
  MariaGtidEvent g;
  g.server_id = server_id;
  g.seq_no = c.ReadU64();
  g.domain_id = c.ReadU32();
  g.flags2 = c.ReadU8();
  if (!c.ok()) return Truncated("Gtid");
  if (g.flags2 & kMariaGtidGroupCommitId) {
    g.commit_id = c.ReadU64();
  } else if (g.flags2 & (kMariaGtidPreparedXa | kMariaGtidCompletedXa)) {
    c.Skip(4);  // XID format id
    uint8_t gtrid = c.ReadU8();
    uint8_t bqual = c.ReadU8();
    c.Skip(size_t(gtrid) + bqual);
  } else {
    c.Skip(6);  // padding of the 19-byte post-header
  }
  if (c.ok() && !c.empty()) g.flags_extra = c.ReadU8();
  if (!c.ok()) return Truncated("Gtid");
  return g;
}

Status DecodeMariaGtidList(Bytes body, std::vector<MariaGtidListEntry>& out) {
  ByteCursor c(body);
  uint32_t count = c.ReadU32() & 0x0fffffff;  // high 4 bits are flags
  if (!c.ok() || count > body.size() / 16) return Corruption("Gtid_list event: bad count");
  out.resize(count);
  for (auto& e : out) {
    e.domain_id = c.ReadU32();
    e.server_id = c.ReadU32();
    e.seq_no = c.ReadU64();
  }
  if (!c.ok()) return Truncated("Gtid_list");
  return Status::OK();
}

Result<std::string_view> DecodeBinlogCheckpoint(Bytes body) {
  ByteCursor c(body);
  uint32_t n = c.ReadU32();
  std::string_view name = c.ReadString(n);
  if (!c.ok()) return Truncated("Binlog_checkpoint");
  return name;
}

// MySQL libbinlogevents control_events.cpp Transaction_payload_event: TLV
// header of (type, length, value) with packed integers, end mark 0, payload.
Result<TransactionPayloadEvent> DecodeTransactionPayload(Bytes body) {
  ByteCursor c(body);
  TransactionPayloadEvent t;
  bool have_size = false;
  while (c.ok()) {
    uint64_t field = c.ReadPackedInt();
    if (!c.ok()) break;
    if (field == 0) break;  // end of header
    uint64_t len = c.ReadPackedInt();
    Bytes value = c.ReadBytes(size_t(len));
    ByteCursor v(value);
    switch (field) {
      case 1: t.payload_size = v.ReadPackedInt(); have_size = true; break;
      case 2: t.compression = uint8_t(v.ReadPackedInt()); break;
      case 3: t.uncompressed_size = v.ReadPackedInt(); break;
      default: break;  // unknown header fields are length-delimited
    }
    if (!v.ok()) return Corruption("Transaction_payload event: malformed header field " + std::to_string(field));
  }
  if (!c.ok()) return Truncated("Transaction_payload");
  t.payload = c.ReadRest();
  if (have_size && t.payload_size != t.payload.size())
    return Corruption("Transaction_payload event: header says " + std::to_string(t.payload_size) +
                      " payload bytes, event holds " + std::to_string(t.payload.size()));
  if (t.compression != 0 && t.compression != 255)
    return NotSupported("Transaction_payload compression type " + std::to_string(t.compression));
  return t;
}

}  // namespace vomsrepl::binlog
