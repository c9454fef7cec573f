#include "journal/state_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace vomsrepl::journal {

Result<StateDirLock> StateDirLock::Acquire(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return FailedPrecondition("cannot create state directory " + dir + ": " + std::strerror(errno));
  std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return FailedPrecondition("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof(buf) - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(buf, size_t(n)) : std::string("unknown");
    while (!holder.empty() && (holder.back() == '\n')) holder.pop_back();
    return FailedPrecondition("state directory " + dir + " is in use by another vomsrepl (pid " + holder +
                              "); stop it or use another state directory");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != ssize_t(pid.size())) {
    ::close(fd);
    return FailedPrecondition("cannot write " + path + ": " + std::strerror(errno));
  }
  return StateDirLock(fd, std::move(path));
}

StateDirLock::~StateDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace vomsrepl::journal
