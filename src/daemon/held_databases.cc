#include "daemon/held_databases.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "txn/database_split.h"

namespace vomsrepl::daemon {

using namespace std::chrono_literals;

namespace {

bool Holds(const std::vector<apply::DatabaseHold>& holds, std::string_view db) {
  for (const auto& h : holds)
    if (h.database == db) return true;
  return false;
}

}  // namespace

HeldDatabases::HeldDatabases(std::string name, apply::ReplicaConfig replica, apply::ApplierOptions applier,
                             journal::Journal& journal)
    : name_(std::move(name)), replica_(std::move(replica)), applier_(std::move(applier)), journal_(journal) {}

void HeldDatabases::Add(const std::vector<apply::DatabaseHold>& holds) {
  std::lock_guard lock(mu_);
  for (const auto& h : holds) {
    auto it = std::find_if(holds_.begin(), holds_.end(), [&](const auto& x) { return x.database == h.database; });
    if (it != holds_.end()) *it = h;  // held again after an abandoned hold
    else holds_.push_back(h);
  }
  switched_ = false;
  any_ = !holds_.empty();
}

void HeldDatabases::FilterSwitched() {
  std::lock_guard lock(mu_);
  switched_ = true;
  promote_ = true;
  for (auto& h : holds_)
    if (h.state == apply::HoldState::kPending) h.state = apply::HoldState::kHeld;
}

void HeldDatabases::Abandon(const std::string& database) {
  std::lock_guard lock(mu_);
  for (auto& h : holds_)
    if (h.database == database) h.state = apply::HoldState::kAbandoned;
}

void HeldDatabases::Forget(const std::string& database) {
  std::lock_guard lock(mu_);
  holds_.erase(std::remove_if(holds_.begin(), holds_.end(),
                              [&](const apply::DatabaseHold& h) { return h.database == database; }),
               holds_.end());
  any_ = !holds_.empty();
}

std::vector<apply::DatabaseHold> HeldDatabases::List() const {
  std::lock_guard lock(mu_);
  return holds_;
}

bool HeldDatabases::empty() const { return !any_; }

void HeldDatabases::Restore(uint64_t retain_from) {
  std::lock_guard lock(mu_);
  restored_retain_ = retain_from;
}

uint64_t HeldDatabases::RetainFrom() const {
  std::lock_guard lock(mu_);
  uint64_t from = loaded_ ? 0 : restored_retain_;
  for (const auto& h : holds_) {
    if (h.state == apply::HoldState::kAbandoned) continue;  // never caught up: nothing to keep for it
    const uint64_t need = h.state == apply::HoldState::kCopied ? h.copied_seq + 1 : std::max<uint64_t>(h.since_seq, 1);
    if (from == 0 || need < from) from = need;
  }
  return from;
}

Status HeldDatabases::OpenSession() {
  if (session_.open()) return Status::OK();
  apply::ReplicaConfig c = replica_;
  // Its own writes (the catch-up) are not the master's transactions: never under their GTIDs.
  c.preserve_gtid = false;
  VOMSREPL_RETURN_IF_ERROR(session_.Open(c));
  if (replica_.preserve_gtid)
    VOMSREPL_RETURN_IF_ERROR(session_.Execute("SET gtid_domain_id = " + std::to_string(replica_.state_gtid_domain)));
  return Status::OK();
}

Status HeldDatabases::Load(apply::ReplicaSession& runner_session) {
  VOMSREPL_RETURN_IF_ERROR(ReadRows(runner_session));
  next_refresh_ = std::chrono::steady_clock::now() + 1s;
  if (empty()) session_.Close();
  return Status::OK();
}

Status HeldDatabases::Refresh(bool force) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    const bool promote = promote_ && switched_;
    if (!force && !promote && now < next_refresh_) return Status::OK();
    // Only a hold waiting for its copy changes under us.
    bool waiting = false;
    for (const auto& h : holds_)
      waiting |= h.state == apply::HoldState::kPending || h.state == apply::HoldState::kHeld;
    if (!force && !promote && !waiting) return Status::OK();
  }
  next_refresh_ = now + 1s;
  Status st = OpenSession();
  if (st.ok()) st = ReadRows(session_);
  if (!st.ok()) session_.Close();
  return st;
}

Status HeldDatabases::ReadRows(apply::ReplicaSession& s) {
  bool switched = false;
  {
    std::lock_guard lock(mu_);
    switched = switched_;
  }
  const std::string context = "replica " + name_ + ": reading its held databases";
  if (switched) VOMSREPL_RETURN_IF_ERROR(apply::PromoteHolds(s, applier_.channel).WithContext(context));
  auto read = apply::ReadHolds(s, applier_.channel);
  if (!read.ok()) return read.status().WithContext(context);
  std::vector<apply::DatabaseHold> rows = std::move(*read);
  std::lock_guard lock(mu_);
  // A pending hold a reload added while the rows were read stays.
  for (const auto& h : holds_)
    if (h.state == apply::HoldState::kPending && !Holds(rows, h.database)) rows.push_back(h);
  for (const auto& h : rows) {
    if (!Holds(holds_, h.database) || !loaded_)
      spdlog::info("replica {}: holds database {} back ({}; the journal keeps its changes from seq {})", name_,
                   h.database, apply::HoldStateName(h.state), h.since_seq);
  }
  holds_ = std::move(rows);
  loaded_ = true;
  if (switched) promote_ = false;
  any_ = !holds_.empty();
  return Status::OK();
}

Result<txn::Transaction> HeldDatabases::Strip(const txn::Transaction& t) const {
  std::vector<std::string> held;
  {
    std::lock_guard lock(mu_);
    for (const auto& h : holds_) held.push_back(h.database);
  }
  if (held.empty()) return t;
  VOMSREPL_ASSIGN_OR_RETURN(
      txn::DatabaseSplit split,
      txn::SplitByDatabase(t, [&](std::string_view db) { return std::find(held.begin(), held.end(), db) != held.end(); }));
  return std::move(split.rest);
}

Status HeldDatabases::Prepare(txn::Transaction& t, const Flush& flush) {
  if (!any_) return Status::OK();
  if (t.chunk == 0) {
    VOMSREPL_RETURN_IF_ERROR(Refresh(false));
    for (const auto& h : List()) {
      if (h.state != apply::HoldState::kCopied || t.seq <= h.copied_seq) continue;
      VOMSREPL_ASSIGN_OR_RETURN(uint64_t applied, flush());
      VOMSREPL_RETURN_IF_ERROR(Finish(h, applied));
    }
  }
  if (!any_) return Status::OK();
  VOMSREPL_ASSIGN_OR_RETURN(txn::Transaction rest, Strip(t));
  t = std::move(rest);
  return Status::OK();
}

Status HeldDatabases::Idle(uint64_t applied) {
  if (!any_) return Status::OK();
  VOMSREPL_RETURN_IF_ERROR(Refresh(false));
  for (const auto& h : List())
    if (h.state == apply::HoldState::kCopied && applied >= h.copied_seq) VOMSREPL_RETURN_IF_ERROR(Finish(h, applied));
  return Status::OK();
}

Status HeldDatabases::Finish(const apply::DatabaseHold& h, uint64_t applied) {
  const auto started = std::chrono::steady_clock::now();
  uint64_t replayed = 0;
  if (applied > h.copied_seq) VOMSREPL_RETURN_IF_ERROR(Replay(h, applied, &replayed));
  VOMSREPL_RETURN_IF_ERROR(OpenSession());
  Status st = apply::DeleteHold(session_, applier_.channel, h);
  if (!st.ok()) {
    session_.Close();
    return st.WithContext("replica " + name_ + ": ending the hold of " + h.database);
  }
  Forget(h.database);
  if (empty()) session_.Close();
  spdlog::info("replica {}: database {} caught up: copied at journal seq {}, its changes of seq {}..{} applied ({} "
               "transactions with changes to it, {:.2f} s); applied with every other database from seq {} on",
               name_, h.database, h.copied_seq, h.copied_seq + 1, applied, replayed,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), applied + 1);
  return Status::OK();
}

Status HeldDatabases::Replay(const apply::DatabaseHold& h, uint64_t through, uint64_t* replayed) {
  VOMSREPL_RETURN_IF_ERROR(OpenSession());
  auto only = [&](const txn::Transaction& t) -> Result<txn::Transaction> {
    VOMSREPL_ASSIGN_OR_RETURN(txn::DatabaseSplit split,
                              txn::SplitByDatabase(t, [&](std::string_view db) { return db == h.database; }));
    return std::move(split.selected);
  };
  apply::ApplierOptions o = applier_;
  o.channel = h.replay_channel;
  o.take_channel_lock = false;
  o.replay_chunks = [&](uint64_t seq, uint32_t up_to_chunk, const auto& each) {
    return journal_.ReplayChunks(seq, up_to_chunk, [&](const txn::Transaction& c) -> Status {
      VOMSREPL_ASSIGN_OR_RETURN(txn::Transaction part, only(c));
      return each(part);
    });
  };
  const std::string context = "replica " + name_ + ": catching up held database " + h.database;
  apply::TransactionApplier applier(session_, o);
  auto progress = applier.Start();
  if (!progress.ok()) {
    session_.Close();
    return progress.status().WithContext(context);
  }
  if (progress->seq >= through) return Status::OK();
  auto reader = journal_.NewReader(progress->seq + 1);
  if (!reader.ok())
    return FailedPrecondition(context + ": it needs journal seq " + std::to_string(progress->seq + 1) +
                              ", which the journal no longer holds (" + std::string(reader.status().message()) +
                              "): DROP DATABASE it on the replica, DELETE its row from the held_database table and "
                              "bootstrap it again");
  txn::Transaction t;
  for (;;) {
    auto next = (*reader)->Next(&t);
    if (!next.ok()) return next.status().WithContext(context);
    if (!*next) return Internal(context + ": the journal ended before seq " + std::to_string(through));
    if (t.seq > through) break;
    VOMSREPL_ASSIGN_OR_RETURN(txn::Transaction part, only(t));
    if (!part.empty() && t.last_chunk) ++*replayed;
    Status st = applier.Apply(part);
    if (!st.ok()) {
      session_.Close();
      return st.WithContext(context);
    }
    if (t.seq == through && t.last_chunk) break;
  }
  Status st = applier.Flush();
  if (!st.ok()) session_.Close();
  return st.WithContext(context);
}

}  // namespace vomsrepl::daemon
