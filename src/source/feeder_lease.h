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
// Thread-safety: one thread (the replicator's) calls Acquire/StillHeld/
// Release; Holder() is a copy taken under a mutex (the HTTP thread reads it).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <vomsrepl/status.h>

#include "source/master_stream.h"

namespace vomsrepl::source {

class MasterSession;

class FeederLease {
 public:
  // InvalidArgument for a lease name outside [A-Za-z0-9_-]{1,40}.
  static Result<std::unique_ptr<FeederLease>> Create(const MasterConfig& config, const std::string& lease);
  ~FeederLease();

  // "vomsrepl.lease.<lease>"
  const std::string& lock_name() const { return lock_name_; }

  // Waits until this process holds the lease: GET_LOCK with a wait of
  // `wait_s` seconds, again and again, (re)connecting to the master as
  // needed, until it is taken (OK) or stop() returns true (Aborted). Each
  // round while another holds it, holder() is refreshed ("connection 42 from
  // 10.0.0.5:51234", as far as the account may see the master's process list).
  // A master that refuses the account (not a transient error) is returned.
  Status Acquire(int wait_s, const std::function<bool()>& stop);

  // Whether this process still holds the lease. Its session is asked
  // (IS_USED_LOCK = CONNECTION_ID()); a session that broke is opened again
  // once and the lease taken again if it is free (GET_LOCK(name, 0)): a
  // blip on the link that no standby used costs no takeover. False when
  // another session holds it or the master cannot be reached; `why` says which.
  bool StillHeld(std::string* why);

  // Gives the lease up (RELEASE_LOCK, then the session closes).
  void Release();

  // Who holds the lease when this process does not (for /status).
  std::string holder() const;

  // For check-config: "" when the lease is free, else who holds it. Opens a
  // session of its own and takes nothing.
  Result<std::string> Peek();

 private:
  FeederLease() = default;
  Status Reopen();
  // GET_LOCK(name, wait_s): true when taken.
  Result<bool> TryTake(int wait_s);
  std::string DescribeHolder();

  MasterConfig config_;
  std::string lock_name_;
  std::unique_ptr<MasterSession> session_;
  bool held_ = false;
  mutable std::mutex mu_;
  std::string holder_;
};

}  // namespace vomsrepl::source
