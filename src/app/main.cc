// vomsrepl: binlog streaming replicator for VOMS databases.
//
// main() parses the command line (CLI11), runs one subcommand and turns its
// Status into a one-line message and a documented exit code (exit_codes.h).
#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/argv_secrets.h"
#include "app/dump_command.h"
#include "app/exit_codes.h"
#include "app/stats_command.h"
#include "app/reload_command.h"
#include "app/replica_command.h"
#include "app/run_command.h"
#include "app/status_command.h"
#include "app/verify_command.h"
#include "app/bootstrap_command.h"
#include "app/catchup_command.h"
#include "app/core_dumps.h"
#include "app/switch_master_command.h"
#include "app/undo_command.h"
#include "app/version.h"
#include "ops/config.h"
#include "ops/logging.h"

namespace {

using namespace vomsrepl;

// --progress-interval of the long commands (vomsrepl/progress.h).
void AddProgressInterval(CLI::App* cmd, uint32_t* seconds) {
  cmd->add_option("--progress-interval", *seconds,
                  "Seconds between progress lines on stderr when it is not a terminal (a terminal: one line "
                  "redrawn twice a second)")
      ->check(CLI::Range(1u, 3600u))
      ->capture_default_str();
}

// --config (also $VOMSREPL_CONFIG), required.
void AddConfig(CLI::App* cmd, std::string* path, const char* help = "TOML configuration") {
  cmd->add_option("--config", *path, help)->required()->envname("VOMSREPL_CONFIG");
}

// Options shared by `dump` and `stats` over files.
struct FileArgs {
  std::vector<std::string> files;
  uint64_t start_position = 0, stop_position = 0;
  std::string start_datetime, stop_datetime, start_gtid, stop_gtid;
  std::vector<std::string> databases, tables, exclude_databases, exclude_tables;
  std::string format = "text";
  std::vector<std::string> formats = {"text", "json"};  // what --format accepts
  bool no_verify_checksum = false;
  std::string label;  // the subcommand, for the progress line
  uint32_t progress_interval_s = 10;
  // Live mode.
  bool master = false, follow = false, non_blocking = false;
  std::string master_defaults_file;
  uint32_t server_id = 0;  // 0: picked free at connect

  // `output`: --format and --follow / --non-blocking (dump and stats; undo
  // reads a range that ends and prints SQL).
  void Add(CLI::App* cmd, bool output = true) {
    cmd->add_option("files", files,
                    "Binlog or relay-log files, read in the order given (with --master: the master's binlog file "
                    "to start at, default its oldest)");
    cmd->add_option("--start-position", start_position, "Start at this offset of the first file (an event boundary)");
    cmd->add_option("--stop-position", stop_position, "Stop at the first event at or past this offset of the last file");
    cmd->add_option("--start-datetime", start_datetime, "Skip events before 'YYYY-MM-DD HH:MM:SS' (UTC)");
    cmd->add_option("--stop-datetime", stop_datetime, "Stop at the first event at or after 'YYYY-MM-DD HH:MM:SS' (UTC)");
    cmd->add_option("--start-gtid", start_gtid, "MariaDB GTID list: start after these transactions (e.g. 0-1-41)");
    cmd->add_option("--stop-gtid", stop_gtid, "MariaDB GTID list: stop after these transactions");
    cmd->add_option("--database", databases, "Only these databases (glob, repeatable), e.g. 'voms_*'");
    cmd->add_option("--table", tables, "Only these tables (glob on 'table' or 'db.table', repeatable)");
    cmd->add_option("--exclude-database", exclude_databases, "Skip these databases (glob, repeatable)");
    cmd->add_option("--exclude-table", exclude_tables, "Skip these tables (glob, repeatable)");
    if (output) cmd->add_option("--format", format, "Output format")->check(CLI::IsMember(formats));
    cmd->add_flag("--no-verify-checksum", no_verify_checksum, "Do not verify event CRC32 checksums");
    label = cmd->get_name();
    if (output) AddProgressInterval(cmd, &progress_interval_s);
    cmd->add_flag("--master", master, "Read the binlog of a live master (registers as a replica) instead of files");
    cmd->add_option("--master-defaults-file,--defaults-file", master_defaults_file,
                    "MySQL option file with a [client] group (user, password, host, port or socket) for --master; "
                    "passwords are never taken from the command line")
        ->envname("VOMSREPL_MASTER_DEFAULTS_FILE");
    cmd->add_option("--server-id", server_id,
                    "Replica server id used with --master (default: a free one, picked at connect: not the "
                    "master's, not one SHOW SLAVE HOSTS lists, not a running vomsrepl feeder's)");
    if (!output) return;
    auto* follow_flag =
        cmd->add_flag("--follow", follow, "With --master: keep streaming new events until SIGINT/SIGTERM");
    cmd->add_flag("--non-blocking", non_blocking, "With --master: stop at the master's current end (the default)")
        ->excludes(follow_flag);
  }

  Status BuildMaster(std::optional<source::MasterConfig>* out) const {
    if (!master) {
      if (follow) return InvalidArgument("--follow needs --master");
      if (files.empty()) return InvalidArgument("give binlog files, or --master to read a live master");
      return Status::OK();
    }
    if (master_defaults_file.empty())
      return InvalidArgument("--master needs --master-defaults-file (or VOMSREPL_MASTER_DEFAULTS_FILE)");
    VOMSREPL_RETURN_IF_ERROR(ops::CheckOptionFile(master_defaults_file, "--master-defaults-file"));
    if (files.size() > 1) return InvalidArgument("--master takes at most one start file name");
    if (!stop_gtid.empty() || stop_position || !start_datetime.empty() || !stop_datetime.empty())
      return InvalidArgument("--stop-*/--start-datetime apply to files only; with --master use --start-position, "
                             "--start-gtid and --follow");
    source::MasterConfig m;
    m.defaults_file = master_defaults_file;
    m.server_id = server_id;
    m.pick_server_id = server_id == 0;
    m.blocking = follow;
    if (!follow) m.heartbeat_period = std::chrono::milliseconds(0);
    if (!start_gtid.empty()) {
      if (!files.empty()) return InvalidArgument("give either a start file or --start-gtid, not both");
      VOMSREPL_ASSIGN_OR_RETURN(MariadbGtidList gtids, MariadbGtidList::Parse(start_gtid));
      m.start = source::StartPoint::AfterGtids(std::move(gtids));
    } else if (!files.empty()) {
      m.start = source::StartPoint::AtPosition({files[0], start_position ? start_position : 4});
    }
    VOMSREPL_RETURN_IF_ERROR(m.Validate());
    *out = std::move(m);
    return Status::OK();
  }

  Status Build(app::WalkInput* input, app::WalkFilters* filters, app::OutputFormat* fmt) const {
    VOMSREPL_RETURN_IF_ERROR(BuildMaster(&input->master));
    source::FileStreamOptions* stream = &input->files;
    if (!master) stream->files = files;
    if (start_position && !master) stream->start_position = start_position;
    if (stop_position) stream->stop_position = stop_position;
    if (!start_datetime.empty()) {
      VOMSREPL_ASSIGN_OR_RETURN(stream->start_datetime, source::ParseUtcDatetime(start_datetime));
    }
    if (!stop_datetime.empty()) {
      VOMSREPL_ASSIGN_OR_RETURN(stream->stop_datetime, source::ParseUtcDatetime(stop_datetime));
    }
    if (!master) {
      VOMSREPL_ASSIGN_OR_RETURN(stream->start_gtids, MariadbGtidList::Parse(start_gtid));
    }
    VOMSREPL_ASSIGN_OR_RETURN(stream->stop_gtids, MariadbGtidList::Parse(stop_gtid));
    stream->verify_checksum = !no_verify_checksum;
    input->progress_label = label;
    input->progress_interval = std::chrono::seconds(progress_interval_s);
    for (const auto* list : {&databases, &tables, &exclude_databases, &exclude_tables})
      for (const auto& p : *list) VOMSREPL_RETURN_IF_ERROR(txn::NameFilter::ValidatePattern(p));
    filters->databases = txn::NameFilter(databases, exclude_databases);
    filters->tables = txn::NameFilter(tables, exclude_tables);
    *fmt = format == "json" ? app::OutputFormat::kJson
           : format == "sql" ? app::OutputFormat::kSql
                             : app::OutputFormat::kText;
    return Status::OK();
  }
};

// `verify`: its options into verify_opts, --format into verify_format.
CLI::App* AddVerify(CLI::App& cli, app::VerifyCommandOptions& verify_opts, std::string& verify_format) {
  auto* verify = cli.add_subcommand(
      "verify", "Compare the master with each replica, table by table in primary-key chunks at the same source "
                "position; exit 8 when they differ");
  AddProgressInterval(verify, &verify_opts.progress_interval_s);
  AddConfig(verify, &verify_opts.config_path);
  verify->add_option("--replica", verify_opts.replicas, "Only this replica (repeatable; default: every enabled one)");
  verify->add_option("--db", verify_opts.databases, "Only these master databases (glob, repeatable)");
  verify->add_option("--table", verify_opts.tables, "Only these tables (glob on 'table' or 'db.table', repeatable)");
  verify->add_option("--chunk-rows", verify_opts.chunk_rows, "Rows per chunk (master)")->capture_default_str();
  verify->add_option("--pause-ms", verify_opts.pause_ms, "Pause after each master chunk read (ms)")
      ->capture_default_str();
  verify->add_option("--threads", verify_opts.threads, "Tables verified in parallel (sessions per server each)")
      ->capture_default_str();
  verify->add_option("--wait-timeout", verify_opts.wait_timeout_s,
                     "Seconds to wait for a replica to reach the master's snapshot position")
      ->capture_default_str();
  verify->add_option("--master-defaults-file", verify_opts.master_defaults_file,
                     "Option file of a master account that can SELECT the databases (default: [master] "
                     "read_defaults_file, else defaults_file)")
      ->envname("VOMSREPL_VERIFY_MASTER_DEFAULTS_FILE");
  verify->add_option("--hash", verify_opts.hash, "Row hash per chunk: crc32 (BIT_XOR of CRC32, as fast as CHECKSUM TABLE) or md5 (64 bits of MD5, slower)")
      ->check(CLI::IsMember({"crc32", "md5"}))
      ->capture_default_str();
  verify->add_flag("--chunks-only", verify_opts.chunks_only,
                   "Skip the first pass (CHECKSUM TABLE of each whole table on both servers, within a window the "
                   "journal shows free of changes to it): compare every table in chunks, the master's load spread "
                   "by --pause-ms");
  verify->add_option("--max-keys", verify_opts.max_keys, "Differing keys listed per table and replica")
      ->capture_default_str();
  verify->add_option("--format", verify_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();

  return verify;
}

CLI::App* AddReplica(CLI::App& cli, app::ReplicaCommandOptions& replica_opts) {
  auto* replica = cli.add_subcommand(
      "replica", "Control one replica of a running `vomsrepl run`: stop, start or skip (through its HTTP endpoint); "
                 "remove: forget a replica taken out of the configuration, so that journal retention moves on");
  replica->add_option("action", replica_opts.action,
                      "stop: pause its applier after the current commit; start: resume (also after an error); "
                      "skip: record the failed transaction as applied without its changes, then start; remove: "
                      "forget a replica no longer in the configuration (its journal mirror goes; through the "
                      "daemon, or on the state directory when no daemon runs)")
      ->required()
      ->check(CLI::IsMember({"stop", "start", "skip", "remove"}));
  replica->add_option("name", replica_opts.name, "The replica's name in the configuration")->required();
  replica->add_option("--seq", replica_opts.seq,
                      "skip: the journal seq the replica failed on (default: read from /status and shown); the "
                      "daemon refuses any other");
  replica->add_option("--wait", replica_opts.wait_s,
                      "stop: seconds to wait until the replica shows `stopped` in /status (its session closed, "
                      "free for a bootstrap or catchup); 0: return at once")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  AddConfig(replica, &replica_opts.config_path, "TOML configuration of the running daemon");

  return replica;
}

CLI::App* AddBootstrap(CLI::App& cli, app::BootstrapCommandOptions& boot_opts) {
  auto* boot = cli.add_subcommand(
      "bootstrap", "Copy one database from the master to a replica at one consistent position and set the "
                   "replica's progress so that `run` continues from there");
  AddProgressInterval(boot, &boot_opts.progress_interval_s);
  AddConfig(boot, &boot_opts.config_path);
  boot->add_option("--replica", boot_opts.replica, "The [[replica]] to fill")->required();
  boot->add_option("--db", boot_opts.database, "The master database")->required();
  boot->add_option("--as", boot_opts.as, "Its name on the replica (must be the config's [filter.rename] target)");
  boot->add_option("--threads", boot_opts.threads, "Tables copied in parallel (master and replica sessions)")
      ->capture_default_str();
  boot->add_option("--max-rate", boot_opts.max_rate_mib,
                   "Copy at most this many MiB of row values per second, over all threads (0: no limit): the "
                   "copy's share of the master's and the replica's disks and CPU")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  boot->add_option("--batch-rows", boot_opts.batch_rows, "Rows per page read and per multi-row INSERT")
      ->capture_default_str();
  boot->add_option("--wait-timeout", boot_opts.wait_timeout_s,
                   "Seconds to wait for the feeder's journal to pass the snapshot position")
      ->capture_default_str();
  boot->add_option("--master-defaults-file", boot_opts.master_defaults_file,
                   "Option file of a master account that can SELECT the database (default: [master] "
                   "read_defaults_file, else defaults_file)")
      ->envname("VOMSREPL_BOOTSTRAP_MASTER_DEFAULTS_FILE");

  return boot;
}

CLI::App* AddCatchup(CLI::App& cli, app::CatchupCommandOptions& catchup_opts) {
  auto* catchup = cli.add_subcommand(
      "catchup", "Apply to one replica, from its progress row, up to a GTID, a time or a master binlog position, "
                 "and stop exactly there (from the journal, the master or --from-files)");
  AddProgressInterval(catchup, &catchup_opts.progress_interval_s);
  AddConfig(catchup, &catchup_opts.config_path);
  catchup->add_option("--replica", catchup_opts.replica, "The [[replica]] to bring forward")->required();
  catchup->add_option("--until", catchup_opts.until,
                      "Target: a MariaDB GTID list (0-1-420: that transaction included), a UTC time "
                      "'YYYY-MM-DD HH:MM:SS' (transactions committed before it) or FILE:POS (transactions ending at "
                      "or before it)")
      ->required();
  catchup->add_option("--from-files", catchup_opts.from_files,
                      "Binlog files to read (in order) when the journal no longer holds what the replica needs, "
                      "instead of the master (point-in-time recovery of a restored replica)");
  catchup->add_option("--server-id", catchup_opts.server_id,
                      "Server id of catchup's own master stream (default: a free one, picked at connect: never the "
                      "feeder's [master] server_id, nor one SHOW SLAVE HOSTS lists)");
  catchup->add_option("--wait-timeout", catchup_opts.wait_timeout_s,
                      "Seconds to wait for the feeder to journal up to the target")
      ->capture_default_str();
  catchup->add_flag("--plan", catchup_opts.plan_only, "Print the plan and apply nothing");

  return catchup;
}

CLI::App* AddSwitchMaster(CLI::App& cli, app::SwitchMasterCommandOptions& switch_opts) {
  auto* switch_master = cli.add_subcommand(
      "switch-master", "Move the stopped feeder's journal to a new master (a promoted replica, or a server of the "
                       "same GTID history) after checking it holds every journaled transaction");
  AddConfig(switch_master, &switch_opts.config_path);
  switch_master->add_option("--to-defaults-file", switch_opts.to_defaults_file,
                            "Option file of the replication account on the new master ([client] group: host, port, "
                            "user, password)")
      ->required();
  switch_master->add_option("--to", switch_opts.to_replica,
                            "The [[replica]] being promoted (log_bin on, still read-only); without it the new master "
                            "must hold the journal's GTID state");
  switch_master->add_flag("--check", switch_opts.check_only, "Run every check and print the plan; change nothing");

  return switch_master;
}

// `undo`: the range and filter as for dump, then the mode and servers.
CLI::App* AddUndo(CLI::App& cli, FileArgs& args, app::UndoCommandOptions& o) {
  auto* undo = cli.add_subcommand(
      "undo", "Print (or --plan, or --execute) the statements that revert a range of the binlog, newest first: "
              "DELETE -> INSERT, INSERT -> DELETE, UPDATE -> UPDATE back, by key");
  args.Add(undo, /*output=*/false);
  auto* plan = undo->add_flag("--plan", o.plan, "Only count what the undo would insert, update and delete, per table");
  undo->add_flag("--execute", o.execute,
                 "Apply the undo to --target-defaults-file's server in one transaction; it refuses (and changes "
                 "nothing) when a row is no longer as the range left it")
      ->excludes(plan);
  undo->add_option("--target-defaults-file", o.target_defaults_file,
                   "MySQL option file ([client]: user, password, host, port or socket) of the server --execute "
                   "reverts, usually the master");
  undo->add_option("--schema-defaults-file", o.schema_defaults_file,
                   "MySQL option file of a server that has the tables (the master or a replica): their column names, "
                   "keys and binary columns when the binlog does not carry them (binlog_row_metadata is not FULL)");
  return undo;
}

int Fail(const Status& s) {
  std::fprintf(stderr, "vomsrepl: %s\n", s.ToString().c_str());
  return app::ExitCodeFor(s);
}

}  // namespace

int main(int argc, char** argv) {
  // Buffers of 1 MiB and more (transaction chunks, batched statements, big
  // rows) come from mmap and go back to the kernel when freed. glibc's
  // default threshold grows to the size of the largest block freed, after
  // which such buffers come from the heap arenas of each thread and their
  // pages stay resident: a long transaction would leave the daemon holding
  // several times its chunk size per thread.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  // Before CLI11 sees them: its errors would echo a password back.
  if (Status s = app::RefusePasswordArguments(std::vector<std::string_view>(argv + 1, argv + argc)); !s.ok())
    return Fail(s);
  CLI::App cli{"vomsrepl: binlog streaming replicator for the MariaDB/MySQL databases of VOMS servers"};
  cli.require_subcommand(1);
  cli.fallthrough();  // global options (--log-level) may follow the subcommand
  cli.set_version_flag("--version", std::string(app::kVersion));
  cli.footer("Exit codes: 0 ok, 1 error, 2 usage/config, 3 corrupt input, 4 not supported, 5 server unavailable,\n"
             "6 precondition failed, 7 binlog purged on the master, 8 verify found differences.");

  std::string log_level = "info", log_file;
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")->capture_default_str();
  cli.add_option("--log-file", log_file, "Write the log to this file instead of stderr");

  cli.add_subcommand("version", "Print the version and exit");

  FileArgs dump_args;
  auto* dump = cli.add_subcommand(
      "dump", "Print every event of binlog files or a live master (mariadb-binlog -vv style, JSON lines, or SQL "
              "to replay)");
  dump_args.formats.push_back("sql");
  dump_args.Add(dump);
  std::string dump_schema_file;
  dump->add_option("--schema-defaults-file", dump_schema_file,
                   "--format=sql: MySQL option file of a server that has the tables (column names, keys, binary "
                   "columns), needed unless the binlog carries them (binlog_row_metadata=FULL)");
  bool dump_utc = false;
  dump->add_flag("--utc", dump_utc, "Print event times in UTC (default: local time, as mariadb-binlog)");

  FileArgs stats_args;
  auto* stats = cli.add_subcommand(
      "stats", "Summarise binlog files or a live master: per table rows and bytes, event types, transactions");
  stats_args.Add(stats);
  uint32_t stats_interval_s = 5;
  stats->add_option("--interval", stats_interval_s,
                    "With --master --follow: seconds between two lines of the traffic as it comes (transactions/s, "
                    "row changes/s, bytes/s per table, largest transactions, lag); 0: the totals at the end only")
      ->check(CLI::Range(0u, 3600u))
      ->capture_default_str();

  app::StatusOptions status_opts;
  std::string status_format = "table";
  auto* status = cli.add_subcommand(
      "status", "Show a state directory: source checkpoint, journal range and size, replica positions and lag");
  status->add_option("--state-dir", status_opts.state_dir, "The vomsrepl state directory (read-only access)")
      ->required();
  status->add_option("--format", status_format, "Output format")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();

  app::RunOptions run_opts;
  auto* run = cli.add_subcommand(
      "run", "Run the replica feeder: master binlog -> filtered transactions -> journal -> every replica, exactly once");
  AddConfig(run, &run_opts.config_path, "TOML configuration (see conf/vomsrepl.toml)");
  auto* check = cli.add_subcommand(
      "check-config", "Validate a configuration: keys, values, master preflight, replica access; print the plan");
  AddConfig(check, &run_opts.config_path);
  bool check_diff = false;
  check->add_flag("--diff", check_diff,
                  "Also ask the running `vomsrepl run` of this configuration what a reload of the file would change "
                  "(nothing is changed)");
  check->add_flag("--unreachable-ok", run_opts.unreachable_ok,
                  "A master or replica that cannot be reached is a warning, not an error (`run` starts and retries "
                  "it): for the systemd unit's ExecStartPre. Wrong passwords, privileges and settings still fail");

  app::ReloadOptions reload_opts;
  auto* reload = cli.add_subcommand(
      "reload", "Make the running `vomsrepl run` read its configuration again and take what changed without a "
                "restart ([log], [apply], [filter], [replica_tls], [[replica]] added, removed or changed; SIGHUP does "
                "the same); prints the changes, or why nothing was changed");
  AddConfig(reload, &reload_opts.config_path, "TOML configuration of the running daemon");
  reload->add_flag("--dry-run", reload_opts.dry_run, "Only print what a reload would change");
  reload->add_flag("--hold-new", reload_opts.hold_new,
                   "A [filter] change that keeps a database some replicas lack (a VO added online): take it, each "
                   "such replica holding that database back, applying everything else, until `vomsrepl bootstrap` "
                   "has copied it (then it catches the database up from the journal by itself)");
  reload->add_option("--wait", reload_opts.wait_s, "Seconds to wait for the daemon to finish the reload")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();

  app::VerifyCommandOptions verify_opts;
  std::string verify_format = "text";
  CLI::App* verify = AddVerify(cli, verify_opts, verify_format);
  app::ReplicaCommandOptions replica_opts;
  CLI::App* replica = AddReplica(cli, replica_opts);
  app::BootstrapCommandOptions boot_opts;
  CLI::App* boot = AddBootstrap(cli, boot_opts);
  app::CatchupCommandOptions catchup_opts;
  CLI::App* catchup = AddCatchup(cli, catchup_opts);
  app::SwitchMasterCommandOptions switch_opts;
  CLI::App* switch_master = AddSwitchMaster(cli, switch_opts);
  FileArgs undo_args;
  app::UndoCommandOptions undo_opts;
  CLI::App* undo = AddUndo(cli, undo_args, undo_opts);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = cli.exit(e);
    return rc == 0 ? app::kExitOk : app::kExitUsage;
  }

  // Logs go to stderr (or a file), never into the data a command prints.
  if (Status s = ops::SetupLogging(log_level, log_file); !s.ok()) return Fail(s);
  // No core file of a process that holds a password (app/core_dumps.h).
  for (const CLI::App* c : {run, check, verify, boot, catchup, switch_master, replica, undo, reload}) {
    if (c->parsed()) {
      if (Status s = app::DisableCoreDumps(); !s.ok()) return Fail(s);
    }
  }

  if (cli.got_subcommand("version")) {
    std::printf("vomsrepl %s\n", app::kVersion);
    return app::kExitOk;
  }
  if (dump->parsed()) {
    app::DumpOptions o;
    Status s = dump_args.Build(&o.input, &o.filters, &o.format);
    o.utc = dump_utc;
    o.schema_defaults_file = dump_schema_file;
    // Annotate_rows events (the statement of each rows event, `#Q>` lines),
    // which a master sends only on request, as to mariadb-binlog -R.
    if (o.input.master) o.input.master->send_annotate_rows = true;
    if (s.ok()) s = app::RunDump(o, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (run->parsed()) {
    run_opts.log_level = cli.get_option("--log-level")->count() ? log_level : "";
    run_opts.log_file = log_file;
    Status s = app::RunDaemon(run_opts);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (replica->parsed()) {
    Status s = app::RunReplicaCommand(replica_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (check->parsed()) {
    Status s = app::CheckConfig(run_opts, stdout);
    if (s.ok() && check_diff) {
      std::printf("what a reload would change (asked of the running daemon):\n");
      std::fflush(stdout);
      reload_opts.config_path = run_opts.config_path;
      reload_opts.dry_run = true;
      s = app::RunReloadCommand(reload_opts, stdout);
    }
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (reload->parsed()) {
    Status s = app::RunReloadCommand(reload_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (status->parsed()) {
    status_opts.format = status_format == "json" ? app::OutputFormat::kJson : app::OutputFormat::kText;
    Status s = app::RunStatus(status_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (verify->parsed()) {
    verify_opts.format = verify_format == "json" ? app::OutputFormat::kJson : app::OutputFormat::kText;
    bool identical = false;
    Status s = app::RunVerifyCommand(verify_opts, stdout, &identical);
    if (!s.ok()) return Fail(s);
    return identical ? app::kExitOk : app::kExitDifferent;
  }
  if (switch_master->parsed()) {
    Status s = app::RunSwitchMasterCommand(switch_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (catchup->parsed()) {
    Status s = app::RunCatchupCommand(catchup_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (boot->parsed()) {
    Status s = app::RunBootstrapCommand(boot_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (undo->parsed()) {
    app::WalkFilters unused_filters;
    app::OutputFormat unused_format;
    Status s = undo_args.Build(&undo_opts.input, &unused_filters, &unused_format);
    undo_opts.databases = undo_args.databases;
    undo_opts.tables = undo_args.tables;
    undo_opts.exclude_databases = undo_args.exclude_databases;
    undo_opts.exclude_tables = undo_args.exclude_tables;
    if (s.ok()) s = app::RunUndoCommand(undo_opts, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  if (stats->parsed()) {
    app::StatsOptions o;
    Status s = stats_args.Build(&o.input, &o.filters, &o.format);
    if (s.ok() && stats->count("--interval") > 0 && !stats_args.follow)
      s = InvalidArgument("--interval needs --master --follow (files and a non-blocking read print totals only)");
    if (stats_args.follow) o.interval = std::chrono::seconds(stats_interval_s);
    // A heartbeat per interval when idle: the line says "caught up" at once.
    if (o.input.master && o.interval.count() > 0)
      o.input.master->heartbeat_period = std::min<std::chrono::milliseconds>(
          o.input.master->heartbeat_period, std::max<std::chrono::milliseconds>(o.interval, std::chrono::seconds(1)));
    // Following, the view counts per interval: reads are gathered when the master
    // sends little (one wakeup per 50 ms instead of one per transaction).
    if (o.input.master && stats_args.follow) o.input.master->coalesce_reads = std::chrono::milliseconds(50);
    if (s.ok()) s = app::RunStats(o, stdout);
    return s.ok() ? app::kExitOk : Fail(s);
  }
  return app::kExitOk;
}
