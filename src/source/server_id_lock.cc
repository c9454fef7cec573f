#include "source/server_id_lock.h"

#include "source/master_preflight.h"
#include "source/master_session.h"

namespace vomsrepl::source {

Result<std::unique_ptr<ServerIdLock>> ServerIdLock::Acquire(const MasterConfig& config) {
  std::unique_ptr<ServerIdLock> lock(new ServerIdLock());
  lock->session_ = std::make_unique<MasterSession>();
  VOMSREPL_RETURN_IF_ERROR(lock->session_->Open(config));
  // The name is built from a number only: nothing of the user's in the SQL text.
  const std::string name = ServerIdLockName(config.server_id);
  // A process that has just stopped may still hold it for a moment: the server
  // frees a closed connection's locks some time after the client has gone.
  auto rows = lock->session_->Query("SELECT GET_LOCK('" + name + "', " + std::to_string(kLockWaitSeconds) + ")");
  if (!rows.ok()) return rows.status().WithContext("taking the server_id lock on the master");
  if (rows->empty() || rows->front().empty() || !rows->front()[0] || *rows->front()[0] != "1") {
    return FailedPrecondition("another vomsrepl already streams from this master with server_id " +
                              std::to_string(config.server_id) + " (it holds the user lock '" + name +
                              "'); give each feeder its own [master] server_id");
  }
  lock->server_id_ = config.server_id;
  return lock;
}

// Released before the session closes, so that a process started right after
// this one can take it at once. Failing changes nothing: closing releases it too.
ServerIdLock::~ServerIdLock() {
  if (server_id_ != 0 && session_ != nullptr && session_->open())
    session_->Query("SELECT RELEASE_LOCK('" + ServerIdLockName(server_id_) + "')").status().IgnoreError();
}

}  // namespace vomsrepl::source
