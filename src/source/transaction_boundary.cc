#include "source/transaction_boundary.h"

#include <cctype>

#include "binlog/byte_cursor.h"

namespace vomsrepl::source {
namespace {

constexpr size_t kQueryPostHeader = 13;

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// True when `sql` starts with `word` (case-insensitive) followed by the end
// or a non-identifier character; on success removes it and following blanks.
bool ConsumeWord(std::string_view& sql, std::string_view word) {
  if (sql.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(sql[i])) != word[i]) return false;
  }
  if (sql.size() > word.size()) {
    unsigned char next = static_cast<unsigned char>(sql[word.size()]);
    if (std::isalnum(next) || next == '_') return false;
  }
  sql.remove_prefix(word.size());
  while (!sql.empty() && IsBlank(sql.front())) sql.remove_prefix(1);
  return true;
}

std::string TypeText(EventType type) {
  return std::string(EventTypeName(type)) + " (type " + std::to_string(static_cast<int>(type)) + ")";
}

}  // namespace

// sql/log_event.h Rotate_log_event: 8-byte position, then the file name.
Result<RotateBody> ParseRotateBody(Bytes body) {
  binlog::ByteCursor c(body);
  RotateBody r;
  r.position = c.ReadU64();
  r.file = c.ReadString(c.remaining());
  if (!c.ok() || r.file.empty()) return Corruption("ROTATE event body of " + std::to_string(body.size()) + " bytes has no file name");
  for (char ch : r.file) {
    if (ch == '/' || ch == '\0') return Corruption("ROTATE event names an invalid binlog file");
  }
  return r;
}

// sql/log_event.cc Gtid_log_event: seq_no 8, domain_id 4, flags2 1.
Result<MariadbGtidBody> ParseMariadbGtidBody(Bytes body) {
  binlog::ByteCursor c(body);
  MariadbGtidBody g;
  g.seq_no = c.ReadU64();
  g.domain_id = c.ReadU32();
  g.flags = c.ReadU8();
  if (!c.ok()) return Corruption("GTID event body of " + std::to_string(body.size()) + " bytes is shorter than 13");
  return g;
}

// libbinlogevents statement_events.cpp Query_event (post-header 13 bytes).
Result<std::string_view> ParseQueryText(Bytes body) {
  binlog::ByteCursor c(body);
  c.Skip(8);  // thread_id, exec_time
  uint8_t db_len = c.ReadU8();
  c.Skip(2);  // error_code
  uint16_t status_len = c.ReadU16();
  c.Skip(status_len);
  c.Skip(size_t(db_len) + 1);  // db name and its NUL
  if (!c.ok()) {
    return Corruption("QUERY event body of " + std::to_string(body.size()) +
                      " bytes is shorter than its post-header (" + std::to_string(kQueryPostHeader) +
                      "), status variables and db name");
  }
  return c.ReadString(c.remaining());
}

QueryKind ClassifyQuery(std::string_view sql) {
  while (!sql.empty() && IsBlank(sql.front())) sql.remove_prefix(1);
  std::string_view s = sql;
  if (ConsumeWord(s, "BEGIN")) return QueryKind::kBegin;
  s = sql;
  if (ConsumeWord(s, "COMMIT")) return QueryKind::kCommit;
  s = sql;
  if (ConsumeWord(s, "ROLLBACK")) {
    if (ConsumeWord(s, "TO")) return QueryKind::kOther;  // ROLLBACK TO SAVEPOINT
    return QueryKind::kRollback;
  }
  s = sql;
  if (ConsumeWord(s, "XA")) {
    if (ConsumeWord(s, "COMMIT") || ConsumeWord(s, "ROLLBACK")) return QueryKind::kXaEnd;
  }
  return QueryKind::kOther;
}

void TransactionBoundaryTracker::Reset(const BinlogPosition& position, const MariadbGtidList& gtids) {
  state_ = State::kOutside;
  safe_position_ = position;
  safe_gtids_ = gtids;
  open_gtid_.reset();
  completed_ = 0;
}

void TransactionBoundaryTracker::MoveSafePoint(std::string_view end_file, uint64_t end_offset) {
  if (safe_position_.file != end_file) safe_position_.file.assign(end_file);
  safe_position_.offset = end_offset;
}

void TransactionBoundaryTracker::Complete(std::string_view end_file, uint64_t end_offset) {
  state_ = State::kOutside;
  if (open_gtid_) safe_gtids_.Update(*open_gtid_);
  open_gtid_.reset();
  ++completed_;
  MoveSafePoint(end_file, end_offset);
}

Status TransactionBoundaryTracker::Feed(EventType type, uint32_t server_id, Bytes body,
                                        std::string_view end_file, uint64_t end_offset) {
  switch (type) {
    case EventType::kMariaGtid: {
      auto g = ParseMariadbGtidBody(body);
      if (!g.ok()) return g.status();
      // A GTID inside an open group means the previous group never ended
      // (should not happen on a healthy master); start over at the new one.
      open_gtid_ = MariadbGtid{g->domain_id, server_id, g->seq_no};
      state_ = (g->flags & kGtidFlagStandalone) ? State::kStandalone : State::kInTransaction;
      return Status::OK();
    }
    case EventType::kGtid:
    case EventType::kAnonymousGtid:
    case EventType::kGtidTagged:
      open_gtid_.reset();
      state_ = State::kGroupStarted;
      return Status::OK();
    case EventType::kXid:
    case EventType::kXaPrepare:
    case EventType::kTransactionPayload:
      if (state_ != State::kOutside) {
        Complete(end_file, end_offset);
      } else {
        MoveSafePoint(end_file, end_offset);
      }
      return Status::OK();
    case EventType::kQuery:
    case EventType::kQueryCompressed: {
      QueryKind kind = QueryKind::kOther;
      if (type == EventType::kQuery) {
        auto text = ParseQueryText(body);
        if (!text.ok()) return text.status().WithContext(TypeText(type));
        kind = ClassifyQuery(*text);
      }
      switch (state_) {
        case State::kOutside:
          if (kind == QueryKind::kBegin) {
            state_ = State::kInTransaction;
          } else {
            Complete(end_file, end_offset);  // a statement on its own
          }
          break;
        case State::kStandalone:
          Complete(end_file, end_offset);
          break;
        case State::kGroupStarted:
          if (kind == QueryKind::kBegin) {
            state_ = State::kInTransaction;
          } else {
            Complete(end_file, end_offset);  // DDL: GTID + one QUERY
          }
          break;
        case State::kInTransaction:
          if (kind == QueryKind::kCommit || kind == QueryKind::kRollback || kind == QueryKind::kXaEnd) {
            Complete(end_file, end_offset);
          }
          break;
      }
      return Status::OK();
    }
    default:
      if (state_ == State::kOutside) MoveSafePoint(end_file, end_offset);
      return Status::OK();
  }
}

}  // namespace vomsrepl::source
