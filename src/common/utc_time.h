// The wall clock in UTC, as the daemon writes it into states and histories
// ("2026-12-07T04:15:34Z", whole seconds). Thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace vomsrepl {

std::string UtcNowText();
// Seconds since the epoch now (the wall clock, as commit times and lags count).
int64_t UnixNow();
// The same form for a time in seconds since the epoch.
std::string UtcTimeText(int64_t seconds);

}  // namespace vomsrepl
