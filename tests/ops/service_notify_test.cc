// ServiceNotifier through libsystemd's sd_notify, received on a datagram
// socket of the test's own named by NOTIFY_SOCKET (what systemd does for a
// Type=notify unit), with WATCHDOG_USEC as WatchdogSec= sets it.
#include "ops/service_notify.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace vomsrepl::ops {
namespace {

class NotifySocket {
 public:
  NotifySocket() {
    path_ = "/tmp/vomsrepl-notify-" + std::to_string(::getpid());
    ::unlink(path_.c_str());
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path_.c_str());
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    timeval tv{2, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }
  ~NotifySocket() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  std::string Receive() {
    char buf[512];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
  }

 private:
  std::string path_;
  int fd_ = -1;
};

TEST(ServiceNotifier, ReadyStoppingAndWatchdog) {
  NotifySocket socket;
  ::setenv("WATCHDOG_USEC", "60000000", 1);  // WatchdogSec=60
  ServiceNotifier n;
  EXPECT_TRUE(n.watchdog_enabled());
  n.Ready("2 replica(s)");
  EXPECT_EQ(socket.Receive(), "READY=1\nSTATUS=2 replica(s)");
  EXPECT_EQ(socket.Receive(), "WATCHDOG=1");  // the first ping comes with READY
  n.Tick();                                   // within 30 s of the last: nothing
  n.Stopping();
  EXPECT_EQ(socket.Receive(), "STOPPING=1\nSTATUS=draining the pipeline and checkpointing");
}

TEST(ServiceNotifier, NoWatchdogWithoutWatchdogSec) {
  NotifySocket socket;
  ServiceNotifier n;
  EXPECT_FALSE(n.watchdog_enabled());
  n.Tick();
  n.Ready("x");
  EXPECT_EQ(socket.Receive(), "READY=1\nSTATUS=x");
}

}  // namespace
}  // namespace vomsrepl::ops
