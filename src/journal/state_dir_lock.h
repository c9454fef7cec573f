// StateDirLock: an exclusive lock on a vomsrepl state directory, so two
// processes never share one journal. Held (flock on DIR/LOCK) for the lifetime
// of the object; released by the kernel if the process dies.
#pragma once

#include <string>

#include <vomsrepl/status.h>

namespace vomsrepl::journal {

class StateDirLock {
 public:
  // Creates `dir` (mode 0700) if missing and locks it. FailedPrecondition
  // naming the holder's PID when another process holds the lock.
  static Result<StateDirLock> Acquire(const std::string& dir);

  StateDirLock(StateDirLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }
  StateDirLock& operator=(StateDirLock&&) = delete;
  StateDirLock(const StateDirLock&) = delete;
  ~StateDirLock();

  const std::string& path() const { return path_; }

 private:
  StateDirLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

}  // namespace vomsrepl::journal
