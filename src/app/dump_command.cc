#include "app/dump_command.h"

#include "app/dump_sql.h"

#include <charconv>
#include <cinttypes>
#include <cstring>
#include <ctime>

#include "apply/sql_identifier.h"
#include "binlog/events.h"
#include "binlog/json_binary.h"
#include "binlog/value_text.h"

namespace vomsrepl::app {
namespace {

using binlog::Cell;
using binlog::RowImage;
using binlog::RowsKind;
using binlog::TextStyle;

// Buffered writer: one fwrite per ~1 MiB.
class Output {
 public:
  explicit Output(std::FILE* f) : f_(f) { buf_.reserve(kFlushAt + 4096); }
  ~Output() { Flush().IgnoreError(); }  // RunDump flushes and reports; this is the error path
  std::string& buf() { return buf_; }
  Status MaybeFlush() { return buf_.size() >= kFlushAt ? Flush() : Status::OK(); }
  Status Flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      return Unavailable(std::string("write to output failed: ") + std::strerror(errno));
    buf_.clear();
    return Status::OK();
  }

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  std::FILE* f_;
  std::string buf_;
};

void AppendU64(std::string& out, uint64_t v) {
  char tmp[24];
  auto r = std::to_chars(tmp, tmp + sizeof(tmp), v);
  out.append(tmp, size_t(r.ptr - tmp));
}

void Append2(std::string& out, int v, char pad = '0') {
  out += v < 10 ? pad : char('0' + v / 10);
  out += char('0' + v % 10);
}

// "uuid[:tag]:gno", as MySQL prints a GTID.
void AppendMysqlGtid(std::string& out, const binlog::MysqlGtidEvent& g) {
  out += binlog::FormatUuid(g.sid);
  if (!g.tag.empty()) {
    out += ':';
    out += g.tag;
  }
  out += ':';
  AppendU64(out, g.gno);
}

void AppendTableName(std::string& out, const binlog::TableSchema& s) {
  apply::AppendQuotedIdentifier(out, s.database);
  out += '.';
  apply::AppendQuotedIdentifier(out, s.table);
}

// JSON lines of `dump` (the hot path): a string that is not UTF-8 (a binary
// name or statement) is written "base64:<base64>", as binary row values are,
// so that every line stays valid JSON. nlohmann::json writes every other JSON
// document of vomsrepl; here it measured 2.1x slower on a VOMS binlog (its
// escaper checks UTF-8 byte by byte; bench/dump-json-compare, bench/README.md),
// so the tests parse each line with nlohmann instead.
void AppendJsonText(std::string_view text, std::string& out) {
  if (binlog::IsUtf8(text)) {
    binlog::AppendJsonString(text, out);
  } else {
    out += "\"base64:";
    binlog::AppendBase64(binlog::AsBytes(text), out);
    out += '"';
  }
}

// The label mariadb-binlog (10.11, client/mysqlbinlog.cc + sql/log_event_client.cc)
// prints after the tab of an event's header line. Events only MySQL writes keep
// the names of MySQL's mysqlbinlog.
std::string_view MariadbBinlogLabel(EventType type) {
  switch (type) {
    case EventType::kFormatDescription: return "Start";
    case EventType::kMariaGtid: return "GTID";
    case EventType::kMariaGtidList: return "Gtid list";
    case EventType::kBinlogCheckpoint: return "Binlog checkpoint";
    case EventType::kRand: return "Rand";
    case EventType::kUserVar: return "User_var";
    case EventType::kWriteRowsV1:
    case EventType::kWriteRowsV2: return "Write_rows";
    case EventType::kUpdateRowsV1:
    case EventType::kUpdateRowsV2: return "Update_rows";
    case EventType::kDeleteRowsV1:
    case EventType::kDeleteRowsV2: return "Delete_rows";
    case EventType::kWriteRowsCompressedV1:
    case EventType::kWriteRowsCompressed: return "Write_compressed_rows";
    case EventType::kUpdateRowsCompressedV1:
    case EventType::kUpdateRowsCompressed: return "Update_compressed_rows";
    case EventType::kDeleteRowsCompressedV1:
    case EventType::kDeleteRowsCompressed: return "Delete_compressed_rows";
    case EventType::kGtid:
    case EventType::kGtidTagged: return "GTID";
    case EventType::kAnonymousGtid: return "Anonymous_GTID";
    case EventType::kPreviousGtids: return "Previous-GTIDs";
    default: return EventTypeName(type);
  }
}

// "YYMMDD HH:MM:SS" as mariadb-binlog's print_timestamp writes it (hour padded
// with a space), in local time or UTC.
void AppendBinlogTime(std::string& out, uint32_t timestamp, bool utc) {
  std::time_t t = timestamp;
  std::tm tm{};
  if (utc) {
    gmtime_r(&t, &tm);
  } else {
    localtime_r(&t, &tm);
  }
  Append2(out, tm.tm_year % 100);
  Append2(out, tm.tm_mon + 1);
  Append2(out, tm.tm_mday);
  out += ' ';
  Append2(out, tm.tm_hour, ' ');
  out += ':';
  Append2(out, tm.tm_min);
  out += ':';
  Append2(out, tm.tm_sec);
}

// "# Event times are local time: CET (UTC+0100) at 251125  6:00:00, ...": the
// line before the first event, so that a reader knows the zone of every time.
void AppendTimeZoneNote(std::string& out, uint32_t timestamp, bool utc) {
  if (utc) {
    out += "# Event times are UTC (--utc)\n";
    return;
  }
  std::time_t t = timestamp;
  std::tm tm{};
  localtime_r(&t, &tm);
  char zone[64];
  size_t n = std::strftime(zone, sizeof(zone), "%Z (UTC%z)", &tm);
  out += "# Event times are local time: ";
  out.append(zone, n);
  out += " at the first event; --utc prints UTC\n";
}

// Formats "#251125  5:00:00 server id 1  end_log_pos 256 CRC32 0x1c9c7ab9 \t<label>"
// as mariadb-binlog prints it. Events come in bursts with one timestamp: the
// date is formatted once per second.
class EventHeaderLine {
 public:
  explicit EventHeaderLine(bool utc) : utc_(utc) {}

  void Append(std::string& out, const source::FileEvent& ev) {
    const auto& h = ev.event.frame.header;
    if (h.timestamp != cached_time_ || cached_date_.empty()) {
      cached_date_.assign(1, '#');
      AppendBinlogTime(cached_date_, h.timestamp, utc_);
      cached_time_ = h.timestamp;
    }
    out += cached_date_;
    out += " server id ";
    AppendU64(out, h.server_id);
    out += "  end_log_pos ";
    AppendU64(out, h.next_position);
    out += ' ';
    const auto& raw = ev.event.frame.raw;
    if (!ev.event.inside_payload && raw.size() >= ev.event.frame.body.size() + 19 + 4 &&
        ev.format->HasChecksum()) {
      static constexpr char kHex[] = "0123456789abcdef";
      uint32_t crc = uint32_t(binlog::LoadLE<4>(raw.data() + raw.size() - 4));
      out += "CRC32 0x";
      for (int shift = 28; shift >= 0; shift -= 4) out += kHex[(crc >> shift) & 0xf];
      out += ' ';
    }
    out += '\t';
    out += MariadbBinlogLabel(h.type);
  }
  bool utc() const { return utc_; }

 private:
  bool utc_;
  uint32_t cached_time_ = 0;
  std::string cached_date_;
};

// Row visitor writing "###   @N=value /* name TYPE ... */" lines.
class TextRowWriter {
 public:
  TextRowWriter(std::string& out, const binlog::TableSchema& schema, RowsKind kind)
      : out_(out), schema_(schema), kind_(kind) {}

  void BeginRow(RowImage image) {
    if (image == RowImage::kBefore || kind_ == RowsKind::kWrite) {
      out_ += kind_ == RowsKind::kWrite    ? "### INSERT INTO "
              : kind_ == RowsKind::kDelete ? "### DELETE FROM "
                                           : "### UPDATE ";
      AppendTableName(out_, schema_);
      out_ += '\n';
      ++rows_;
    }
    out_ += image == RowImage::kBefore ? "### WHERE\n" : "### SET\n";
  }
  void OnCell(const Cell& cell) {
    if (!status_.ok()) return;
    out_ += "###   @";
    AppendU64(out_, cell.index + 1);
    out_ += '=';
    Status s = binlog::AppendCellText(cell, TextStyle::kMariadbBinlog, out_);
    if (!s.ok()) {
      status_ = s;
      return;
    }
    out_ += " /* ";
    if (!cell.column->name.empty()) {
      out_ += cell.column->name;
      out_ += ' ';
    }
    out_ += binlog::ColumnTypeName(cell.column->type);
    out_ += " meta=";
    AppendU64(out_, cell.column->meta);
    out_ += cell.column->nullable ? " nullable=1" : " nullable=0";
    out_ += cell.is_null ? " is_null=1 */\n" : " is_null=0 */\n";
  }
  void EndRow() {}
  const Status& status() const { return status_; }
  uint64_t rows() const { return rows_; }

 private:
  std::string& out_;
  const binlog::TableSchema& schema_;
  RowsKind kind_;
  uint64_t rows_ = 0;
  Status status_;
};

// Row visitor writing JSON objects: {"before":{...},"after":{...}}.
class JsonRowWriter {
 public:
  JsonRowWriter(std::string& out, RowsKind kind) : out_(out), kind_(kind) {}
  void BeginRow(RowImage image) {
    if (image == RowImage::kBefore || kind_ == RowsKind::kWrite) {
      out_ += rows_ == 0 ? "{" : ",{";
      ++rows_;
    } else {
      out_ += ',';
    }
    out_ += image == RowImage::kBefore ? "\"before\":{" : "\"after\":{";
    first_cell_ = true;
  }
  void OnCell(const Cell& cell) {
    if (!status_.ok()) return;
    if (!first_cell_) out_ += ',';
    first_cell_ = false;
    if (!cell.column->name.empty()) {
      binlog::AppendJsonString(cell.column->name, out_);
    } else {
      out_ += "\"@";
      AppendU64(out_, cell.index + 1);
      out_ += '"';
    }
    out_ += ':';
    Status s = binlog::AppendCellText(cell, TextStyle::kJson, out_);
    if (!s.ok()) status_ = s;
  }
  void EndRow() {
    out_ += '}';
    if (kind_ == RowsKind::kWrite || kind_ == RowsKind::kDelete || after_seen_) {
      out_ += '}';
      after_seen_ = false;
    } else {
      after_seen_ = true;
    }
  }
  const Status& status() const { return status_; }

 private:
  std::string& out_;
  RowsKind kind_;
  size_t rows_ = 0;
  bool first_cell_ = true;
  bool after_seen_ = false;
  Status status_;
};

class DumpSink {
 public:
  DumpSink(const DumpOptions& options, Output& out) : options_(options), out_(out), header_line_(options.utc) {}

  Status OnEvent(const source::FileEvent& ev) {
    VOMSREPL_RETURN_IF_ERROR(out_.MaybeFlush());
    const auto& h = ev.event.frame.header;
    if (options_.format == OutputFormat::kJson) VOMSREPL_RETURN_IF_ERROR(TrackGtid(ev));
    if (binlog::IsRowsEvent(h.type) || h.type == EventType::kTableMap) return Status::OK();  // printed in their hooks
    if (!Visible(ev)) return Status::OK();
    std::string& o = out_.buf();
    const size_t mark = o.size();
    Status s;
    if (options_.format == OutputFormat::kJson) {
      BeginJson(ev);
      s = AppendEventDetailsJson(ev);
      o += "}\n";
    } else {
      BeginText(ev);
      s = AppendEventDetailsText(ev);
    }
    if (!s.ok()) {
      o.resize(mark);  // never print half an event
      return s.WithContext(std::string(EventTypeName(h.type)) + " event at " + Where(ev));
    }
    return Status::OK();
  }

  Status OnTableMap(const source::FileEvent& ev, const binlog::TableSchema& s, bool wanted) {
    if (!wanted) return Status::OK();
    std::string& o = out_.buf();
    if (options_.format == OutputFormat::kJson) {
      BeginJsonOnTable(ev, s);
      o += ",\"table_id\":";
      AppendU64(o, s.table_id);
      o += ",\"columns\":[";
      for (size_t i = 0; i < s.columns.size(); ++i) {
        const auto& c = s.columns[i];
        if (i) o += ',';
        o += "{\"name\":";
        AppendJsonText(c.name, o);
        o += ",\"type\":\"";
        o += binlog::ColumnTypeName(c.type);
        o += "\",\"meta\":";
        AppendU64(o, c.meta);
        o += c.nullable ? ",\"nullable\":true" : ",\"nullable\":false";
        if (c.has_signedness) o += c.is_unsigned ? ",\"unsigned\":true" : ",\"unsigned\":false";
        if (c.is_primary_key) o += ",\"primary_key\":true";
        o += '}';
      }
      o += "]}\n";
    } else {
      BeginText(ev);
      o += ": ";
      AppendTableName(o, s);
      o += " mapped to number ";
      AppendU64(o, s.table_id);
      o += '\n';
    }
    return Status::OK();
  }

  Status OnRows(const source::FileEvent& ev, const binlog::RowsEventView& rows, const binlog::TableSchema& s) {
    const size_t mark = out_.buf().size();
    Status st = AppendRows(ev, rows, s);
    if (!st.ok()) out_.buf().resize(mark);  // never print half an event
    return st;
  }

  Status AppendRows(const source::FileEvent& ev, const binlog::RowsEventView& rows, const binlog::TableSchema& s) {
    std::string& o = out_.buf();
    if (options_.format == OutputFormat::kJson) {
      BeginJsonOnTable(ev, s);
      o += ",\"gtid\":";
      if (gtid_.empty()) {
        o += "null";
      } else {
        binlog::AppendJsonString(gtid_, o);
      }
      o += ",\"op\":\"";
      o += rows.kind == RowsKind::kWrite ? "insert" : rows.kind == RowsKind::kDelete ? "delete" : "update";
      o += '"';
      o += ",\"rows\":[";
      JsonRowWriter w(o, rows.kind);
      VOMSREPL_RETURN_IF_ERROR(binlog::ForEachRow(rows, s, w));
      VOMSREPL_RETURN_IF_ERROR(w.status());
      o += "]}\n";
    } else {
      BeginText(ev);
      o += ": table id ";
      AppendU64(o, rows.table_id);
      if (rows.end_of_statement) o += " flags: STMT_END_F";
      o += '\n';
      TextRowWriter w(o, s, rows.kind);
      VOMSREPL_RETURN_IF_ERROR(binlog::ForEachRow(rows, s, w));
      VOMSREPL_RETURN_IF_ERROR(w.status());
      // mariadb-binlog counts the rows of a whole statement (a big one spans
      // several rows events, the last flagged STMT_END_F) and prints the count
      // after that last event.
      statement_rows_ += w.rows();
      if (rows.end_of_statement) {
        o += "# Number of rows: ";
        AppendU64(o, statement_rows_);
        o += '\n';
        statement_rows_ = 0;
      }
    }
    return Status::OK();
  }

 private:
  // Statements are attributed by their default database when a database
  // filter is set; other non-row events are always shown.
  bool Visible(const source::FileEvent& ev) {
    const auto& h = ev.event.frame.header;
    if (options_.filters.databases.empty()) return true;
    if (h.type != EventType::kQuery && h.type != EventType::kQueryCompressed) return true;
    auto q = binlog::DecodeQuery(h.type, ev.event.frame.body, *ev.format, scratch_);
    return !q.ok() || q->query == "BEGIN" || q->query == "COMMIT" ||
           options_.filters.databases.Matches(std::string(q->database));
  }

  // The GTID of the transaction the next rows events belong to (JSON rows
  // carry it): set by each GTID event, forgotten at a new file.
  Status TrackGtid(const source::FileEvent& ev) {
    const auto& f = ev.event.frame;
    switch (f.header.type) {
      case EventType::kFormatDescription:
        if (!ev.event.inside_payload) gtid_.clear();
        return Status::OK();
      case EventType::kMariaGtid: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMariaGtid(f.body, f.header.server_id));
        gtid_ = MariadbGtid{g.domain_id, g.server_id, g.seq_no}.ToString();
        return Status::OK();
      }
      case EventType::kGtid:
      case EventType::kAnonymousGtid:
      case EventType::kGtidTagged: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMysqlGtid(f.header.type, f.body));
        gtid_.clear();
        if (!g.anonymous) AppendMysqlGtid(gtid_, g);
        return Status::OK();
      }
      default:
        return Status::OK();
    }
  }

  void BeginText(const source::FileEvent& ev) {
    std::string& o = out_.buf();
    if (!zone_noted_) {
      AppendTimeZoneNote(o, ev.event.frame.header.timestamp, options_.utc);
      zone_noted_ = true;
    }
    o += "# at ";
    AppendU64(o, ev.event.offset);
    if (ev.event.inside_payload) o += " (inside Transaction_payload)";
    o += '\n';
    header_line_.Append(o, ev);
  }

  void BeginJson(const source::FileEvent& ev) {
    const auto& h = ev.event.frame.header;
    std::string& o = out_.buf();
    o += "{\"file\":";
    AppendJsonText(*ev.file, o);
    o += ",\"pos\":";
    AppendU64(o, ev.event.offset);
    if (ev.event.inside_payload) o += ",\"in_payload\":true";
    o += ",\"end_log_pos\":";
    AppendU64(o, h.next_position);
    o += ",\"ts\":";
    AppendU64(o, h.timestamp);
    o += ",\"server_id\":";
    AppendU64(o, h.server_id);
    o += ",\"type\":\"";
    o += EventTypeName(h.type);
    o += '"';
  }

  // BeginJson, then the table's "db" and "table".
  void BeginJsonOnTable(const source::FileEvent& ev, const binlog::TableSchema& s) {
    BeginJson(ev);
    std::string& o = out_.buf();
    o += ",\"db\":";
    AppendJsonText(s.database, o);
    o += ",\"table\":";
    AppendJsonText(s.table, o);
  }

  Status AppendEventDetailsText(const source::FileEvent& ev) {
    const auto& f = ev.event.frame;
    const EventType t = f.header.type;
    std::string& o = out_.buf();
    switch (t) {
      case EventType::kFormatDescription: {
        // "created" is the server start for the first binlog after a start, 0
        // for a binlog opened by FLUSH or a size rotation (then the event's time).
        const uint32_t created = ev.format->create_timestamp;
        o += ": binlog v ";
        AppendU64(o, ev.format->binlog_version);
        o += ", server v ";
        o += ev.format->server_version;
        o += " created ";
        AppendBinlogTime(o, created != 0 ? created : f.header.timestamp, header_line_.utc());
        if (created != 0) o += " at startup";
        o += '\n';
        if (f.header.flags & kEventFlagBinlogInUse)
          o += "# Warning: this binlog is either in use or was not closed properly.\n";
        if (created != 0) o += "ROLLBACK/*!*/;\n";
        return Status::OK();
      }
      case EventType::kQuery:
      case EventType::kQueryCompressed: {
        VOMSREPL_ASSIGN_OR_RETURN(auto q, binlog::DecodeQuery(t, f.body, *ev.format, scratch_));
        o += "\tthread_id=";
        AppendU64(o, q.thread_id);
        o += "\texec_time=";
        AppendU64(o, q.exec_time);
        o += "\terror_code=";
        AppendU64(o, q.error_code);
        o += "\txid=";
        AppendU64(o, q.has_ddl_xid ? q.ddl_xid : 0);
        o += '\n';
        if (!q.database.empty()) {
          o += "use ";
          apply::AppendQuotedIdentifier(o, q.database);
          o += "/*!*/;\n";
        }
        o += "SET TIMESTAMP=";
        AppendU64(o, f.header.timestamp);
        o += "/*!*/;\n";
        o += q.query;
        o += "\n/*!*/;\n";
        return Status::OK();
      }
      case EventType::kXid: {
        VOMSREPL_ASSIGN_OR_RETURN(auto x, binlog::DecodeXid(f.body));
        o += " = ";
        AppendU64(o, x.xid);
        o += "\nCOMMIT/*!*/;\n";
        return Status::OK();
      }
      case EventType::kRotate: {
        VOMSREPL_ASSIGN_OR_RETURN(auto r, binlog::DecodeRotate(f.body, *ev.format));
        o += " to ";
        o += r.next_file;
        o += "  pos: ";
        AppendU64(o, r.position);
        o += '\n';
        return Status::OK();
      }
      case EventType::kMariaGtid: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMariaGtid(f.body, f.header.server_id));
        o += ' ';
        o += MariadbGtid{g.domain_id, g.server_id, g.seq_no}.ToString();
        if (g.flags2 & binlog::kMariaGtidGroupCommitId) {
          o += " cid=";
          AppendU64(o, g.commit_id);
        }
        if (g.flags2 & binlog::kMariaGtidDdl) o += " ddl";
        if (g.flags2 & binlog::kMariaGtidTransactional) o += " trans";
        o += "\n/*M!100001 SET @@session.gtid_seq_no=";
        AppendU64(o, g.seq_no);
        o += "*//*!*/;\n";
        if (!g.standalone()) o += "START TRANSACTION\n/*!*/;\n";
        return Status::OK();
      }
      case EventType::kMariaGtidList: {
        VOMSREPL_RETURN_IF_ERROR(binlog::DecodeMariaGtidList(f.body, gtid_list_));
        o += " [";
        for (size_t i = 0; i < gtid_list_.size(); ++i) {
          if (i) o += ',';
          o += MariadbGtid{gtid_list_[i].domain_id, gtid_list_[i].server_id, gtid_list_[i].seq_no}.ToString();
        }
        o += "]\n";
        return Status::OK();
      }
      case EventType::kGtid:
      case EventType::kAnonymousGtid:
      case EventType::kGtidTagged: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMysqlGtid(t, f.body));
        if (g.has_logical_clock) {
          o += "\tlast_committed=";
          AppendU64(o, g.last_committed);
          o += "\tsequence_number=";
          AppendU64(o, g.sequence_number);
        }
        o += "\nSET @@SESSION.GTID_NEXT= '";
        if (g.anonymous) {
          o += "ANONYMOUS";
        } else {
          AppendMysqlGtid(o, g);
        }
        o += "'/*!*/;\n";
        return Status::OK();
      }
      case EventType::kPreviousGtids: {
        VOMSREPL_ASSIGN_OR_RETURN(auto p, binlog::DecodePreviousGtids(f.body));
        o += "\n# ";
        for (size_t i = 0; i < p.size(); ++i) {
          if (i) o += ',';
          o += binlog::FormatUuid(p[i].sid);
          if (!p[i].tag.empty()) {
            o += ':';
            o += p[i].tag;
          }
          for (const auto& iv : p[i].intervals) {
            o += ':';
            AppendU64(o, iv.start);
            if (iv.end > iv.start + 1) {
              o += '-';
              AppendU64(o, iv.end - 1);
            }
          }
        }
        o += '\n';
        return Status::OK();
      }
      case EventType::kAnnotateRows:
      case EventType::kRowsQuery: {
        VOMSREPL_ASSIGN_OR_RETURN(auto text, binlog::DecodeRowsQuery(t, f.body));
        o += ":\n#Q> ";
        for (char c : text) {
          o += c;
          if (c == '\n') o += "#Q> ";
        }
        o += '\n';
        return Status::OK();
      }
      case EventType::kIntvar: {
        VOMSREPL_ASSIGN_OR_RETURN(auto i, binlog::DecodeIntvar(f.body));
        o += i.kind == 1 ? "\nSET LAST_INSERT_ID=" : "\nSET INSERT_ID=";
        AppendU64(o, i.value);
        o += "/*!*/;\n";
        return Status::OK();
      }
      case EventType::kRand: {
        VOMSREPL_ASSIGN_OR_RETURN(auto r, binlog::DecodeRand(f.body));
        o += "\nSET @@RAND_SEED1=";
        AppendU64(o, r.seed1);
        o += ", @@RAND_SEED2=";
        AppendU64(o, r.seed2);
        o += "/*!*/;\n";
        return Status::OK();
      }
      case EventType::kUserVar: {
        VOMSREPL_ASSIGN_OR_RETURN(auto u, binlog::DecodeUserVar(f.body));
        o += "\nSET @";
        apply::AppendQuotedIdentifier(o, u.name);
        o += u.is_null ? ":=NULL" : ":=<";
        if (!u.is_null) {
          AppendU64(o, u.value.size());
          o += " bytes, type ";
          AppendU64(o, u.value_type);
          o += '>';
        }
        o += "/*!*/;\n";
        return Status::OK();
      }
      case EventType::kIncident: {
        VOMSREPL_ASSIGN_OR_RETURN(auto i, binlog::DecodeIncident(f.body));
        o += ": #";
        AppendU64(o, i.incident);
        o += ' ';
        o += i.message;
        o += "\nRELOAD DATABASE; # Shall generate syntax error\n";
        return Status::OK();
      }
      case EventType::kBinlogCheckpoint: {
        VOMSREPL_ASSIGN_OR_RETURN(auto name, binlog::DecodeBinlogCheckpoint(f.body));
        o += " ";
        o += name;
        o += '\n';
        return Status::OK();
      }
      case EventType::kTransactionPayload: {
        VOMSREPL_ASSIGN_OR_RETURN(auto p, binlog::DecodeTransactionPayload(f.body));
        o += p.compression == 0 ? "\tcompression_type=ZSTD" : "\tcompression_type=NONE";
        o += "\tpayload_size=";
        AppendU64(o, p.payload_size);
        o += "\tuncompressed_size=";
        AppendU64(o, p.uncompressed_size);
        o += '\n';
        return Status::OK();
      }
      default:
        o += '\n';
        return Status::OK();
    }
  }

  Status AppendEventDetailsJson(const source::FileEvent& ev) {
    const auto& f = ev.event.frame;
    const EventType t = f.header.type;
    std::string& o = out_.buf();
    switch (t) {
      case EventType::kQuery:
      case EventType::kQueryCompressed: {
        VOMSREPL_ASSIGN_OR_RETURN(auto q, binlog::DecodeQuery(t, f.body, *ev.format, scratch_));
        o += ",\"db\":";
        AppendJsonText(q.database, o);
        o += ",\"query\":";
        AppendJsonText(q.query, o);
        return Status::OK();
      }
      case EventType::kXid: {
        VOMSREPL_ASSIGN_OR_RETURN(auto x, binlog::DecodeXid(f.body));
        o += ",\"xid\":";
        AppendU64(o, x.xid);
        return Status::OK();
      }
      case EventType::kRotate: {
        VOMSREPL_ASSIGN_OR_RETURN(auto r, binlog::DecodeRotate(f.body, *ev.format));
        o += ",\"next_file\":";
        AppendJsonText(r.next_file, o);
        o += ",\"next_pos\":";
        AppendU64(o, r.position);
        return Status::OK();
      }
      case EventType::kMariaGtid: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMariaGtid(f.body, f.header.server_id));
        o += ",\"gtid\":\"";
        o += MariadbGtid{g.domain_id, g.server_id, g.seq_no}.ToString();
        o += "\",\"standalone\":";
        o += g.standalone() ? "true" : "false";
        return Status::OK();
      }
      case EventType::kGtid:
      case EventType::kAnonymousGtid:
      case EventType::kGtidTagged: {
        VOMSREPL_ASSIGN_OR_RETURN(auto g, binlog::DecodeMysqlGtid(t, f.body));
        if (!g.anonymous) {
          o += ",\"gtid\":\"";
          AppendMysqlGtid(o, g);
          o += '"';
        }
        return Status::OK();
      }
      case EventType::kFormatDescription:
        o += ",\"server_version\":";
        AppendJsonText(ev.format->server_version, o);
        o += ev.format->HasChecksum() ? ",\"checksum\":\"CRC32\"" : ",\"checksum\":\"NONE\"";
        return Status::OK();
      case EventType::kAnnotateRows:
      case EventType::kRowsQuery: {
        VOMSREPL_ASSIGN_OR_RETURN(auto text, binlog::DecodeRowsQuery(t, f.body));
        o += ",\"query\":";
        AppendJsonText(text, o);
        return Status::OK();
      }
      default:
        return Status::OK();
    }
  }

  const DumpOptions& options_;
  Output& out_;
  EventHeaderLine header_line_;
  bool zone_noted_ = false;
  uint64_t statement_rows_ = 0;  // text: rows of the current statement so far
  std::string gtid_;  // JSON: GTID of the current transaction, "" when not known
  std::vector<std::byte> scratch_;
  std::vector<binlog::MariaGtidListEntry> gtid_list_;
};

}  // namespace

Status RunDump(const DumpOptions& options, std::FILE* out) {
  if (options.format == OutputFormat::kSql) return RunDumpSql(options, out);
  if (!options.schema_defaults_file.empty()) return InvalidArgument("--schema-defaults-file is for --format=sql");
  Output output(out);
  DumpSink sink(options, output);
  Status s = WalkInputWith(options.input, options.filters, sink);
  Status f = output.Flush();
  if (!s.ok()) return s;
  return f;
}

}  // namespace vomsrepl::app
