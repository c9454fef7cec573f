#include "lifecycle/source_alignment.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "txn/database_split.h"
#include "txn/transaction.h"

namespace vomsrepl::lifecycle {
namespace {

uint64_t FileNumber(const std::string& file) {
  size_t dot = file.rfind('.');
  if (dot == std::string::npos) return 0;
  return std::strtoull(file.c_str() + dot + 1, nullptr, 10);
}

std::string TableKey(std::string_view db, std::string_view table) {
  std::string k(db);
  k.push_back('\0');
  k.append(table);
  return k;
}

}  // namespace

int CompareBinlogPositions(const BinlogPosition& a, const BinlogPosition& b) {
  uint64_t fa = FileNumber(a.file), fb = FileNumber(b.file);
  if (fa != fb) return fa < fb ? -1 : 1;
  if (a.offset != b.offset) return a.offset < b.offset ? -1 : 1;
  return 0;
}

Status SourceAlignment::Refresh() {
  journal_.reset();
  VOMSREPL_ASSIGN_OR_RETURN(journal_, journal::Journal::OpenReadOnly(state_dir_));
  VOMSREPL_ASSIGN_OR_RETURN(checkpoint_, journal_->checkpoint());
  if (!started_) {
    // Everything before the checkpoint at the first open lies at or before
    // any master snapshot taken afterwards: no need to scan it.
    started_ = true;
    if (scan_after_ == 0) {
      scanned_ = checkpoint_.seq;
      return Status::OK();
    }
    if (scan_after_ + 1 < journal_->first_seq())
      return NotFound("journal seq " + std::to_string(scan_after_ + 1) + " was purged (the journal starts at " +
                      std::to_string(journal_->first_seq()) + ")");
    scanned_ = scan_after_;
  }
  if (checkpoint_.seq <= scanned_) return Status::OK();
  VOMSREPL_ASSIGN_OR_RETURN(auto reader, journal_->NewReader(scanned_ + 1));
  txn::Transaction t;
  Entry open;
  while (true) {
    VOMSREPL_ASSIGN_OR_RETURN(bool got, reader->Next(&t));
    if (!got) break;
    if (t.chunk == 0) open = Entry{};
    open.seq = t.seq;
    txn::ChangeReader changes(t.changes);
    txn::Change c;
    std::string db, table;
    while (changes.Next(&c)) {
      if (c.kind == txn::ChangeKind::kStatement) {
        open.statement = true;
        std::string k = TableKey(c.database, "");
        if (std::find(open.tables.begin(), open.tables.end(), k) == open.tables.end()) open.tables.push_back(k);
      } else if (c.kind == txn::ChangeKind::kTableMap && txn::TableMapNames(c.body, &db, &table)) {
        std::string k = TableKey(db, table);
        if (std::find(open.tables.begin(), open.tables.end(), k) == open.tables.end()) open.tables.push_back(k);
      }
    }
    VOMSREPL_RETURN_IF_ERROR(changes.status());
    if (t.last_chunk) {
      open.position = t.source.position;
      scanned_ = t.seq;
      entries_.push_back(std::move(open));
      open = Entry{};
    }
  }
  return Status::OK();
}

Result<uint64_t> SourceAlignment::SeqAt(const BinlogPosition& p, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!started_) VOMSREPL_RETURN_IF_ERROR(Refresh());
  while (CompareBinlogPositions(checkpoint_.source.position, p) < 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      if (checkpoint_.source.position.file.empty())
        return Unavailable("the feeder's journal has no master position yet: it has seen no transaction since it "
                           "started (a quiet master), so the snapshot at " + p.ToString() + " cannot be placed in "
                           "it; any write on the master gives it one (or wait for the VOs' next), then run this again");
      return Unavailable("the feeder's source checkpoint (" + checkpoint_.source.position.ToString() +
                         ") did not reach the master position " + p.ToString() + " within " +
                         std::to_string(timeout.count()) + " ms (is `vomsrepl run` running?)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    VOMSREPL_RETURN_IF_ERROR(Refresh());
  }
  // Refresh() scanned every entry up to the checkpoint of the view it opened.
  uint64_t seq = 0;
  // Entries before the first scanned one are all <= p (see Refresh).
  if (!entries_.empty()) seq = entries_.front().seq - 1;
  else seq = scanned_;
  for (const Entry& e : entries_) {
    if (CompareBinlogPositions(e.position, p) > 0) break;
    seq = e.seq;
  }
  return seq;
}

const SourceAlignment::Entry* SourceAlignment::Find(uint64_t seq) const {
  if (entries_.empty() || seq < entries_.front().seq || seq > entries_.back().seq) return nullptr;
  const Entry& e = entries_[seq - entries_.front().seq];
  return e.seq == seq ? &e : nullptr;
}

Status SourceAlignment::ScanUpTo(uint64_t upto, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!started_) VOMSREPL_RETURN_IF_ERROR(Refresh());
  while (scanned_ < upto) {
    if (std::chrono::steady_clock::now() >= deadline)
      return Unavailable("journal seq " + std::to_string(upto) + " not readable within " +
                         std::to_string(timeout.count()) + " ms");
    VOMSREPL_RETURN_IF_ERROR(Refresh());
    if (scanned_ < upto) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::OK();
}

Result<bool> SourceAlignment::Touches(uint64_t after, uint64_t upto, const std::string& database,
                                      const std::string& table, std::chrono::milliseconds timeout) {
  if (upto <= after) return false;
  VOMSREPL_RETURN_IF_ERROR(ScanUpTo(upto, timeout));
  std::string key = TableKey(database, table);
  for (uint64_t s = after + 1; s <= upto; ++s) {
    const Entry* e = Find(s);
    if (e == nullptr) return true;  // not scanned (before the first open): assume it does
    if (e->statement) return true;
    if (std::find(e->tables.begin(), e->tables.end(), key) != e->tables.end()) return true;
  }
  return false;
}

Result<std::vector<std::string>> SourceAlignment::DatabasesTouched(uint64_t after, uint64_t upto, bool* statement,
                                                                   std::chrono::milliseconds timeout) {
  *statement = false;
  std::vector<std::string> out;
  if (upto <= after) return out;
  VOMSREPL_RETURN_IF_ERROR(ScanUpTo(upto, timeout));
  for (uint64_t s = after + 1; s <= upto; ++s) {
    const Entry* e = Find(s);
    if (e == nullptr) return Internal("journal seq " + std::to_string(s) + " was not scanned");
    *statement |= e->statement;
    for (const std::string& k : e->tables) {
      std::string db = k.substr(0, k.find('\0'));
      if (std::find(out.begin(), out.end(), db) == out.end()) out.push_back(db);
    }
  }
  return out;
}

}  // namespace vomsrepl::lifecycle
