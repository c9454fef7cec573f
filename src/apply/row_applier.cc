#include "apply/row_applier.h"

#include <mysqld_error.h>

#include <algorithm>
#include <cstring>

#include "apply/row_statements.h"
#include "common/enum_names.h"

namespace vomsrepl::apply {

std::string_view DivergencePolicyName(DivergencePolicy p) {
  static constexpr std::string_view kNames[] = {"stop", "overwrite", "skip"};
  return EnumName(p, kNames);
}

Result<DivergencePolicy> ParseDivergencePolicy(std::string_view name) {
  if (name == "stop") return DivergencePolicy::kStop;
  if (name == "overwrite") return DivergencePolicy::kOverwrite;
  if (name == "skip") return DivergencePolicy::kSkip;
  return InvalidArgument("divergence policy '" + std::string(name) + "': expected stop, overwrite or skip");
}

namespace {

inline bool Bit(binlog::Bytes bitmap, uint32_t i) {
  return i / 8 < bitmap.size() && ((std::to_integer<uint8_t>(bitmap[i >> 3]) >> (i & 7)) & 1);
}

// Whether the before-image check compares a column of this type. Left out,
// because the bound value (param_binder.h) need not compare equal to the
// stored one although the row is unchanged:
//   FLOAT / DOUBLE  bound bit-exact, but the server compares a FLOAT column
//                   as a double and FLOAT(M,D) / DOUBLE(M,D) values round;
//                   an equality test on floating point is not reliable
//   MySQL JSON      bound as JSON text; the column compares as a JSON
//                   document (key order, number forms), not as the bytes
//   GEOMETRY        bound as the stored WKB bytes with SRID; comparing a
//                   geometry with a binary string is not a byte comparison
//   VECTOR          no equality of its own
// Every other type converts exactly (integers, DECIMAL as exact text,
// temporals as ParamTime in the session's UTC, BIT / ENUM / YEAR as the
// stored integer, SET as its bitmask bound signed, the way the server
// compares a SET column, strings and blobs as their stored bytes, compared by
// those bytes (ColumnInfo::compare_bytes: a change only in letter case or
// trailing spaces is seen too).
bool CheckedType(const binlog::ColumnDesc& c) {
  switch (c.type) {
    case binlog::ColumnType::kFloat:
    case binlog::ColumnType::kDouble:
    case binlog::ColumnType::kJson:
    case binlog::ColumnType::kGeometry:
    case binlog::ColumnType::kVector:
      return false;
    default:
      return true;
  }
}

// Server errors by which a replica refuses one row's values under the
// applier's strict sql_mode (replica_session.h), or a constraint refuses the
// row: the row is named and the divergence policy decides, like a missing
// row. Any other error (a table that does not exist, privileges, ...) stops
// the replica as it is.
bool RefusesRowValues(unsigned int e) {
  switch (e) {
    case ER_BAD_NULL_ERROR:                  // 1048 column cannot be null
    case ER_WARN_DATA_OUT_OF_RANGE:          // 1264
    case WARN_DATA_TRUNCATED:                // 1265
    case ER_TRUNCATED_WRONG_VALUE:           // 1292 incorrect date / uuid / ... value
    case ER_NO_DEFAULT_FOR_FIELD:            // 1364
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: // 1366 incorrect string / integer value
    case ER_ILLEGAL_VALUE_FOR_TYPE:          // 1367
    case ER_DATA_TOO_LONG:                   // 1406
    case ER_WRONG_VALUE_FOR_TYPE:            // 1411
    case ER_ROW_IS_REFERENCED_2:             // 1451 foreign key (parent)
    case ER_NO_REFERENCED_ROW_2:             // 1452 foreign key (child)
    case ER_DATA_OUT_OF_RANGE:               // 1690
    case ER_CONSTRAINT_FAILED:               // 4025 CHECK (JSON_VALID, ...)
    case ER_ILLEGAL_PARAMETER_DATA_TYPES2_FOR_OPERATION:  // 4078
    case 3140:                               // MySQL ER_INVALID_JSON_TEXT
      return true;
    default:
      return false;
  }
}

constexpr std::string_view kRowSavepoint = "vomsrepl_row";

}  // namespace

// What both ForEachRow visitors below share: the image being walked, the
// first error, the conversion of a cell into a parameter.
struct ImageCollector {
  ImageCollector(RowApplier* self_, const TableInfo* table_, binlog::RowsKind kind_)
      : self(self_), table(table_), kind(kind_) {}

  RowApplier* self;
  const TableInfo* table;
  binlog::RowsKind kind;
  binlog::RowImage image = binlog::RowImage::kAfter;
  Status status;

  // Converts `cell` into `dst` (bytes into `arena`); an error names the table.
  void Convert(const binlog::Cell& cell, std::string& arena, BoundValue& dst) {
    status = ConvertCell(cell, table->columns[cell.index].target(), arena, &dst);
    if (!status.ok()) status = status.WithContext(table->quoted_name);
  }
  // True at EndRow of a source row's last image: the only image of a WRITE or
  // DELETE, the after image of an UPDATE.
  bool RowComplete() const {
    return status.ok() && (kind == binlog::RowsKind::kDelete || image == binlog::RowImage::kAfter);
  }
};

// Visitor for binlog::ForEachRow: converts the needed cells of each image
// and appends one batch row per source row.
struct RowCollector : ImageCollector {
  RowCollector(RowApplier* self_, const TableInfo* table_, binlog::RowsKind kind_,
               const std::vector<uint8_t>* need_before_, const std::vector<uint8_t>* need_after_)
      : ImageCollector(self_, table_, kind_),
        need_before(need_before_),
        need_after(need_after_),
        before(need_before_->size()),
        after(need_after_->size()) {}

  const std::vector<uint8_t>* need_before;
  const std::vector<uint8_t>* need_after;
  std::vector<BoundValue> before, after;

  void BeginRow(binlog::RowImage im) { image = im; }
  void OnCell(const binlog::Cell& cell) {
    if (!status.ok()) return;
    bool is_before = image == binlog::RowImage::kBefore;
    if (!(is_before ? (*need_before)[cell.index] : (*need_after)[cell.index])) return;
    Convert(cell, self->batch_.arena, is_before ? before[cell.index] : after[cell.index]);
  }
  void EndRow() {
    if (!RowComplete()) return;
    RowApplier::Batch& b = self->batch_;
    for (uint32_t c : b.set_columns) {
      b.values.push_back(after[c]);
      b.bytes += after[c].wire_size();
    }
    for (uint32_t c : b.where_columns) {
      b.values.push_back(before[c]);
      b.bytes += before[c].wire_size();
    }
    for (uint32_t c : b.check_columns) {
      b.values.push_back(before[c]);
      b.bytes += before[c].wire_size();
    }
    b.origin_seq.push_back(self->origin_seq_);
    b.origin.push_back(self->origin_);
    ++b.rows;
    ++self->stats_.rows_received;
  }
};

RowApplierStats& RowApplierStats::operator+=(const RowApplierStats& o) {
  using S = RowApplierStats;
  for (uint64_t S::*f : {&S::rows_inserted, &S::rows_updated, &S::rows_deleted, &S::rows_skipped, &S::rows_overwritten,
                         &S::statements, &S::rows_received, &S::rows_folded, &S::rows_folded_away,
                         &S::rows_unchanged_by_key, &S::joined_statements})
    this->*f += o.*f;
  return *this;
}

RowApplier::RowApplier(ReplicaSession& session, TableCatalog& catalog, RowApplierOptions options)
    : session_(session), catalog_(catalog), options_(std::move(options)) {
  if (options_.max_rows_per_statement == 0) options_.max_rows_per_statement = 1;
}

size_t RowApplier::RowsPerStatement(size_t width) const {
  // A prepared statement takes at most 65,535 placeholders.
  return std::max<size_t>(1, std::min<size_t>(options_.max_rows_per_statement, 65535 / std::max<size_t>(width, 1)));
}

uint64_t RowApplier::StatementByteCap() const {
  uint64_t cap = session_.max_allowed_packet() / 2;
  return std::max<uint64_t>(1, std::min<uint64_t>(cap, options_.max_statement_bytes));
}

void RowApplier::ClearBatch() {
  batch_.values.clear();
  batch_.arena.clear();
  batch_.origin_seq.clear();
  batch_.origin.clear();
  batch_.rows = 0;
  batch_.bytes = 0;
  batch_.table = nullptr;
}

void RowApplier::Discard() {
  ClearBatch();
  folder_.Clear();
  needs_retry_ = false;
}

Status RowApplier::AddRowsEvent(const binlog::TableSchema& schema, const binlog::RowsEventView& event) {
  VOMSREPL_ASSIGN_OR_RETURN(const TableInfo* t, catalog_.Resolve(session_, schema));
  const uint32_t n = uint32_t(schema.columns.size());
  binlog::RowsKind kind = event.kind == binlog::RowsKind::kPartialUpdate ? binlog::RowsKind::kUpdate : event.kind;
  binlog::Bytes after_bitmap = kind == binlog::RowsKind::kWrite ? event.columns_before : event.columns_after;

  VOMSREPL_ASSIGN_OR_RETURN(RowShape shape, ShapeRows(*t, kind, event.columns_before, after_bitmap));
  if (kind == binlog::RowsKind::kUpdate && shape.set_columns.empty()) return Status::OK();  // nothing writable changed
  std::vector<uint32_t> set_columns = std::move(shape.set_columns), where_columns = std::move(shape.where_columns);
  const bool key_match = shape.key_match;
  std::vector<uint32_t> check_columns;
  if (key_match) check_columns = CheckColumns(*t, schema, event.columns_before);

  // Only the check flags matter for a batch (STMT_END_F differs between the
  // events of one statement).
  const uint16_t flags =
      event.flags & (binlog::kRowsFlagNoForeignKeyChecks | binlog::kRowsFlagRelaxedUniqueChecks);
  Batch& b = batch_;
  if (event.kind != binlog::RowsKind::kPartialUpdate &&
      CanFold(*t, kind, flags, after_bitmap, event.columns_before, n)) {
    if (b.rows > 0 && b.table == t) VOMSREPL_RETURN_IF_ERROR(FlushBatch());
    VOMSREPL_RETURN_IF_ERROR(FoldRowsEvent(*t, schema, event, kind));
    if (folder_.changes() >= uint64_t(options_.max_rows_per_statement) * 8 ||
        folder_.bytes() + folder_.arena().size() >= StatementByteCap() * 4)
      return Flush();
    return Status::OK();
  }
  // The folded rows of this table go first (its changes stay in source order).
  if (folder_.Has(t)) VOMSREPL_RETURN_IF_ERROR(Flush());
  bool compatible = b.rows > 0 && b.table == t && b.kind == kind && b.flags == flags &&
                    b.key_match == key_match && b.set_columns == set_columns && b.where_columns == where_columns &&
                    b.check_columns == check_columns;
  if (!compatible) {
    VOMSREPL_RETURN_IF_ERROR(FlushBatch());
    b.table = t;
    b.kind = kind;
    b.flags = flags;
    b.key_match = key_match;
    b.set_columns = std::move(set_columns);
    b.where_columns = std::move(where_columns);
    b.check_columns = std::move(check_columns);
  }

  std::vector<uint8_t> need_before(n, 0), need_after(n, 0);
  for (uint32_t c : b.set_columns) need_after[c] = 1;
  for (uint32_t c : b.where_columns) need_before[c] = 1;
  for (uint32_t c : b.check_columns) need_before[c] = 1;
  RowCollector collector(this, t, kind, &need_before, &need_after);
  // ForEachRow delivers whole rows; flush between rows would invalidate
  // nothing (values are copies), so caps are checked after the event.
  Status st = binlog::ForEachRow(event, schema, collector);
  if (!st.ok()) return st.WithContext(t->quoted_name);
  if (!collector.status.ok()) return collector.status;
  uint64_t row_cap = careful_ ? 1 : uint64_t(options_.max_rows_per_statement) * 4;
  if (b.rows >= row_cap || b.bytes >= StatementByteCap()) return FlushBatch();
  return Status::OK();
}

Status RowApplier::Flush() {
  VOMSREPL_RETURN_IF_ERROR(FlushBatch());
  return FlushFolded();
}

Status RowApplier::ExecuteBatch() {
  Status st = session_.SetChecks(!(batch_.flags & binlog::kRowsFlagNoForeignKeyChecks),
                                 !(batch_.flags & binlog::kRowsFlagRelaxedUniqueChecks));
  if (!st.ok()) return st;
  switch (batch_.kind) {
    case binlog::RowsKind::kWrite: return FlushInserts();
    case binlog::RowsKind::kDelete: return FlushDeletes();
    default: return FlushUpdates();
  }
}

Status RowApplier::FlushBatch() {
  if (batch_.rows == 0) return Status::OK();
  Status st = ExecuteBatch();
  ClearBatch();
  return st;
}

Status RowApplier::Run(const std::string& sql, size_t first, size_t count, uint64_t* affected,
                       std::string_view what) {
  uint64_t bytes = sql.size();
  for (size_t i = first; i < first + count; ++i) bytes += batch_.values[i].wire_size();
  if (bytes + 1024 > session_.max_allowed_packet()) {
    // Sent anyway, the server would drop the connection (2006) and a retry
    // would loop: a request never larger than the packet limit is the rule.
    return FailedPrecondition(session_.config().name + ": " + std::string(what) + ": a row of " +
                              std::to_string(bytes) + " bytes does not fit the replica's max_allowed_packet (" +
                              std::to_string(session_.max_allowed_packet()) + "): raise it on the replica");
  }
  VOMSREPL_ASSIGN_OR_RETURN(st_mysql_stmt * stmt, session_.Prepare(sql));
  ++stats_.statements;
  // A row the replica stores with a warning has been changed already: under
  // the skip policy it is taken back to this point (RefusedRow).
  if (careful_ && options_.policy == DivergencePolicy::kSkip)
    VOMSREPL_RETURN_IF_ERROR(session_.Execute("SAVEPOINT " + std::string(kRowSavepoint)));
  return session_.ExecutePrepared(stmt, std::span<const BoundValue>(batch_.values).subspan(first, count), batch_.arena,
                                  affected, what);
}

Status RowApplier::RefusedRow(const Status& st, size_t row) {
  if (!session_.last_was_warning() && !RefusesRowValues(session_.last_errno())) return st;
  if (!careful_) {
    // A statement of many rows cannot say which one: roll back, retry row by row.
    needs_retry_ = true;
    return Aborted(std::string(st.message()) + ": retry row by row");
  }
  if (session_.last_was_warning() && options_.policy == DivergencePolicy::kSkip)
    VOMSREPL_RETURN_IF_ERROR(session_.Execute("ROLLBACK TO SAVEPOINT " + std::string(kRowSavepoint)));
  std::string cause(st.message());
  const std::string prefix = session_.config().name + ": ";
  if (cause.compare(0, prefix.size(), prefix) == 0) cause.erase(0, prefix.size());
  return Divergence("the replica refused or changed the row's values (" + cause + ")", row,
                    /*overwrite_resolves=*/false);
}

std::vector<uint32_t> RowApplier::CheckColumns(const TableInfo& t, const binlog::TableSchema& schema,
                                               binlog::Bytes before_bitmap) const {
  std::vector<uint32_t> out;
  if (!options_.check_before_image) return out;
  const auto n = uint32_t(std::min(schema.columns.size(), t.columns.size()));
  for (uint32_t i = 0; i < n; ++i) {
    if (!Bit(before_bitmap, i) || t.columns[i].generated || !CheckedType(schema.columns[i])) continue;
    if (std::find(t.key.begin(), t.key.end(), i) != t.key.end()) continue;
    out.push_back(i);
  }
  return out;
}

Result<bool> RowApplier::KeyExists(size_t row) {
  const Batch& b = batch_;
  const std::string what = "SELECT 1 FROM " + b.table->quoted_name;
  VOMSREPL_ASSIGN_OR_RETURN(st_mysql_stmt * stmt, session_.Prepare(BuildKeyExistsSql(*b.table, b.where_columns)));
  ++stats_.statements;
  return session_.ExecuteFindsRow(
      stmt,
      std::span<const BoundValue>(batch_.values).subspan(row * b.width() + b.set_columns.size(), b.where_columns.size()),
      batch_.arena, what);
}

std::string RowApplier::DescribeRow(size_t row, bool where) const {
  const Batch& b = batch_;
  const std::vector<uint32_t>& cols = where ? b.where_columns : b.set_columns;
  size_t base = row * b.width() + (where ? b.set_columns.size() : 0);
  std::string out = "(";
  size_t shown = std::min<size_t>(cols.size(), 8);
  for (size_t i = 0; i < shown; ++i) {
    if (i) out += ", ";
    out += b.table->columns[cols[i]].name;
    out += '=';
    out += DescribeValue(b.values[base + i], b.arena);
  }
  if (cols.size() > shown) out += ", ...";
  out += ')';
  return out;
}

Status RowApplier::Divergence(const std::string& what, size_t row, bool overwrite_resolves) {
  const Batch& b = batch_;
  std::string msg = session_.config().name + ": " + what + " in " + b.table->quoted_name;
  if (b.kind == binlog::RowsKind::kWrite) {
    msg += ", row " + DescribeRow(row, false);
  } else {
    msg += b.key_match ? ", key " : ", row (no key) ";
    msg += DescribeRow(row, true);
  }
  if (b.origin_seq[row] != 0) msg += ", journal seq " + std::to_string(b.origin_seq[row]);
  if (const txn::SourcePoint* p = b.origin[row]) {
    if (!p->position.empty()) msg += ", source " + p->position.ToString();
    if (!p->gtid.empty()) msg += ", GTID " + p->gtid;
  }
  if (options_.policy == DivergencePolicy::kStop) {
    return DataLoss(msg + " (" + options_.stop_reason + ")");
  }
  if (options_.policy == DivergencePolicy::kOverwrite && !overwrite_resolves) {
    return DataLoss(msg + " (divergence policy overwrite cannot write a value the replica refuses: stopped)");
  }
  if (options_.policy == DivergencePolicy::kSkip) {
    ++stats_.rows_skipped;
    if (options_.warn) options_.warn(msg + ": skipped (divergence policy skip)");
  } else {
    ++stats_.rows_overwritten;
    if (options_.warn) options_.warn(msg + ": overwritten (divergence policy overwrite)");
  }
  return Status::OK();
}

// Rows [r, r+k) of the batch for one statement: at most max_rows, and beyond
// the first row at most `cap` bytes of bound values (*bytes: their size).
size_t RowApplier::ChunkRows(size_t r, size_t max_rows, uint64_t cap, uint64_t* bytes) const {
  const Batch& b = batch_;
  const size_t width = b.width();
  size_t k = 0;
  *bytes = 0;
  while (r + k < b.rows && k < max_rows) {
    uint64_t rb = 0;
    for (size_t i = 0; i < width; ++i) rb += b.values[(r + k) * width + i].wire_size();
    if (k > 0 && *bytes + rb > cap) break;
    *bytes += rb;
    ++k;
  }
  return k;
}

// Runs one statement per chunk of the batch (ChunkRows): statement(first row,
// rows, bytes of their values); the first error ends the loop.
template <class Statement>
Status RowApplier::ForEachChunk(size_t max_rows, Statement statement) {
  const uint64_t cap = StatementByteCap();
  for (size_t r = 0; r < batch_.rows;) {
    uint64_t bytes = 0;
    const size_t k = ChunkRows(r, max_rows, cap, &bytes);
    VOMSREPL_RETURN_IF_ERROR(statement(r, k, bytes));
    r += k;
  }
  return Status::OK();
}

Status RowApplier::FlushInserts() {
  Batch& b = batch_;
  const size_t width = b.width();
  const size_t max_rows = careful_ ? 1 : RowsPerStatement(width);
  return ForEachChunk(max_rows, [&](size_t r, size_t k, uint64_t) -> Status {
    uint64_t affected = 0;
    Status st = Run(BuildInsertSql(*b.table, b.set_columns, k, InsertMode::kPlain), r * width, k * width, &affected,
                    "INSERT INTO " + b.table->quoted_name);
    if (st.ok()) {
      stats_.rows_inserted += k;
      return Status::OK();
    }
    if (session_.last_errno() != ER_DUP_ENTRY || session_.last_was_warning()) return RefusedRow(st, r);
    if (!careful_) {
      needs_retry_ = true;
      return Aborted("duplicate key in a batched INSERT: retry row by row");
    }
    VOMSREPL_RETURN_IF_ERROR(Divergence("duplicate key on INSERT (like error 1062)", r));
    if (options_.policy != DivergencePolicy::kOverwrite) return Status::OK();
    return Run(BuildInsertSql(*b.table, b.set_columns, 1, InsertMode::kUpsert), r * width, width, &affected,
               "INSERT ... ON DUPLICATE KEY UPDATE " + b.table->quoted_name);
  });
}

Status RowApplier::RunBulk(const std::string& sql, size_t first_row, size_t rows, uint64_t* affected,
                           std::string_view what) {
  const size_t width = batch_.width();
  VOMSREPL_ASSIGN_OR_RETURN(st_mysql_stmt * stmt, session_.Prepare(sql));
  ++stats_.statements;
  return session_.ExecuteBulk(stmt, std::span<const BoundValue>(batch_.values).subspan(first_row * width, rows * width),
                              width, batch_.arena, affected, what);
}

bool RowApplier::JoinsRows() const {
  // The derived table has a column per parameter of a row: far below the
  // server's 4,096 columns of a table (a very wide table keeps bulk / row
  // statements).
  constexpr size_t kMaxDerivedColumns = 1024;
  return !careful_ && batch_.key_match && batch_.width() <= kMaxDerivedColumns && session_.is_mariadb() &&
         JoinKeyed(*batch_.table);
}

// The key values of rows [r, r+k) are integers (JoinKeyed); false when two
// rows name the same key (or a key is NULL).
bool RowApplier::DistinctKeys(size_t r, size_t k) const {
  const Batch& b = batch_;
  const size_t width = b.width(), first = b.set_columns.size(), n = b.where_columns.size();
  std::vector<int64_t> keys(k * n);
  for (size_t i = 0; i < k; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const BoundValue& v = b.values[(r + i) * width + first + j];
      if (v.type != ParamType::kLongLong) return false;
      keys[i * n + j] = v.num.i;
    }
  }
  std::vector<uint32_t> order(k);
  for (size_t i = 0; i < k; ++i) order[i] = uint32_t(i);
  const auto key = [&](uint32_t i) { return std::span<const int64_t>(keys).subspan(i * n, n); };
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    return std::lexicographical_compare(key(x).begin(), key(x).end(), key(y).begin(), key(y).end());
  });
  for (size_t i = 1; i < k; ++i)
    if (std::equal(key(order[i - 1]).begin(), key(order[i - 1]).end(), key(order[i]).begin())) return false;
  return true;
}

// After one UPDATE / DELETE statement (`st`, `affected`) for rows [r, r+k)
// of the batch, each row finding at most one row (unique keys): every row
// found, or Aborted for a careful retry. `statement` names it in the retry's
// reason ("a bulk UPDATE").
Status RowApplier::FoundEveryRow(const Status& st, uint64_t affected, size_t r, size_t k,
                                 std::string_view statement) {
  if (!st.ok()) {
    if (session_.last_errno() != ER_DUP_ENTRY || session_.last_was_warning()) {
      return RefusedRow(st, r);  // not careful: Aborted for a retry, or st
    }
    needs_retry_ = true;
    return Aborted("duplicate key in " + std::string(statement) + ": retry row by row");
  }
  if (affected != k) {
    needs_retry_ = true;
    return Aborted(std::string(statement) + " matched fewer rows than it names: retry row by row");
  }
  (batch_.kind == binlog::RowsKind::kDelete ? stats_.rows_deleted : stats_.rows_updated) += k;
  return Status::OK();
}

Status RowApplier::RunJoined(const std::string& sql, size_t r, size_t k, std::string_view what) {
  ++stats_.joined_statements;
  const size_t width = batch_.width();
  uint64_t affected = 0;
  Status st = Run(sql, r * width, k * width, &affected, what);
  const bool deletes = batch_.kind == binlog::RowsKind::kDelete;
  return FoundEveryRow(st, affected, r, k, deletes ? "a joined DELETE" : "a joined UPDATE");
}

Status RowApplier::FlushUpdates() {
  Batch& b = batch_;
  const std::string what = "UPDATE " + b.table->quoted_name;
  const bool join = b.rows > 1 && JoinsRows();
  const bool bulk = !careful_ && b.key_match && b.rows > 1 && session_.supports_bulk() && options_.bulk_updates;
  const std::string sql = BuildUpdateSql(*b.table, b.set_columns, b.where_columns, b.key_match, b.check_columns);
  if (!join && !bulk) return UpdateRowByRow(sql, what, 0, b.rows);
  const size_t max_rows =
      join ? RowsPerStatement(b.width()) : std::max<size_t>(1, options_.max_rows_per_statement);
  return ForEachChunk(max_rows, [&](size_t r, size_t k, uint64_t bytes) -> Status {
    // Distinct keys: each row of the joined statement finds its own row
    // (two UPDATEs of one key go one after the other, by bulk or row).
    if (join && k > 1 && DistinctKeys(r, k))
      return RunJoined(BuildJoinUpdateSql(*b.table, b.set_columns, b.where_columns, b.check_columns, k), r, k, what);
    if (!bulk) return UpdateRowByRow(sql, what, r, r + k);
    if (bytes + sql.size() + 1024 > session_.max_allowed_packet()) {
      return FailedPrecondition(session_.config().name + ": " + what + ": a row of " + std::to_string(bytes) +
                                " bytes does not fit the replica's max_allowed_packet (" +
                                std::to_string(session_.max_allowed_packet()) + "): raise it on the replica");
    }
    // Each row matches at most one row (unique key): the total equals the
    // row count exactly when every row was found.
    uint64_t affected = 0;
    Status st = RunBulk(sql, r, k, &affected, what);
    return FoundEveryRow(st, affected, r, k, "a bulk UPDATE");
  });
}

// `sql`: the batch's one-row UPDATE (BuildUpdateSql); `what` names it in errors.
Status RowApplier::UpdateRowByRow(const std::string& sql, const std::string& what, size_t from, size_t to) {
  Batch& b = batch_;
  const size_t width = b.width();
  for (size_t r = from; r < to; ++r) {
    uint64_t affected = 0;
    Status st = Run(sql, r * width, width, &affected, what);
    if (!st.ok()) {
      const bool duplicate = session_.last_errno() == ER_DUP_ENTRY && !session_.last_was_warning();
      if (duplicate && careful_ && options_.policy == DivergencePolicy::kStop)
        return Divergence("duplicate key on UPDATE (like error 1062)", r);
      if (duplicate && !careful_) {
        needs_retry_ = true;
        return Aborted("duplicate key in an UPDATE: retry row by row");
      }
      if (duplicate) return st;
      VOMSREPL_RETURN_IF_ERROR(RefusedRow(st, r));
      continue;
    }
    if (affected > 0) {
      ++stats_.rows_updated;
      continue;
    }
    if (!careful_) {
      needs_retry_ = true;
      return Aborted("UPDATE matched no row: retry row by row");
    }
    if (!b.check_columns.empty()) {
      VOMSREPL_ASSIGN_OR_RETURN(bool exists, KeyExists(r));
      if (exists) {
        VOMSREPL_RETURN_IF_ERROR(Divergence("row differs from the source's before image on UPDATE", r));
        if (options_.policy == DivergencePolicy::kOverwrite) {
          // By key only: the after image replaces the replica's row.
          VOMSREPL_RETURN_IF_ERROR(Run(BuildUpdateSql(*b.table, b.set_columns, b.where_columns, true), r * width,
                                       b.set_columns.size() + b.where_columns.size(), &affected, what));
        }
        continue;
      }
    }
    VOMSREPL_RETURN_IF_ERROR(Divergence("row not found for UPDATE (like error 1032)", r));
    if (options_.policy == DivergencePolicy::kOverwrite) {
      VOMSREPL_RETURN_IF_ERROR(Run(BuildInsertSql(*b.table, b.set_columns, 1, InsertMode::kUpsert), r * width,
                                   b.set_columns.size(), &affected,
                                   "INSERT ... ON DUPLICATE KEY UPDATE " + b.table->quoted_name));
    }
  }
  return Status::OK();
}

Status RowApplier::FlushDeletes() {
  Batch& b = batch_;
  const size_t width = b.width();
  const size_t max_rows = careful_ || !b.key_match ? 1 : RowsPerStatement(width);
  const std::string what = "DELETE FROM " + b.table->quoted_name;
  // A checked DELETE, or one by a composite key, names each row by a
  // conjunction: joined (one index lookup per row) rather than an OR of them.
  const bool join = b.rows > 1 && (!b.check_columns.empty() || b.where_columns.size() > 1) && JoinsRows();
  // Checked before images may carry large columns: cut by bytes too.
  return ForEachChunk(max_rows, [&](size_t r, size_t k, uint64_t) -> Status {
    if (join && k > 1) return RunJoined(BuildJoinDeleteSql(*b.table, b.where_columns, b.check_columns, k), r, k, what);
    uint64_t affected = 0;
    Status st = Run(BuildDeleteSql(*b.table, b.where_columns, k, b.key_match, b.check_columns), r * width, k * width,
                    &affected, what);
    if (!st.ok()) return RefusedRow(st, r);
    if (affected == k) {
      stats_.rows_deleted += k;
      return Status::OK();
    }
    if (!careful_) {
      needs_retry_ = true;
      return Aborted("DELETE matched fewer rows than it names: retry row by row");
    }
    bool exists = false;
    if (!b.check_columns.empty()) {
      VOMSREPL_ASSIGN_OR_RETURN(exists, KeyExists(r));
    }
    if (!exists) return Divergence("row not found for DELETE (like error 1032)", r);
    VOMSREPL_RETURN_IF_ERROR(Divergence("row differs from the source's before image on DELETE", r));
    if (options_.policy != DivergencePolicy::kOverwrite) return Status::OK();
    return Run(BuildDeleteSql(*b.table, b.where_columns, 1, true), r * width, b.where_columns.size(), &affected, what);
  });
}

// ---------------------------------------------------------------------------
// Folding (row_folder.h)

bool RowApplier::CanFold(const TableInfo& t, binlog::RowsKind kind, uint16_t flags, binlog::Bytes after_bitmap,
                         binlog::Bytes before_bitmap, uint32_t columns) const {
  if (!options_.fold || careful_ || !t.foldable || flags != 0 || t.key.empty()) return false;
  if (kind != binlog::RowsKind::kDelete) {
    for (uint32_t i = 0; i < columns; ++i)
      if (!t.columns[i].generated && !Bit(after_bitmap, i)) return false;  // partial after image
  }
  if (kind != binlog::RowsKind::kWrite) {
    for (uint32_t k : t.key)
      if (!Bit(before_bitmap, k)) return false;
  }
  return true;
}

// FNV-1a over `n` bytes, continuing from `h`.
uint64_t DigestBytes(uint64_t h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ULL;
  }
  return h;
}

// Visitor for binlog::ForEachRow: converts the key of the before image and
// every written column of the after image into the folder's arena, and
// digests both images (ImageDigest: the stored bytes of every non-generated
// column, so that a net UPDATE back to the first before image is noticed).
struct FoldCollector : ImageCollector {
  FoldCollector(RowApplier* self_, const TableInfo* table_, binlog::RowsKind kind_,
                const std::vector<uint32_t>* set_columns_, const std::vector<uint32_t>* check_columns_,
                const std::vector<int32_t>* key_slot_, const std::vector<int32_t>* set_slot_)
      : ImageCollector(self_, table_, kind_),
        set_columns(set_columns_),
        check_columns(check_columns_),
        key_slot(key_slot_),
        set_slot(set_slot_),
        before_key(table_->key.size() + check_columns_->size()),
        after(set_columns_->size()) {}

  const std::vector<uint32_t>* set_columns;
  const std::vector<uint32_t>* check_columns;
  const std::vector<int32_t>* key_slot;  // column -> position in the key + check values, -1
  const std::vector<int32_t>* set_slot;  // column -> position in set_columns, -1
  std::vector<BoundValue> before_key, after;
  ImageDigest before_digest{}, after_digest{};
  size_t digested = 0;  // columns of the current image in its digest

  ImageDigest& digest() { return image == binlog::RowImage::kBefore ? before_digest : after_digest; }
  void BeginRow(binlog::RowImage im) {
    image = im;
    digest() = ImageDigest{14695981039346656037ULL, false};
    digested = 0;
  }
  void OnCell(const binlog::Cell& cell) {
    if (!status.ok()) return;
    if (!table->columns[cell.index].generated) {
      ImageDigest& d = digest();
      const uint32_t size = cell.is_null ? UINT32_MAX : uint32_t(cell.bytes.size());
      d.hash = DigestBytes(d.hash, &cell.index, sizeof cell.index);
      d.hash = DigestBytes(d.hash, &size, sizeof size);
      d.hash = DigestBytes(d.hash, cell.bytes.data(), cell.bytes.size());
      d.complete = ++digested == set_columns->size();
    }
    int32_t slot = image == binlog::RowImage::kBefore ? (*key_slot)[cell.index] : (*set_slot)[cell.index];
    if (slot < 0) return;
    Convert(cell, self->folder_.arena(),
            image == binlog::RowImage::kBefore ? before_key[size_t(slot)] : after[size_t(slot)]);
  }
  void EndRow() {
    if (!RowComplete()) return;
    ++self->stats_.rows_received;
    ++self->stats_.rows_folded;
    status = self->folder_.Add(table, *set_columns, *check_columns, kind, before_key, after, self->origin_seq_,
                               self->origin_, before_digest, after_digest);
    if (status.code() == StatusCode::kAborted) self->needs_retry_ = true;
  }
};

Status RowApplier::FoldRowsEvent(const TableInfo& t, const binlog::TableSchema& schema,
                                 const binlog::RowsEventView& event, binlog::RowsKind kind) {
  const auto n = uint32_t(schema.columns.size());
  std::vector<uint32_t> set_columns;
  std::vector<int32_t> key_slot(n, -1), set_slot(n, -1);
  for (uint32_t i = 0; i < n; ++i) {
    if (t.columns[i].generated) continue;
    set_slot[i] = kind == binlog::RowsKind::kDelete ? -1 : int32_t(set_columns.size());
    set_columns.push_back(i);
  }
  // The check columns of an INSERT: none; of an UPDATE / DELETE: those of
  // its before image (the folder refuses a mix within one table).
  std::vector<uint32_t> check_columns;
  if (kind != binlog::RowsKind::kWrite) {
    check_columns = CheckColumns(t, schema, event.columns_before);
    for (size_t k = 0; k < t.key.size(); ++k) key_slot[t.key[k]] = int32_t(k);
    for (size_t j = 0; j < check_columns.size(); ++j) key_slot[check_columns[j]] = int32_t(t.key.size() + j);
  }
  FoldCollector collector(this, &t, kind, &set_columns, &check_columns, &key_slot, &set_slot);
  Status st = binlog::ForEachRow(event, schema, collector);
  if (!st.ok()) return st.WithContext(t.quoted_name);
  return collector.status;
}

Status RowApplier::FlushFolded() {
  if (folder_.empty()) return Status::OK();
  VOMSREPL_RETURN_IF_ERROR(FlushBatch());
  uint64_t sent = 0;
  std::swap(batch_.arena, folder_.arena());
  Status st = folder_.ForEachNet([&](const TableInfo& t, NetChange net, const std::vector<uint32_t>& set_columns,
                                     const std::vector<uint32_t>& check_columns,
                                     const std::vector<RowFolder::NetRow>& rows) -> Status {
    // An upsert cannot compare the replica's row with a before image.
    const bool upsert = net == NetChange::kUpdate && options_.fold_upsert && check_columns.empty();
    if (upsert) {
      // A row that most likely ends as it was would count like a missing one
      // in the upsert (CLIENT_FOUND_ROWS: 1 either way) and send the whole
      // group row by row: it goes by key instead, where it counts as found.
      std::vector<RowFolder::NetRow> same, changed;
      for (const RowFolder::NetRow& r : rows) (r.maybe_unchanged ? same : changed).push_back(r);
      if (!same.empty()) {
        stats_.rows_unchanged_by_key += same.size();
        VOMSREPL_RETURN_IF_ERROR(SendNet(t, net, set_columns, check_columns, same, false, &sent));
      }
      return changed.empty() ? Status::OK() : SendNet(t, net, set_columns, check_columns, changed, true, &sent);
    }
    return SendNet(t, net, set_columns, check_columns, rows, false, &sent);
  });
  std::swap(batch_.arena, folder_.arena());
  ClearBatch();
  stats_.rows_folded_away += folder_.changes() - std::min(sent, folder_.changes());
  folder_.Clear();
  return st;
}

// One statement kind of FlushFolded: `rows` into batch_, then sent (as an
// upsert of their after images, or by key).
Status RowApplier::SendNet(const TableInfo& t, NetChange net, const std::vector<uint32_t>& set_columns,
                           const std::vector<uint32_t>& check_columns, const std::vector<RowFolder::NetRow>& rows,
                           bool upsert, uint64_t* sent) {
  Batch& b = batch_;
  b.table = &t;
  b.flags = 0;
  b.key_match = true;
  b.values.clear();
  b.origin_seq.clear();
  b.origin.clear();
  b.bytes = 0;
  switch (net) {
    case NetChange::kDelete:
      b.kind = binlog::RowsKind::kDelete;
      b.set_columns.clear();
      b.where_columns = t.key;
      b.check_columns = check_columns;
      break;
    case NetChange::kUpdate:
      b.kind = binlog::RowsKind::kUpdate;
      b.set_columns = set_columns;
      b.where_columns = upsert ? std::vector<uint32_t>{} : t.key;
      b.check_columns = upsert ? std::vector<uint32_t>{} : check_columns;
      break;
    case NetChange::kInsert:
      b.kind = binlog::RowsKind::kWrite;
      b.set_columns = set_columns;
      b.where_columns.clear();
      b.check_columns.clear();
      break;
  }
  const size_t width = b.width();  // an upsert needs the after image only
  for (const RowFolder::NetRow& r : rows) {
    for (const BoundValue& v : r.values.first(std::min(width, r.values.size()))) {
      b.values.push_back(v);
      b.bytes += v.wire_size();
    }
    b.origin_seq.push_back(r.seq);
    b.origin.push_back(r.origin);
  }
  b.rows = rows.size();
  *sent += rows.size();
  if (upsert) return FlushUpserts();
  return ExecuteBatch();
}

Status RowApplier::FlushUpserts() {
  VOMSREPL_RETURN_IF_ERROR(session_.SetChecks(true, true));
  Batch& b = batch_;
  const size_t width = b.width();
  const std::string what = "INSERT ... ON DUPLICATE KEY UPDATE " + b.table->quoted_name + " (net UPDATEs)";
  return ForEachChunk(RowsPerStatement(width), [&](size_t r, size_t k, uint64_t) -> Status {
    uint64_t affected = 0;
    Status st = Run(BuildInsertSql(*b.table, b.set_columns, k, InsertMode::kUpsert), r * width, k * width, &affected,
                    what);
    if (!st.ok()) {
      if (session_.last_errno() != ER_DUP_ENTRY || session_.last_was_warning()) {
        return RefusedRow(st, r);  // never careful: Aborted for a retry, or st
      }
      needs_retry_ = true;
      return Aborted("duplicate key in an upsert of net UPDATEs: retry row by row");
    }
    if (affected != 2 * k) {
      // Some row was missing (inserted: 1) or already equal (1): the
      // transaction rolls back and the group is applied row by row.
      needs_retry_ = true;
      return Aborted("an upsert of net UPDATEs did not find and change every row: retry row by row");
    }
    stats_.rows_updated += k;
    return Status::OK();
  });
}

}  // namespace vomsrepl::apply
