#include "ops/crash_point.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include <spdlog/spdlog.h>

namespace vomsrepl::ops {
namespace crash_point_internal {

std::atomic<bool> armed{false};

namespace {
std::string armed_name;            // written only while disarmed
uint64_t armed_at = 1;
std::atomic<uint64_t> passes{0};
}  // namespace

void Pass(std::string_view name) {
  if (name != armed_name) return;
  uint64_t n = passes.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n != armed_at) return;
  spdlog::critical("crash point {} reached (pass {}, {} test hook): raising SIGKILL", name, n, kCrashAtVariable);
  spdlog::default_logger()->flush();
  ::kill(::getpid(), SIGKILL);
  for (;;) ::pause();  // SIGKILL is never ignored: not reached
}

}  // namespace crash_point_internal

namespace {

std::string PointList() {
  std::string s;
  for (std::string_view n : kCrashPointNames) {
    if (!s.empty()) s += ", ";
    s += n;
  }
  return s;
}

Status Bad(std::string_view value, std::string_view why) {
  return InvalidArgument(std::string(kCrashAtVariable) + "='" + std::string(value) + "' (a test hook): " +
                         std::string(why) + "; want NAME[:N] with NAME one of " + PointList() +
                         " and N >= 1 the pass that kills the process");
}

}  // namespace

Result<CrashPointSpec> ParseCrashAt(std::string_view value) {
  CrashPointSpec spec;
  std::string_view name = value;
  if (size_t colon = value.rfind(':'); colon != std::string_view::npos) {
    name = value.substr(0, colon);
    std::string_view n = value.substr(colon + 1);
    uint64_t at = 0;
    auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), at);
    if (n.empty() || ec != std::errc() || end != n.data() + n.size())
      return Bad(value, "'" + std::string(n) + "' after ':' is not a pass number");
    if (at == 0) return Bad(value, "the pass number counts from 1");
    spec.at = at;
  }
  if (name.empty()) return Bad(value, "no point name");
  constexpr std::string_view kReplica = "replica.";
  if (name.starts_with(kReplica)) {
    std::string_view rest = name.substr(kReplica.size());
    size_t dot = rest.rfind('.');
    std::string_view what = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    if (dot == std::string_view::npos || dot == 0 || (what != "before_commit" && what != "after_commit" && what != "after_ddl"))
      return Bad(value, "unknown point '" + std::string(name) + "'");
    spec.replica = std::string(rest.substr(0, dot));
  } else if (name != "feeder.before_append" && name != "feeder.after_append") {
    return Bad(value, "unknown point '" + std::string(name) + "'");
  }
  spec.name = std::string(name);
  return spec;
}

Result<std::optional<CrashPointSpec>> CrashPointFromEnvironment(const std::vector<std::string>& replicas) {
  const char* v = std::getenv(kCrashAtVariable);
  if (!v || !*v) return std::optional<CrashPointSpec>();
  VOMSREPL_ASSIGN_OR_RETURN(CrashPointSpec spec, ParseCrashAt(v));
  if (!spec.replica.empty() && std::find(replicas.begin(), replicas.end(), spec.replica) == replicas.end())
    return Bad(v, "the configuration has no [[replica]] named '" + spec.replica + "'");
  return std::optional<CrashPointSpec>(std::move(spec));
}

void ArmCrashPoint(const CrashPointSpec& spec) {
  DisarmCrashPoint();
  crash_point_internal::armed_name = spec.name;
  crash_point_internal::armed_at = spec.at;
  crash_point_internal::passes.store(0);
  crash_point_internal::armed.store(true);
}

void DisarmCrashPoint() { crash_point_internal::armed.store(false); }

}  // namespace vomsrepl::ops
