// ServerIdLock: one vomsrepl per (master, server_id). A second feeder with the
// same server_id would make the master drop the first one's dump connection
// (it keeps one replica per server id) and both would fight forever; the
// check through SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN, which the
// least-privilege replication account does not hold. A named user lock on the
// master needs no privilege: GET_LOCK('vomsrepl.server_id.<id>', 0) held on a
// session of its own for the life of the process.
//
// Limits: the lock lives as long as that session; if the master restarts, it
// is gone until the next process start takes it again (the master's own
// replica registration still refuses two dump threads with one server id,
// by killing the older one). Thread-safety: none needed (held, then released).
#pragma once

#include <memory>

#include <vomsrepl/status.h>

#include "source/master_stream.h"

namespace vomsrepl::source {

class MasterSession;

class ServerIdLock {
 public:
  // FailedPrecondition naming the server id when another session holds it;
  // Unavailable / FailedPrecondition from connecting as MasterSession says.
  static Result<std::unique_ptr<ServerIdLock>> Acquire(const MasterConfig& config);
  ~ServerIdLock();

 private:
  ServerIdLock() = default;
  static constexpr int kLockWaitSeconds = 2;
  std::unique_ptr<MasterSession> session_;
  uint32_t server_id_ = 0;
};

}  // namespace vomsrepl::source
