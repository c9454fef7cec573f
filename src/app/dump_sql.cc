#include "app/dump_sql.h"

#include <cctype>
#include <memory>

#include "apply/replica_session.h"
#include "apply/row_script.h"
#include "apply/sql_identifier.h"
#include "binlog/events.h"
#include "ops/config.h"
#include "txn/statement_router.h"

namespace vomsrepl::app {
namespace {

// CREATE / DROP DATABASE (or SCHEMA): logged with the database itself as the
// default one, which a USE before it would need to exist already.
bool IsDatabaseStatement(std::string_view sql) {
  auto word = [&sql]() {
    while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) sql.remove_prefix(1);
    std::string w;
    while (!sql.empty() && std::isalpha(static_cast<unsigned char>(sql.front()))) {
      w += char(std::toupper(static_cast<unsigned char>(sql.front())));
      sql.remove_prefix(1);
    }
    return w;
  };
  const std::string verb = word();
  if (verb != "CREATE" && verb != "DROP") return false;
  const std::string what = word();
  return what == "DATABASE" || what == "SCHEMA";
}

bool StartsWithXa(std::string_view sql) {
  while (!sql.empty() && std::isspace(static_cast<unsigned char>(sql.front()))) sql.remove_prefix(1);
  return sql.size() > 3 && std::toupper(static_cast<unsigned char>(sql[0])) == 'X' &&
         std::toupper(static_cast<unsigned char>(sql[1])) == 'A' && std::isspace(static_cast<unsigned char>(sql[2]));
}

class SqlDumpSink {
 public:
  SqlDumpSink(const DumpOptions& o, apply::ScriptTables& tables, std::FILE* out) : o_(o), tables_(tables), out_(out) {
    text_ = "-- vomsrepl dump --format=sql\n" + apply::ScriptSessionSql();
  }

  Status OnEvent(const source::FileEvent& ev) {
    const auto& f = ev.event.frame;
    switch (f.header.type) {
      case EventType::kMariaGtid: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMariaGtid(f.body, f.header.server_id));
        StartGroup(MariadbGtid{g.domain_id, g.server_id, g.seq_no}.ToString(), ev);
        if (!g.standalone()) in_transaction_ = true;
        xa_ = (g.flags2 & binlog::kMariaGtidPreparedXa) != 0;
        return Status::OK();
      }
      case EventType::kGtid:
      case EventType::kAnonymousGtid:
      case EventType::kGtidTagged: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMysqlGtid(f.header.type, f.body));
        StartGroup(g.anonymous ? std::string() : binlog::FormatUuid(g.sid) + ":" + std::to_string(g.gno), ev);
        return Status::OK();
      }
      case EventType::kXid:
        return Commit("COMMIT");
      case EventType::kXaPrepare:
        return Commit("COMMIT");  // nothing kept: OnRows refuses an XA transaction's rows
      case EventType::kQuery:
      case EventType::kQueryCompressed:
        return OnQuery(ev);
      default:
        return Status::OK();
    }
  }
  Status OnTableMap(const source::FileEvent&, const binlog::TableSchema&, bool) { return Status::OK(); }
  Status OnRows(const source::FileEvent& ev, const binlog::RowsEventView& rows, const binlog::TableSchema& s) {
    if (!in_transaction_)
      return FailedPrecondition("the range starts inside a transaction (its rows at " + *ev.file + ":" +
                                std::to_string(ev.event.offset) +
                                " come without its start): start at the transaction's GTID event, or give "
                                "--start-gtid, so that no transaction is written in part");
    if (xa_)
      return NotSupported("an XA transaction (" + header_.substr(3, header_.size() - 4) +
                          ") holds rows of the selected tables: they commit at a later XA COMMIT, which a script "
                          "cannot reproduce; leave its tables out (--exclude-table) or its range");
    VOMSREPL_ASSIGN_OR_RETURN(const apply::TableInfo* t, tables_.Resolve(s));
    VOMSREPL_RETURN_IF_ERROR(apply::AppendRowsEventSql(*t, s, rows, checks_, group_));
    kept_ = true;
    return Status::OK();
  }

  Status Finish() {
    if (kept_) {
      text_ += header_ + "BEGIN;\n" + group_ +
               "-- the range ends inside this transaction: no COMMIT (the client rolls it back)\n";
    }
    return Write(true);
  }

 private:
  void StartGroup(const std::string& gtid, const source::FileEvent& ev) {
    gtid_ = gtid;
    header_ = "-- " + (gtid.empty() ? std::string("transaction") : "GTID " + gtid) + " at " + *ev.file + ":" +
              std::to_string(ev.event.offset) + "\n";
    group_.clear();
    kept_ = false;
    in_transaction_ = false;
    xa_ = false;
  }

  Status OnQuery(const source::FileEvent& ev) {
    const auto& f = ev.event.frame;
    VOMSREPL_ASSIGN_OR_RETURN(auto q, binlog::DecodeQuery(f.header.type, f.body, *ev.format, scratch_));
    // Transaction control, classified as the assembler does.
    const txn::ControlKind control = txn::ClassifyControl(q.query);
    if (control == txn::ControlKind::kCommit) return Commit("COMMIT");
    if (control == txn::ControlKind::kRollback) return Commit("ROLLBACK");
    if (control != txn::ControlKind::kNone && StartsWithXa(q.query)) {
      // XA START / END / PREPARE / COMMIT / ROLLBACK: never written (OnRows
      // refuses rows inside an XA transaction).
      in_transaction_ = true;
      xa_ = true;
      return Status::OK();
    }
    if (control == txn::ControlKind::kBegin) {
      in_transaction_ = true;
      return Status::OK();
    }
    // Anything else, SAVEPOINT / ROLLBACK TO / RELEASE SAVEPOINT included: written as logged.
    if (!o_.filters.databases.Matches(std::string(q.database))) return Status::OK();
    std::string statement;
    // The logged session's checks (Q_FLAGS2: a schema loaded with
    // foreign_key_checks = 0 creates tables before those they refer to).
    if (q.has_flags2)
      apply::AppendChecks((q.flags2 & binlog::kQueryFlags2NoForeignKeyChecks) == 0,
                          (q.flags2 & binlog::kQueryFlags2RelaxedUniqueChecks) == 0, checks_, statement);
    if (!q.database.empty() && !IsDatabaseStatement(q.query)) {
      statement += "USE ";
      apply::AppendQuotedIdentifier(statement, q.database);
      statement += ";\n";
    }
    statement += "DELIMITER /*!*/;\n";
    statement.append(q.query);
    statement += "\n/*!*/;\nDELIMITER ;\n";
    if (in_transaction_) {
      group_ += statement;
      kept_ = true;
      return Status::OK();
    }
    text_ += header_ + statement;  // a statement alone (DDL)
    return Write(false);
  }

  Status Commit(const char* end) {
    if (kept_) text_ += header_ + "BEGIN;\n" + group_ + end + ";\n";
    group_.clear();
    kept_ = false;
    in_transaction_ = false;
    xa_ = false;
    return Write(false);
  }

  Status Write(bool all) {
    if (!all && text_.size() < (1u << 20)) return Status::OK();
    if (std::fwrite(text_.data(), 1, text_.size(), out_) != text_.size()) return Internal("writing the output failed");
    text_.clear();
    return Status::OK();
  }

  const DumpOptions& o_;
  apply::ScriptTables& tables_;
  std::FILE* out_;
  std::string text_;    // to write
  std::string header_;  // the comment line of the current group
  std::string group_;   // the statements of the open transaction
  std::string gtid_;
  bool in_transaction_ = false;
  bool kept_ = false;  // group_ holds something of the filtered tables
  bool xa_ = false;    // the group is an XA transaction
  std::vector<std::byte> scratch_;
  apply::ScriptChecks checks_;
};

}  // namespace

Status RunDumpSql(const DumpOptions& options, std::FILE* out) {
  std::unique_ptr<apply::ReplicaSession> session;
  if (!options.schema_defaults_file.empty()) {
    VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFile(options.schema_defaults_file, "--schema-defaults-file"));
    apply::ReplicaConfig server;
    server.name = "schema server";
    server.defaults_file = options.schema_defaults_file;
    server.allow_writable = true;  // only read
    session = std::make_unique<apply::ReplicaSession>();
    VOMSREPL_RETURN_IF_ERROR(session->Open(server));
  }
  apply::ScriptTables tables(session.get());
  SqlDumpSink sink(options, tables, out);
  VOMSREPL_RETURN_IF_ERROR(WalkInputWith(options.input, options.filters, sink));
  VOMSREPL_RETURN_IF_ERROR(sink.Finish());
  std::fflush(out);
  return std::ferror(out) ? Internal("writing the output failed") : Status::OK();
}

}  // namespace vomsrepl::app
