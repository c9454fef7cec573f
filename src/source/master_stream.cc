#include "source/master_stream.h"

#include <mysqld_error.h>

#include <algorithm>
#include <cctype>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <span>

#include <spdlog/spdlog.h>

#include "binlog/byte_cursor.h"
#include "connect/connection.h"
#include "source/master_preflight.h"
#include "source/master_session.h"
#include "source/reconnect_backoff.h"
#include "source/silence_window.h"
#include "source/transaction_boundary.h"

namespace vomsrepl::source {
namespace {

constexpr std::string_view kRestartPrefix = "transaction restarted after reconnect";
constexpr uint64_t kFirstEventOffset = 4;  // after the 4-byte binlog magic
// The longest the dump connection is let stay silent before a large event
// (unless read_timeout is longer): silence_window.h.
constexpr std::chrono::seconds kMaxSilenceWindow{600};

// FORMAT_DESCRIPTION body: binlog_version 2, server_version 50, timestamp 4,
// header_length 1, post-header lengths, then (MySQL >= 5.6.1, MariaDB >= 5.3)
// the checksum algorithm byte and the CRC32 (libbinlogevents control_events.cpp).
constexpr size_t kFdeFixedPart = 2 + 50 + 4 + 1;

uint32_t ChecksumLengthFromFde(binlog::Bytes body) {
  if (body.size() < kFdeFixedPart + 5) return 0;
  uint8_t alg = std::to_integer<uint8_t>(body[body.size() - 5]);
  return alg == 1 ? 4 : 0;
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

struct MasterStream::Impl {
  explicit Impl(MasterConfig c)
      : config(std::move(c)),
        backoff(config.backoff_initial, config.backoff_max,
                config.backoff_seed != 0 ? config.backoff_seed
                                         : static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())) {}
  ~Impl() { CloseStream(); }

  MasterConfig config;
  MasterSession session;  // also the dump (COM_REGISTER_SLAVE, COM_BINLOG_DUMP)
  // The last event read (FetchPacket): a view into the connection's network
  // buffer, valid until the next read on the session.
  const std::byte* event = nullptr;
  size_t event_size = 0;
  std::string framing_error;   // the last FetchPacket's reply was neither an event nor EOF
  bool event_pending = false;  // `event` fetched by OpenStream, not yet handed out
  bool connected = false;      // Connect() succeeded
  bool stream_open = false;

  std::atomic<bool> cancelled{false};
  std::mutex cancel_mu;
  std::condition_variable cancel_cv;

  std::string server_version;
  uint32_t master_server_id = 0;
  uint32_t default_crc_len = 4;  // from @@global.binlog_checksum, until an FDE says otherwise
  uint32_t crc_len = 4;

  std::string cur_file;  // the binlog the stream is in
  uint64_t cur_pos = 0;  // position after the last event
  std::string event_file;

  TransactionBoundaryTracker tracker;
  MariadbGtidList start_gtids;  // a first start at a position: the master's GTID state there
  ReconnectBackoff backoff;
  SilenceWindow silence{StreamReadTimeout(config), std::max(config.read_timeout, kMaxSilenceWindow)};
  std::chrono::steady_clock::time_point last_event_at;  // or when the dump was asked for
  bool first_fetch_silent = false;  // OpenStream's first fetch lost after a full window of silence
  uint64_t reconnects = 0;
  std::atomic<uint64_t> heartbeats{0};  // read by other threads (heartbeat_count)
  bool restart_pending = false;
  Status last_error;

  // Opens a session and the dump at the tracker's resume point (or the
  // configured start for the first open), then fetches the first event so that
  // a refused dump (purged binlog, bad position) surfaces here.
  Status OpenStream(bool first);
  void CloseStream();
  // Reads the next reply packet of the dump: true with `event` set, false at
  // EOF or on an error (FetchError says which).
  bool FetchPacket();
  Status FetchError(std::string_view wanted);
  Status Reconnect(const Status& cause);
  Status Deliver(SourceEvent* out);
  // The silence window's bookkeeping (silence_window.h), with its log lines.
  // NoteLoss: the dump connection was just lost; true when after a full window
  // of silence.
  bool NoteLoss();
  void NoteProgress();
  std::string WantedText(bool first) const;
  bool UseGtid() const { return config.start.from == StartFrom::kGtid; }
};

MasterStream::MasterStream(MasterConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
MasterStream::~MasterStream() = default;

bool MasterStream::IsTransactionRestart(const Status& s) {
  return s.code() == StatusCode::kAborted && s.message().substr(0, kRestartPrefix.size()) == kRestartPrefix;
}

BinlogPosition MasterStream::position() const { return BinlogPosition{impl_->cur_file, impl_->cur_pos}; }
const BinlogPosition& MasterStream::resume_position() const { return impl_->tracker.safe_position(); }
const MariadbGtidList& MasterStream::resume_gtids() const { return impl_->tracker.safe_gtids(); }
const MariadbGtidList& MasterStream::start_gtids() const { return impl_->start_gtids; }
bool MasterStream::in_transaction() const { return impl_->tracker.in_transaction(); }
uint64_t MasterStream::reconnect_count() const { return impl_->reconnects; }
uint64_t MasterStream::heartbeat_count() const { return impl_->heartbeats.load(std::memory_order_relaxed); }
const Status& MasterStream::last_error() const { return impl_->last_error; }
const std::string& MasterStream::server_version() const { return impl_->server_version; }
uint32_t MasterStream::master_server_id() const { return impl_->master_server_id; }
bool MasterStream::checksum_before_fde() const { return impl_->default_crc_len == 4; }

void MasterStream::Cancel() {
  impl_->cancelled.store(true);
  impl_->session.Cancel();
  std::lock_guard<std::mutex> lock(impl_->cancel_mu);
  impl_->cancel_cv.notify_all();
}

Result<PreflightReport> MasterStream::Preflight() {
  VOMSREPL_RETURN_IF_ERROR(impl_->config.Validate());
  PreflightReport report;
  MasterSession s;
  Status st = s.Open(impl_->config);
  if (!st.ok()) {
    if (st.code() == StatusCode::kInvalidArgument) return st;
    std::string fix;  // stays empty when the message carries its own fix (TLS, access denied)
    if (s.open_failure_fix().empty()) {
      fix = st.code() == StatusCode::kUnavailable
                ? "start the master or fix host/port/socket in the option file or configuration"
                : "check user and password in " + impl_->config.defaults_file + " and the account's host";
    }
    report.checks.push_back(
        PreflightCheck{s.open_failure_check(), CheckOutcome::kFail, std::string(st.message()), fix, st.code()});
    return report;
  }
  if (impl_->config.pick_server_id && impl_->config.server_id == 0) {
    VOMSREPL_ASSIGN_OR_RETURN(impl_->config.server_id, PickServerId(s, impl_->config));
    spdlog::debug("master stream: server id {} picked for this stream", impl_->config.server_id);
  }
  RunPreflightChecks(s, impl_->config, &report);
  impl_->server_version = report.server_version;
  impl_->master_server_id = report.master_server_id;
  return report;
}

Status MasterStream::Connect() {
  Impl& m = *impl_;
  if (m.connected) return FailedPrecondition("MasterStream::Connect called twice");
  VOMSREPL_ASSIGN_OR_RETURN(PreflightReport report, Preflight());
  for (const PreflightCheck& c : report.checks) {
    if (c.outcome == CheckOutcome::kWarn) {
      spdlog::warn("master preflight: {}: {}{}{}", c.name, c.detail, c.fix.empty() ? "" : "; fix: ", c.fix);
    } else if (c.outcome == CheckOutcome::kInfo) {
      spdlog::info("master preflight: {}: {}{}{}", c.name, c.detail, c.fix.empty() ? "" : "; ", c.fix);
    }
  }
  Status st = report.ToStatus();
  if (!st.ok()) {
    m.last_error = st;
    return st;
  }
  MariadbGtidList gtids = m.UseGtid() ? m.config.start.gtids : MariadbGtidList();
  BinlogPosition start = m.config.start.from == StartFrom::kPosition ? m.config.start.position : BinlogPosition();
  m.tracker.Reset(start, gtids);
  // A master that is slow to send the first event (a GTID start reads, and
  // sends nothing for, every event before the GTID) is asked again with a
  // longer silence window (NoteLoss logs it), until the window is at its cap.
  for (int same_window = 0;;) {
    auto window = m.silence.current();
    st = m.OpenStream(/*first=*/true);
    if (st.ok()) break;
    m.last_error = st;
    m.CloseStream();
    same_window = m.silence.current() > window ? 0 : same_window + 1;
    // The first silence keeps the window (it may have been the network): one more try.
    if (!m.first_fetch_silent || same_window > 1 || m.cancelled.load()) return st;
  }
  m.connected = true;
  spdlog::info("master stream: {} ({}) from {}, server_id {}", m.session.HostInfo(), m.server_version,
               m.WantedText(true), m.config.server_id);
  return Status::OK();
}

std::string MasterStream::Impl::WantedText(bool first) const {
  if (UseGtid()) {
    const MariadbGtidList& g = first ? config.start.gtids : tracker.safe_gtids();
    return "GTID " + (g.empty() ? std::string("(start of history)") : g.ToString());
  }
  if (!first && !tracker.safe_position().empty()) return tracker.safe_position().ToString();
  switch (config.start.from) {
    case StartFrom::kOldestBinlog: return "the oldest binlog";
    case StartFrom::kMasterCurrent: return "the master's current position";
    default: return config.start.position.ToString();
  }
}

// The dump's packets are read here, not with mariadb_rpl_fetch: the
// connector parses every event again (our decoder frames and verifies each
// one anyway) and refuses valid ones. Connector/C 3.3 reports "Malformed
// packet" for every compressed rows event (log_bin_compress=ON) in a binlog
// written with binlog_checksum=NONE: it counts a compressed payload's header
// against the event's length as if a checksum followed. Each reply packet is
// an OK byte (0x00) and one event, an EOF packet (0xFE, shorter than 9
// bytes) at the end of a non-blocking dump, or an error packet (the
// connector's read turns it into mysql_errno / mysql_error).
bool MasterStream::Impl::FetchPacket() {
  event = nullptr;
  event_size = 0;
  framing_error.clear();
  std::span<const std::byte> packet;
  if (!session.ReadPacket(&packet)) return false;
  const size_t len = packet.size();
  const unsigned first_byte = len > 0 ? std::to_integer<unsigned>(packet[0]) : 0u;
  if (len > 0 && len < 9 && first_byte == 0xFE) return false;  // EOF
  if (len < 2 || first_byte != 0x00) {
    char first[8];
    std::snprintf(first, sizeof first, "0x%02x", first_byte);
    framing_error = "a reply of " + std::to_string(len) + " bytes that is neither an event nor EOF (first byte " +
                    first + ")";
    return false;
  }
  event = packet.data() + 1;
  event_size = len - 1;
  return true;
}

void MasterStream::Impl::CloseStream() {
  event = nullptr;
  event_size = 0;
  event_pending = false;
  session.Close();  // and the dump's replication handle
  stream_open = false;
}

std::chrono::seconds StreamReadTimeout(const MasterConfig& config) {
  if (config.heartbeat_period.count() <= 0) return config.read_timeout;
  return std::min(config.read_timeout, std::chrono::ceil<std::chrono::seconds>(2 * config.heartbeat_period));
}

Status MasterStream::Impl::OpenStream(bool first) {
  CloseStream();
  first_fetch_silent = false;
  MasterConfig stream_config = config;
  stream_config.read_timeout = silence.current();
  VOMSREPL_RETURN_IF_ERROR(session.Open(stream_config));
  session.set_coalesce_reads(config.coalesce_reads);
  if (cancelled.load()) return Aborted("master stream cancelled");

  auto vars = session.Query("SELECT VERSION(), @@server_id, @@global.binlog_checksum");
  if (!vars.ok()) return vars.status();
  if (vars->empty() || vars->front().size() < 3) return Internal("master variables query returned no row");
  const SqlRow& row = vars->front();
  server_version = row[0].value_or("");
  master_server_id = static_cast<uint32_t>(std::strtoul(row[1].value_or("0").c_str(), nullptr, 10));
  if (config.expected_server_id != 0 && master_server_id != config.expected_server_id) {
    // Another server behind the configured address (a config pointing
    // elsewhere, a failover address moved during an outage): its binlog
    // positions mean nothing for where this stream resumes.
    return FailedPrecondition("the master at " + config.Describe() + " has server_id " +
                              std::to_string(master_server_id) + ", not " + std::to_string(config.expected_server_id) +
                              (config.expected_server_id_why.empty() ? "" : ": " + config.expected_server_id_why));
  }
  default_crc_len = row[2].value_or("NONE") == "CRC32" ? 4 : 0;
  crc_len = default_crc_len;
  bool mariadb = server_version.find("MariaDB") != std::string::npos;

  // The connector does not announce itself checksum-aware, and without
  // capability 4 MariaDB rewrites GTID events as BEGIN queries (FACTS.md).
  VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @master_binlog_checksum = @@global.binlog_checksum"));
  VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @source_binlog_checksum = @@global.binlog_checksum"));
  VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @mariadb_slave_capability = 4"));
  if (config.heartbeat_period.count() > 0) {
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(config.heartbeat_period).count();
    VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @master_heartbeat_period = " + std::to_string(ns)));
  }

  std::string file;
  uint64_t pos = kFirstEventOffset;
  if (UseGtid()) {
    if (!mariadb) {
      return NotSupported("starting from a GTID on MySQL needs COM_BINLOG_DUMP_GTID, which MariaDB Connector/C 3.3 "
                          "cannot send; start from a file:pos");
    }
    const MariadbGtidList& g = first ? config.start.gtids : tracker.safe_gtids();
    VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @slave_connect_state = " + Quote(g.ToString())));
    VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @slave_gtid_strict_mode = 1"));
    VOMSREPL_RETURN_IF_ERROR(session.Execute("SET @slave_gtid_ignore_duplicates = 0"));
  } else if (!first && !tracker.safe_position().empty()) {
    file = tracker.safe_position().file;
    pos = tracker.safe_position().offset;
  } else if (config.start.from == StartFrom::kPosition) {
    file = config.start.position.file;
    pos = config.start.position.offset;
  } else if (config.start.from == StartFrom::kMasterCurrent) {
    auto st = session.Query("SHOW MASTER STATUS");
    if (!st.ok()) return st.status().WithContext("reading the master's current position (needs BINLOG MONITOR)");
    if (st->empty() || st->front().size() < 2 || !st->front()[0] || !st->front()[1])
      return FailedPrecondition("SHOW MASTER STATUS returned nothing: is log_bin on?");
    file = *st->front()[0];
    pos = std::strtoull(st->front()[1]->c_str(), nullptr, 10);
  }
  // kOldestBinlog: an empty file name makes the master start at its first binlog.

  // A first start at a binlog position (FILE:POS, current, oldest) on MariaDB:
  // the GTID state at that position seeds what the stream tracks, so that a
  // later resume by GTID names every domain. A domain missing from a resume
  // state is streamed from the master's first binlog (issue 25: a feeder
  // started at FILE:POS and restarted before it saw domain 1 got domain 1's
  // transactions from before its start).
  if (first && mariadb && !UseGtid()) {
    std::string at_file = file;
    uint64_t at_pos = pos;
    if (at_file.empty()) {
      auto logs = session.Query("SHOW BINARY LOGS");
      if (logs.ok() && !logs->empty() && !logs->front().empty() && logs->front()[0]) at_file = *logs->front()[0];
      at_pos = kFirstEventOffset;
    }
    bool plain = !at_file.empty();
    for (char c : at_file) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-');
    if (plain) {
      auto g = session.Query("SELECT BINLOG_GTID_POS('" + at_file + "', " + std::to_string(at_pos) + ")");
      auto parsed = g.ok() && !g->empty() && !g->front().empty() && g->front()[0]
                        ? MariadbGtidList::Parse(*g->front()[0])
                        : Result<MariadbGtidList>(NotFound(g.ok() ? "NULL: not a transaction boundary of a binlog "
                                                                    "the master holds"
                                                                  : std::string(g.status().message())));
      if (parsed.ok()) {
        start_gtids = *parsed;
        tracker.Reset(config.start.from == StartFrom::kPosition ? config.start.position : BinlogPosition(),
                      start_gtids);
      } else {
        spdlog::warn("master stream: no GTID state for {}:{} (BINLOG_GTID_POS: {}): what resumes from this stream by "
                     "GTID before it has seen every domain may receive a domain from the master's first binlog",
                     at_file, at_pos, parsed.status().message());
      }
    }
  }

  MasterSession::DumpRequest dump;
  dump.server_id = config.server_id;
  dump.non_blocking = !config.blocking;
  dump.send_annotate_rows = config.send_annotate_rows;
  dump.file = file;
  dump.position = pos;
  dump.report_host = config.report_host;
  VOMSREPL_ASSIGN_OR_RETURN(bool started, session.StartDump(dump));
  if (!started) {
    unsigned int e = session.error_number();
    std::string msg = "cannot start the binlog dump from " + WantedText(first) + ": error " + std::to_string(e) +
                      ": " + session.error_message();
    if (connect::IsTransientConnectionError(e)) return Unavailable(std::move(msg));
    if (e == 1236) return StatusForDumpError(e, session.error_message(), WantedText(first));
    if (e == ER_SLAVE_SAME_ID) return StatusForDuplicateServerId(config, session.error_message());
    return FailedPrecondition(std::move(msg));
  }
  if (!file.empty()) {
    cur_file = file;
    cur_pos = pos;
  }
  stream_open = true;

  last_event_at = std::chrono::steady_clock::now();
  if (!FetchPacket()) {
    Status st = FetchError(WantedText(first));
    if (st.code() == StatusCode::kUnavailable) first_fetch_silent = NoteLoss();
    return st;
  }
  event_pending = true;
  last_event_at = std::chrono::steady_clock::now();
  return Status::OK();
}

// FetchPacket returned false: end of a non-blocking stream (no error set),
// a lost connection (2006/2013), an error packet from the master (1236 ...),
// or a reply that is not an event.
Status MasterStream::Impl::FetchError(std::string_view wanted) {
  if (cancelled.load()) return Aborted("master stream cancelled");
  unsigned int e = session.error_number();
  std::string where = cur_file.empty() ? std::string(wanted) : cur_file + ":" + std::to_string(cur_pos);
  if (!framing_error.empty()) return Corruption("the master sent " + framing_error + " after " + where);
  if (e == 0) {
    if (!config.blocking) return OutOfRange("end of the master's binlog at " + where);
    return Unavailable("the master ended the dump at " + where);
  }
  if (e == 1236) return StatusForDumpError(e, session.error_message(), wanted);
  if (e == ER_SLAVE_SAME_ID) return StatusForDuplicateServerId(config, session.error_message());
  if (e != 0 && connect::IsTransientConnectionError(e)) {
    return Unavailable("connection to the master lost at " + where + ": error " + std::to_string(e) + ": " +
                       session.error_message());
  }
  return FailedPrecondition("binlog dump failed at " + where + ": error " + std::to_string(e) + ": " +
                            session.error_message());
}

Status MasterStream::Impl::Reconnect(const Status& cause) {
  last_error = cause;
  bool cut = tracker.in_transaction();
  CloseStream();
  uint32_t failures = 0;
  Status why = cause;
  const auto outage_start = std::chrono::steady_clock::now();
  auto next_reminder = outage_start + std::max<std::chrono::seconds>(config.outage_reminder, std::chrono::seconds(1));
  spdlog::warn("master stream: {} ({}); reconnecting with backoff (at most {} ms apart), resuming at {}{}",
               cause.message(), StatusCodeName(cause.code()), config.backoff_max.count(), WantedText(false),
               cut ? " (discarding a partly received transaction)" : "");
  if (config.on_connection_change) config.on_connection_change(cause, false);
  while (true) {
    if (config.max_reconnects != 0 && failures >= config.max_reconnects) {
      return Unavailable("master unreachable after " + std::to_string(failures) + " reconnect attempt(s); last: " +
                         std::string(why.message()));
    }
    auto delay = backoff.NextDelay();
    spdlog::debug("master stream: reconnect attempt {} in {} ms", failures + 1, delay.count());
    {
      std::unique_lock<std::mutex> lock(cancel_mu);
      cancel_cv.wait_for(lock, delay, [this] { return cancelled.load(); });
    }
    if (cancelled.load()) return Aborted("master stream cancelled");
    Status st = OpenStream(/*first=*/false);
    if (st.ok()) break;
    CloseStream();
    last_error = st;
    if (st.code() != StatusCode::kUnavailable) return st;  // purged, denied, ...: not retried
    why = st;
    ++failures;
    auto now = std::chrono::steady_clock::now();
    if (now >= next_reminder) {
      spdlog::warn("master stream: master still unreachable after {} s and {} attempt(s); last error: {}",
                   std::chrono::duration_cast<std::chrono::seconds>(now - outage_start).count(), failures,
                   why.message());
      next_reminder = now + std::max<std::chrono::seconds>(config.outage_reminder, std::chrono::seconds(1));
    }
  }
  ++reconnects;
  if (cut) {
    tracker.AbandonOpenTransaction();
    restart_pending = true;
  }
  spdlog::info("master stream: reconnected ({} so far) to {} after {} ms and {} failed attempt(s), resuming at {}",
               reconnects, session.HostInfo(),
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - outage_start).count(),
               failures, WantedText(false));
  if (config.on_connection_change) config.on_connection_change(cause, true);
  return Status::OK();
}

bool MasterStream::Impl::NoteLoss() {
  auto silent = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - last_event_at);
  auto before = silence.current();
  if (!silence.OnLoss(cur_file, cur_pos, silent)) return false;
  if (silence.current() <= before) return true;
  spdlog::warn("master stream: the master sent nothing for {} s at {} again; it sends nothing while it reads "
               "a large event (or the events a GTID start skips), so the dump connection now waits up to {} s "
               "(back to {} s past this point)",
               before.count(), cur_file.empty() ? WantedText(true) : cur_file + ":" + std::to_string(cur_pos),
               silence.current().count(), silence.base().count());
  return true;
}

void MasterStream::Impl::NoteProgress() {
  const bool widened = silence.widened();
  silence.OnEvent(cur_file, cur_pos);
  if (widened && !silence.widened()) {
    spdlog::info("master stream: past the slow event, at {}:{}; the dump connection waits {} s again", cur_file, cur_pos,
                 silence.current().count());
  }
}

Status MasterStream::Next(SourceEvent* out) {
  Impl& m = *impl_;
  if (!m.connected) return FailedPrecondition("MasterStream::Next before Connect");
  while (true) {
    if (m.cancelled.load()) return Aborted("master stream cancelled");
    if (m.restart_pending) {
      m.restart_pending = false;
      return Aborted(std::string(kRestartPrefix) +
                     ": discard the partial transaction received so far; it is sent again whole, from " +
                     m.WantedText(false));
    }
    if (!m.stream_open) {
      VOMSREPL_RETURN_IF_ERROR(m.Reconnect(m.last_error));
      continue;
    }
    if (!m.event_pending) {
      if (!m.FetchPacket()) {
        Status st = m.FetchError(m.WantedText(false));
        if (st.code() != StatusCode::kUnavailable) {
          if (st.code() != StatusCode::kOutOfRange) m.last_error = st;
          return st;
        }
        m.NoteLoss();
        VOMSREPL_RETURN_IF_ERROR(m.Reconnect(st));
        continue;
      }
      m.last_event_at = std::chrono::steady_clock::now();
    }
    m.event_pending = false;
    m.backoff.Reset();
    Status st = m.Deliver(out);
    if (st.ok() || st.code() == StatusCode::kOutOfRange) m.NoteProgress();
    if (st.ok()) return st;
    if (st.code() == StatusCode::kOutOfRange) continue;  // swallowed heartbeat
    m.last_error = st;
    return st;
  }
}

// Frames the fetched event, tracks file/position and transaction boundaries,
// and fills `out`. kOutOfRange (internal) means "swallowed, fetch the next".
Status MasterStream::Impl::Deliver(SourceEvent* out) {
  if (event == nullptr) return Internal("MasterStream: no event to deliver");
  const std::byte* p = event;
  size_t n = event_size;
  // Built only for an error message: a string per event cost ~10% of a live walk
  // (malloc, to_string, free) in perf.
  const auto where_text = [this] { return cur_file + ":" + std::to_string(cur_pos); };
  if (n < EventHeader::kSize) {
    return Corruption("event after " + where_text() + " is " + std::to_string(n) + " bytes, shorter than its header");
  }
  EventHeader h;
  h.timestamp = static_cast<uint32_t>(binlog::LoadLE<4>(p));
  h.type = static_cast<EventType>(std::to_integer<uint8_t>(p[4]));
  h.server_id = static_cast<uint32_t>(binlog::LoadLE<4>(p + 5));
  h.event_length = static_cast<uint32_t>(binlog::LoadLE<4>(p + 9));
  h.next_position = static_cast<uint32_t>(binlog::LoadLE<4>(p + 13));
  h.flags = static_cast<uint16_t>(binlog::LoadLE<2>(p + 17));
  if (h.event_length != n) {
    return Corruption(std::string(EventTypeName(h.type)) + " event after " + where_text() + ": header length " +
                      std::to_string(h.event_length) + " but " + std::to_string(n) + " bytes received");
  }
  binlog::Bytes raw(p, n);
  if (h.type == EventType::kFormatDescription) crc_len = ChecksumLengthFromFde(raw.subspan(EventHeader::kSize));
  size_t body_len = n - EventHeader::kSize;
  binlog::Bytes body = raw.subspan(EventHeader::kSize, body_len >= crc_len ? body_len - crc_len : 0);

  bool artificial = (h.flags & kEventFlagArtificial) != 0 || h.next_position == 0 ||
                    h.type == EventType::kHeartbeat || h.type == EventType::kHeartbeatV2;
  uint64_t offset = cur_pos;
  if (event_file != cur_file) event_file.assign(cur_file);

  if (h.type == EventType::kRotate) {
    auto r = ParseRotateBody(body);
    if (!r.ok()) return r.status().WithContext("ROTATE after " + where_text());
    if (!artificial) {
      if (h.next_position < h.event_length) return Corruption("ROTATE at " + where_text() + " ends before it starts");
      offset = h.next_position - h.event_length;
    } else {
      event_file.assign(r->file);
      offset = r->position;
    }
    if (cur_file != r->file) cur_file.assign(r->file);
    cur_pos = r->position;
  } else if (h.type == EventType::kHeartbeat || h.type == EventType::kHeartbeatV2) {
    // Not in the file; its log_pos is the master's position in the current file.
    heartbeats.fetch_add(1, std::memory_order_relaxed);
  } else if (artificial) {
    if (h.type == EventType::kFormatDescription) offset = kFirstEventOffset;
    // At a GTID start the master sends an artificial GTID_LIST whose log_pos
    // is where it really starts in the file (it skipped what the GTIDs cover).
    if (h.type == EventType::kMariaGtidList && h.next_position > cur_pos) cur_pos = h.next_position;
  } else {
    if (h.next_position < h.event_length) {
      return Corruption(std::string(EventTypeName(h.type)) + " event after " + where_text() + ": end position " +
                        std::to_string(h.next_position) + " is below its length " + std::to_string(h.event_length));
    }
    offset = h.next_position - h.event_length;
    cur_pos = h.next_position;
  }
  if (Status st = tracker.Feed(h.type, h.server_id, body, cur_file, cur_pos); !st.ok()) {
    return Corruption(std::string(st.message()) + " at " + event_file + ":" + std::to_string(offset));
  }
  if ((h.type == EventType::kHeartbeat || h.type == EventType::kHeartbeatV2) && !config.deliver_heartbeats) {
    return OutOfRange("heartbeat");
  }
  out->header = h;
  out->raw = raw;
  out->file = event_file;
  out->offset = offset;
  out->artificial = artificial;
  return Status::OK();
}

}  // namespace vomsrepl::source
