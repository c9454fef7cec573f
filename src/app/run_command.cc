#include "app/run_command.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include "app/master_read_account.h"
#include "apply/replica_session.h"
#include "daemon/replicator.h"
#include "ops/config.h"
#include "ops/control_token.h"
#include "ops/crash_point.h"
#include "ops/logging.h"
#include "source/feeder_lease.h"
#include "source/master_stream.h"

namespace vomsrepl::app {

Status RunDaemon(const RunOptions& options) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  std::string level = options.log_level.empty() ? config.log.level : options.log_level;
  std::string file = options.log_file.empty() ? config.log.file : options.log_file;
  VOMSREPL_RETURN_IF_ERROR(ops::SetupLogging(level, file));
  if (config.replicas.empty()) spdlog::warn("config {} names no [[replica]]: journaling only", config.path);
  {
    std::vector<std::string> names;
    for (const auto& r : config.replicas) names.push_back(r.name);
    VOMSREPL_ASSIGN_OR_RETURN(std::optional<ops::CrashPointSpec> crash, ops::CrashPointFromEnvironment(names));
    if (crash) {
      spdlog::warn("{}={}:{} is set: a TEST HOOK; this daemon kills itself with SIGKILL at pass {} of crash point {}",
                   ops::kCrashAtVariable, crash->name, crash->at, crash->at, crash->name);
      ops::ArmCrashPoint(*crash);
    }
  }

  daemon::Replicator replicator(config);
  VOMSREPL_RETURN_IF_ERROR(replicator.Open());
  // A reload's [log]: the command line's --log-level / --log-file still win.
  std::mutex log_mu;  // level and file: the reload (Run thread) and SIGHUP (signal thread)
  replicator.set_log_setup([&options, &level, &file, &log_mu](const ops::LogSection& log) {
    std::lock_guard lock(log_mu);
    level = options.log_level.empty() ? log.level : options.log_level;
    file = options.log_file.empty() ? log.file : options.log_file;
    return ops::SetupLogging(level, file);
  });

  // Signals through Boost.Asio on a thread of their own.
  boost::asio::io_context io;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal = [&](const boost::system::error_code& ec,
                                                                             int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      Status s;
      {
        std::lock_guard lock(log_mu);
        s = ops::SetupLogging(level, file);
      }
      if (s.ok()) {
        spdlog::info("SIGHUP: log reopened; reloading {}", config.path);
      } else {
        std::fprintf(stderr, "vomsrepl: SIGHUP: cannot reopen the log: %s\n", s.ToString().c_str());
      }
      replicator.RequestReloadSoon();
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("{}: draining the pipeline and checkpointing", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    replicator.RequestStop();
  };
  signals.async_wait(on_signal);
  std::thread signal_thread([&] { io.run(); });

  spdlog::info("vomsrepl running: {} replica(s), state in {}", config.replicas.size(), config.state_dir);
  Status st = replicator.Run();
  io.stop();
  signal_thread.join();
  if (st.ok()) spdlog::info("vomsrepl stopped cleanly");
  return st;
}

namespace {

// True when a process (a running `vomsrepl run`) holds the state directory's
// lock (journal/state_dir_lock.h); nothing is created.
bool StateDirInUse(const std::string& dir) {
  int fd = ::open((dir + "/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool busy = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return busy;
}

}  // namespace

Status CheckConfig(const RunOptions& options, std::FILE* out) {
  VOMSREPL_ASSIGN_OR_RETURN(ops::Config config, ops::LoadConfig(options.config_path));
  std::fprintf(out, "ok   syntax and keys: %s\n", config.path.c_str());
  std::fputs(config.Describe().c_str(), out);
  VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFiles(config));
  std::fprintf(out, "ok   option files readable\n");
  Status first;
  auto note = [&](const Status& s) {
    if (!s.ok() && first.ok()) first = s;
  };
  // A server `run` would wait for: with --unreachable-ok a warning.
  auto unreachable_warning = [&](const std::string& who, const Status& s) {
    if (!options.unreachable_ok || s.code() != StatusCode::kUnavailable) return false;
    std::fprintf(out, "warn %s: unreachable (%s); `vomsrepl run` starts without it and retries\n", who.c_str(),
                 s.ToString().c_str());
    return true;
  };

  struct stat st {};
  if (::stat(config.state_dir.c_str(), &st) == 0) {
    std::fprintf(out, "ok   state directory %s exists\n", config.state_dir.c_str());
  } else {
    std::fprintf(out, "ok   state directory %s will be created\n", config.state_dir.c_str());
  }
  if (!config.http.listen.empty()) {
    const std::string token_file = config.HttpTokenFile();
    auto token = ops::ReadControlToken(token_file);
    if (token.ok()) {
      std::fprintf(out, "ok   control token in %s (mode 0600)\n", token_file.c_str());
    } else if (token.status().code() == StatusCode::kNotFound && config.http.token_file.empty()) {
      std::fprintf(out, "ok   control token %s will be created by `vomsrepl run`\n", token_file.c_str());
    } else {
      std::fprintf(out, "FAIL %s\n", token.status().ToString().c_str());
      note(token.status());
    }
  }

  source::MasterConfig master_config = daemon::MasterConfigFrom(config);
  const bool running_here = StateDirInUse(config.state_dir);
  if (running_here) {
    // This configuration's daemon runs: the server-id lock on the master and
    // its registration there are its own, not another feeder's.
    std::fprintf(out, "ok   `vomsrepl run` is running on %s (it holds the directory's lock); the checks below see "
                      "its stream\n", config.state_dir.c_str());
    master_config.holds_server_id_lock = true;
  }
  source::MasterStream master(master_config);
  auto report = master.Preflight();
  if (!report.ok()) {
    if (!unreachable_warning("master", report.status())) {
      std::fprintf(out, "FAIL master: %s\n", report.status().ToString().c_str());
      note(report.status());
    }
  } else {
    std::fprintf(out, "master %s (server_id %u, %s):\n", config.master.Describe().c_str(), report->master_server_id,
                 report->server_version.c_str());
    std::fputs(report->ToString().c_str(), out);
    note(report->ToStatus().WithContext("master"));
  }

  note(CheckMasterReadAccount(config, out));

  if (!config.standby.lease.empty()) {
    auto lease = source::FeederLease::Create(master_config, config.standby.lease);
    auto holder = lease.ok() ? (*lease)->Peek() : Result<std::string>(lease.status());
    if (!holder.ok()) {
      if (!unreachable_warning("master (lease)", holder.status())) {
        std::fprintf(out, "FAIL standby lease: %s\n", holder.status().ToString().c_str());
        note(holder.status());
      }
    } else if (holder->empty()) {
      std::fprintf(out, "ok   standby lease %s is free: `vomsrepl run` would feed at once\n",
                   (*lease)->lock_name().c_str());
    } else if (running_here) {
      std::fprintf(out, "ok   standby lease %s is held by %s; this configuration's `vomsrepl run` is running (its "
                        "/status source.role says whether that is its own session)\n",
                   (*lease)->lock_name().c_str(), holder->c_str());
    } else {
      std::fprintf(out, "ok   standby lease %s is held by %s: `vomsrepl run` would stand by until it is free\n",
                   (*lease)->lock_name().c_str(), holder->c_str());
    }
  }

  for (const auto& r : config.replicas) {
    daemon::ReplicaRunnerOptions ro = daemon::ReplicaOptionsFrom(config, r);
    apply::ReplicaSession session;
    Status s = session.Open(ro.replica);
    if (s.ok()) s = session.Preflight();
    if (s.ok()) {
      std::fprintf(out, "ok   replica %s: reachable, read-only, applier account can write its progress row\n",
                   r.name.c_str());
    } else if (!unreachable_warning("replica " + r.name, s)) {
      std::fprintf(out, "FAIL replica %s: %s\n", r.name.c_str(), s.ToString().c_str());
      note(s.WithContext("replica " + r.name));
    }
    for (const auto& w : session.warnings()) std::fprintf(out, "warn replica %s: %s\n", r.name.c_str(), w.c_str());
  }
  std::fprintf(out, "%s\n", first.ok() ? "configuration ok: `vomsrepl run` would start" : "configuration has errors");
  return first;
}

}  // namespace vomsrepl::app
