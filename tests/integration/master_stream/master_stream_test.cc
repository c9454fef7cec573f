// Integration: MasterStream against a real MariaDB 10.11 master of tools/sandbox.
//
// Runs against a sandbox of its own (fixture master_stream_sandbox, directory in
// VOMSREPL_SANDBOX_DIR): these tests restart the master, purge its binlogs and
// flip binlog_format, which would disturb other tests sharing the common one.
// Every test takes the resource lock of that sandbox (see CMakeLists.txt), and
// writes to its own tables of voms_mstest through the admin option file; the
// stream itself uses the least-privilege replication account (repl.cnf), except
// where SHOW SLAVE HOSTS is needed (admin.cnf).
#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "sandbox_client.h"
#include "sandbox_fixture.h"
#include "source/master_stream.h"
#include "source/transaction_boundary.h"

namespace vomsrepl::source {
namespace {

using testing::SandboxConnection;
using Clock = std::chrono::steady_clock;

class MasterStreamIT : public testing::SandboxFixture {
 protected:
  void SetUp() override {
    SandboxFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(admin_.Connect(env_.MasterOptionFile("admin"))) << admin_.error();
    Exec("CREATE DATABASE IF NOT EXISTS voms_mstest");
  }

  void Exec(const std::string& sql) { ASSERT_TRUE(admin_.Execute(sql)) << sql << ": " << admin_.error(); }
  std::string Value(const std::string& sql) {
    auto v = admin_.QueryValue(sql);
    EXPECT_TRUE(v.has_value()) << sql << ": " << admin_.error();
    return v.value_or("");
  }
  BinlogPosition MasterPosition() {
    auto rows = admin_.Query("SHOW MASTER STATUS");
    EXPECT_TRUE(rows.has_value() && !rows->empty()) << admin_.error();
    if (!rows || rows->empty()) return {};
    return BinlogPosition{*(*rows)[0][0], std::strtoull((*rows)[0][1]->c_str(), nullptr, 10)};
  }
  // The master's position once its binlog has stopped growing: MariaDB writes a
  // Binlog_checkpoint event some time after a rotation (an earlier test's FLUSH
  // BINARY LOGS or restart), which a test comparing exact positions must not race.
  BinlogPosition SettledMasterPosition() {
    BinlogPosition p = MasterPosition();
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      BinlogPosition q = MasterPosition();
      if (q == p) return p;
      p = q;
    }
    ADD_FAILURE() << "the master's binlog did not stop growing within 20 s";
    return p;
  }
  MariadbGtidList MasterGtids() { return *MariadbGtidList::Parse(Value("SELECT @@global.gtid_binlog_pos")); }

  MasterConfig Config(uint32_t server_id, const std::string& account = "repl") {
    MasterConfig c;
    c.defaults_file = env_.MasterOptionFile(account);
    c.server_id = server_id;
    // No test here measures how soon a silent master is noticed (the network fault
    // scenarios do): 2 s heartbeats (4 s of silence before the stream gives up) and
    // timeouts that a loaded machine does not reach with nothing wrong.
    c.heartbeat_period = std::chrono::milliseconds(2000);
    c.read_timeout = std::chrono::seconds(10);
    c.connect_timeout = std::chrono::seconds(10);
    c.backoff_initial = std::chrono::milliseconds(100);
    c.backoff_max = std::chrono::milliseconds(1000);
    c.backoff_seed = 7;
    return c;
  }

  // Runs tools/sandbox with `args` on our directory; true on exit 0.
  bool Sandbox(const std::string& args) {
    std::string cmd = std::string(VOMSREPL_SOURCE_DIR) + "/tools/sandbox " + args + " --dir '" + env_.dir() +
                      "' >>'" + env_.dir() + "/master-stream-test.log' 2>&1";
    return std::system(cmd.c_str()) == 0;
  }
  // Stops the master with `sig`, waits for it to exit, starts it again.
  void RestartMaster(int sig) {
    pid_t pid = MasterPid();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(kill(pid, sig), 0);
    for (int i = 0; i < 600 && kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_NE(kill(pid, 0), 0) << "master did not stop";
    ASSERT_TRUE(Sandbox("start")) << "restarting the master failed; see master-stream-test.log";
    ASSERT_TRUE(admin_.Connect(env_.MasterOptionFile("admin"))) << admin_.error();
  }
  pid_t MasterPid() {
    std::ifstream f(env_.dir() + "/master/mariadbd.pid");
    long pid = 0;
    f >> pid;
    return static_cast<pid_t>(pid);
  }

  SandboxConnection admin_;
};

struct Seen {
  std::vector<EventType> types;
  std::vector<MariadbGtid> gtids;  // of every GTID event
  uint64_t xids = 0;
};

MariadbGtid GtidOf(const SourceEvent& ev) {
  auto g = ParseMariadbGtidBody(ev.raw.subspan(EventHeader::kSize));
  EXPECT_TRUE(g.ok());
  return MariadbGtid{g->domain_id, ev.header.server_id, g->seq_no};
}

// Reads a non-blocking stream to its end, checking each event's framing.
Status Drain(MasterStream& s, Seen* seen) {
  SourceEvent ev;
  while (true) {
    Status st = s.Next(&ev);
    if (!st.ok()) return st;
    EXPECT_EQ(ev.raw.size(), ev.header.event_length);
    if (!ev.artificial) {
      EXPECT_EQ(ev.offset + ev.header.event_length, ev.header.next_position)
          << EventTypeName(ev.header.type) << " at " << ev.file << ":" << ev.offset;
    }
    seen->types.push_back(ev.header.type);
    if (ev.header.type == EventType::kMariaGtid) seen->gtids.push_back(GtidOf(ev));
    if (ev.header.type == EventType::kXid) ++seen->xids;
  }
}

bool Has(const Seen& s, EventType t) {
  for (EventType x : s.types)
    if (x == t) return true;
  return false;
}

TEST_F(MasterStreamIT, StreamsEveryEventFromTheOldestBinlogAndStopsAtTheEnd) {
  SettledMasterPosition();
  Exec("CREATE TABLE IF NOT EXISTS voms_mstest.all_events (id INT PRIMARY KEY, v VARCHAR(20))");
  Exec("DELETE FROM voms_mstest.all_events");
  Exec("INSERT INTO voms_mstest.all_events VALUES (1, 'a'), (2, 'b')");
  Exec("UPDATE voms_mstest.all_events SET v = 'c' WHERE id = 1");
  MariadbGtidList master_gtids = MasterGtids();
  BinlogPosition master_pos = SettledMasterPosition();

  MasterConfig c = Config(501);
  c.blocking = false;
  MasterStream s(c);
  ASSERT_TRUE(s.Connect().ok()) << s.last_error().ToString();
  EXPECT_NE(s.server_version().find("MariaDB"), std::string::npos);
  EXPECT_EQ(s.master_server_id(), 1u);
  Seen seen;
  Status end = Drain(s, &seen);
  EXPECT_EQ(end.code(), StatusCode::kOutOfRange) << end.ToString();
  EXPECT_EQ(seen.types.front(), EventType::kRotate);  // artificial ROTATE names the first file
  for (EventType t : {EventType::kFormatDescription, EventType::kMariaGtid, EventType::kQuery, EventType::kTableMap,
                      EventType::kWriteRowsV1, EventType::kUpdateRowsV1, EventType::kXid}) {
    EXPECT_TRUE(Has(seen, t)) << EventTypeName(t);
  }
  EXPECT_EQ(s.position(), master_pos);
  EXPECT_EQ(s.resume_position(), master_pos);
  EXPECT_FALSE(s.in_transaction());
  const MariadbGtid* ours = s.resume_gtids().Find(0);
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(*ours, *master_gtids.Find(0));
  EXPECT_EQ(s.reconnect_count(), 0u);
}

TEST_F(MasterStreamIT, StartsAtAFilePositionAndAtAGtid) {
  SettledMasterPosition();
  Exec("CREATE TABLE IF NOT EXISTS voms_mstest.start_at (id INT PRIMARY KEY)");
  BinlogPosition before = MasterPosition();
  MariadbGtidList gtids_before = MasterGtids();
  Exec("INSERT INTO voms_mstest.start_at SELECT COALESCE(MAX(id), 0) + 1 FROM voms_mstest.start_at");
  MariadbGtid expected = *MasterGtids().Find(0);

  for (bool by_gtid : {false, true}) {
    SCOPED_TRACE(by_gtid ? "GTID" : "file:pos");
    MasterConfig c = Config(502);
    c.blocking = false;
    if (by_gtid) {
      c.start = StartPoint::AfterGtids(gtids_before);
    } else {
      c.start = StartPoint::AtPosition(before);
    }
    MasterStream s(c);
    ASSERT_TRUE(s.Connect().ok()) << s.last_error().ToString();
    Seen seen;
    EXPECT_EQ(Drain(s, &seen).code(), StatusCode::kOutOfRange);
    ASSERT_EQ(seen.gtids.size(), 1u);
    EXPECT_EQ(seen.gtids[0], expected);
    EXPECT_EQ(seen.xids, 1u);
    EXPECT_EQ(s.resume_position(), MasterPosition());
    EXPECT_EQ(*s.resume_gtids().Find(0), expected);
  }
}

TEST_F(MasterStreamIT, FlushBinaryLogsRotatesWithCorrectOffsets) {
  Exec("CREATE TABLE IF NOT EXISTS voms_mstest.rotating (id INT PRIMARY KEY)");
  MasterConfig c = Config(503);
  c.start = StartPoint::Current();
  MasterStream s(c);  // blocking: follows the master
  ASSERT_TRUE(s.Connect().ok()) << s.last_error().ToString();
  BinlogPosition old_pos = MasterPosition();
  Exec("FLUSH BINARY LOGS");
  Exec("INSERT INTO voms_mstest.rotating SELECT COALESCE(MAX(id), 0) + 1 FROM voms_mstest.rotating");
  BinlogPosition new_pos = MasterPosition();
  ASSERT_NE(old_pos.file, new_pos.file);

  SourceEvent ev;
  bool saw_real_rotate = false, saw_new_fde = false;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(s.Next(&ev).ok()) << s.last_error().ToString();
    if (ev.header.type == EventType::kRotate && !ev.artificial) {
      saw_real_rotate = true;
      EXPECT_EQ(ev.file, old_pos.file);
      EXPECT_EQ(ev.offset, old_pos.offset);  // the ROTATE ends the old file
      auto r = ParseRotateBody(ev.raw.subspan(EventHeader::kSize, ev.raw.size() - EventHeader::kSize - 4));
      ASSERT_TRUE(r.ok());
      EXPECT_EQ(r->file, new_pos.file);
      EXPECT_EQ(r->position, 4u);
    }
    if (ev.header.type == EventType::kFormatDescription && saw_real_rotate) {
      saw_new_fde = true;
      EXPECT_EQ(ev.file, new_pos.file);
      EXPECT_EQ(ev.offset, 4u);
    }
    if (ev.header.type == EventType::kXid) break;
  }
  EXPECT_TRUE(saw_real_rotate);
  EXPECT_TRUE(saw_new_fde);
  // The XID is in the new file (a BINLOG_CHECKPOINT may land before or after it).
  EXPECT_EQ(ev.file, new_pos.file);
  EXPECT_LE(ev.offset + ev.header.event_length, new_pos.offset + 64);
  BinlogPosition after_xid{new_pos.file, ev.offset + ev.header.event_length};
  EXPECT_EQ(s.position(), after_xid);
  EXPECT_EQ(s.resume_position(), after_xid);
}

TEST_F(MasterStreamIT, ServerIdOfAnotherReplicaOrOfTheMasterIsRefused) {
  MasterConfig c = Config(504, "admin");  // SHOW SLAVE HOSTS needs REPLICATION MASTER ADMIN
  MasterStream first(c);
  ASSERT_TRUE(first.Connect().ok()) << first.last_error().ToString();
  std::string hosts;
  for (int i = 0; i < 50 && hosts.find("504") == std::string::npos; ++i) {
    auto rows = admin_.Query("SHOW SLAVE HOSTS");
    ASSERT_TRUE(rows.has_value()) << admin_.error();
    hosts.clear();
    for (const auto& r : *rows) hosts += r[0].value_or("") + " ";
    if (hosts.find("504") == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(hosts.find("504"), std::string::npos) << "registered replicas: " << hosts;

  MasterStream second(c);
  Status st = second.Connect();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find("server_id 504 is already used"), std::string_view::npos) << st.ToString();
  SourceEvent ev;
  EXPECT_TRUE(first.Next(&ev).ok()) << "the first stream must survive the refused second one";

  MasterStream as_master(Config(1));
  Status st1 = as_master.Connect();
  EXPECT_EQ(st1.code(), StatusCode::kInvalidArgument) << st1.ToString();
  EXPECT_NE(st1.message().find("master's own"), std::string_view::npos) << st1.ToString();
}

TEST_F(MasterStreamIT, PurgedBinlogIsReportedWithTheFileAndTheWayBack) {
  Exec("CREATE TABLE IF NOT EXISTS voms_mstest.purged (id INT PRIMARY KEY)");
  Exec("INSERT INTO voms_mstest.purged SELECT COALESCE(MAX(id), 0) + 1 FROM voms_mstest.purged");
  BinlogPosition old_pos = MasterPosition();
  MariadbGtidList old_gtids = MasterGtids();
  Exec("FLUSH BINARY LOGS");
  Exec("INSERT INTO voms_mstest.purged SELECT COALESCE(MAX(id), 0) + 1 FROM voms_mstest.purged");
  Exec("FLUSH BINARY LOGS");
  BinlogPosition now = MasterPosition();
  Exec("PURGE BINARY LOGS TO '" + now.file + "'");

  MasterConfig c = Config(505);
  c.blocking = false;
  c.start = StartPoint::AtPosition(BinlogPosition{old_pos.file, 4});
  MasterStream by_file(c);
  Status st = by_file.Connect();
  EXPECT_EQ(st.code(), StatusCode::kBinlogPurged) << st.ToString();
  EXPECT_NE(st.message().find(old_pos.file), std::string_view::npos) << st.ToString();
  EXPECT_NE(st.message().find("vomsrepl bootstrap"), std::string_view::npos) << st.ToString();

  // A GTID older than the oldest remaining binlog: the master's own refusal.
  MariadbGtid g = *old_gtids.Find(0);
  g.seq_no -= 1;
  MariadbGtidList stale;
  stale.Update(g);
  c.start = StartPoint::AfterGtids(stale);
  MasterStream by_gtid(c);
  Status sg = by_gtid.Connect();
  EXPECT_EQ(sg.code(), StatusCode::kBinlogPurged) << sg.ToString();
  EXPECT_NE(sg.message().find(g.ToString()), std::string_view::npos) << sg.ToString();
}

TEST_F(MasterStreamIT, PreflightFailsClearlyOnStatementFormat) {
  Exec("SET GLOBAL binlog_format = 'STATEMENT'");
  MasterConfig c = Config(506);
  c.blocking = false;
  MasterStream s(c);
  auto report = s.Preflight();
  Status connect = s.Connect();
  Exec("SET GLOBAL binlog_format = 'ROW'");  // restore before any assertion can stop the test
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->ok()) << report->ToString();
  EXPECT_NE(report->ToString().find("FAIL binlog_format: binlog_format is STATEMENT"), std::string::npos)
      << report->ToString();
  EXPECT_EQ(connect.code(), StatusCode::kFailedPrecondition) << connect.ToString();
  EXPECT_NE(connect.message().find("SET GLOBAL binlog_format=ROW"), std::string_view::npos) << connect.ToString();
  EXPECT_EQ(connect.message().find('\n'), std::string_view::npos) << "one line";
  EXPECT_EQ(Value("SELECT @@global.binlog_format"), "ROW");
}

// A transaction far larger than the socket buffers is cut by a master crash
// after the stream has handed out its first events: the stream must reconnect,
// say "restart" once, then deliver that transaction again whole, and every
// GTID exactly once overall.
TEST_F(MasterStreamIT, MasterCrashMidTransactionRestartsThatTransactionWhole) {
  Exec("CREATE TABLE IF NOT EXISTS voms_mstest.restart (id INT PRIMARY KEY, pad VARCHAR(200))");
  Exec("DELETE FROM voms_mstest.restart");
  MariadbGtidList start = MasterGtids();
  Exec("INSERT INTO voms_mstest.restart VALUES (1, 'small one')");
  // One transaction of ~60k rows x ~200 bytes (~12 MB of row events).
  Exec("INSERT INTO voms_mstest.restart SELECT seq + 1, REPEAT('x', 190) FROM voms_mstest.seq_1_to_60000");
  MariadbGtid big = *MasterGtids().Find(0);

  MasterConfig c = Config(507);
  c.start = StartPoint::AfterGtids(start);
  MasterStream s(c);
  ASSERT_TRUE(s.Connect().ok()) << s.last_error().ToString();

  SourceEvent ev;
  std::vector<MariadbGtid> completed;
  std::optional<MariadbGtid> open;
  uint64_t rows_events_in_open = 0;
  // Read up to a few rows events of the big transaction, then stop reading.
  while (true) {
    ASSERT_TRUE(s.Next(&ev).ok()) << s.last_error().ToString();
    if (ev.header.type == EventType::kMariaGtid) {
      open = GtidOf(ev);
      rows_events_in_open = 0;
    }
    if (ev.header.type == EventType::kWriteRowsV1) ++rows_events_in_open;
    if (ev.header.type == EventType::kXid) {
      completed.push_back(*open);
      open.reset();
    }
    if (open && *open == big && rows_events_in_open == 3) break;
  }
  ASSERT_TRUE(s.in_transaction());

  // SIGKILL: a crash. (A SIGTERM'd MariaDB waits ~30 s for a dump thread
  // blocked writing to a replica that does not read; a crash cuts at once.)
  ASSERT_NO_FATAL_FAILURE(RestartMaster(SIGKILL));
  auto master_up = Clock::now();

  bool restarted = false;
  uint64_t rows_events_after = 0;
  double reconnect_ms = -1;
  while (true) {
    Status st = s.Next(&ev);
    if (MasterStream::IsTransactionRestart(st)) {
      // More than once when a connection made while the master starts up is lost
      // again inside the transaction: each time the transaction starts over.
      restarted = true;
      reconnect_ms = std::chrono::duration<double, std::milli>(Clock::now() - master_up).count();
      open.reset();  // discard what we had of the big transaction
      continue;
    }
    ASSERT_TRUE(st.ok()) << st.ToString();
    if (ev.header.type == EventType::kMariaGtid) {
      EXPECT_TRUE(restarted) << "the rest of the cut transaction came before the restart signal";
      open = GtidOf(ev);
      rows_events_after = 0;
    }
    if (ev.header.type == EventType::kWriteRowsV1) ++rows_events_after;
    if (ev.header.type == EventType::kXid) {
      ASSERT_TRUE(open.has_value()) << "XID without its GTID: a half transaction was delivered";
      completed.push_back(*open);
      if (*open == big) break;
      open.reset();
    }
  }
  EXPECT_TRUE(restarted);
  EXPECT_GE(s.reconnect_count(), 1u);  // one per lost connection: at least the crash's
  EXPECT_GT(rows_events_after, 3u);
  // Every GTID from start+1 to big exactly once, in order.
  ASSERT_FALSE(completed.empty());
  uint64_t first_seq = start.Find(0) ? start.Find(0)->seq_no + 1 : 1;
  ASSERT_EQ(completed.size(), big.seq_no - first_seq + 1);
  for (size_t i = 0; i < completed.size(); ++i) EXPECT_EQ(completed[i].seq_no, first_seq + i);
  EXPECT_EQ(*s.resume_gtids().Find(0), big);
  std::printf("[ MEASURED ] crash: master up again to resumed stream: %.0f ms (reconnects %llu)\n", reconnect_ms,
              static_cast<unsigned long long>(s.reconnect_count()));
  RecordProperty("reconnect_ms", static_cast<int>(reconnect_ms));
}

// A SIGTERM restart while the stream is idle at a transaction boundary: the
// stream reconnects by itself (no restart signal) and goes on with the next
// transactions, each GTID exactly once.
TEST_F(MasterStreamIT, MasterRestartAtABoundaryResumesWithoutLossOrDuplicate) {
  Exec("CREATE TABLE IF NOT EXISTS voms_mstest.restart_idle (id INT PRIMARY KEY)");
  MariadbGtidList start = MasterGtids();
  auto insert = [&] {
    Exec("INSERT INTO voms_mstest.restart_idle SELECT COALESCE(MAX(id), 0) + 1 FROM voms_mstest.restart_idle");
  };
  for (int i = 0; i < 3; ++i) insert();
  MasterConfig c = Config(509);
  c.start = StartPoint::AfterGtids(start);
  // Told once when the connection is lost and once when it streams again.
  std::vector<std::pair<bool, std::string>> changes;
  c.on_connection_change = [&](const Status& cause, bool connected) {
    changes.emplace_back(connected, std::string(cause.message()));
  };
  MasterStream s(c);
  ASSERT_TRUE(s.Connect().ok()) << s.last_error().ToString();
  std::vector<uint64_t> seqs;
  SourceEvent ev;
  auto read_until = [&](uint64_t seq) {
    while (seqs.empty() || seqs.back() < seq) {
      Status st = s.Next(&ev);
      ASSERT_TRUE(st.ok()) << st.ToString();
      if (ev.header.type == EventType::kMariaGtid) seqs.push_back(GtidOf(ev).seq_no);
    }
    do {  // to the end of that transaction
      ASSERT_TRUE(s.Next(&ev).ok());
    } while (ev.header.type != EventType::kXid);
  };
  ASSERT_NO_FATAL_FAILURE(read_until(MasterGtids().Find(0)->seq_no));
  ASSERT_FALSE(s.in_transaction());

  ASSERT_NO_FATAL_FAILURE(RestartMaster(SIGTERM));
  auto master_up = Clock::now();
  for (int i = 0; i < 3; ++i) insert();
  uint64_t last = MasterGtids().Find(0)->seq_no;
  ASSERT_NO_FATAL_FAILURE(read_until(last));
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - master_up).count();
  // Told once per lost connection and once when it streams again: a connection made
  // while the master starts up may be lost again, so at least one pair, never two
  // losses in a row, each "streams again" with the cause of the loss before it.
  EXPECT_GE(s.reconnect_count(), 1u);
  ASSERT_GE(changes.size(), 2u);
  ASSERT_EQ(changes.size() % 2, 0u);
  EXPECT_EQ(changes.size() / 2, s.reconnect_count());
  for (size_t i = 0; i + 1 < changes.size(); i += 2) {
    EXPECT_FALSE(changes[i].first) << "change " << i;
    EXPECT_TRUE(changes[i + 1].first) << "change " << i + 1;
    EXPECT_FALSE(changes[i].second.empty());
    EXPECT_EQ(changes[i].second, changes[i + 1].second);  // the outage's cause both times
  }
  uint64_t first = start.Find(0) ? start.Find(0)->seq_no + 1 : 1;
  ASSERT_EQ(seqs.size(), last - first + 1);
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], first + i);
  std::printf("[ MEASURED ] SIGTERM restart: master up again to 3 new transactions streamed: %.0f ms\n", ms);
}

TEST_F(MasterStreamIT, CancelStopsABlockedNext) {
  MasterConfig c = Config(508);
  c.start = StartPoint::Current();
  MasterStream s(c);
  ASSERT_TRUE(s.Connect().ok()) << s.last_error().ToString();
  SourceEvent ev;
  ASSERT_TRUE(s.Next(&ev).ok());  // artificial ROTATE
  // The bound is on Cancel() to the return of Next(), measured from the moment Cancel()
  // was called (the canceller's sleep may overrun on a loaded machine).
  std::atomic<int64_t> cancelled_at{0};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancelled_at = Clock::now().time_since_epoch().count();
    s.Cancel();
  });
  Status st;
  do {
    st = s.Next(&ev);
  } while (st.ok());
  auto returned = Clock::now();
  canceller.join();
  EXPECT_EQ(st.code(), StatusCode::kAborted) << st.ToString();
  EXPECT_FALSE(MasterStream::IsTransactionRestart(st));
  ASSERT_NE(cancelled_at.load(), 0) << "Next() ended before Cancel() was called";
  EXPECT_LT(returned - Clock::time_point(Clock::duration(cancelled_at.load())), std::chrono::milliseconds(2700));
}

}  // namespace
}  // namespace vomsrepl::source
