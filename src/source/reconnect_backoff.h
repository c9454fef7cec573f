// ReconnectBackoff: the delays between reconnection attempts of MasterStream.
//
// Capped exponential backoff with "equal jitter": attempt n (0-based) waits a
// uniformly drawn time in [d/2, d] where d = min(max, initial * 2^n), so a
// fleet of feeders restarted together does not hammer a master in lockstep,
// and no wait is ever shorter than half the nominal one. The generator is
// seeded explicitly, so a schedule is reproducible in tests.
//
// Thread-safety: none (one per stream).
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace vomsrepl::source {

class ReconnectBackoff {
 public:
  using Millis = std::chrono::milliseconds;

  // `initial` > 0 and `max` >= `initial` (MasterConfig::Validate checks).
  ReconnectBackoff(Millis initial, Millis max, uint64_t seed);

  // The nominal (un-jittered) delay of attempt `n`: min(max, initial * 2^n).
  Millis Nominal(uint32_t n) const;
  // The delay to wait before the next attempt; advances the attempt count.
  Millis NextDelay();
  // Back to attempt 0 (after a connection that worked).
  void Reset() { attempt_ = 0; }
  uint32_t attempt() const { return attempt_; }

 private:
  Millis initial_;
  Millis max_;
  uint32_t attempt_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace vomsrepl::source
