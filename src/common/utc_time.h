// The wall clock in UTC, as the daemon writes it into states and histories
// ("2026-12-07T04:15:34Z", whole seconds). Thread-safe.
#pragma once

#include <string>

namespace vomsrepl {

std::string UtcNowText();

}  // namespace vomsrepl
