#include "binlog_transactions.h"

#include "binlog/events.h"
#include "binlog/rows_event.h"
#include "source/file_stream.h"

namespace vomsrepl::apply::testing {

Result<std::vector<txn::Transaction>> TransactionsFromBinlog(const std::vector<std::string>& files,
                                                             uint64_t start_offset, uint64_t first_seq) {
  source::FileStreamOptions options;
  options.files = files;
  options.start_position = start_offset;
  source::FileStream stream(options);
  VOMSREPL_RETURN_IF_ERROR(stream.Validate());
  std::vector<txn::Transaction> out;
  txn::Transaction cur;
  bool open = false, standalone = false;
  uint64_t seq = first_seq;
  MariadbGtidList state;
  std::vector<std::byte> scratch;

  auto finish = [&](const source::FileEvent& ev) {
    cur.seq = seq++;
    std::string file = *ev.file;
    size_t slash = file.rfind('/');
    cur.source.position = BinlogPosition{slash == std::string::npos ? file : file.substr(slash + 1),
                                         ev.event.frame.header.next_position};
    cur.source.gtid_state = state;
    cur.source.commit_time = ev.event.frame.header.timestamp;
    cur.mariadb_source = ev.format->IsMariaDB();  // as the assembler does: decode with txn::ChangeFormat
    if (!cur.empty()) out.push_back(std::move(cur));
    cur = txn::Transaction();
    open = false;
  };

  source::FileEvent ev;
  while (true) {
    Status st = stream.Next(&ev);
    if (st.code() == StatusCode::kOutOfRange) break;
    VOMSREPL_RETURN_IF_ERROR(st);
    const EventType type = ev.event.frame.header.type;
    const binlog::Bytes body = ev.event.frame.body;
    if (type == EventType::kMariaGtid) {
      VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMariaGtid(body, ev.event.frame.header.server_id));
      cur = txn::Transaction();
      open = true;
      standalone = (g.flags2 & binlog::kMariaGtidStandalone) != 0;
      MariadbGtid gtid{g.domain_id, g.server_id, g.seq_no};
      cur.source.gtid = gtid.ToString();
      cur.source.server_id = g.server_id;
      state.Update(gtid);
      continue;
    }
    if (!open) continue;
    txn::ChangeWriter writer(cur);
    if (type == EventType::kTableMap) {
      writer.AddTableMap(body);
    } else if (binlog::IsRowsEvent(type)) {
      writer.AddRows(type, body);
    } else if (type == EventType::kXid) {
      finish(ev);
    } else if (type == EventType::kQuery) {
      VOMSREPL_ASSIGN_OR_RETURN(auto q, binlog::DecodeQuery(type, body, *ev.format, scratch));
      if (q.query == "BEGIN") continue;
      if (q.query == "COMMIT") {
        finish(ev);
        continue;
      }
      txn::StatementContext ctx;
      ctx.has_sql_mode = q.has_sql_mode;
      ctx.sql_mode = q.sql_mode;
      ctx.has_flags2 = q.has_flags2;
      ctx.flags2 = q.flags2;
      ctx.has_charset = q.has_charset;
      ctx.charset_client = q.charset_client;
      ctx.collation_connection = q.collation_connection;
      ctx.collation_server = q.collation_server;
      ctx.timestamp = ev.event.frame.header.timestamp;
      ctx.time_zone = q.time_zone;
      VOMSREPL_RETURN_IF_ERROR(writer.AddStatement(ctx, q.database, q.query));
      cur.has_statement = true;
      if (standalone) finish(ev);
    }
  }
  return out;
}

}  // namespace vomsrepl::apply::testing
