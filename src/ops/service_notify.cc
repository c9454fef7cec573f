#include "ops/service_notify.h"

#include <string>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace vomsrepl::ops {
namespace {

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Notify(const std::string& state) {
  int rc = sd_notify(0, state.c_str());
  if (rc < 0) spdlog::warn("systemd: sd_notify({}) failed: error {}", state.substr(0, state.find('\n')), -rc);
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_interval_us_ = usec / 2;
}

void ServiceNotifier::Ready(std::string_view status) {
  Notify("READY=1\nSTATUS=" + std::string(status));
  if (watchdog_enabled()) {
    spdlog::info("systemd watchdog: WATCHDOG=1 every {} ms", watchdog_interval_us_ / 1000);
    Tick();
  }
}

void ServiceNotifier::Stopping() { Notify("STOPPING=1\nSTATUS=draining the pipeline and checkpointing"); }

void ServiceNotifier::Tick() {
  if (!watchdog_enabled()) return;
  const int64_t now = NowMicros();
  if (now < next_watchdog_us_.load(std::memory_order_relaxed)) return;
  next_watchdog_us_.store(now + int64_t(watchdog_interval_us_), std::memory_order_relaxed);
  Notify("WATCHDOG=1");
}

}  // namespace vomsrepl::ops
