#include "binlog/events.h"

#include <bit>
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
// 4-byte server version with the "original follows" flag in bit 31.
constexpr uint32_t kServerVersionFlag = uint32_t(1) << 31;

// Parses the QUERY status-variable block into `q`. Every code is known by
// its length; an unknown one is NotSupported (its length is unknowable).
Status ParseQueryStatusVars(Bytes status, QueryEvent& q) {
  ByteCursor s(status);
  while (s.ok() && !s.empty()) {
    const size_t at = s.offset();
    const uint8_t code = s.ReadU8();
    switch (code) {
      case kQFlags2: q.has_flags2 = true; q.flags2 = s.ReadU32(); break;
      case kQSqlMode: q.has_sql_mode = true; q.sql_mode = s.ReadU64(); break;
      case kQCatalog: q.catalog = s.ReadLengthPrefixedString(); s.Skip(1); break;  // 5.0.0-5.0.3: with a NUL
      case kQAutoIncrement:
        q.has_auto_increment = true;
        q.auto_increment_increment = s.ReadU16();
        q.auto_increment_offset = s.ReadU16();
        break;
      case kQCharset:
        q.has_charset = true;
        q.charset_client = s.ReadU16();
        q.collation_connection = s.ReadU16();
        q.collation_server = s.ReadU16();
        break;
      case kQTimeZone: q.time_zone = s.ReadLengthPrefixedString(); break;
      case kQCatalogNz: q.catalog = s.ReadLengthPrefixedString(); break;
      case kQLcTimeNames: q.lc_time_names = s.ReadU16(); break;
      case kQCharsetDatabase: q.charset_database = s.ReadU16(); break;
      case kQTableMapForUpdate: q.has_table_map_for_update = true; q.table_map_for_update = s.ReadU64(); break;
      case kQMasterDataWritten: q.has_master_data_written = true; q.master_data_written = s.ReadU32(); break;
      case kQInvoker:
        q.has_invoker = true;
        q.invoker_user = s.ReadLengthPrefixedString();
        q.invoker_host = s.ReadLengthPrefixedString();
        break;
      case kQUpdatedDbNames: {
        q.has_updated_db_names = true;
        q.updated_db_count = s.ReadU8();
        if (q.updated_db_count != 254) {  // OVER_MAX_DBS_IN_EVENT_MTS: no names follow
          const size_t start = s.offset();
          for (uint8_t i = 0; i < q.updated_db_count && s.ok(); ++i) s.ReadNulTerminated();
          if (s.ok()) q.updated_db_names = status.subspan(start, s.offset() - start);
        }
        break;
      }
      case kQMicroseconds:
      case kQHrnow: q.has_microseconds = true; q.microseconds = s.ReadU24(); break;
      case kQCommitTs:
      case kQCommitTs2: q.has_commit_ts = true; q.commit_ts = s.ReadU64(); break;
      case kQExplicitDefaultsForTimestamp:
        q.has_explicit_defaults_for_timestamp = true;
        q.explicit_defaults_for_timestamp = s.ReadU8();
        break;
      case kQDdlLoggedWithXid:
      case kQXid: q.has_ddl_xid = true; q.ddl_xid = s.ReadU64(); break;
      case kQDefaultCollationForUtf8mb4: q.default_collation_for_utf8mb4 = s.ReadU16(); break;
      case kQSqlRequirePrimaryKey: q.has_sql_require_primary_key = true; q.sql_require_primary_key = s.ReadU8(); break;
      case kQDefaultTableEncryption:
        q.has_default_table_encryption = true;
        q.default_table_encryption = s.ReadU8();
        break;
      case kQGtidFlags3:  // MariaDB: flags3, then the start-alter seq_no for COMMIT/ROLLBACK ALTER
        q.has_gtid_flags3 = true;
        q.gtid_flags3 = s.ReadU8();
        if (q.gtid_flags3 & (kMariaGtidExtraCommitAlter | kMariaGtidExtraRollbackAlter)) q.sa_seq_no = s.ReadU64();
        break;
      case kQCharacterSetCollations:  // MariaDB 11.2+: count, then count x (u16, u16)
        q.character_set_collations_count = s.ReadU8();
        q.character_set_collations = s.ReadBytes(size_t(q.character_set_collations_count) * 4);
        break;
      default:
        return NotSupported("Query event: unknown status variable code " + std::to_string(code) + " at byte " +
                            std::to_string(at) + " of the status block (its length is unknown)");
    }
  }
  if (!s.ok()) return Corruption("Query event: status variables overrun their block of " +
                                 std::to_string(status.size()) + " bytes");
  return Status::OK();
}

}  // namespace

std::string FormatUuid(const Uuid& u) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
                u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return buf;
}

// MySQL libbinlogevents statement_events.cpp Query_event::Query_event;
// MariaDB sql/log_event.cc Query_log_event (+ Query_compressed_log_event,
// Execute_load_query_log_event).
Result<QueryEvent> DecodeQuery(EventType type, Bytes body, const FormatDescription& fde,
                               std::vector<std::byte>& scratch) {
  QueryEvent q;
  uint8_t post = fde.PostHeaderLength(type == EventType::kQueryCompressed ? EventType::kQuery : type);
  if (post == 0) post = type == EventType::kExecuteLoadQuery ? 26 : 13;
  ByteCursor c(body);
  q.thread_id = c.ReadU32();
  q.exec_time = c.ReadU32();
  const uint8_t db_len = c.ReadU8();
  q.error_code = c.ReadU16();
  const uint16_t status_len = post >= 13 ? c.ReadU16() : 0;  // binlog v1/v3: no status variables
  size_t extra = post > 13 ? post - 13 : 0;
  if (type == EventType::kExecuteLoadQuery && extra >= 13) {
    q.load_file_id = c.ReadU32();
    q.load_fn_pos_start = c.ReadU32();
    q.load_fn_pos_end = c.ReadU32();
    q.load_dup_handling = c.ReadU8();
    extra -= 13;
  }
  c.Skip(extra);
  q.status_vars = c.ReadBytes(status_len);
  q.database = c.ReadString(db_len);
  c.Skip(1);  // NUL after the database name
  const Bytes text = c.ReadRest();
  if (!c.ok())
    return Corruption(std::string(EventTypeName(type)) + " event of " + std::to_string(body.size()) +
                      " bytes is shorter than its fields (status variables " + std::to_string(status_len) +
                      " bytes, database name " + std::to_string(db_len) + " bytes)");
  VOMSREPL_RETURN_IF_ERROR(ParseQueryStatusVars(q.status_vars, q));
  if (type == EventType::kQueryCompressed) {
    VOMSREPL_RETURN_IF_ERROR(UncompressMariadbPayload(text, scratch).WithContext("Query_compressed event"));
    q.query = AsStringView({scratch.data(), scratch.size()});
  } else {
    q.query = AsStringView(text);
  }
  return q;
}

// MySQL libbinlogevents control_events.cpp Rotate_event: position 8 (absent
// in binlog v1), then the file name to the end of the body.
Result<RotateEvent> DecodeRotate(Bytes body, const FormatDescription& fde, uint16_t header_flags) {
  ByteCursor c(body);
  RotateEvent r;
  const uint8_t post = fde.PostHeaderLength(EventType::kRotate);
  if (post >= 8 || fde.post_header_lengths.empty()) r.position = c.ReadU64();
  r.next_file = AsStringView(c.ReadRest());
  r.artificial = (header_flags & kEventFlagArtificial) != 0;
  if (!c.ok() || r.next_file.empty()) return Truncated("Rotate");
  return r;
}

// MySQL libbinlogevents control_events.cpp Xid_event: 8-byte xid.
Result<XidEvent> DecodeXid(Bytes body) {
  ByteCursor c(body);
  XidEvent x{c.ReadU64()};
  if (!c.ok()) return Truncated("Xid");
  return x;
}

// MySQL libbinlogevents statement_events.cpp Intvar_event: type 1, value 8.
Result<IntvarEvent> DecodeIntvar(Bytes body) {
  ByteCursor c(body);
  IntvarEvent e;
  e.kind = c.ReadU8();
  e.value = c.ReadU64();
  if (!c.ok()) return Truncated("Intvar");
  return e;
}

// MySQL libbinlogevents statement_events.cpp Rand_event: seed1 8, seed2 8.
Result<RandEvent> DecodeRand(Bytes body) {
  ByteCursor c(body);
  RandEvent e;
  e.seed1 = c.ReadU64();
  e.seed2 = c.ReadU64();
  if (!c.ok()) return Truncated("Rand");
  return e;
}

// MySQL libbinlogevents statement_events.cpp User_var_event: name length 4,
// name, is_null 1, then type 1, charset 4, value length 4, value, flags 1 (5.6+).
Result<UserVarEvent> DecodeUserVar(Bytes body) {
  ByteCursor c(body);
  UserVarEvent u;
  const uint32_t name_len = c.ReadU32();
  u.name = c.ReadString(name_len);
  u.is_null = c.ReadU8() != 0;
  if (!u.is_null) {
    u.value_type = c.ReadU8();
    u.charset = c.ReadU32();
    const uint32_t len = c.ReadU32();
    u.value = c.ReadBytes(len);
    if (c.ok() && !c.empty()) u.flags = c.ReadU8();
  }
  if (!c.ok()) return Truncated("User_var");
  return u;
}

// MySQL libbinlogevents control_events.cpp Incident_event: type 2, message
// (1-byte length + text).
Result<IncidentEvent> DecodeIncident(Bytes body) {
  ByteCursor c(body);
  IncidentEvent e;
  e.incident = c.ReadU16();
  if (c.ok() && !c.empty()) e.message = c.ReadLengthPrefixedString();
  if (!c.ok()) return Truncated("Incident");
  return e;
}

// MySQL libbinlogevents control_events.cpp Heartbeat_event (v1: log name) and
// Heartbeat_event_v2 (TLV fields: packed type, packed length, value).
Result<HeartbeatEvent> DecodeHeartbeat(EventType type, Bytes body, uint32_t header_log_pos) {
  HeartbeatEvent h;
  if (type == EventType::kHeartbeat) {
    h.log_file = AsStringView(body);
    h.position = header_log_pos;
    return h;
  }
  ByteCursor c(body);
  while (c.ok() && !c.empty()) {
    const uint64_t field = c.ReadPackedInt();
    if (!c.ok() || field == 0) break;  // OTW_HB_HEADER_END_MARK
    const uint64_t len = c.ReadPackedInt();
    if (!c.ok() || len > c.remaining()) return Truncated("Heartbeat_v2");
    Bytes value = c.ReadBytes(size_t(len));
    if (field == 1) {
      h.log_file = AsStringView(value);
    } else if (field == 2) {
      ByteCursor v(value);
      h.position = v.ReadPackedInt();
      if (!v.ok()) return Corruption("Heartbeat_v2 event: bad position field");
    }  // unknown fields are length-delimited: skipped
  }
  if (!c.ok()) return Truncated("Heartbeat_v2");
  return h;
}

// MySQL libbinlogevents rows_event.cpp Rows_query_event (1 length byte,
// ignored, then the text to the end); MariaDB Annotate_rows_log_event (text only).
Result<std::string_view> DecodeRowsQuery(EventType type, Bytes body) {
  ByteCursor c(body);
  if (type == EventType::kRowsQuery) c.Skip(1);
  std::string_view text = AsStringView(c.ReadRest());
  if (!c.ok()) return Truncated("Rows_query");
  return text;
}

// MySQL libbinlogevents control_events.cpp Gtid_event (5.6 short body, 5.7
// logical clock, 8.0 commit timestamps, transaction length, server versions,
// commit group ticket); GTID_TAGGED_LOG_EVENT (MySQL 8.3+,
// libs/mysql/binlog/event/control_events.h Gtid_event::define_fields) in
// mysql::serialization form.
Result<MysqlGtidEvent> DecodeMysqlGtid(EventType type, Bytes body) {
  MysqlGtidEvent g;
  g.anonymous = type == EventType::kAnonymousGtid;
  ByteCursor c(body);
  if (type == EventType::kGtidTagged) {
    ReadVarlenUnsigned(c);  // serialization format version
    const uint64_t size = ReadVarlenUnsigned(c);
    ReadVarlenUnsigned(c);  // last non-ignorable field id
    if (!c.ok() || size != body.size())
      return Corruption("Gtid_tagged event: message size " + std::to_string(size) + " differs from the body size " +
                        std::to_string(body.size()));
    bool has_original_ts = false, has_original_version = false;
    while (c.ok() && !c.empty()) {
      const uint64_t field = ReadVarlenUnsigned(c);
      switch (field) {
        case 0: g.flags = uint8_t(ReadVarlenUnsigned(c)); break;
        case 1:
          for (auto& b : g.sid) b = uint8_t(ReadVarlenUnsigned(c));
          break;
        case 2: g.gno = uint64_t(ReadVarlenSigned(c)); break;
        case 3: g.tag = c.ReadString(size_t(ReadVarlenUnsigned(c))); break;
        case 4: g.has_logical_clock = true; g.last_committed = uint64_t(ReadVarlenSigned(c)); break;
        case 5: g.sequence_number = uint64_t(ReadVarlenSigned(c)); break;
        case 6: g.has_commit_timestamps = true; g.immediate_commit_us = ReadVarlenUnsigned(c); break;
        case 7: has_original_ts = true; g.original_commit_us = ReadVarlenUnsigned(c); break;
        case 8: g.transaction_length = ReadVarlenUnsigned(c); break;
        case 9: g.immediate_server_version = uint32_t(ReadVarlenUnsigned(c)); break;
        case 10: has_original_version = true; g.original_server_version = uint32_t(ReadVarlenUnsigned(c)); break;
        case 11: g.commit_group_ticket = ReadVarlenUnsigned(c); break;
        default:
          return NotSupported("Gtid_tagged event: unknown field id " + std::to_string(field));
      }
    }
    if (!c.ok()) return Truncated("Gtid_tagged");
    if (!has_original_ts) g.original_commit_us = g.immediate_commit_us;
    if (!has_original_version) g.original_server_version = g.immediate_server_version;
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
    g.has_commit_timestamps = true;
    g.immediate_commit_us = c.ReadU56();
    if (g.immediate_commit_us & kCommitTsFlag) {
      g.immediate_commit_us &= ~kCommitTsFlag;
      g.original_commit_us = c.ReadU56();
    } else {
      g.original_commit_us = g.immediate_commit_us;
    }
    if (c.ok() && !c.empty()) g.transaction_length = c.ReadPackedInt();
    if (c.ok() && c.remaining() >= 4) {
      g.immediate_server_version = c.ReadU32();
      if (g.immediate_server_version & kServerVersionFlag) {
        g.immediate_server_version &= ~kServerVersionFlag;
        g.original_server_version = c.ReadU32();
      } else {
        g.original_server_version = g.immediate_server_version;
      }
      if (c.ok() && c.remaining() >= 8) g.commit_group_ticket = c.ReadU64();
    }
  }
  if (!c.ok()) return Truncated("Gtid");
  return g;
}

// MySQL libbinlogevents control_events.cpp Previous_gtids_event / Gtid_set
// encoding; tagged format (8.3+): word 0 = format | n_sids << 8 | format << 56,
// and each SID carries a tag (varlen length + text).
Result<std::vector<PreviousGtidsEntry>> DecodePreviousGtids(Bytes body) {
  ByteCursor c(body);
  const uint64_t word = c.ReadU64();
  const bool tagged = (word >> 56) == 1;
  const uint64_t n_sids = tagged ? (word >> 8) & ((uint64_t(1) << 48) - 1) : word;
  if (!c.ok() || n_sids > body.size() / 16) return Corruption("Previous_gtids event: bad SID count");
  std::vector<PreviousGtidsEntry> out;
  out.reserve(size_t(n_sids));
  for (uint64_t i = 0; i < n_sids && c.ok(); ++i) {
    PreviousGtidsEntry e;
    e.sid = ReadUuid(c);
    if (tagged) e.tag = std::string(c.ReadString(size_t(ReadVarlenUnsigned(c))));
    const uint64_t n = c.ReadU64();
    if (!c.ok() || n > c.remaining() / 16) return Corruption("Previous_gtids event: bad interval count");
    e.intervals.reserve(size_t(n));
    for (uint64_t k = 0; k < n; ++k) {
      GtidInterval iv;
      iv.start = c.ReadU64();
      iv.end = c.ReadU64();
      if (iv.end <= iv.start) return Corruption("Previous_gtids event: empty or reversed interval");
      e.intervals.push_back(iv);
    }
    out.push_back(std::move(e));
  }
  if (!c.ok()) return Truncated("Previous_gtids");
  return out;
}

// MariaDB sql/log_event.cc Gtid_log_event::Gtid_log_event: seq_no 8,
// domain_id 4, flags2 1, [commit_id 8], [XA: format_id 4, gtrid_len 1,
// bqual_len 1, data], then (if bytes remain) flags_extra 1, [extra_engines 1],
// [sa_seq_no 8], [thread_id 4]; zero padding up to 19 bytes.
Result<MariaGtidEvent> DecodeMariaGtid(Bytes body, uint32_t server_id) {
  ByteCursor c(body);
  MariaGtidEvent g;
  g.server_id = server_id;
  g.seq_no = c.ReadU64();
  g.domain_id = c.ReadU32();
  g.flags2 = c.ReadU8();
  if (!c.ok()) return Truncated("Gtid");
  if (g.flags2 & kMariaGtidGroupCommitId) g.commit_id = c.ReadU64();
  if (g.flags2 & (kMariaGtidPreparedXa | kMariaGtidCompletedXa)) {
    g.xa_format_id = int32_t(c.ReadU32());
    const uint8_t gtrid = c.ReadU8();
    const uint8_t bqual = c.ReadU8();
    if (size_t(gtrid) + bqual > 128) return Corruption("Gtid event: XA xid longer than 128 bytes");
    g.xa_gtrid = c.ReadBytes(gtrid);
    g.xa_bqual = c.ReadBytes(bqual);
  }
  if (c.ok() && !c.empty()) {
    g.flags_extra = c.ReadU8();
    if (g.flags_extra & kMariaGtidExtraMultiEngine) g.extra_engines = c.ReadU8();
    if (g.flags_extra & (kMariaGtidExtraCommitAlter | kMariaGtidExtraRollbackAlter)) g.sa_seq_no = c.ReadU64();
    if (g.flags_extra & kMariaGtidExtraThreadId) g.thread_id = c.ReadU32();
  }
  if (!c.ok()) return Truncated("Gtid");
  return g;
}

// MariaDB sql/log_event.cc Gtid_list_log_event: count 4 (low 28 bits; high 4
// bits flags), then count x (domain_id 4, server_id 4, seq_no 8).
Result<MariaGtidListEvent> DecodeMariaGtidListView(Bytes body) {
  ByteCursor c(body);
  MariaGtidListEvent e;
  const uint32_t word = c.ReadU32();
  e.count = word & 0x0fffffff;
  e.flags = uint8_t(word >> 28);
  if (!c.ok() || e.count > c.remaining() / 16)
    return Corruption("Gtid_list event: count " + std::to_string(e.count) + " does not fit in " +
                      std::to_string(body.size()) + " bytes");
  e.entries = c.ReadBytes(size_t(e.count) * 16);
  return e;
}

Status DecodeMariaGtidList(Bytes body, std::vector<MariaGtidListEntry>& out) {
  VOMSREPL_ASSIGN_OR_RETURN(MariaGtidListEvent e, DecodeMariaGtidListView(body));
  out.resize(e.count);
  for (uint32_t i = 0; i < e.count; ++i) out[i] = e.at(i);
  return Status::OK();
}

// MariaDB sql/log_event.cc Binlog_checkpoint_log_event: name length 4, name.
Result<std::string_view> DecodeBinlogCheckpoint(Bytes body) {
  ByteCursor c(body);
  const uint32_t n = c.ReadU32();
  std::string_view name = c.ReadString(n);
  if (!c.ok()) return Truncated("Binlog_checkpoint");
  return name;
}

// MariaDB sql/log_event.cc Start_encryption_log_event: scheme 1,
// key_version 4, nonce 12.
Result<StartEncryptionEvent> DecodeStartEncryption(Bytes body) {
  ByteCursor c(body);
  StartEncryptionEvent e;
  e.scheme = c.ReadU8();
  e.key_version = c.ReadU32();
  e.nonce = c.ReadBytes(12);
  if (!c.ok()) return Truncated("Start_encryption");
  return e;
}

Status EncryptedBinlogNotSupported(const StartEncryptionEvent& e, std::string_view where) {
  return NotSupported("encrypted binlog (Start_encryption event at " + std::string(where) + ", scheme " +
                      std::to_string(e.scheme) + ", key version " + std::to_string(e.key_version) +
                      "): the events after it need the server's key management plugin; read the binlog "
                      "from the server (it decrypts when streaming) instead of the file");
}

// MySQL libbinlogevents control_events.cpp Transaction_payload_event: TLV
// header of (type, length, value) packed integers, end mark 0, payload.
Result<TransactionPayloadEvent> DecodeTransactionPayload(Bytes body) {
  ByteCursor c(body);
  TransactionPayloadEvent t;
  bool have_size = false;
  while (c.ok()) {
    const uint64_t field = c.ReadPackedInt();
    if (!c.ok()) break;
    if (field == 0) break;  // end of header
    const uint64_t len = c.ReadPackedInt();
    if (!c.ok() || len > c.remaining()) return Truncated("Transaction_payload");
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
  if (t.compression != kPayloadZstd && t.compression != kPayloadNone)
    return NotSupported("Transaction_payload compression type " + std::to_string(t.compression));
  return t;
}

// MySQL libbinlogevents control_events.cpp Transaction_context_event:
// server_uuid_len 1, thread_id 4, gtid_specified 1, snapshot_version_len 4,
// write_set_len 4, read_set_len 4; then uuid, snapshot version, sets.
Result<TransactionContextEvent> DecodeTransactionContext(Bytes body) {
  ByteCursor c(body);
  TransactionContextEvent e;
  const uint8_t uuid_len = c.ReadU8();
  e.thread_id = c.ReadU32();
  e.gtid_specified = c.ReadU8() != 0;
  const uint32_t snapshot_len = c.ReadU32();
  e.write_set_count = c.ReadU32();
  e.read_set_count = c.ReadU32();
  e.server_uuid = c.ReadString(uuid_len);
  e.encoded_snapshot_version = c.ReadBytes(snapshot_len);
  e.sets = c.rest();
  ByteCursor s(e.sets);
  for (uint64_t i = 0; i < uint64_t(e.write_set_count) + e.read_set_count && s.ok(); ++i) s.Skip(s.ReadU16());
  if (!c.ok() || !s.ok()) return Truncated("Transaction_context");
  return e;
}

// MySQL libbinlogevents control_events.cpp View_change_event: view_id 40,
// seq_number 8, cert_info_count 4, then the certification entries.
Result<ViewChangeEvent> DecodeViewChange(Bytes body) {
  ByteCursor c(body);
  ViewChangeEvent e;
  std::string_view id = c.ReadString(40);
  e.view_id = id.substr(0, id.find('\0'));
  e.seq_number = c.ReadU64();
  e.cert_info_count = c.ReadU32();
  e.cert_info = c.rest();
  ByteCursor s(e.cert_info);
  for (uint32_t i = 0; i < e.cert_info_count && s.ok(); ++i) {
    s.Skip(s.ReadU16());
    s.Skip(s.ReadU32());
  }
  if (!c.ok() || !s.ok()) return Truncated("View_change");
  return e;
}

// MySQL libbinlogevents control_events.cpp XA_prepare_event: one_phase 1,
// format_id 4, gtrid_length 4, bqual_length 4, data.
Result<XaPrepareEvent> DecodeXaPrepare(Bytes body) {
  ByteCursor c(body);
  XaPrepareEvent e;
  e.one_phase = c.ReadU8() != 0;
  e.format_id = int32_t(c.ReadU32());
  const uint32_t gtrid = c.ReadU32();
  const uint32_t bqual = c.ReadU32();
  if (c.ok() && (gtrid > 64 || bqual > 64)) return Corruption("XA_prepare event: XID part longer than 64 bytes");
  e.gtrid = c.ReadBytes(gtrid);
  e.bqual = c.ReadBytes(bqual);
  if (!c.ok()) return Truncated("XA_prepare");
  return e;
}

// MySQL sql/log_event.cc Start_log_event_v3: binlog_version 2,
// server_version 50, created 4.
Result<StartV3Event> DecodeStartV3(Bytes body) {
  ByteCursor c(body);
  StartV3Event e;
  e.binlog_version = c.ReadU16();
  std::string_view v = c.ReadString(50);
  e.server_version = v.substr(0, v.find('\0'));
  e.create_timestamp = c.ReadU32();
  if (!c.ok()) return Truncated("Start_v3");
  return e;
}

// MySQL 5.0 sql/log_event.cc Load_log_event::copy_log_event: thread_id 4,
// exec_time 4, skip_lines 4, table_name_len 1, db_len 1, num_fields 4
// (+ file_id 4 for Create_file); sql_ex (old fixed 7 bytes for LOAD, else 5
// length-prefixed strings + opt_flags), field lengths, field names, table,
// database, file name.
Result<LoadEvent> DecodeLoad(EventType type, Bytes body, const FormatDescription& fde) {
  ByteCursor c(body);
  LoadEvent e;
  e.type = type;
  e.thread_id = c.ReadU32();
  e.exec_time = c.ReadU32();
  e.skip_lines = c.ReadU32();
  const uint8_t table_len = c.ReadU8();
  const uint8_t db_len = c.ReadU8();
  e.num_fields = c.ReadU32();
  size_t post = fde.PostHeaderLength(type);
  const size_t base = type == EventType::kCreateFile ? 22 : 18;
  if (post < base) post = base;
  if (type == EventType::kCreateFile) e.file_id = c.ReadU32();
  c.Skip(post - base);
  if (!c.ok()) return Truncated(EventTypeName(type));
  const size_t sql_ex_start = c.offset();
  if (type == EventType::kLoad) {
    c.Skip(7);
  } else {
    for (int i = 0; i < 5; ++i) c.ReadLengthPrefixedString();
    c.Skip(1);
  }
  if (!c.ok()) return Truncated(EventTypeName(type));
  e.sql_ex = body.subspan(sql_ex_start, c.offset() - sql_ex_start);
  if (e.num_fields > c.remaining()) return Truncated(EventTypeName(type));
  e.field_lengths = c.ReadBytes(e.num_fields);
  size_t names = 0;
  for (std::byte b : e.field_lengths) names += std::to_integer<uint8_t>(b) + 1u;
  e.field_names = c.ReadBytes(names);
  e.table = c.ReadString(table_len);
  c.Skip(1);
  e.database = c.ReadString(db_len);
  c.Skip(1);
  if (!c.ok()) return Truncated(EventTypeName(type));
  if (type == EventType::kCreateFile) {
    e.file_name = c.ReadNulTerminated();
    e.block = c.ReadRest();
  } else {
    e.file_name = AsStringView(c.ReadRest());
  }
  if (!c.ok()) return Truncated(EventTypeName(type));
  return e;
}

// MySQL sql/log_event.cc Append_block_log_event / Begin_load_query_log_event:
// file_id 4, block.
Result<AppendBlockEvent> DecodeAppendBlock(Bytes body) {
  ByteCursor c(body);
  AppendBlockEvent e;
  e.file_id = c.ReadU32();
  e.block = c.ReadRest();
  if (!c.ok()) return Truncated("Append_block");
  return e;
}

// MySQL sql/log_event.cc Execute_load_log_event / Delete_file_log_event: file_id 4.
Result<FileIdEvent> DecodeFileId(EventType type, Bytes body) {
  ByteCursor c(body);
  FileIdEvent e;
  e.type = type;
  e.file_id = c.ReadU32();
  if (!c.ok()) return Truncated(EventTypeName(type));
  return e;
}

}  // namespace vomsrepl::binlog
