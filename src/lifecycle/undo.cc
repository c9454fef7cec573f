#include "lifecycle/undo.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "apply/row_applier.h"
#include "apply/row_script.h"
#include "apply/sql_identifier.h"
#include "binlog/rows_invert.h"
#include "common/utc_time.h"
#include "pipeline/stream_pipeline.h"
#include "txn/rows_walk.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::lifecycle {
namespace {

// The bytes of the whole range, in blocks that never move: one allocation per
// 8 MiB instead of several per rows event (malloc and page faults were 56% of
// the time of an undo of 1M row changes with a vector per event).
class ByteArena {
 public:
  binlog::Bytes Copy(binlog::Bytes b) {
    if (b.empty()) return {};
    if (blocks_.empty() || used_ + b.size() > capacity_) {
      capacity_ = std::max(kBlock, b.size());
      blocks_.emplace_back(new std::byte[capacity_]);  // not zeroed: every byte is written before it is read
      used_ = 0;
    }
    std::byte* p = blocks_.back().get() + used_;
    std::memcpy(p, b.data(), b.size());
    used_ += b.size();
    return binlog::Bytes(p, b.size());
  }

 private:
  static constexpr size_t kBlock = size_t{8} << 20;
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  size_t capacity_ = 0, used_ = 0;
};

bool SameColumn(const binlog::ColumnDesc& a, const binlog::ColumnDesc& b) {
  return a.type == b.type && a.meta == b.meta && a.nullable == b.nullable && a.name == b.name &&
         a.charset == b.charset && a.has_signedness == b.has_signedness && a.is_unsigned == b.is_unsigned &&
         a.enum_values == b.enum_values && a.is_primary_key == b.is_primary_key;
}

// One copy of each distinct TABLE_MAP of the range (a table id changes with
// every statement; the table rarely does).
class SchemaStore {
 public:
  const binlog::TableSchema* Intern(const binlog::TableSchema& s) {
    for (const auto& known : all_)
      if (Same(*known, s)) return known.get();
    all_.push_back(std::make_unique<binlog::TableSchema>(s));
    return all_.back().get();
  }

 private:
  static bool Same(const binlog::TableSchema& a, const binlog::TableSchema& b) {
    if (a.table != b.table || a.database != b.database || a.columns.size() != b.columns.size() ||
        a.has_primary_key_metadata != b.has_primary_key_metadata || a.primary_key != b.primary_key)
      return false;
    for (size_t i = 0; i < a.columns.size(); ++i)
      if (!SameColumn(a.columns[i], b.columns[i])) return false;
    return true;
  }
  std::vector<std::unique_ptr<binlog::TableSchema>> all_;
};

// One inverted rows event: its bitmaps and rows in the range's ByteArena.
struct InvertedRows {
  const binlog::TableSchema* schema = nullptr;  // in the range's SchemaStore
  binlog::RowsEventView view;                   // its bitmaps and rows point into the ByteArena
};

struct UndoTransaction {
  txn::SourcePoint source;          // of the original: its GTID, the position after its commit
  std::vector<InvertedRows> steps;  // in the original's order
};

std::string Describe(const txn::SourcePoint& s) {
  std::string d = s.gtid.empty() ? std::string("the transaction") : "GTID " + s.gtid;
  d += " (ending at " + s.position.ToString();
  if (s.commit_time != 0) d += ", committed " + UtcTimeText(s.commit_time);
  return d + ")";
}

// Keeps every transaction of the range, its rows events inverted.
class Collector final : public txn::TransactionSink {
 public:
  Collector(std::vector<UndoTransaction>& out, SchemaStore& schemas, ByteArena& arena)
      : out_(out), schemas_(schemas), arena_(arena) {}

  Status OnTransaction(txn::Transaction&& t) override {
    if (t.chunk != 0 || !t.last_chunk) return Internal("undo: a transaction arrived in chunks");
    if (t.has_statement) {
      std::string sql;
      txn::ChangeReader reader(t.changes);
      txn::Change c;
      while (reader.Next(&c))
        if (c.kind == txn::ChangeKind::kStatement) {
          sql = std::string(c.sql.substr(0, 200));
          break;
        }
      return FailedPrecondition("the range holds a statement on a kept table, " + Describe(t.source) + ": `" + sql +
                                "`; a schema change (DDL) cannot be undone from the binlog. Narrow the range "
                                "(--start-*/--stop-*) or the filter (--database/--table) to leave it out");
    }
    UndoTransaction u;
    u.source = t.source;
    maps_.Clear();
    Status st = txn::WalkRowsChanges(
        t, maps_, scratch_,
        [&](const binlog::TableSchema& schema, const binlog::RowsEventView& view) -> Status {
          binlog::RowsEventView inverted;
          VOMSREPL_RETURN_IF_ERROR(binlog::InvertRowsEvent(view, schema, rows_, &inverted));
          InvertedRows inv;
          inv.schema = schemas_.Intern(schema);
          inv.view = inverted;
          inv.view.columns_before = arena_.Copy(inverted.columns_before);
          inv.view.columns_after = arena_.Copy(inverted.columns_after);
          inv.view.extra_data = {};
          inv.view.rows = arena_.Copy(inverted.rows);
          u.steps.push_back(inv);
          return Status::OK();
        },
        txn::NoStatementExpected);
    if (!st.ok()) return st.WithContext(Describe(t.source));
    if (!u.steps.empty()) out_.push_back(std::move(u));
    return Status::OK();
  }
  Status OnPositionAdvanced(const txn::SourcePoint&) override { return Status::OK(); }
  Status OnAbandon(uint32_t) override { return Status::OK(); }  // never chunked: nothing was kept

 private:
  std::vector<UndoTransaction>& out_;
  SchemaStore& schemas_;
  ByteArena& arena_;
  binlog::TableMapCache maps_;
  std::vector<std::byte> scratch_, rows_;
};

Status Collect(const UndoOptions& o, SchemaStore& schemas, ByteArena& arena, std::vector<UndoTransaction>& out) {
  txn::FilterConfig fc = o.filter;
  if (fc.include_databases.empty()) fc.include_databases = {"*"};
  VOMSREPL_ASSIGN_OR_RETURN(txn::FilterRules rules, txn::FilterRules::Create(fc));
  Collector collector(out, schemas, arena);
  txn::AssemblerOptions ao;
  ao.count_rows = false;  // counted from the inverted events where needed
  ao.max_transaction_bytes = size_t{1} << 40;  // whole transactions: never chunked
  ao.check_schema = false;                     // no DDL may be in the range anyway
  txn::TransactionAssembler assembler(rules, collector, ao);
  assembler.Reset(MariadbGtidList{});
  pipeline::StreamPipeline pipeline(assembler);
  Status st;
  if (o.master) {
    source::MasterStream master(*o.master);
    VOMSREPL_RETURN_IF_ERROR(master.Connect());
    st = pipeline.RunMaster(master);
  } else {
    source::FileStream files(o.files);
    VOMSREPL_RETURN_IF_ERROR(files.Validate());
    st = pipeline.RunFiles(files);
  }
  if (st.code() == StatusCode::kOutOfRange) st = Status::OK();  // end of input
  if (st.code() == StatusCode::kCorruption && out.empty() &&
      st.message().find("did the stream start inside one?") != std::string_view::npos)
    return FailedPrecondition("the range starts inside a transaction (" + std::string(st.message()) +
                              "): start at a transaction's GTID event, or give --start-gtid");
  VOMSREPL_RETURN_IF_ERROR(st);
  if (assembler.in_transaction())
    return FailedPrecondition("the range ends inside a transaction: end it after that transaction's commit "
                              "(--stop-gtid, or a --stop-position past its COMMIT/Xid)");
  if (out.empty())
    return FailedPrecondition("nothing to undo: the range holds no row change of the tables the filter keeps "
                              "(check --start-*/--stop-* and --database/--table)");
  return Status::OK();
}

// What the binlog cannot give back, or what would fire again: refused before
// anything is printed or written.
//   ON DELETE / ON UPDATE CASCADE, SET NULL, SET DEFAULT of a foreign key that
//   refers to a table the range deletes from (updates): the engine changed the
//   referring rows itself and logged nothing of them, so no undo restores them.
//   A trigger on a table the undo writes: it would fire again.
Status CheckHazards(apply::ReplicaSession& session, const std::vector<UndoTransaction>& txns) {
  std::map<std::pair<std::string, std::string>, std::pair<bool, bool>> touched;  // (deleted from, updated)
  for (const UndoTransaction& t : txns)
    for (const InvertedRows& s : t.steps) {
      auto& flags = touched[{s.schema->database, s.schema->table}];
      if (s.view.kind == binlog::RowsKind::kWrite) flags.first = true;  // the original was a DELETE
      if (s.view.kind == binlog::RowsKind::kUpdate) flags.second = true;
    }
  for (const auto& [name, flags] : touched) {
    const auto& [db, table] = name;
    const std::string quoted = apply::QualifiedName(db, table);
    VOMSREPL_ASSIGN_OR_RETURN(
        auto refs, session.QueryPrepared(
                       "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, UPDATE_RULE FROM "
                       "information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = ? AND "
                       "REFERENCED_TABLE_NAME = ?",
                       {db, table}));
    for (const apply::SqlRow& r : refs) {
      auto rule = [&](size_t i) { return r.size() > i && r[i] ? *r[i] : std::string(); };
      const bool on_delete = flags.first && rule(3) != "RESTRICT" && rule(3) != "NO ACTION";
      const bool on_update = flags.second && rule(4) != "RESTRICT" && rule(4) != "NO ACTION";
      if (!on_delete && !on_update)
        continue;
      return FailedPrecondition(
          apply::QuoteIdentifier(rule(0)) + "." + apply::QuoteIdentifier(rule(1)) + " refers to " + quoted + " with ON " +
          (on_delete ? "DELETE " + rule(3) : "UPDATE " + rule(4)) + " (foreign key " + apply::QuoteIdentifier(rule(2)) +
          "): the rows the engine changed in it are not in the binlog, so an undo of the range's " +
          (on_delete ? "deletes" : "updates") + " on " + quoted +
          " could not bring them back. Undo those rows from a backup, or leave that table out (--exclude-table)");
    }
    VOMSREPL_ASSIGN_OR_RETURN(auto triggers,
                              session.QueryPrepared("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                                                    "EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ?",
                                                    {db, table}));
    if (!triggers.empty())
      return FailedPrecondition(quoted + " has trigger " + apply::QuoteIdentifier(triggers[0][0].value_or("")) +
                                ": the undo's statements would fire it again (its own changes are in the binlog "
                                "already). Leave that table out (--exclude-table) or undo it by hand");
  }
  return Status::OK();
}

// Rows the undo inserts, updates and deletes.
struct RowCounts {
  uint64_t inserted = 0, updated = 0, deleted = 0;

  // Adds the rows of `step` (an UPDATE pair counts once).
  Status Add(const InvertedRows& step) {
    uint64_t rows = 0;
    VOMSREPL_RETURN_IF_ERROR(binlog::CountRows(step.view, *step.schema, &rows));
    switch (step.view.kind) {
      case binlog::RowsKind::kWrite: inserted += rows; break;
      case binlog::RowsKind::kDelete: deleted += rows; break;
      default: updated += rows; break;
    }
    return Status::OK();
  }
  RowCounts& operator+=(const RowCounts& o) {
    inserted += o.inserted;
    updated += o.updated;
    deleted += o.deleted;
    return *this;
  }
  void Report(UndoReport& r) const {
    r.rows_inserted = inserted;
    r.rows_updated = updated;
    r.rows_deleted = deleted;
  }
};

Status Print(const UndoOptions& o, const std::vector<UndoTransaction>& txns, apply::ScriptTables& tables, UndoReport& report) {
  std::string text = "-- vomsrepl undo: " + std::to_string(txns.size()) +
                     " transaction(s) reverted, newest first. Review, then run with: mariadb < FILE\n";
  text += apply::ScriptSessionSql();
  apply::ScriptChecks checks;
  RowCounts counts;
  for (auto t = txns.rbegin(); t != txns.rend(); ++t) {
    text += "-- undo of " + Describe(t->source) + "\nBEGIN;\n";
    for (auto s = t->steps.rbegin(); s != t->steps.rend(); ++s) {
      VOMSREPL_ASSIGN_OR_RETURN(const apply::TableInfo* info, tables.Resolve(*s->schema));
      VOMSREPL_RETURN_IF_ERROR(counts.Add(*s));
      VOMSREPL_RETURN_IF_ERROR(apply::AppendRowsEventSql(*info, *s->schema, s->view, checks, text));
    }
    text += "COMMIT;\n";
    if (text.size() >= (1u << 20)) {
      std::fwrite(text.data(), 1, text.size(), o.out);
      text.clear();
    }
  }
  std::fwrite(text.data(), 1, text.size(), o.out);
  counts.Report(report);
  return std::ferror(o.out) ? Internal("undo: writing the output failed") : Status::OK();
}

Status Plan(const UndoOptions& o, const std::vector<UndoTransaction>& txns, UndoReport& report) {
  std::map<const binlog::TableSchema*, RowCounts> by_schema;  // no name built per rows event
  for (const UndoTransaction& t : txns)
    for (const InvertedRows& s : t.steps) VOMSREPL_RETURN_IF_ERROR(by_schema[s.schema].Add(s));
  std::map<std::string, RowCounts> by_table;
  RowCounts total;
  for (const auto& [schema, c] : by_schema) {
    by_table[apply::QualifiedName(schema->database, schema->table)] += c;
    total += c;
  }
  total.Report(report);
  std::fprintf(o.out, "undo plan: %zu transaction(s), newest first, from %s back to %s\n", txns.size(),
               Describe(txns.back().source).c_str(), Describe(txns.front().source).c_str());
  std::fprintf(o.out, "  %-48s %10s %10s %10s\n", "table", "INSERT", "UPDATE", "DELETE");
  for (const auto& [name, c] : by_table)
    std::fprintf(o.out, "  %-48s %10llu %10llu %10llu\n", name.c_str(), (unsigned long long)c.inserted,
                 (unsigned long long)c.updated, (unsigned long long)c.deleted);
  std::fprintf(o.out, "  %-48s %10llu %10llu %10llu\n", "total", (unsigned long long)report.rows_inserted,
               (unsigned long long)report.rows_updated, (unsigned long long)report.rows_deleted);
  return Status::OK();
}

Status Execute(const UndoOptions& o, const std::vector<UndoTransaction>& txns, apply::ReplicaSession& session,
               apply::ScriptTables& tables, UndoReport& report) {
  apply::RowApplierOptions ro;
  ro.policy = apply::DivergencePolicy::kStop;
  ro.fold = false;
  ro.bulk_updates = false;
  ro.check_before_image = true;
  ro.stop_reason =
      "the row is not as the undone transaction left it: changed since, or already undone. Nothing was changed: "
      "the undo is rolled back";
  // Every table resolved first, its columns checked against the target's.
  for (const UndoTransaction& t : txns)
    for (const InvertedRows& s : t.steps) VOMSREPL_RETURN_IF_ERROR(tables.Resolve(*s.schema).status());
  apply::RowApplier applier(session, tables.catalog(), ro);
  applier.set_careful(true);
  VOMSREPL_RETURN_IF_ERROR(session.Execute("BEGIN"));
  Status st;
  for (auto t = txns.rbegin(); t != txns.rend() && st.ok(); ++t) {
    applier.SetOrigin(0, &t->source);
    for (auto s = t->steps.rbegin(); s != t->steps.rend() && st.ok(); ++s) {
      st = applier.AddRowsEvent(*s->schema, s->view);
      if (st.ok()) st = applier.Flush();
    }
  }
  if (!st.ok()) {
    applier.Discard();
    Status rolled = session.Execute("ROLLBACK");
    if (!rolled.ok()) return st.WithContext("undo (and its ROLLBACK failed: " + rolled.ToString() + ")");
    // A row not as the range left it is the server's state, not bad input.
    if (st.code() == StatusCode::kDataLoss) return FailedPrecondition(std::string(st.message()));
    return st;
  }
  VOMSREPL_RETURN_IF_ERROR(session.Execute("COMMIT"));
  const apply::RowApplierStats& s = applier.stats();
  report.rows_inserted = s.rows_inserted;
  report.rows_updated = s.rows_updated;
  report.rows_deleted = s.rows_deleted;
  report.executed = true;
  std::fprintf(o.out, "undo: %zu transaction(s) reverted on %s in one transaction: %llu row(s) inserted, %llu "
               "updated, %llu deleted\n",
               txns.size(), session.config().name.c_str(), (unsigned long long)s.rows_inserted,
               (unsigned long long)s.rows_updated, (unsigned long long)s.rows_deleted);
  return Status::OK();
}

}  // namespace

Result<UndoReport> RunUndo(const UndoOptions& o) {
  if (o.mode == UndoMode::kExecute && !o.server)
    return InvalidArgument("--execute needs the server to revert (--target-defaults-file)");
  SchemaStore schemas;
  ByteArena arena;
  std::vector<UndoTransaction> txns;
  VOMSREPL_RETURN_IF_ERROR(Collect(o, schemas, arena, txns));
  UndoReport report;
  report.transactions = txns.size();
  report.first_gtid = txns.front().source.gtid;
  report.last_gtid = txns.back().source.gtid;
  if (o.mode == UndoMode::kPlan) {
    VOMSREPL_RETURN_IF_ERROR(Plan(o, txns, report));
    return report;
  }
  std::unique_ptr<apply::ReplicaSession> session;
  if (o.server) {
    apply::ReplicaConfig config = *o.server;
    config.allow_writable = true;
    session = std::make_unique<apply::ReplicaSession>();
    VOMSREPL_RETURN_IF_ERROR(session->Open(config));
  }
  if (session) VOMSREPL_RETURN_IF_ERROR(CheckHazards(*session, txns));
  apply::ScriptTables tables(session.get());
  if (o.mode == UndoMode::kPrint) {
    VOMSREPL_RETURN_IF_ERROR(Print(o, txns, tables, report));
    return report;
  }
  VOMSREPL_RETURN_IF_ERROR(Execute(o, txns, *session, tables, report));
  return report;
}

}  // namespace vomsrepl::lifecycle
