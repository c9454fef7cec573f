#include "app/binlog_walk.h"

#include <pthread.h>

namespace vomsrepl::app {

StopOnSignal::StopOnSignal(source::MasterStream& master) {
  sigemptyset(&set_);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGUSR1);  // our own wake-up at destruction
  pthread_sigmask(SIG_BLOCK, &set_, &old_);
  thread_ = std::thread([this, &master] {
    int sig = 0;
    while (sigwait(&set_, &sig) == 0) {
      if (done_.load()) return;
      if (sig == SIGINT || sig == SIGTERM) {
        signalled_.store(true);
        master.Cancel();
        return;
      }
    }
  });
}

StopOnSignal::~StopOnSignal() {
  done_.store(true);
  if (!signalled_.load()) pthread_kill(thread_.native_handle(), SIGUSR1);
  thread_.join();
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

}  // namespace vomsrepl::app
