#include "app/stats_command.h"

#include <array>
#include <cmath>
#include <chrono>
#include <cinttypes>
#include <map>
#include <memory>
#include <string>

#include <unistd.h>

#include <vomsrepl/json.h>
#include <vomsrepl/position.h>

#include "app/stats_follow.h"
#include "binlog/events.h"

namespace vomsrepl::app {
namespace {

struct TableStats {
  uint64_t events = 0, inserted = 0, updated = 0, deleted = 0, bytes = 0;
};
struct TypeStats {
  uint64_t events = 0, bytes = 0;
};

// Transaction size buckets (bytes of events from GTID/BEGIN to XID/COMMIT).
constexpr std::array<uint64_t, 9> kBucketLimits = {1 << 10,  4 << 10,  16 << 10, 64 << 10, 256 << 10,
                                                   1 << 20,  4 << 20,  16 << 20, UINT64_MAX};
constexpr std::array<const char*, 9> kBucketNames = {"<1K", "<4K", "<16K", "<64K", "<256K",
                                                     "<1M", "<4M", "<16M", ">=16M"};

class StatsSink {
 public:
  // The per-interval view of --follow (null: totals only).
  void set_follow(StatsFollow* follow) { follow_ = follow; }
  void AttachMaster(const source::MasterStream* master) {
    if (follow_ != nullptr) follow_->AttachMaster(master);
  }

  Status OnEvent(const source::FileEvent& ev) {
    const auto& h = ev.event.frame.header;
    uint64_t size = h.event_length;
    if (follow_ != nullptr && !ev.event.inside_payload) follow_->OnEvent(size, h.timestamp);
    ++events_;
    if (!ev.event.inside_payload) bytes_ += size;
    auto& t = types_[static_cast<uint8_t>(h.type)];
    ++t.events;
    t.bytes += size;
    if (h.timestamp != 0) {
      if (first_ts_ == 0 || h.timestamp < first_ts_) first_ts_ = h.timestamp;
      if (h.timestamp > last_ts_) last_ts_ = h.timestamp;
    }
    if (ev.event.inside_payload) return Status::OK();  // counted in the payload event's bytes
    switch (h.type) {
      case EventType::kGtid:
      case EventType::kAnonymousGtid:
      case EventType::kGtidTagged:
        Begin(size);
        if (follow_ != nullptr) trx_name_ = Where(ev);
        standalone_ = false;
        break;
      case EventType::kMariaGtid: {
        Begin(size);
        auto g = binlog::DecodeMariaGtid(ev.event.frame.body, h.server_id);
        standalone_ = g.ok() && g->standalone();
        if (follow_ != nullptr) {
          trx_name_ = g.ok() ? MariadbGtid{g->domain_id, g->server_id, g->seq_no}.ToString() : Where(ev);
        }
        break;
      }
      case EventType::kXid:
        trx_bytes_ += size;
        End();
        break;
      case EventType::kQuery:
      case EventType::kQueryCompressed: {
        trx_bytes_ += size;
        auto q = binlog::DecodeQuery(h.type, ev.event.frame.body, *ev.format, scratch_);
        if (!q.ok()) return q.status().WithContext("Query event at " + Where(ev));
        if (!in_trx_ && follow_ != nullptr) trx_name_ = Where(ev);
        if (q->query == "BEGIN") {
          if (!in_trx_) Begin(0), trx_bytes_ += size;
        } else if (q->query == "COMMIT" || q->query == "ROLLBACK" || standalone_ || !in_trx_) {
          if (!in_trx_) Begin(0), trx_bytes_ += size;
          End();
        }
        break;
      }
      default:
        if (in_trx_) trx_bytes_ += size;
        break;
    }
    return Status::OK();
  }
  Status OnTableMap(const source::FileEvent&, const binlog::TableSchema& s, bool wanted) {
    if (!wanted) return Status::OK();
    TableStats*& slot = by_id_[s.table_id];
    if (slot == nullptr || slot_names_[s.table_id] != std::make_pair(s.database, s.table)) {
      slot = &tables_[{s.database, s.table}];
      slot_names_[s.table_id] = {s.database, s.table};
    }
    return Status::OK();
  }
  Status OnRows(const source::FileEvent& ev, const binlog::RowsEventView& rows, const binlog::TableSchema& s) {
    uint64_t n = 0;
    VOMSREPL_RETURN_IF_ERROR(binlog::CountRows(rows, s, &n));
    TableStats* t = by_id_[s.table_id];
    if (t == nullptr) t = &tables_[{s.database, s.table}];
    ++t->events;
    t->bytes += ev.event.frame.header.event_length;
    switch (rows.kind) {
      case binlog::RowsKind::kWrite: t->inserted += n; break;
      case binlog::RowsKind::kDelete: t->deleted += n; break;
      default: t->updated += n; break;
    }
    rows_ += n;
    if (follow_ != nullptr) follow_->OnRows(s.database, s.table, n, ev.event.frame.header.event_length);
    return Status::OK();
  }

  void Finish() {
    if (in_trx_) ++open_transactions_;
  }

  void Print(std::FILE* out, OutputFormat format, double seconds) const {
    if (format == OutputFormat::kJson) return PrintJson(out, seconds);
    std::fprintf(out, "Events:            %" PRIu64 " (%" PRIu64 " bytes)\n", events_, bytes_);
    std::fprintf(out, "Rows:              %" PRIu64 "\n", rows_);
    std::fprintf(out, "Transactions:      %" PRIu64 "%s\n", transactions_,
                 open_transactions_ ? " (+1 unfinished at the end)" : "");
    if (first_ts_ != 0) {
      std::fprintf(out, "Time range:        %s .. %s UTC (%" PRIu64 " s)\n", Time(first_ts_).c_str(),
                   Time(last_ts_).c_str(), uint64_t(last_ts_ - first_ts_));
    }
    std::fprintf(out, "Decode time:       %.3f s (%.1f MB/s, %.0f events/s, %.0f rows/s)\n", seconds,
                 seconds > 0 ? double(bytes_) / 1e6 / seconds : 0.0, seconds > 0 ? double(events_) / seconds : 0.0,
                 seconds > 0 ? double(rows_) / seconds : 0.0);
    std::fprintf(out, "\n%-48s %10s %12s %12s %12s %14s\n", "table", "events", "inserted", "updated", "deleted",
                 "bytes");
    for (const auto& [name, t] : tables_) {
      std::string full = "`" + name.first + "`.`" + name.second + "`";
      std::fprintf(out, "%-48s %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %14" PRIu64 "\n", full.c_str(),
                   t.events, t.inserted, t.updated, t.deleted, t.bytes);
    }
    std::fprintf(out, "\n%-28s %12s %14s\n", "event type", "events", "bytes");
    for (size_t i = 0; i < types_.size(); ++i) {
      if (types_[i].events == 0) continue;
      std::fprintf(out, "%-28s %12" PRIu64 " %14" PRIu64 "\n",
                   std::string(EventTypeName(static_cast<EventType>(i))).c_str(), types_[i].events, types_[i].bytes);
    }
    std::fprintf(out, "\n%-28s %12s\n", "transaction size", "transactions");
    for (size_t i = 0; i < buckets_.size(); ++i)
      std::fprintf(out, "%-28s %12" PRIu64 "\n", kBucketNames[i], buckets_[i]);
  }

 private:
  static std::string Time(uint32_t ts) {
    std::time_t t = ts;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
  }

  void PrintJson(std::FILE* out, double seconds) const {
    Json j;
    j["events"] = events_;
    j["bytes"] = bytes_;
    j["rows"] = rows_;
    j["transactions"] = transactions_;
    j["unfinished_transactions"] = open_transactions_;
    if (first_ts_ != 0) {
      j["first_timestamp"] = first_ts_;
      j["last_timestamp"] = last_ts_;
    }
    j["decode_seconds"] = std::round(seconds * 1e6) / 1e6;  // microseconds, as before
    Json& tables = j["tables"] = Json::array();
    for (const auto& [name, t] : tables_) {
      tables.push_back(Json{{"db", JsonBytes(name.first)},
                            {"table", JsonBytes(name.second)},
                            {"events", t.events},
                            {"inserted", t.inserted},
                            {"updated", t.updated},
                            {"deleted", t.deleted},
                            {"bytes", t.bytes}});
    }
    Json& types = j["event_types"] = Json::object();
    for (size_t i = 0; i < types_.size(); ++i) {
      if (types_[i].events == 0) continue;
      types[std::string(EventTypeName(static_cast<EventType>(i)))] =
          Json{{"events", types_[i].events}, {"bytes", types_[i].bytes}};
    }
    Json& sizes = j["transaction_sizes"] = Json::object();
    for (size_t i = 0; i < buckets_.size(); ++i) sizes[kBucketNames[i]] = buckets_[i];
    const std::string o = JsonText(j) + "\n";
    std::fwrite(o.data(), 1, o.size(), out);
  }

  void Begin(uint64_t size) {
    if (in_trx_) End();  // a GTID without an end: count what we saw
    in_trx_ = true;
    trx_bytes_ = size;
  }
  void End() {
    if (!in_trx_) return;
    in_trx_ = false;
    ++transactions_;
    size_t b = 0;
    while (trx_bytes_ >= kBucketLimits[b]) ++b;
    ++buckets_[b];
    if (follow_ != nullptr) follow_->OnTransaction(trx_bytes_, std::move(trx_name_));
    trx_bytes_ = 0;
  }

  uint64_t events_ = 0, bytes_ = 0, rows_ = 0, transactions_ = 0, open_transactions_ = 0;
  uint32_t first_ts_ = 0, last_ts_ = 0;
  bool in_trx_ = false, standalone_ = false;
  uint64_t trx_bytes_ = 0;
  std::array<uint64_t, 9> buckets_{};
  std::array<TypeStats, 256> types_{};
  std::map<std::pair<std::string, std::string>, TableStats> tables_;
  std::unordered_map<uint64_t, TableStats*> by_id_;
  std::unordered_map<uint64_t, std::pair<std::string, std::string>> slot_names_;
  std::vector<std::byte> scratch_;
  StatsFollow* follow_ = nullptr;
  std::string trx_name_;  // GTID or file:offset of the open transaction (--follow)
};

}  // namespace

Status RunStats(const StatsOptions& options, std::FILE* out) {
  StatsSink sink;
  std::unique_ptr<StatsFollow> follow;
  if (options.interval.count() > 0) {
    follow = std::make_unique<StatsFollow>(out, options.format, options.interval, ::isatty(::fileno(out)) == 1);
    sink.set_follow(follow.get());
  }
  auto t0 = std::chrono::steady_clock::now();
  Status s = WalkInputWith(options.input, options.filters, sink);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (follow) follow->Stop();  // the totals come after the last interval line
  if (!s.ok()) return s;
  sink.Finish();
  sink.Print(out, options.format, seconds);
  return Status::OK();
}

}  // namespace vomsrepl::app
