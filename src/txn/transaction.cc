#include "txn/transaction.h"

#include "txn/rows_walk.h"

#include <cstring>

#include "binlog/byte_cursor.h"
#include "common/enum_names.h"

namespace vomsrepl::txn {

std::string_view RowOperationName(RowOperation op) {
  static constexpr std::string_view kNames[] = {"insert", "update", "delete"};
  return EnumName(op, kNames, "update");
}

void Transaction::CountRows(std::string_view database, RowOperation operation, uint64_t rows) {
  row_count += rows;
  for (RowTally& t : row_tallies) {
    if (t.operation == operation && t.database == database) {
      t.rows += rows;
      return;
    }
  }
  row_tallies.push_back(RowTally{std::string(database), operation, rows});
}
namespace {

void PutLE(std::vector<std::byte>& out, uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(std::byte(uint8_t(v >> (8 * i))));
}

void PutBytes(std::vector<std::byte>& out, const void* data, size_t n) {
  const auto* p = static_cast<const std::byte*>(data);
  out.insert(out.end(), p, p + n);
}

}  // namespace

void ChangeWriter::AddTableMap(Bytes body) {
  auto& out = txn_.changes;
  out.push_back(std::byte(ChangeKind::kTableMap));
  PutLE(out, body.size(), 4);
  PutBytes(out, body.data(), body.size());
  ++txn_.change_count;
}

void ChangeWriter::AddRows(EventType type, Bytes body) {
  auto& out = txn_.changes;
  out.push_back(std::byte(ChangeKind::kRows));
  out.push_back(std::byte(uint8_t(type)));
  PutLE(out, body.size(), 4);
  PutBytes(out, body.data(), body.size());
  ++txn_.change_count;
}

Status ChangeWriter::AddStatement(const StatementContext& context, std::string_view database,
                                  std::string_view sql) {
  if (database.size() > 255) return InvalidArgument("statement database name longer than 255 bytes");
  if (context.time_zone.size() > 255) return InvalidArgument("statement time zone longer than 255 bytes");
  if (sql.size() > UINT32_MAX) return InvalidArgument("statement longer than 4 GiB");
  auto& out = txn_.changes;
  out.push_back(std::byte(ChangeKind::kStatement));
  PutLE(out, context.sql_mode, 8);
  PutLE(out, context.flags2, 4);
  PutLE(out, context.charset_client, 2);
  PutLE(out, context.collation_connection, 2);
  PutLE(out, context.collation_server, 2);
  uint8_t has = uint8_t((context.has_sql_mode ? 1 : 0) | (context.has_flags2 ? 2 : 0) | (context.has_charset ? 4 : 0));
  out.push_back(std::byte(has));
  PutLE(out, context.timestamp, 4);
  out.push_back(std::byte(uint8_t(context.time_zone.size())));
  PutBytes(out, context.time_zone.data(), context.time_zone.size());
  out.push_back(std::byte(uint8_t(database.size())));
  PutBytes(out, database.data(), database.size());
  PutLE(out, sql.size(), 4);
  PutBytes(out, sql.data(), sql.size());
  ++txn_.change_count;
  txn_.has_statement = true;
  return Status::OK();
}

bool ChangeReader::Fail(const char* what) {
  status_ = Corruption(std::string("journal transaction: malformed change at byte ") + std::to_string(pos_) +
                       " (" + what + ")");
  pos_ = data_.size();
  return false;
}

bool ChangeReader::Next(Change* out) {
  if (!status_.ok() || pos_ >= data_.size()) return false;
  binlog::ByteCursor c(data_.subspan(pos_));
  auto kind = static_cast<ChangeKind>(c.ReadU8());
  switch (kind) {
    case ChangeKind::kTableMap: {
      uint32_t n = c.ReadU32();
      out->kind = kind;
      out->event_type = EventType::kTableMap;
      out->body = c.ReadBytes(n);
      if (!c.ok()) return Fail("TABLE_MAP body past the end");
      break;
    }
    case ChangeKind::kRows: {
      out->kind = kind;
      out->event_type = static_cast<EventType>(c.ReadU8());
      uint32_t n = c.ReadU32();
      out->body = c.ReadBytes(n);
      if (!c.ok()) return Fail("rows body past the end");
      break;
    }
    case ChangeKind::kStatement: {
      out->kind = kind;
      out->event_type = EventType::kQuery;
      out->body = {};
      StatementContext& ctx = out->context;
      ctx.sql_mode = c.ReadU64();
      ctx.flags2 = c.ReadU32();
      ctx.charset_client = c.ReadU16();
      ctx.collation_connection = c.ReadU16();
      ctx.collation_server = c.ReadU16();
      uint8_t has = c.ReadU8();
      ctx.has_sql_mode = has & 1;
      ctx.has_flags2 = has & 2;
      ctx.has_charset = has & 4;
      ctx.timestamp = c.ReadU32();
      ctx.time_zone = c.ReadLengthPrefixedString();
      out->database = c.ReadLengthPrefixedString();
      uint32_t n = c.ReadU32();
      out->sql = c.ReadString(n);
      if (!c.ok()) return Fail("statement past the end");
      break;
    }
    default:
      return Fail("unknown change kind");
  }
  pos_ += c.offset();
  return true;
}

namespace rows_walk_internal {

Status NoTableMap(uint64_t table_id) {
  return Corruption("rows event for table id " + std::to_string(table_id) + " without a TABLE_MAP");
}

}  // namespace rows_walk_internal
}  // namespace vomsrepl::txn
