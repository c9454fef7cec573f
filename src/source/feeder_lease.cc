#include "source/feeder_lease.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <chrono>
#include <thread>

#include <spdlog/spdlog.h>

#include "source/master_preflight.h"
#include "source/master_session.h"

namespace vomsrepl::source {
namespace {

bool ValidLease(const std::string& lease) {
  if (lease.empty() || lease.size() > 40) return false;
  for (char c : lease) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

// 'vomsrepl.lease.<lease>.<8 hex digits>': at most 15 + 40 + 9 = 64 characters.
std::string FilterLockName(const std::string& lease_lock, uint32_t filter_fingerprint) {
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", filter_fingerprint);
  return lease_lock + "." + hex;
}

bool IsOne(const Result<std::vector<SqlRow>>& rows) {
  return rows.ok() && !rows->empty() && !rows->front().empty() && rows->front()[0] && *rows->front()[0] == "1";
}

}  // namespace

uint32_t FilterFingerprint(const std::vector<std::string>& parts) {
  uint32_t h = 2166136261u;
  for (const std::string& p : parts) {
    for (unsigned char c : p) h = (h ^ c) * 16777619u;
    h = (h ^ 0xff) * 16777619u;  // separator
  }
  return h;
}

Result<std::unique_ptr<FeederLease>> FeederLease::Create(const MasterConfig& config, const std::string& lease,
                                                         uint32_t lease_timeout_s, uint32_t filter_fingerprint) {
  if (!ValidLease(lease))
    return InvalidArgument("[standby] lease \"" + lease + "\": 1 to 40 letters, digits, '_' or '-'");
  std::unique_ptr<FeederLease> l(new FeederLease());
  l->config_ = config;
  l->lock_name_ = "vomsrepl.lease." + lease;
  l->filter_lock_name_ = FilterLockName(l->lock_name_, filter_fingerprint);
  l->lease_timeout_s_ = std::max<uint32_t>(2, lease_timeout_s);
  return l;
}

FeederLease::~FeederLease() { Release(); }

Status FeederLease::Reopen() {
  held_ = false;
  session_ = std::make_unique<MasterSession>();
  Status st = session_->Open(config_);
  // A holder that stops talking (frozen, its link stalled) loses the session,
  // and so the lease, after lease_timeout_s: the master ends idle sessions.
  if (st.ok()) st = session_->Execute("SET SESSION wait_timeout = " + std::to_string(lease_timeout_s_));
  if (!st.ok()) session_.reset();
  return st;
}

Result<bool> FeederLease::TryTake(int wait_s) {
  auto rows = session_->Query("SELECT GET_LOCK('" + lock_name_ + "', " + std::to_string(wait_s) + ")");
  if (!rows.ok()) return rows.status().WithContext("taking the lease " + lock_name_ + " on the master");
  held_ = IsOne(rows);
  // The active feeder shows its [filter]'s fingerprint (shared: not exclusive
  // in meaning, only one session can hold it, and only the active one asks).
  if (held_) session_->Query("SELECT GET_LOCK('" + filter_lock_name_ + "', 0)").status().IgnoreError();
  return held_;
}

Status FeederLease::CheckPeers() {
  auto rows = session_->Query("SELECT IS_USED_LOCK('" + lock_name_ + "'), IS_USED_LOCK('" + filter_lock_name_ +
                              "'), IS_USED_LOCK('" + ServerIdLockName(config_.server_id) + "')");
  if (!rows.ok() || rows->empty() || rows->front().size() < 3) return Status::OK();  // asked again next round
  const SqlRow& r = rows->front();
  std::string problem;
  if (r[2]) {
    problem = "another session (connection " + *r[2] + ") holds the lock of this feeder's server_id " +
              std::to_string(config_.server_id) + " on the master: the active feeder (or another program) streams " +
              "with it; give each feeder its own [master] server_id";
  } else if (r[0] && (!r[1] || *r[1] != *r[0])) {
    problem = "the active feeder (connection " + *r[0] + ") filters with another [filter] than this one (it does " +
              "not hold " + filter_lock_name_ + "): journal seqs would not mean the same transactions to both; make " +
              "the [filter] sections of every feeder of this lease identical (and reload both)";
  }
  if (problem.empty() || problem != suspect_) {
    suspect_ = problem;  // seen once: the active may be between its two GET_LOCKs
    return Status::OK();
  }
  return FailedPrecondition("standby for " + lock_name_ + ": " + problem);
}

std::string FeederLease::DescribeHolder() {
  auto id = session_->Query("SELECT IS_USED_LOCK('" + lock_name_ + "')");
  if (!id.ok() || id->empty() || id->front().empty() || !id->front()[0]) return "";
  const std::string& conn = *id->front()[0];
  for (char c : conn)
    if (!std::isdigit(static_cast<unsigned char>(c))) return "connection " + conn;
  // The process list shows another account's sessions only with PROCESS.
  auto host = session_->Query("SELECT HOST FROM information_schema.PROCESSLIST WHERE ID = " + conn);
  std::string out = "connection " + conn;
  if (host.ok() && !host->empty() && !host->front().empty() && host->front()[0]) out += " from " + *host->front()[0];
  return out;
}

Status FeederLease::Acquire(int wait_s, const std::function<bool()>& stop) {
  bool reported_outage = false;
  bool first_try = true;  // asks at once, so that holder() is known without a wait
  while (!stop()) {
    if (!session_ || !session_->open()) {
      Status st = Reopen();
      if (!st.ok()) {
        if (st.code() != StatusCode::kUnavailable) return st;
        if (!reported_outage) spdlog::warn("standby: master unreachable ({}); still waiting for the lease", st.ToString());
        reported_outage = true;
        {
          std::lock_guard lock(mu_);
          holder_ = "unknown: the master is unreachable (" + std::string(st.message()) + ")";
        }
        for (int i = 0; i < wait_s * 10 && !stop(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      reported_outage = false;
    }
    auto taken = TryTake(first_try ? 0 : wait_s);
    first_try = false;
    if (!taken.ok()) {
      spdlog::warn("standby: {}; connecting again", taken.status().ToString());
      session_.reset();
      continue;
    }
    if (*taken) {
      std::lock_guard lock(mu_);
      holder_.clear();
      return Status::OK();
    }
    VOMSREPL_RETURN_IF_ERROR(CheckPeers());
    std::string who = DescribeHolder();
    std::lock_guard lock(mu_);
    if (who != holder_ && !who.empty())
      spdlog::info("standby: the lease {} is held by {} on the master; waiting", lock_name_, who);
    holder_ = who.empty() ? "another session" : who;
  }
  return Aborted("stopped while waiting for the lease");
}

bool FeederLease::StillHeld(std::string* why) {
  if (held_ && session_ && session_->open()) {
    auto rows = session_->Query("SELECT IS_USED_LOCK('" + lock_name_ + "') = CONNECTION_ID()");
    if (rows.ok()) {
      if (IsOne(rows)) return true;
      held_ = false;
      *why = "the master no longer shows the lease " + lock_name_ + " held by this feeder's session";
      return false;
    }
    spdlog::warn("lease: the session holding {} failed ({}); connecting again", lock_name_, rows.status().ToString());
  }
  Status st = Reopen();
  if (!st.ok()) {
    *why = "the master cannot be reached to keep the lease " + lock_name_ + " (" + st.ToString() + ")";
    return false;
  }
  auto taken = TryTake(0);
  if (taken.ok() && *taken) {
    spdlog::info("lease: {} taken again on a new session (no other feeder had taken it)", lock_name_);
    return true;
  }
  std::string who = taken.ok() ? DescribeHolder() : "";
  *why = taken.ok() ? "another feeder holds the lease " + lock_name_ + " now (" + (who.empty() ? "another session" : who) + ")"
                    : taken.status().ToString();
  return false;
}

void FeederLease::Release() {
  if (held_ && session_ && session_->open())
    session_->Query("SELECT RELEASE_LOCK('" + lock_name_ + "')").status().IgnoreError();
  held_ = false;
  session_.reset();
}

Result<std::string> FeederLease::Peek() {
  if (!session_ || !session_->open()) VOMSREPL_RETURN_IF_ERROR(Reopen());
  auto free = session_->Query("SELECT IS_FREE_LOCK('" + lock_name_ + "')");
  if (!free.ok()) return free.status();
  if (IsOne(free)) return std::string();
  std::string who = DescribeHolder();
  return who.empty() ? std::string("another session") : who;
}

void FeederLease::SetFilterFingerprint(uint32_t filter_fingerprint) {
  const std::string next = FilterLockName(lock_name_, filter_fingerprint);
  if (next == filter_lock_name_) return;
  if (held_ && session_ && session_->open()) {
    session_->Query("SELECT RELEASE_LOCK('" + filter_lock_name_ + "')").status().IgnoreError();
    session_->Query("SELECT GET_LOCK('" + next + "', 0)").status().IgnoreError();
  }
  filter_lock_name_ = next;
}

std::string FeederLease::holder() const {
  std::lock_guard lock(mu_);
  return holder_;
}

}  // namespace vomsrepl::source
