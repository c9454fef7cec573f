// ServiceNotifier: tells systemd (a `Type=notify` unit, conf/vomsrepl.service)
// where the daemon is, through libsystemd's sd_notify:
//   READY=1      once Replicator::Run has started the feeder and the
//                replica threads (the HTTP endpoint answers already), so
//                `systemctl start` returns when vomsrepl serves;
//   STOPPING=1   when a stop is requested (SIGTERM/SIGINT);
//   WATCHDOG=1   from the daemon's main loop, at half the unit's
//                WatchdogSec= (sd_watchdog_enabled), so systemd restarts a
//                daemon whose main loop hangs;
//   STATUS=...   a one-line summary shown by `systemctl status`.
// Without NOTIFY_SOCKET (not under systemd, or Type=simple) every call is a
// no-op.
//
// Thread-safety: every method from any thread (sd_notify is; the watchdog
// deadline is atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string_view>

namespace vomsrepl::ops {

class ServiceNotifier {
 public:
  ServiceNotifier();

  void Ready(std::string_view status);
  void Stopping();
  // Sends WATCHDOG=1 when the watchdog is on and half its interval passed
  // since the last one.
  void Tick();
  bool watchdog_enabled() const { return watchdog_interval_us_ != 0; }

 private:
  uint64_t watchdog_interval_us_ = 0;  // half of WatchdogSec; 0: off
  std::atomic<int64_t> next_watchdog_us_{0};
};

}  // namespace vomsrepl::ops
