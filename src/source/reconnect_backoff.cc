#include "source/reconnect_backoff.h"

#include <algorithm>

namespace vomsrepl::source {

ReconnectBackoff::ReconnectBackoff(Millis initial, Millis max, uint64_t seed)
    : initial_(std::max(initial, Millis(1))), max_(std::max(max, initial_)), rng_(seed) {}

ReconnectBackoff::Millis ReconnectBackoff::Nominal(uint32_t n) const {
  int64_t d = initial_.count();
  for (uint32_t i = 0; i < n && d < max_.count(); ++i) d *= 2;
  return Millis(std::min<int64_t>(d, max_.count()));
}

ReconnectBackoff::Millis ReconnectBackoff::NextDelay() {
  int64_t d = Nominal(attempt_).count();
  if (attempt_ < 64) ++attempt_;
  std::uniform_int_distribution<int64_t> jitter(d / 2, d);
  return Millis(jitter(rng_));
}

}  // namespace vomsrepl::source
