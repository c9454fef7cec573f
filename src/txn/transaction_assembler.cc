#include "txn/transaction_assembler.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "binlog/decoded_event.h"
#include "binlog/rows_event.h"

namespace vomsrepl::txn {
namespace {

std::string Truncated(std::string_view s, size_t n = 200) {
  if (s.size() <= n) return std::string(s);
  return std::string(s.substr(0, n)) + "...";
}

std::string MysqlGtidText(const binlog::MysqlGtidEvent& g) {
  std::string s = binlog::FormatUuid(g.sid);
  if (!g.tag.empty()) s.append(":").append(g.tag);
  s.append(":").append(std::to_string(g.gno));
  return s;
}

bool EndsWithStartTransaction(std::string_view sql) {
  while (!sql.empty() && (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
    sql.remove_suffix(1);
  constexpr std::string_view kTail = "START TRANSACTION";
  if (sql.size() <= kTail.size()) return false;
  std::string_view tail = sql.substr(sql.size() - kTail.size());
  for (size_t i = 0; i < kTail.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(tail[i])) != kTail[i]) return false;
  }
  return std::isspace(static_cast<unsigned char>(sql[sql.size() - kTail.size() - 1])) ||
         sql[sql.size() - kTail.size() - 1] == ')';
}

}  // namespace

TransactionAssembler::TransactionAssembler(const FilterRules& rules, TransactionSink& sink, AssemblerOptions options)
    : rules_(&rules), router_(rules), sink_(sink), options_(options) {}

Status TransactionAssembler::SetRules(const FilterRules& rules) {
  if (in_transaction()) return FailedPrecondition("filter rules changed inside a transaction");
  rules_ = &rules;
  router_.SetRules(rules);
  ClearTableMaps();
  return Status::OK();
}

void TransactionAssembler::Reset(const MariadbGtidList& gtid_state) {
  gtid_state_ = gtid_state;
  ClearOpen();
  ClearTableMaps();
}

void TransactionAssembler::ClearOpen() {
  state_ = State::kOutside;
  has_maria_gtid_ = false;
  start_alter_ = false;
  gtid_text_.clear();
  group_server_id_ = 0;
  current_ = Transaction();
  chunk_ = 0;
  maps_in_chunk_.clear();
}

void TransactionAssembler::EnsureBuffer() {
  if (current_.changes.capacity() == 0) current_.changes.reserve(reserve_hint_);
}

void TransactionAssembler::ClearTableMaps() {
  cache_.Clear();
  decisions_.clear();
}

std::string TransactionAssembler::Where(const binlog::ReadEvent& ev) const {
  return std::string(EventTypeName(ev.frame.header.type)) + " event at " + std::string(file_) + ":" +
         std::to_string(ev.offset) + (ev.inside_payload ? " (inside Transaction_payload)" : "");
}

Status TransactionAssembler::AbandonOpenTransaction() {
  uint32_t delivered = chunk_;
  ClearOpen();
  if (delivered > 0) return sink_.OnAbandon(delivered);
  return Status::OK();
}

Status TransactionAssembler::Feed(const binlog::ReadEvent& ev, std::string_view file,
                                  const binlog::FormatDescription& fde) {
  // A path (FileStream gives the file as named on the command line): the
  // position names the binlog file alone, as the master does.
  size_t slash = file.rfind('/');
  file_ = slash == std::string_view::npos ? file : file.substr(slash + 1);
  mariadb_source_ = fde.IsMariaDB();
  ++stats_.events;
  const EventType type = ev.frame.header.type;
  switch (type) {
    case EventType::kTableMap:
      return OnTableMap(ev, fde);
    case EventType::kQuery:
    case EventType::kQueryCompressed:
    case EventType::kExecuteLoadQuery:
      return OnQuery(ev, fde);
    case EventType::kXid:
      if (state_ != State::kInTransaction)
        return Corruption(Where(ev) + ": XID outside a transaction (did the stream start inside one?)");
      return Complete(ev);
    case EventType::kXaPrepare:
      if (state_ != State::kInTransaction)
        return Corruption(Where(ev) + ": XA_PREPARE outside a transaction");
      if (current_.change_count > 0 || chunk_ > 0)
        return NotSupported(Where(ev) + ": XA transaction " + (gtid_text_.empty() ? "" : gtid_text_ + " ") +
                            "changes kept tables; vomsrepl does not replicate XA transactions");
      return Complete(ev);
    case EventType::kMariaGtid:
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
    case EventType::kGtidTagged:
      return OpenGroup(ev, fde);
    case EventType::kTransactionPayload:
      payload_end_ = ev.offset + ev.frame.header.event_length;
      return Status::OK();
    case EventType::kFormatDescription:
    case EventType::kRotate:
      // Table ids are per server session: forget them at a new file, but
      // not inside a transaction (relay logs may rotate inside one).
      if (!ev.inside_payload && state_ == State::kOutside) ClearTableMaps();
      return Status::OK();
    case EventType::kIncident: {
      auto inc = binlog::DecodeIncident(ev.frame.body);
      std::string msg = inc.ok() ? std::string(inc->message) : std::string();
      return DataLoss(Where(ev) + ": the master logged an incident (events may be lost): " + msg);
    }
    case EventType::kLoad:
    case EventType::kNewLoad:
    case EventType::kCreateFile: {
      auto load = binlog::DecodeLoad(type, ev.frame.body, fde);
      if (!load.ok()) return load.status().WithContext(Where(ev));
      if (rules_->KeepDatabase(load->database))
        return FailedPrecondition(Where(ev) + ": statement-based DML on kept database `" +
                                  std::string(load->database) + "` (LOAD DATA); set binlog_format=ROW");
      return Status::OK();
    }
    default:
      if (binlog::IsRowsEvent(type)) return OnRows(ev, fde);
      // Everything else carries nothing to apply: PREVIOUS_GTIDS, GTID_LIST,
      // BINLOG_CHECKPOINT, heartbeats, STOP, ANNOTATE_ROWS / ROWS_QUERY,
      // INTVAR / RAND / USER_VAR (context of statement-based DML, refused
      // at its QUERY), TRANSACTION_CONTEXT, VIEW_CHANGE, ignorable events.
      return Status::OK();
  }
}

Status TransactionAssembler::OpenGroup(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde) {
  const EventType type = ev.frame.header.type;
  if (state_ != State::kOutside)
    return DataLoss(Where(ev) + ": a new transaction starts while transaction " +
                    (gtid_text_.empty() ? std::string("(no GTID)") : gtid_text_) +
                    " is still open: its commit is missing");
  gtid_text_.clear();
  has_maria_gtid_ = false;
  group_server_id_ = ev.frame.header.server_id;
  if (type == EventType::kMariaGtid) {
    auto g = binlog::DecodeMariaGtid(ev.frame.body, ev.frame.header.server_id);
    if (!g.ok()) return g.status().WithContext(Where(ev));
    has_maria_gtid_ = true;
    start_alter_ = (g->flags_extra & binlog::kMariaGtidExtraStartAlter) != 0;
    maria_gtid_ = MariadbGtid{g->domain_id, g->server_id, g->seq_no};
    gtid_text_ = maria_gtid_.ToString();
    state_ = g->standalone() ? State::kStandalone : State::kInTransaction;
    return Status::OK();
  }
  auto g = binlog::DecodeMysqlGtid(type, ev.frame.body);
  if (!g.ok()) return g.status().WithContext(Where(ev));
  if (!g->anonymous) gtid_text_ = MysqlGtidText(*g);
  state_ = State::kGroupStarted;
  (void)fde;
  return Status::OK();
}

Status TransactionAssembler::OnTableMap(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde) {
  if (state_ == State::kOutside)
    return Corruption(Where(ev) + ": TABLE_MAP outside a transaction (did the stream start inside one?)");
  if (binlog::TableIdWidth(fde.PostHeaderLength(EventType::kTableMap)) != 6)
    return NotSupported(Where(ev) + ": 4-byte table ids (servers before MySQL 5.1.4) are not supported");
  uint64_t before = cache_.decode_count();
  const binlog::TableSchema* schema = nullptr;
  Status s = cache_.Update(ev.frame.body, fde, &schema);
  if (!s.ok()) return s.WithContext(Where(ev));
  TableDecision& d = decisions_[schema->table_id];
  if (cache_.decode_count() != before || (d.body.empty() && d.table.empty())) {
    // New bytes for this table id: decide again.
    d.keep = rules_->KeepTable(schema->database, schema->table);
    d.database = std::string(rules_->TargetDatabase(schema->database));
    d.table = schema->table;
    d.body.clear();
    if (d.keep) {
      Bytes body = ev.frame.body;
      if (d.database.size() > 255)
        return InvalidArgument(Where(ev) + ": renamed database name `" + d.database + "` is longer than 255 bytes");
      // table id (6) + flags (2), db length, db, NUL, rest.
      if (body.size() < 10) return Corruption(Where(ev) + ": TABLE_MAP body too short");
      size_t old_len = size_t(uint8_t(body[8]));
      size_t rest = 8 + 1 + old_len + 1;
      if (rest > body.size()) return Corruption(Where(ev) + ": TABLE_MAP body too short");
      d.body.reserve(body.size() - old_len + d.database.size());
      d.body.insert(d.body.end(), body.begin(), body.begin() + 8);
      d.body.push_back(std::byte(uint8_t(d.database.size())));
      const auto* name = reinterpret_cast<const std::byte*>(d.database.data());
      d.body.insert(d.body.end(), name, name + d.database.size());
      d.body.push_back(std::byte{0});
      d.body.insert(d.body.end(), body.begin() + rest, body.end());
      if (options_.check_schema) {
        Status hs = history_.Check(d.database, d.table, *schema, {std::string(file_), ev.offset});
        if (!hs.ok()) return hs;
      }
    }
  }
  if (!d.keep) return Status::OK();
  EnsureBuffer();
  ChangeWriter(current_).AddTableMap(d.body);
  if (chunk_ > 0) maps_in_chunk_.push_back(schema->table_id);
  return Status::OK();
}

Status TransactionAssembler::OnRows(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde) {
  const EventType type = ev.frame.header.type;
  if (state_ == State::kOutside)
    return Corruption(Where(ev) + ": rows event outside a transaction (did the stream start inside one?)");
  uint64_t table_id = 0;
  if (!binlog::PeekTableId(type, ev.frame.body, fde, &table_id))
    return Corruption(Where(ev) + ": rows event too short for its table id");
  auto it = decisions_.find(table_id);
  if (it == decisions_.end())  // decisions_ and cache_ are filled and cleared together
    return Corruption(Where(ev) + ": names table id " + std::to_string(table_id) +
                      " without a preceding Table_map event");
  TableDecision& d = it->second;
  if (!d.keep) {
    ++stats_.rows_events_skipped;
    return Status::OK();
  }
  if (chunk_ > 0 && std::find(maps_in_chunk_.begin(), maps_in_chunk_.end(), table_id) == maps_in_chunk_.end()) {
    // A later chunk: repeat the table map so that the chunk decodes alone.
    ChangeWriter(current_).AddTableMap(d.body);
    maps_in_chunk_.push_back(table_id);
  }
  if (options_.count_rows) {
    const binlog::TableSchema* schema = cache_.Find(table_id);
    if (schema == nullptr)
      return Internal(Where(ev) + ": table id " + std::to_string(table_id) + " has a decision but no schema");
    auto rows = binlog::DecodeRowsEvent(type, ev.frame.body, fde, scratch_);
    uint64_t n = 0;
    Status s = rows.ok() ? binlog::CountRows(*rows, *schema, &n) : rows.status();
    if (!s.ok()) return s.WithContext(Where(ev) + " on `" + d.database + "`.`" + d.table + "`");
    const RowOperation op = rows->kind == binlog::RowsKind::kWrite    ? RowOperation::kInsert
                            : rows->kind == binlog::RowsKind::kDelete ? RowOperation::kDelete
                                                                      : RowOperation::kUpdate;
    current_.CountRows(d.database, op, n);
    stats_.rows_kept += n;
  }
  ChangeWriter(current_).AddRows(type, ev.frame.body);
  ++stats_.rows_events_kept;
  return MaybeFlushChunk(ev);
}

Status TransactionAssembler::OnQuery(const binlog::ReadEvent& ev, const binlog::FormatDescription& fde) {
  auto decoded = binlog::DecodeQuery(ev.frame.header.type, ev.frame.body, fde, scratch_);
  if (!decoded.ok()) return decoded.status().WithContext(Where(ev));
  const binlog::QueryEvent& q = *decoded;
  ControlKind ctl = ClassifyControl(q.query);
  switch (state_) {
    case State::kOutside:
      if (ctl == ControlKind::kBegin) {
        gtid_text_.clear();
        has_maria_gtid_ = false;
        group_server_id_ = ev.frame.header.server_id;
        state_ = State::kInTransaction;
        return Status::OK();
      }
      group_server_id_ = ev.frame.header.server_id;
      state_ = State::kStandalone;  // a statement alone is its own transaction
      [[fallthrough]];
    case State::kStandalone:
    case State::kGroupStarted:
      if (ctl == ControlKind::kBegin && state_ == State::kGroupStarted) {
        state_ = State::kInTransaction;
        return Status::OK();
      }
      if (ctl == ControlKind::kNone) {
        VOMSREPL_RETURN_IF_ERROR(OnStatement(ev, q));
        // MySQL 8.0.21+ logs CREATE TABLE ... SELECT atomically as
        // "CREATE TABLE ... START TRANSACTION", its rows, then XID.
        if (state_ == State::kGroupStarted && EndsWithStartTransaction(q.query)) {
          state_ = State::kInTransaction;
          return Status::OK();
        }
      }
      return Complete(ev);
    case State::kInTransaction:
      switch (ctl) {
        case ControlKind::kCommit:
        case ControlKind::kRollback:
        case ControlKind::kXaEnd:
          return Complete(ev);
        case ControlKind::kBegin:
        case ControlKind::kIgnorable:
          return Status::OK();
        case ControlKind::kNone:
          return OnStatement(ev, q);
      }
  }
  return Status::OK();
}

Status TransactionAssembler::OnStatement(const binlog::ReadEvent& ev, const binlog::QueryEvent& q) {
  auto routed = router_.Route(q.database, q.query, q.has_sql_mode ? q.sql_mode : 0);
  if (!routed.ok())
    return Status(routed.status().code(),
                  Where(ev) + " (default database `" + std::string(q.database) + "`): " +
                      std::string(routed.status().message()) + "; statement: " + Truncated(q.query));
  if (!routed->keep) {
    ++stats_.statements_dropped;
    return Status::OK();
  }
  if (start_alter_)
    return NotSupported(Where(ev) + ": START ALTER of a two-phase ALTER (binlog_alter_two_phase=ON) on a kept " +
                        "table; set binlog_alter_two_phase=OFF on the master; statement: " + Truncated(q.query));
  EnsureBuffer();
  const StatementContext ctx{.has_sql_mode = q.has_sql_mode, .has_flags2 = q.has_flags2,
                             .has_charset = q.has_charset, .sql_mode = q.sql_mode, .flags2 = q.flags2,
                             .charset_client = q.charset_client, .collation_connection = q.collation_connection,
                             .collation_server = q.collation_server, .timestamp = ev.frame.header.timestamp,
                             .time_zone = q.time_zone};
  Status s = ChangeWriter(current_).AddStatement(ctx, routed->database, routed->sql);
  if (!s.ok()) return s.WithContext(Where(ev));
  ++stats_.statements_kept;
  BinlogPosition at{std::string(file_), ev.offset};
  for (const ObjectRef& o : routed->objects) {
    std::string_view db = rules_->TargetDatabase(o.database);
    if (o.kind == ObjectRef::Kind::kDatabase) history_.ResetDatabase(db, at);
    else history_.ResetTable(db, o.name, at);
  }
  return MaybeFlushChunk(ev);
}

Status TransactionAssembler::MaybeFlushChunk(const binlog::ReadEvent& ev) {
  if (current_.changes.size() < options_.max_transaction_bytes) return Status::OK();
  Transaction out = std::move(current_);
  current_ = Transaction();
  ReserveNext(out.changes.size());
  out.chunk = chunk_++;
  out.last_chunk = false;
  out.mariadb_source = mariadb_source_;
  out.source.position = {std::string(file_), EndOf(ev)};  // informational: not a resume point
  out.source.gtid = gtid_text_;
  out.source.server_id = group_server_id_;
  maps_in_chunk_.clear();
  ++stats_.chunks;
  return sink_.OnTransaction(std::move(out));
}

Status TransactionAssembler::Complete(const binlog::ReadEvent& ev) {
  if (has_maria_gtid_) gtid_state_.Update(maria_gtid_);
  const uint32_t server_id = group_server_id_ != 0 ? group_server_id_ : ev.frame.header.server_id;
  if (current_.change_count == 0 && chunk_ == 0) {
    // Nothing kept: refresh the reused point (no allocation once its
    // strings and GTID list have grown) and tell the sink.
    point_.position.file.assign(file_);
    point_.position.offset = EndOf(ev);
    point_.gtid.assign(gtid_text_);
    point_.gtid_state = gtid_state_;
    point_.server_id = server_id;
    point_.commit_time = ev.frame.header.timestamp;
    ClearOpen();
    ++stats_.filtered_transactions;
    return sink_.OnPositionAdvanced(point_);
  }
  Transaction out = std::move(current_);
  out.chunk = chunk_;
  out.last_chunk = true;
  out.mariadb_source = mariadb_source_;
  out.source.position = {std::string(file_), EndOf(ev)};
  out.source.gtid = gtid_text_;
  out.source.gtid_state = gtid_state_;
  out.source.server_id = server_id;
  out.source.commit_time = ev.frame.header.timestamp;
  ReserveNext(out.changes.size());
  ClearOpen();
  ++stats_.transactions;
  ++stats_.chunks;
  return sink_.OnTransaction(std::move(out));
}

void TransactionAssembler::ReserveNext(size_t last_size) {
  // The next transaction's buffer starts at about the size of the last one,
  // so that it does not grow by doubling from zero.
  size_t want = std::max<size_t>(1024, last_size + last_size / 4);
  reserve_hint_ = std::min(want, options_.max_transaction_bytes + 64 * 1024);
}

}  // namespace vomsrepl::txn
