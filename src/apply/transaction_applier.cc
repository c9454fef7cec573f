#include "apply/transaction_applier.h"

#include <mysqld_error.h>

#include <cstring>

#include "apply/channel_lock.h"
#include "apply/param_binder.h"
#include "apply/sql_identifier.h"
#include "binlog/events.h"
#include "binlog/format_description.h"
#include "binlog/rows_event.h"
#include "txn/rows_walk.h"
#include "txn/statement_router.h"

namespace vomsrepl::apply {

ApplierStats& ApplierStats::operator+=(const ApplierStats& o) {
  using S = ApplierStats;
  for (uint64_t S::*f : {&S::transactions_applied, &S::transactions_skipped, &S::commits, &S::ddl_statements,
                         &S::ddl_recovered, &S::careful_retries})
    this->*f += o.*f;
  return *this;
}

namespace {

// MariaDB sql/sql_priv.h OPTION_EXPLICIT_DEF_TIMESTAMP (1 << 24), OPTION_NO_CHECK_CONSTRAINT_CHECKS (1 << 15).
constexpr uint32_t kOptionExplicitDefTimestamp = 0x01000000;
constexpr uint32_t kOptionNoCheckConstraintChecks = 0x00008000;

std::string DescribeSource(const txn::Transaction& t) {
  std::string s = "journal seq " + std::to_string(t.seq);
  if (!t.source.position.empty()) s += ", source " + t.source.position.ToString();
  if (!t.source.gtid.empty()) s += ", GTID " + t.source.gtid;
  return s;
}

void AddString(std::vector<BoundValue>& v, std::string& arena, std::string_view s) {
  BoundValue b;
  b.type = ParamType::kBlob;
  b.offset = uint32_t(arena.size());
  b.length = uint32_t(s.size());
  arena.append(s);
  v.push_back(b);
}

void AddUInt(std::vector<BoundValue>& v, uint64_t x) {
  BoundValue b;
  b.type = ParamType::kLongLong;
  b.is_unsigned = true;
  b.num.i = int64_t(x);
  v.push_back(b);
}

// CREATE [OR REPLACE] / ALTER / DROP DATABASE|SCHEMA [IF [NOT] EXISTS] name
// (https://mariadb.com/kb/en/create-database/): the master logs the database
// such a statement names as its default database (sql_db.cc), which the
// statement does not need, and which does not exist yet for a CREATE.
bool NamesItsOwnDatabase(const std::vector<txn::SqlToken>& t) {
  auto is = [&t](size_t i, std::string_view k) { return i < t.size() && t[i].Is(k); };
  const bool alter = is(0, "ALTER");
  if (!is(0, "CREATE") && !alter && !is(0, "DROP")) return false;
  size_t i = 1;
  if (is(0, "CREATE") && is(1, "OR") && is(2, "REPLACE")) i = 3;
  if (!is(i, "DATABASE") && !is(i, "SCHEMA")) return false;
  ++i;
  if (is(i, "IF")) i += is(i + 1, "NOT") ? 3 : 2;
  if (i >= t.size() || !t[i].IsIdent()) return false;
  // ALTER DATABASE without a name works on the default database.
  for (std::string_view option : {"CHARACTER", "CHARSET", "COLLATE", "DEFAULT", "COMMENT"})
    if (alter && t[i].kind == txn::SqlTokenKind::kWord && t[i].Is(option)) return false;
  return true;
}

// CREATE [OR REPLACE] [DEFINER = ...] TRIGGER (https://mariadb.com/kb/en/create-trigger/):
// TRIGGER is a reserved word, so the first bare TRIGGER before any '(' says it.
bool CreatesTrigger(const std::vector<txn::SqlToken>& t) {
  if (t.empty() || !t[0].Is("CREATE")) return false;
  for (size_t i = 1; i < t.size() && i < 16; ++i) {
    const txn::SqlToken& k = t[i];
    if (k.IsPunct('(')) return false;
    if (k.kind == txn::SqlTokenKind::kWord && k.Is("TRIGGER")) return true;
  }
  return false;
}

}  // namespace

bool IsDdlAlreadyAppliedError(unsigned int e) {
  switch (e) {
    case ER_TABLE_EXISTS_ERROR:       // 1050
    case ER_BAD_TABLE_ERROR:          // 1051
    case ER_NO_SUCH_TABLE:            // 1146
    case ER_DUP_FIELDNAME:            // 1060
    case ER_DUP_KEYNAME:              // 1061
    case ER_CANT_DROP_FIELD_OR_KEY:   // 1091
    case ER_DB_CREATE_EXISTS:         // 1007
    case ER_DB_DROP_EXISTS:           // 1008
    case ER_BAD_FIELD_ERROR:          // 1054 (a column already renamed or dropped)
    case ER_MULTIPLE_PRI_KEY:         // 1068
      return true;
    default:
      return false;
  }
}

TransactionApplier::TransactionApplier(ReplicaSession& session, ApplierOptions options)
    : session_(session),
      options_(std::move(options)),
      catalog_(options_.warn),
      rows_(session, catalog_,
            RowApplierOptions{options_.divergence, options_.max_rows_per_statement, options_.max_statement_bytes,
                              options_.bulk_updates, options_.fold_rows, options_.fold_upsert,
                              options_.warn, options_.check_before_image}) {
  // One source transaction per replica commit: each keeps its own GTID.
  if (session_.config().preserve_gtid) options_.group_max_transactions = 1;
}

Status TransactionApplier::SetSourceGtid(const txn::Transaction& t) {
  if (!session_.config().preserve_gtid) return Status::OK();
  auto gtid = MariadbGtid::Parse(t.source.gtid);
  if (!gtid.ok() || !t.mariadb_source) {
    return FailedPrecondition(session_.config().name + ": preserve_gtid: " + DescribeSource(t) +
                              (t.source.gtid.empty() ? " has no GTID" : " has no MariaDB GTID") +
                              ": preserve_gtid needs a MariaDB master with GTIDs (remove preserve_gtid for this "
                              "replica to apply without them)");
  }
  return session_.SetSourceGtid(*gtid);
}

Result<Progress> TransactionApplier::ReadProgress() {
  VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(options_.channel).WithContext("channel name"));
  std::string sql =
      "SELECT `seq`, `gtid`, COALESCE(`gtid_state`, ''), `file`, `pos`, "
      "COALESCE(DATE_FORMAT(`applied_at`, '%Y-%m-%d %H:%i:%s.%f'), ''), `ddl_seq_pending` FROM " +
      QuoteIdentifier(session_.config().state_schema) + ".`progress` WHERE `channel` = ?";
  VOMSREPL_ASSIGN_OR_RETURN(auto rows, session_.QueryPrepared(sql, {options_.channel}));
  if (rows.empty()) return NotFound(session_.config().name + ": no progress row for channel " + options_.channel);
  const SqlRow& r = rows[0];
  Progress p;
  p.channel = options_.channel;
  p.seq = std::strtoull(r[0].value_or("0").c_str(), nullptr, 10);
  p.gtid = r[1].value_or("");
  p.gtid_state = r[2].value_or("");
  p.position.file = r[3].value_or("");
  p.position.offset = std::strtoull(r[4].value_or("0").c_str(), nullptr, 10);
  p.applied_at = r[5].value_or("");
  if (r[6]) p.ddl_seq_pending = std::strtoull(r[6]->c_str(), nullptr, 10);
  return p;
}

Result<Progress> TransactionApplier::Start() {
  Abandon();
  started_ = false;
  VOMSREPL_RETURN_IF_ERROR(session_.UseStateGtid());
  VOMSREPL_RETURN_IF_ERROR(session_.EnsureProgressTable());
  VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(options_.channel).WithContext("channel name"));
  if (options_.take_channel_lock) VOMSREPL_RETURN_IF_ERROR(LockChannel());
  auto ins = session_.QueryPrepared("INSERT IGNORE INTO " + QuoteIdentifier(session_.config().state_schema) +
                                        ".`progress` (`channel`) VALUES (?)",
                                    {options_.channel});
  if (!ins.ok()) return ins.status();
  VOMSREPL_ASSIGN_OR_RETURN(progress_, ReadProgress());
  if (progress_.ddl_seq_pending && options_.warn) {
    options_.warn(session_.config().name + ": the DDL of journal seq " + std::to_string(*progress_.ddl_seq_pending) +
                  " may or may not have run before a stop; it will be run again and 'already exists' / "
                  "'does not exist' errors will count as applied");
  }
  catalog_.Clear();
  started_ = true;
  return progress_;
}

Status TransactionApplier::LockChannel() {
  // One applier per channel and replica (apply/channel_lock.h).
  return TakeChannelLock(session_, options_.channel, options_.lock_holder, &lock_held_elsewhere_);
}

void TransactionApplier::Discard() { Abandon(); }

void TransactionApplier::Abandon() {
  if (in_transaction_ && session_.open()) session_.Execute("ROLLBACK").IgnoreError();
  in_transaction_ = false;
  // Back to the state domain (Start() retries it when this fails).
  if (session_.open()) session_.UseStateGtid().IgnoreError();
  rows_.Discard();
  rows_.set_careful(false);
  group_.clear();
  group_transactions_ = 0;
  group_rows_ = 0;
  table_maps_.Clear();
}

Status TransactionApplier::Fail(Status st, const txn::Transaction& t) {
  // `t` may live in group_, which Abandon() clears: describe it first.
  std::string context = session_.config().name + ": " + DescribeSource(t);
  Abandon();
  started_ = false;  // the caller must Start() again and resume after progress().seq
  if (st.code() == StatusCode::kDataLoss) return st;  // divergence messages name the origin
  return st.WithContext(context);
}

Status TransactionApplier::Begin(const txn::Transaction& first) {
  VOMSREPL_RETURN_IF_ERROR(SetSourceGtid(first));
  VOMSREPL_RETURN_IF_ERROR(session_.Execute("BEGIN"));
  in_transaction_ = true;
  return Status::OK();
}

Status TransactionApplier::Apply(const txn::Transaction& t) {
  if (!started_)
    return FailedPrecondition("TransactionApplier::Apply before Start() (or after an error: Start() again and "
                              "resume after progress().seq)");
  const bool continues_chunked = !group_.empty() && !group_.back().last_chunk;
  if (continues_chunked) {
    const txn::Transaction& prev = group_.back();
    if ((options_.skip_applied_by_seq && t.seq != prev.seq) || t.chunk != prev.chunk + 1) {
      Status st = InvalidArgument("expected chunk " + std::to_string(prev.chunk + 1) + " of journal seq " +
                                  std::to_string(prev.seq) + ", got chunk " + std::to_string(t.chunk) + " of seq " +
                                  std::to_string(t.seq));
      Abandon();
      return st;
    }
  } else if (options_.skip_applied_by_seq &&
             (t.seq <= progress_.seq || (!group_.empty() && t.seq <= group_.back().seq))) {
    if (t.last_chunk) ++stats_.transactions_skipped;
    return Status::OK();  // already applied (exactly once)
  } else if (t.chunk != 0) {
    return InvalidArgument("journal seq " + std::to_string(t.seq) + " starts with chunk " + std::to_string(t.chunk));
  }

  if (t.has_statement) {
    if (continues_chunked) return NotSupported("a DDL statement inside a chunked transaction");
    VOMSREPL_RETURN_IF_ERROR(CommitGroup());
    return ApplyDdl(t);
  }

  if (!in_transaction_) {
    Status st = Begin(t);
    if (!st.ok()) return Fail(std::move(st), t);
  }
  Status st;
  if (KeptWithoutChanges(t)) {
    // Send this chunk's rows now: nothing may point into `t` after we return.
    group_.push_back(t.WithoutChanges());
    st = ApplyChanges(t);
    if (st.ok()) st = rows_.Flush();
  } else {
    group_.push_back(t);
    st = ApplyChanges(group_.back());
  }
  if (!st.ok()) {
    if (!rows_.needs_careful_retry()) return Fail(std::move(st), t);
    st = ApplyGroupCarefully();
    if (!st.ok()) return Fail(std::move(st), t);
  }
  if (!t.last_chunk) return Status::OK();
  ++group_transactions_;
  if (group_transactions_ >= options_.group_max_transactions || group_rows_ >= options_.group_max_rows) {
    return CommitGroup();
  }
  return Status::OK();
}

Status TransactionApplier::ApplyChanges(const txn::Transaction& t) {
  if (t.chunk == 0) table_maps_.Clear();
  rows_.SetOrigin(t.seq, &t.source);
  const uint64_t rows_before = rows_.stats().rows_received;
  VOMSREPL_RETURN_IF_ERROR(txn::WalkRowsChanges(
      t, table_maps_, scratch_,
      [&](const binlog::TableSchema& schema, const binlog::RowsEventView& view) {
        return rows_.AddRowsEvent(schema, view);
      },
      txn::NoStatementExpected));
  group_rows_ += rows_.stats().rows_received - rows_before;
  if (rows_.careful()) VOMSREPL_RETURN_IF_ERROR(rows_.Flush());
  return Status::OK();
}

Status TransactionApplier::ApplyGroupCarefully() {
  ++stats_.careful_retries;
  rows_.Discard();
  VOMSREPL_RETURN_IF_ERROR(session_.Execute("ROLLBACK"));
  in_transaction_ = false;
  VOMSREPL_RETURN_IF_ERROR(Begin(group_.front()));
  rows_.set_careful(true);
  group_rows_ = 0;
  Status st;
  for (size_t i = 0; i < group_.size() && st.ok(); ++i) {
    const txn::Transaction& t = group_[i];
    if (!KeptWithoutChanges(t)) {
      st = ApplyChanges(t);
      continue;
    }
    // The chunks of t.seq in the group (t is its chunk 0): read them again.
    size_t last = i;
    while (last + 1 < group_.size() && group_[last + 1].seq == t.seq) ++last;
    st = options_.replay_chunks(t.seq, group_[last].chunk,
                                [this](const txn::Transaction& chunk) { return ApplyChanges(chunk); });
    i = last;
  }
  rows_.set_careful(false);
  return st;
}

Status TransactionApplier::UpdateProgress(const txn::Transaction& last, bool clear_ddl) {
  std::string sql = "UPDATE " + QuoteIdentifier(session_.config().state_schema) +
                    ".`progress` SET `seq` = ?, `gtid` = ?, `gtid_state` = ?, `file` = ?, `pos` = ?, "
                    "`applied_at` = UTC_TIMESTAMP(6)";
  if (clear_ddl) sql += ", `ddl_seq_pending` = NULL";
  sql += " WHERE `channel` = ?";
  std::vector<BoundValue> values;
  std::string arena;
  AddUInt(values, last.seq);
  AddString(values, arena, last.source.gtid);
  AddString(values, arena, last.source.gtid_state.ToString());
  AddString(values, arena, last.source.position.file);
  AddUInt(values, last.source.position.offset);
  AddString(values, arena, options_.channel);
  VOMSREPL_ASSIGN_OR_RETURN(st_mysql_stmt * stmt, session_.Prepare(sql));
  uint64_t affected = 0;
  VOMSREPL_RETURN_IF_ERROR(session_.ExecutePrepared(stmt, values, arena, &affected, "update the progress row"));
  if (affected != 1) {
    return FailedPrecondition(session_.config().name + ": the progress row of channel " + options_.channel +
                              " is missing (deleted while applying?)");
  }
  return Status::OK();
}

Status TransactionApplier::CommitGroup() {
  if (!in_transaction_) return Status::OK();
  const txn::Transaction& last = group_.back();
  Status st = rows_.Flush();
  if (!st.ok()) {
    if (!rows_.needs_careful_retry()) return Fail(std::move(st), last);
    st = ApplyGroupCarefully();
    if (!st.ok()) return Fail(std::move(st), last);
  }
  if (options_.before_commit) {
    st = options_.before_commit();
    if (!st.ok()) return Fail(std::move(st), last);
  }
  st = UpdateProgress(last, false);
  if (st.ok()) st = session_.Execute("COMMIT");
  if (!st.ok()) return Fail(std::move(st), last);
  in_transaction_ = false;
  Status state_domain = session_.UseStateGtid();
  progress_.seq = last.seq;
  progress_.gtid = last.source.gtid;
  progress_.gtid_state = last.source.gtid_state.ToString();
  progress_.position = last.source.position;
  stats_.transactions_applied += group_transactions_;
  ++stats_.commits;
  if (options_.after_commit) options_.after_commit(progress_);
  group_.clear();
  group_transactions_ = 0;
  group_rows_ = 0;
  if (!state_domain.ok()) {
    started_ = false;  // committed; the caller reconnects and resumes after progress().seq
    return state_domain;
  }
  return Status::OK();
}

Status TransactionApplier::Flush() {
  if (group_.empty() || !group_.back().last_chunk) return Status::OK();
  return CommitGroup();
}

Status TransactionApplier::SetDdlPending(uint64_t seq, bool clear) {
  std::vector<BoundValue> values;
  std::string arena;
  AddUInt(values, seq);
  if (clear) values.back().type = ParamType::kNull;
  AddString(values, arena, options_.channel);
  VOMSREPL_ASSIGN_OR_RETURN(st_mysql_stmt * stmt,
                            session_.Prepare("UPDATE " + QuoteIdentifier(session_.config().state_schema) +
                                             ".`progress` SET `ddl_seq_pending` = ? WHERE `channel` = ?"));
  uint64_t affected = 0;
  return session_.ExecutePrepared(stmt, values, arena, &affected, "mark a DDL pending in the progress row");
}

Result<bool> TransactionApplier::SourceGtidLogged(const txn::Transaction& t) {
  VOMSREPL_ASSIGN_OR_RETURN(MariadbGtid gtid, MariadbGtid::Parse(t.source.gtid));
  VOMSREPL_ASSIGN_OR_RETURN(MariadbGtidList logged, session_.GtidBinlogPos());
  const MariadbGtid* last = logged.Find(gtid.domain_id);
  return last != nullptr && last->seq_no >= gtid.seq_no;
}

Status TransactionApplier::RunStatement(const txn::Change& change, bool recovering, const txn::Transaction& t) {
  const uint64_t seq = t.seq;
  const txn::StatementContext& ctx = change.context;
  std::string set;
  auto add = [&set](const std::string& s) {
    set += set.empty() ? "SET " : ", ";
    set += s;
  };
  if (ctx.has_sql_mode) add("sql_mode = " + std::to_string(ctx.sql_mode));
  if (ctx.has_charset) {
    add("character_set_client = " + std::to_string(ctx.charset_client));
    add("collation_connection = " + std::to_string(ctx.collation_connection));
    add("collation_server = " + std::to_string(ctx.collation_server));
  }
  if (ctx.has_flags2) {
    add(std::string("foreign_key_checks = ") + ((ctx.flags2 & binlog::kQueryFlags2NoForeignKeyChecks) ? "0" : "1"));
    add(std::string("unique_checks = ") + ((ctx.flags2 & binlog::kQueryFlags2RelaxedUniqueChecks) ? "0" : "1"));
    if (t.mariadb_source && session_.is_mariadb()) {
      // What a MariaDB master's session had for the DDL (mariadb-binlog prints them
      // as SET @@session...): explicit_defaults_for_timestamp decides the columns
      // of a CREATE TABLE with TIMESTAMPs, check_constraint_checks whether an
      // ALTER checks the rows.
      add(std::string("explicit_defaults_for_timestamp = ") + ((ctx.flags2 & kOptionExplicitDefTimestamp) ? "1" : "0"));
      add(std::string("check_constraint_checks = ") + ((ctx.flags2 & kOptionNoCheckConstraintChecks) ? "0" : "1"));
    }
  }
  if (ctx.timestamp != 0) add("timestamp = " + std::to_string(ctx.timestamp));
  if (!set.empty()) VOMSREPL_RETURN_IF_ERROR(session_.Execute(set));
  if (!ctx.time_zone.empty()) {
    auto tz = session_.QueryPrepared("SET time_zone = ?", {std::string(ctx.time_zone)});
    if (!tz.ok()) return tz.status();
  }
  // Lexed once for the two questions below (a statement that does not lex is
  // neither: the server says what is wrong with it).
  auto lexed = txn::LexSql(change.sql, ctx.has_sql_mode ? ctx.sql_mode : 0);
  const std::vector<txn::SqlToken> tokens = lexed.ok() ? std::move(*lexed) : std::vector<txn::SqlToken>();
  if (CreatesTrigger(tokens)) {
    return FailedPrecondition(
        session_.config().name + ": " + DescribeSource(t) +
        ": the master created a trigger; vomsrepl does not create triggers on replicas: the master's row events "
        "already hold what its triggers write, and a trigger on the replica would write it a second time (the "
        "built-in replica does not fire triggers for row events either). Skip this DDL with `vomsrepl replica skip " +
        session_.config().name + " --seq " + std::to_string(seq) + "`: " + std::string(change.sql.substr(0, 300)));
  }
  // The statement runs in its source's default database; the session then goes
  // back to the state schema, so that no statement is ever prepared in a VO's
  // database: one prepared there would warn "Unknown database" (a Note, which is
  // an error here) at every execution once that database is dropped.
  bool moved = false;
  if (!change.database.empty()) {
    VOMSREPL_RETURN_IF_ERROR(ValidateIdentifier(change.database));
    Status use = session_.Execute("USE " + QuoteIdentifier(change.database));
    if (use.ok()) {
      moved = true;
    } else if (session_.last_errno() != ER_BAD_DB_ERROR) {
      return use;
    } else if (!NamesItsOwnDatabase(tokens)) {
      return FailedPrecondition(
          session_.config().name + ": " + DescribeSource(t) + ": the DDL's default database " + QuoteIdentifier(change.database) +
          " does not exist on the replica, and the statement needs it (it names objects without a database); "
          "the replica lacks a database the master has (bootstrap it, or skip this DDL with `vomsrepl replica "
          "skip`): " + std::string(change.sql.substr(0, 300)));
    }
    // else CREATE / ALTER / DROP DATABASE x: the master logs x as the statement's
    // default database; the statement names it and does not need it.
  }
  ++stats_.ddl_statements;
  if (session_.config().preserve_gtid) {
    if (recovering) {
      // The replica's binlog says whether the DDL ran before the stop.
      VOMSREPL_ASSIGN_OR_RETURN(bool logged, SourceGtidLogged(t));
      if (logged) {
        ++stats_.ddl_recovered;
        if (options_.warn)
          options_.warn(session_.config().name + ": DDL of journal seq " + std::to_string(t.seq) +
                        " was already applied before a stop (its GTID " + t.source.gtid +
                        " is in the replica's binlog): " + std::string(change.sql.substr(0, 300)));
        return Status::OK();
      }
    }
    VOMSREPL_RETURN_IF_ERROR(SetSourceGtid(t));
  }
  Status st = session_.Execute(change.sql);
  const unsigned int e = session_.last_errno();
  // Row statements fail on a warning (replica_session.h); a DDL's warnings are
  // logged: the master ran the same statement and may have had the same ones
  // ("table already exists" of an IF NOT EXISTS, a deprecated syntax).
  const std::string ddl_warnings = st.ok() && options_.warn ? session_.LastStatementWarnings() : std::string();
  if (moved) {
    Status back = session_.Execute("USE " + QuoteIdentifier(session_.config().state_schema));
    if (st.ok() && !back.ok()) return back;
  }
  if (!ddl_warnings.empty())
    options_.warn(session_.config().name + ": DDL of journal seq " + std::to_string(seq) + " left warnings: " +
                  ddl_warnings + ": " + std::string(change.sql.substr(0, 300)));
  // Whatever follows (rows of CREATE ... SELECT, the progress row) is vomsrepl's.
  Status state_domain = session_.UseStateGtid();
  if (st.ok()) {
    if (options_.after_ddl_statement) options_.after_ddl_statement();
    return state_domain;
  }
  if (recovering && IsDdlAlreadyAppliedError(e)) {
    ++stats_.ddl_recovered;
    if (options_.warn) {
      options_.warn(session_.config().name + ": DDL of journal seq " + std::to_string(seq) +
                    " was already applied before a stop (error " + std::to_string(e) +
                    " on re-run, recorded as applied): " + std::string(change.sql.substr(0, 300)));
    }
    return Status::OK();
  }
  if (e == ER_SPECIFIC_ACCESS_DENIED_ERROR || e == ER_DBACCESS_DENIED_ERROR || e == ER_PROCACCESS_DENIED_ERROR) {
    return Status(st.code(), std::string(st.message()) +
                                 " (a view, trigger, procedure, function or event created with a DEFINER needs SET "
                                 "USER ON *.* for the applier account, and routines CREATE ROUTINE, ALTER ROUTINE on "
                                 "the VO databases: docs/voms-guide.md, the applier account)");
  }
  return st;
}

Status TransactionApplier::ApplyDdl(const txn::Transaction& t) {
  const bool recovering = progress_.ddl_seq_pending && *progress_.ddl_seq_pending == t.seq;
  Status st = SetDdlPending(t.seq);
  if (!st.ok()) return Fail(std::move(st), t);
  table_maps_.Clear();
  rows_.SetOrigin(t.seq, &t.source);
  rows_.set_careful(true);  // rows next to a DDL (CREATE ... SELECT) run in autocommit, row by row
  st = txn::WalkRowsChanges(
      t, table_maps_, scratch_,
      [&](const binlog::TableSchema& schema, const binlog::RowsEventView& view) {
        VOMSREPL_RETURN_IF_ERROR(rows_.AddRowsEvent(schema, view));
        return rows_.Flush();
      },
      [&](const txn::Change& change) { return RunStatement(change, recovering, t); });
  rows_.set_careful(false);
  Status restore = session_.RestoreSessionSettings();
  catalog_.Clear();
  table_maps_.Clear();
  if (!st.ok()) {
    // The server answered with an error: the statement did not run (MariaDB
    // DDL is atomic), so the pending mark goes; after a lost connection it
    // stays, since the statement may or may not have run.
    if (st.code() != StatusCode::kUnavailable && restore.ok()) SetDdlPending(0, /*clear=*/true).IgnoreError();
    return Fail(std::move(st), t);
  }
  if (!restore.ok()) return Fail(std::move(restore), t);
  st = UpdateProgress(t, true);
  if (!st.ok()) return Fail(std::move(st), t);
  progress_.seq = t.seq;
  progress_.gtid = t.source.gtid;
  progress_.gtid_state = t.source.gtid_state.ToString();
  progress_.position = t.source.position;
  progress_.ddl_seq_pending.reset();
  ++stats_.transactions_applied;
  ++stats_.commits;
  if (options_.after_commit) options_.after_commit(progress_);
  return Status::OK();
}

}  // namespace vomsrepl::apply
