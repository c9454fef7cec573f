// FeederLease: which of several feeders of the same replicas feeds them
// (issue 24, `[standby] lease`). The lease is a named user lock on the
// master, GET_LOCK('vomsrepl.lease.<lease>'), held on a session of its own by
// the active feeder for as long as it feeds; the master frees it when that
// session ends (the process died, or its link to the master broke), and a
// standby waiting in GET_LOCK gets it at once. No table, no privilege, no
// coordination service: the master every feeder already reads is the arbiter.
//
// The lease name is validated ([A-Za-z0-9_-], 1 to 40 characters: ops/config.h
// and again here), so nothing but those characters reaches the SQL text.
//
// A frozen or cut-off holder (SIGSTOP, a link that stalls without closing):
// the lease session runs with wait_timeout = lease_timeout_s, so the master
// ends it, and frees the lease, after that long without the holder's checks.
//
// Peers that must not take turns: while it waits, a standby also asks the
// master (1) whether another session holds the user lock of its own
// [master] server_id (two feeders with one server_id make the master drop one
// stream for the other), and (2) whether the active feeder filters like it:
// the active one holds 'vomsrepl.lease.<lease>.<fingerprint of its [filter]>'
// too; journal seqs only mean the same transactions to feeders with the same
// filter (daemon/takeover.h). Either seen twice in a row for the same
// session is FailedPrecondition: the standby stops rather than take over
// with numbers that would not match.
//
// Thread-safety: one thread (the replicator's) calls Acquire/StillHeld/
// Release; Holder() is a copy taken under a mutex (the HTTP thread reads it).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <vomsrepl/status.h>

#include "source/master_stream.h"

namespace vomsrepl::source {

class MasterSession;

class FeederLease {
 public:
  // InvalidArgument for a lease name outside [A-Za-z0-9_-]{1,40}.
  // `filter_fingerprint`: FilterFingerprint() of this feeder's [filter].
  static Result<std::unique_ptr<FeederLease>> Create(const MasterConfig& config, const std::string& lease,
                                                     uint32_t lease_timeout_s = 10, uint32_t filter_fingerprint = 0);
  ~FeederLease();

  // "vomsrepl.lease.<lease>"
  const std::string& lock_name() const { return lock_name_; }

  // Waits until this process holds the lease: GET_LOCK with a wait of
  // `wait_s` seconds, again and again, (re)connecting to the master as
  // needed, until it is taken (OK) or stop() returns true (Aborted). Each
  // round while another holds it, holder() is refreshed ("connection 42 from
  // 10.0.0.5:51234", as far as the account may see the master's process list)
  // and the peers are checked (above: FailedPrecondition). A master that
  // refuses the account (not a transient error) is returned.
  Status Acquire(int wait_s, const std::function<bool()>& stop);

  // Whether this process still holds the lease. Its session is asked
  // (IS_USED_LOCK = CONNECTION_ID()); a session that broke is opened again
  // once and the lease taken again if it is free (GET_LOCK(name, 0)): a
  // blip on the link that no standby used costs no takeover. False when
  // another session holds it or the master cannot be reached; `why` says which.
  bool StillHeld(std::string* why);

  // Gives the lease up (RELEASE_LOCK, then the session closes).
  void Release();

  // A reload changed [filter]: the active feeder shows the new fingerprint.
  void SetFilterFingerprint(uint32_t filter_fingerprint);

  // Who holds the lease when this process does not (for /status).
  std::string holder() const;

  // For check-config: "" when the lease is free, else who holds it. Opens a
  // session of its own and takes nothing.
  Result<std::string> Peek();

 private:
  FeederLease() = default;
  Status Reopen();
  // The peer checks of a standby round (file comment).
  Status CheckPeers();
  // GET_LOCK(name, wait_s): true when taken.
  Result<bool> TryTake(int wait_s);
  std::string DescribeHolder();

  MasterConfig config_;
  std::string lock_name_;
  std::string filter_lock_name_;  // lock_name_ + "." + 8 hex digits
  uint32_t lease_timeout_s_ = 10;
  std::string suspect_;  // the last round's peer problem ("" none), to be seen twice
  std::unique_ptr<MasterSession> session_;
  bool held_ = false;
  mutable std::mutex mu_;
  std::string holder_;
};

// FNV-1a of a canonical text of the filter (every list and rename, in order).
uint32_t FilterFingerprint(const std::vector<std::string>& parts);

}  // namespace vomsrepl::source
