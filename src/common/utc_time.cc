#include "common/utc_time.h"

#include <ctime>

namespace vomsrepl {

std::string UtcNowText() { return UtcTimeText(UnixNow()); }

int64_t UnixNow() { return int64_t(std::time(nullptr)); }

std::string UtcTimeText(int64_t seconds) {
  const std::time_t t = std::time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace vomsrepl
