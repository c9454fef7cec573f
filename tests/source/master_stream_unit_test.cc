// MasterStream pieces that need no server: transaction boundaries, ROTATE /
// GTID / QUERY body parsing, the reconnect backoff schedule, config validation,
// preflight reports and the mapping of the master's dump errors.
//
// Event bodies are built by hand from the layouts cited in
// src/source/transaction_boundary.h (MariaDB sql/log_event.h, libbinlogevents).
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "app/exit_codes.h"
#include "source/master_preflight.h"
#include "source/master_stream.h"
#include "source/reconnect_backoff.h"
#include "source/silence_window.h"
#include "source/transaction_boundary.h"

namespace vomsrepl::source {
namespace {

class BodyBuilder {
 public:
  BodyBuilder& U8(uint8_t v) { return Le(v, 1); }
  BodyBuilder& U16(uint16_t v) { return Le(v, 2); }
  BodyBuilder& U32(uint32_t v) { return Le(v, 4); }
  BodyBuilder& U64(uint64_t v) { return Le(v, 8); }
  BodyBuilder& Str(std::string_view s) {
    for (char c : s) bytes_.push_back(static_cast<std::byte>(c));
    return *this;
  }
  // A span into the builder: keep the builder alive while a result views it.
  Bytes bytes() const { return bytes_; }

 private:
  BodyBuilder& Le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes_.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
    return *this;
  }
  std::vector<std::byte> bytes_;
};

// MariaDB GTID body: seq_no, domain_id, flags2 (+ commit id when flagged).
BodyBuilder GtidBody(uint64_t seq, uint32_t domain, uint8_t flags) {
  BodyBuilder b;
  b.U64(seq).U32(domain).U8(flags);
  if (flags & kGtidFlagGroupCommitId) b.U64(77);
  return b;
}

// QUERY body: thread_id, exec_time, db_len, error_code, status_vars_len,
// status vars, db + NUL, query.
BodyBuilder QueryBody(std::string_view sql, std::string_view db = "voms_x") {
  BodyBuilder b;
  const std::string status_vars = std::string("\x00\x00\x00\x00\x00", 5);  // Q_FLAGS2_CODE + 4 bytes
  b.U32(7).U32(0).U8(static_cast<uint8_t>(db.size())).U16(0).U16(static_cast<uint16_t>(status_vars.size()));
  b.Str(status_vars).Str(db).U8(0).Str(sql);
  return b;
}

BodyBuilder XidBody(uint64_t xid) {
  BodyBuilder b;
  b.U64(xid);
  return b;
}

TEST(RotateBodyTest, ParsesPositionAndName) {
  BodyBuilder b;
  b.U64(4).Str("master-bin.000002");
  auto r = ParseRotateBody(b.bytes());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->position, 4u);
  EXPECT_EQ(r->file, "master-bin.000002");
}

TEST(RotateBodyTest, RejectsTruncatedOrBadNames) {
  BodyBuilder short_body;
  short_body.U32(4);
  EXPECT_EQ(ParseRotateBody(short_body.bytes()).status().code(), StatusCode::kCorruption);
  BodyBuilder no_name;
  no_name.U64(4);
  EXPECT_EQ(ParseRotateBody(no_name.bytes()).status().code(), StatusCode::kCorruption);
  BodyBuilder slash;
  slash.U64(4).Str("../etc/passwd");
  EXPECT_EQ(ParseRotateBody(slash.bytes()).status().code(), StatusCode::kCorruption);
}

TEST(GtidBodyTest, ParsesSeqDomainFlags) {
  auto g = ParseMariadbGtidBody(GtidBody(42, 3, kGtidFlagStandalone | kGtidFlagGroupCommitId).bytes());
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->seq_no, 42u);
  EXPECT_EQ(g->domain_id, 3u);
  EXPECT_EQ(g->flags, kGtidFlagStandalone | kGtidFlagGroupCommitId);
  BodyBuilder short_body;
  short_body.U64(1).U32(0);
  EXPECT_EQ(ParseMariadbGtidBody(short_body.bytes()).status().code(), StatusCode::kCorruption);
}

TEST(QueryTextTest, SkipsStatusVarsAndDb) {
  const BodyBuilder commit = QueryBody("COMMIT");
  auto q = ParseQueryText(commit.bytes());
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(*q, "COMMIT");
  const BodyBuilder ddl = QueryBody("CREATE TABLE t (id INT)", "");
  auto empty_db = ParseQueryText(ddl.bytes());
  ASSERT_TRUE(empty_db.ok());
  EXPECT_EQ(*empty_db, "CREATE TABLE t (id INT)");
}

TEST(QueryTextTest, TruncatedBodyIsCorruption) {
  const BodyBuilder commit = QueryBody("COMMIT");
  Bytes whole = commit.bytes();
  for (size_t n : {0, 5, 12, 13, 16, 20}) {
    EXPECT_EQ(ParseQueryText(whole.first(n)).status().code(), StatusCode::kCorruption) << n;
  }
}

TEST(QueryTextTest, Classify) {
  EXPECT_EQ(ClassifyQuery("BEGIN"), QueryKind::kBegin);
  EXPECT_EQ(ClassifyQuery("  begin"), QueryKind::kBegin);
  EXPECT_EQ(ClassifyQuery("COMMIT"), QueryKind::kCommit);
  EXPECT_EQ(ClassifyQuery("commit /* x */"), QueryKind::kCommit);
  EXPECT_EQ(ClassifyQuery("ROLLBACK"), QueryKind::kRollback);
  EXPECT_EQ(ClassifyQuery("ROLLBACK TO SAVEPOINT a"), QueryKind::kOther);
  EXPECT_EQ(ClassifyQuery("XA COMMIT X'31',X'',1"), QueryKind::kXaEnd);
  EXPECT_EQ(ClassifyQuery("XA ROLLBACK X'31'"), QueryKind::kXaEnd);
  EXPECT_EQ(ClassifyQuery("XA START X'31'"), QueryKind::kOther);
  EXPECT_EQ(ClassifyQuery("COMMITTED_TABLE"), QueryKind::kOther);
  EXPECT_EQ(ClassifyQuery("BEGINNING"), QueryKind::kOther);
  EXPECT_EQ(ClassifyQuery("CREATE TABLE t (id INT)"), QueryKind::kOther);
  EXPECT_EQ(ClassifyQuery(""), QueryKind::kOther);
}

class TrackerTest : public ::testing::Test {
 protected:
  void SetUp() override { t_.Reset(BinlogPosition{"m.000001", 4}, MariadbGtidList()); }
  void Feed(EventType type, Bytes body, uint64_t end, std::string_view file = "m.000001") {
    ASSERT_TRUE(t_.Feed(type, /*server_id=*/1, body, file, end).ok());
  }
  TransactionBoundaryTracker t_;
  Bytes none_{};
};

TEST_F(TrackerTest, MariadbRowTransactionEndsAtXid) {
  Feed(EventType::kFormatDescription, none_, 256);
  EXPECT_EQ(t_.safe_position().offset, 256u);  // outside: moves along
  Feed(EventType::kMariaGtid, GtidBody(5, 0, 0).bytes(), 300);
  EXPECT_TRUE(t_.in_transaction());
  ASSERT_TRUE(t_.open_gtid().has_value());
  EXPECT_EQ(t_.open_gtid()->ToString(), "0-1-5");
  Feed(EventType::kTableMap, none_, 350);
  Feed(EventType::kWriteRowsV1, none_, 400);
  EXPECT_TRUE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 256u);  // not inside a transaction
  EXPECT_TRUE(t_.safe_gtids().empty());
  Feed(EventType::kXid, XidBody(9).bytes(), 431);
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().ToString(), "m.000001:431");
  EXPECT_EQ(t_.safe_gtids().ToString(), "0-1-5");
  EXPECT_EQ(t_.completed_transactions(), 1u);
}

TEST_F(TrackerTest, MariadbStandaloneDdlEndsAtItsQuery) {
  Feed(EventType::kMariaGtid, GtidBody(6, 0, kGtidFlagStandalone | kGtidFlagGroupCommitId).bytes(), 500);
  EXPECT_TRUE(t_.in_transaction());
  Feed(EventType::kQuery, QueryBody("CREATE TABLE t (id INT)").bytes(), 600);
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 600u);
  EXPECT_EQ(t_.safe_gtids().ToString(), "0-1-6");
}

TEST_F(TrackerTest, MariadbNonTransactionalGroupEndsAtCommitQuery) {
  Feed(EventType::kMariaGtid, GtidBody(7, 2, 0).bytes(), 500);
  Feed(EventType::kTableMap, none_, 550);
  Feed(EventType::kWriteRowsV1, none_, 600);
  Feed(EventType::kQuery, QueryBody("COMMIT").bytes(), 650);
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 650u);
  EXPECT_EQ(t_.safe_gtids().ToString(), "2-1-7");
}

TEST_F(TrackerTest, MariadbXaPrepareEndsTheGroup) {
  Feed(EventType::kMariaGtid, GtidBody(8, 0, kGtidFlagPreparedXa).bytes(), 500);
  Feed(EventType::kQuery, QueryBody("XA START X'31',X'',1").bytes(), 550);
  Feed(EventType::kWriteRowsV1, none_, 600);
  Feed(EventType::kQuery, QueryBody("XA END X'31',X'',1").bytes(), 650);
  EXPECT_TRUE(t_.in_transaction());
  Feed(EventType::kXaPrepare, none_, 700);
  EXPECT_FALSE(t_.in_transaction());
  Feed(EventType::kMariaGtid, GtidBody(9, 0, kGtidFlagCompletedXa).bytes(), 750);
  Feed(EventType::kQuery, QueryBody("XA COMMIT X'31',X'',1").bytes(), 800);
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_gtids().ToString(), "0-1-9");
  EXPECT_EQ(t_.completed_transactions(), 2u);
}

TEST_F(TrackerTest, MysqlGtidBeginCommitAndDdl) {
  Feed(EventType::kGtid, none_, 500);
  EXPECT_TRUE(t_.in_transaction());
  Feed(EventType::kQuery, QueryBody("BEGIN").bytes(), 550);
  Feed(EventType::kTableMap, none_, 600);
  Feed(EventType::kWriteRowsV2, none_, 650);
  Feed(EventType::kQuery, QueryBody("COMMIT").bytes(), 700);  // MyISAM-style end
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 700u);

  Feed(EventType::kAnonymousGtid, none_, 750);
  Feed(EventType::kQuery, QueryBody("ALTER TABLE t ADD c INT").bytes(), 800);  // DDL: no BEGIN
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 800u);

  Feed(EventType::kGtid, none_, 850);
  Feed(EventType::kTransactionPayload, none_, 900);  // compressed whole transaction
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 900u);
  EXPECT_TRUE(t_.safe_gtids().empty());  // MySQL GTIDs are not MariaDB ones
}

TEST_F(TrackerTest, NoGtidBeginXidAndLoneStatements) {
  Feed(EventType::kQuery, QueryBody("BEGIN").bytes(), 500);
  EXPECT_TRUE(t_.in_transaction());
  Feed(EventType::kWriteRowsV1, none_, 550);
  Feed(EventType::kXid, XidBody(1).bytes(), 600);
  EXPECT_FALSE(t_.in_transaction());
  Feed(EventType::kQuery, QueryBody("DROP TABLE t").bytes(), 700);
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 700u);
  Feed(EventType::kQuery, QueryBody("BEGIN").bytes(), 750);
  Feed(EventType::kQuery, QueryBody("ROLLBACK").bytes(), 800);
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 800u);
}

TEST_F(TrackerTest, RotateOutsideATransactionMovesToTheNextFile) {
  Feed(EventType::kRotate, none_, 4, "m.000002");
  EXPECT_EQ(t_.safe_position().ToString(), "m.000002:4");
  Feed(EventType::kFormatDescription, none_, 256, "m.000002");
  EXPECT_EQ(t_.safe_position().ToString(), "m.000002:256");
}

TEST_F(TrackerTest, HeartbeatInsideATransactionChangesNothing) {
  Feed(EventType::kMariaGtid, GtidBody(3, 0, 0).bytes(), 300);
  Feed(EventType::kHeartbeat, none_, 300);
  EXPECT_TRUE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 4u);
}

TEST_F(TrackerTest, AbandonKeepsTheSafePointAndTheGroupComesAgain) {
  Feed(EventType::kMariaGtid, GtidBody(1, 0, 0).bytes(), 300);
  Feed(EventType::kXid, XidBody(1).bytes(), 400);
  Feed(EventType::kMariaGtid, GtidBody(2, 0, 0).bytes(), 450);
  Feed(EventType::kWriteRowsV1, none_, 500);
  t_.AbandonOpenTransaction();
  EXPECT_FALSE(t_.in_transaction());
  EXPECT_EQ(t_.safe_position().offset, 400u);
  EXPECT_EQ(t_.safe_gtids().ToString(), "0-1-1");
  // The master sends the group again from the boundary.
  Feed(EventType::kMariaGtid, GtidBody(2, 0, 0).bytes(), 450);
  Feed(EventType::kWriteRowsV1, none_, 500);
  Feed(EventType::kXid, XidBody(2).bytes(), 531);
  EXPECT_EQ(t_.safe_gtids().ToString(), "0-1-2");
  EXPECT_EQ(t_.completed_transactions(), 2u);
}

TEST_F(TrackerTest, TruncatedGtidOrQueryIsAnError) {
  BodyBuilder short_gtid;
  short_gtid.U32(1);
  EXPECT_EQ(t_.Feed(EventType::kMariaGtid, 1, short_gtid.bytes(), "m.000001", 10).code(), StatusCode::kCorruption);
  BodyBuilder short_query;
  short_query.U32(1);
  Status st = t_.Feed(EventType::kQuery, 1, short_query.bytes(), "m.000001", 10);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("Query"), std::string_view::npos) << st.ToString();
}

TEST(ReconnectBackoffTest, NominalScheduleDoublesUpToTheCap) {
  ReconnectBackoff b(std::chrono::milliseconds(250), std::chrono::milliseconds(5000), 1);
  std::vector<int64_t> want = {250, 500, 1000, 2000, 4000, 5000, 5000};
  for (uint32_t i = 0; i < want.size(); ++i) EXPECT_EQ(b.Nominal(i).count(), want[i]) << i;
  EXPECT_EQ(b.Nominal(1000).count(), 5000);  // no overflow
}

TEST(ReconnectBackoffTest, JitterStaysWithinHalfToFullAndIsReproducible) {
  ReconnectBackoff a(std::chrono::milliseconds(100), std::chrono::milliseconds(3000), 42);
  ReconnectBackoff b(std::chrono::milliseconds(100), std::chrono::milliseconds(3000), 42);
  bool any_below_nominal = false;
  for (uint32_t i = 0; i < 40; ++i) {
    auto nominal = a.Nominal(i);
    auto d = a.NextDelay();
    EXPECT_EQ(d, b.NextDelay());
    EXPECT_GE(d.count(), nominal.count() / 2) << i;
    EXPECT_LE(d.count(), nominal.count()) << i;
    any_below_nominal = any_below_nominal || d < nominal;
  }
  EXPECT_TRUE(any_below_nominal);
  a.Reset();
  EXPECT_EQ(a.attempt(), 0u);
  EXPECT_LE(a.NextDelay().count(), 100);
}

using std::chrono::milliseconds;
using std::chrono::seconds;

// Two full silences of 1 s at FILE:POS (the second widens a 1 s window to 2 s).
void StallTwice(SilenceWindow& w, const std::string& file, uint64_t pos) {
  w.OnLoss(file, pos, milliseconds(1000));
  w.OnLoss(file, pos, milliseconds(1000));
  ASSERT_EQ(w.current(), seconds(2));
}

TEST(SilenceWindowTest, RepeatedFullSilenceAtOnePositionDoublesUpToTheCap) {
  SilenceWindow w(seconds(1), seconds(5));
  EXPECT_EQ(w.current(), seconds(1));
  // First full silence at a position: maybe the network, keep the window.
  EXPECT_TRUE(w.OnLoss("m.000002", 500, milliseconds(1000)));
  EXPECT_EQ(w.current(), seconds(1));
  EXPECT_FALSE(w.widened());
  // The same position again: the master is busy before that event.
  EXPECT_TRUE(w.OnLoss("m.000002", 500, milliseconds(1001)));
  EXPECT_EQ(w.current(), seconds(2));
  EXPECT_TRUE(w.OnLoss("m.000002", 500, milliseconds(2000)));
  EXPECT_EQ(w.current(), seconds(4));
  EXPECT_TRUE(w.OnLoss("m.000002", 500, milliseconds(4000)));
  EXPECT_EQ(w.current(), seconds(5));
  EXPECT_TRUE(w.OnLoss("m.000002", 500, milliseconds(5000)));
  EXPECT_EQ(w.current(), seconds(5));  // at the cap
  EXPECT_TRUE(w.widened());
}

TEST(SilenceWindowTest, ALossBeforeTheWindowIsNotASilence) {
  SilenceWindow w(seconds(2), seconds(60));
  EXPECT_TRUE(w.OnLoss("m.000001", 90, milliseconds(1900)));  // 0.9 x window: the connector's rounding
  EXPECT_FALSE(w.OnLoss("m.000001", 90, milliseconds(1000)));  // a reset, a shutdown: not counted
  EXPECT_FALSE(w.OnLoss("m.000001", 90, milliseconds(10)));
  EXPECT_EQ(w.current(), seconds(2));
  EXPECT_TRUE(w.OnLoss("m.000001", 90, milliseconds(2000)));  // the earlier full one at 90 counts
  EXPECT_EQ(w.current(), seconds(4));
}

TEST(SilenceWindowTest, EventsUpToTheStallKeepItAndAnEventPastItResets) {
  SilenceWindow w(seconds(1), seconds(600));
  StallTwice(w, "m.000002", 500);
  // After the reconnect the transaction comes again from its start: not past.
  w.OnEvent("m.000002", 4);
  w.OnEvent("m.000002", 300);
  w.OnEvent("m.000002", 500);
  w.OnEvent("m.000001", 9000);  // an older file is not past either
  EXPECT_EQ(w.current(), seconds(2));
  w.OnEvent("m.000002", 134218000);  // the big event arrived
  EXPECT_EQ(w.current(), seconds(1));
  EXPECT_FALSE(w.widened());
  // The bookkeeping restarted: a silence at the old place is a first one again.
  w.OnLoss("m.000002", 500, milliseconds(1000));
  EXPECT_EQ(w.current(), seconds(1));
}

TEST(SilenceWindowTest, ANewFileIsPastAndASilenceElsewhereStartsFromTheBase) {
  SilenceWindow w(seconds(1), seconds(600));
  StallTwice(w, "m.000002", 500);
  w.OnEvent("m.000003", 4);
  EXPECT_EQ(w.current(), seconds(1));
  StallTwice(w, "m.000003", 800);
  EXPECT_TRUE(w.OnLoss("m.000003", 900, milliseconds(2000)));  // somewhere else
  EXPECT_EQ(w.current(), seconds(1));
}

TEST(SilenceWindowTest, BeforeTheFirstEventAnyEventIsProgress) {
  SilenceWindow w(seconds(1), seconds(600));
  StallTwice(w, "", 0);  // the first fetch of a GTID start
  w.OnEvent("m.000001", 4);
  EXPECT_EQ(w.current(), seconds(1));
}

TEST(SilenceWindowTest, CapBelowBaseIsRaisedToIt) {
  SilenceWindow w(seconds(3), seconds(1));
  EXPECT_EQ(w.current(), seconds(3));
  w.OnLoss("f.000001", 4, milliseconds(3000));
  w.OnLoss("f.000001", 4, milliseconds(3000));
  EXPECT_EQ(w.current(), seconds(3));
}

MasterConfig GoodConfig() {
  MasterConfig c;
  c.defaults_file = "/etc/vomsrepl/master.cnf";
  c.server_id = 4242;
  return c;
}

TEST(MasterConfigTest, DefaultsWithIdAndOptionFileAreValid) {
  EXPECT_TRUE(GoodConfig().Validate().ok()) << GoodConfig().Validate().ToString();
}

TEST(MasterConfigTest, RejectsWhatCannotWork) {
  struct Case {
    const char* what;
    void (*edit)(MasterConfig&);
  };
  const Case cases[] = {
      {"server_id", [](MasterConfig& c) { c.server_id = 0; }},
      {"defaults_file", [](MasterConfig& c) { c.defaults_file.clear(); }},
      {"socket", [](MasterConfig& c) { c.host = "db.example.org"; c.socket = "/run/mysqld.sock"; }},
      {"file name", [](MasterConfig& c) { c.start.from = StartFrom::kPosition; }},
      {"'/'", [](MasterConfig& c) { c.start = StartPoint::AtPosition({"../x.000001", 4}); }},
      {">= 4", [](MasterConfig& c) { c.start = StartPoint::AtPosition({"m.000001", 2}); }},
      {"heartbeat_period > 0", [](MasterConfig& c) { c.heartbeat_period = std::chrono::milliseconds(0); }},
      {"shorter than read_timeout", [](MasterConfig& c) { c.heartbeat_period = std::chrono::seconds(40); }},
      {"backoff_max", [](MasterConfig& c) { c.backoff_max = std::chrono::milliseconds(10); }},
      {"backoff_initial", [](MasterConfig& c) { c.backoff_initial = std::chrono::milliseconds(0); }},
      {"read_timeout", [](MasterConfig& c) { c.read_timeout = std::chrono::seconds(0); }},
      {"needs ca_file", [](MasterConfig& c) { c.tls.enabled = true; }},
      {"cert_file and key_file go together",
       [](MasterConfig& c) {
         c.tls.enabled = true;
         c.tls.verify_server_cert = false;
         c.tls.cert_file = "/etc/hostname";
       }},
      {"cannot read /nonexistent/ca.pem",
       [](MasterConfig& c) {
         c.tls.enabled = true;
         c.tls.ca_file = "/nonexistent/ca.pem";
       }},
      {"report_host", [](MasterConfig& c) { c.report_host.clear(); }},
  };
  for (const Case& k : cases) {
    MasterConfig c = GoodConfig();
    k.edit(c);
    Status st = c.Validate();
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << k.what;
    EXPECT_NE(st.message().find(k.what), std::string_view::npos) << k.what << " not in: " << st.ToString();
  }
  MasterConfig non_blocking = GoodConfig();
  non_blocking.blocking = false;
  non_blocking.heartbeat_period = std::chrono::milliseconds(0);
  EXPECT_TRUE(non_blocking.Validate().ok());
}

// A silent dump connection (stalled network) is given up after 2 x heartbeat rounded
// up to whole seconds, never later than 2 x heartbeat + 1 s, never before 2 x
// heartbeat; read_timeout caps it; no heartbeat: read_timeout.
TEST(MasterConfigTest, StreamReadTimeoutIsTwoHeartbeatsInWholeSeconds) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  struct Case {
    int64_t heartbeat_ms, read_timeout_s, want_s;
  };
  const Case cases[] = {
      {500, 3, 1},    // the integration tests' setting: 1 s <= 2 s bound
      {700, 30, 2},   // 1.4 s rounded up: 2 s <= 2.4 s bound
      {1000, 30, 2},  // exact
      {5000, 30, 10}, // the default: 10 s, not read_timeout's 30 s
      {20000, 30, 30},
      {0, 30, 30},    // no heartbeat (non-blocking dump)
  };
  for (const Case& k : cases) {
    MasterConfig c = GoodConfig();
    c.heartbeat_period = milliseconds(k.heartbeat_ms);
    c.read_timeout = seconds(k.read_timeout_s);
    const seconds got = StreamReadTimeout(c);
    EXPECT_EQ(got.count(), k.want_s) << "heartbeat " << k.heartbeat_ms << " ms";
    if (k.heartbeat_ms > 0 && got < c.read_timeout) {
      EXPECT_GE(milliseconds(got).count(), 2 * k.heartbeat_ms);
      EXPECT_LE(milliseconds(got).count(), 2 * k.heartbeat_ms + 1000);
    }
  }
}

TEST(MasterConfigTest, DescribeNeverShowsAPassword) {
  MasterConfig c = GoodConfig();
  c.password_env = "VOMSREPL_MASTER_PASSWORD";
  c.host = "db.example.org";
  c.port = 3307;
  std::string d = c.Describe();
  EXPECT_NE(d.find("db.example.org:3307"), std::string::npos) << d;
  EXPECT_EQ(d.find("PASSWORD"), std::string::npos) << d;
}

TEST(DumpErrorTest, DuplicateServerIdRetriesForTheFeederOnly) {
  MasterConfig feeder;
  feeder.server_id = 4242;
  feeder.retry_duplicate_server_id = true;
  const char* server = "A slave with the same server_uuid/server_id as this slave has connected to the master";
  Status f = StatusForDuplicateServerId(feeder, server);
  EXPECT_EQ(f.code(), StatusCode::kUnavailable) << f.ToString();  // reconnect with backoff, never exit
  EXPECT_NE(f.message().find("same server_id 4242"), std::string_view::npos) << f.ToString();
  EXPECT_NE(f.message().find("leave --server-id out"), std::string_view::npos) << f.ToString();
  EXPECT_NE(f.message().find("reconnecting"), std::string_view::npos) << f.ToString();
  MasterConfig diagnostic = feeder;
  diagnostic.retry_duplicate_server_id = false;
  Status d = StatusForDuplicateServerId(diagnostic, server);
  EXPECT_EQ(d.code(), StatusCode::kFailedPrecondition) << d.ToString();
  EXPECT_NE(d.message().find("error 4052"), std::string_view::npos) << d.ToString();
}

TEST(DumpErrorTest, ServerIdZeroOnlyWhenPicked) {
  MasterConfig c;
  c.defaults_file = "/etc/m.cnf";
  c.server_id = 0;
  EXPECT_EQ(c.Validate().code(), StatusCode::kInvalidArgument);
  c.pick_server_id = true;
  EXPECT_TRUE(c.Validate().ok()) << c.Validate().ToString();
  EXPECT_EQ(ServerIdLockName(4261), "vomsrepl.server_id.4261");
}

TEST(DumpErrorTest, PurgedFileAndGtidGiveBinlogPurged) {
  Status file = StatusForDumpError(1236,
                                   "Could not find first log file name in binary log index file",
                                   "master-bin.000001:4");
  EXPECT_EQ(file.code(), StatusCode::kBinlogPurged);
  EXPECT_NE(file.message().find("master-bin.000001:4"), std::string_view::npos) << file.ToString();
  EXPECT_NE(file.message().find("vomsrepl bootstrap"), std::string_view::npos) << file.ToString();
  Status gtid = StatusForDumpError(1236,
                                   "Could not find GTID state requested by slave in any binlog files. Probably the "
                                   "slave state is too old and required binlog files have been purged.",
                                   "GTID 0-1-5");
  EXPECT_EQ(gtid.code(), StatusCode::kBinlogPurged);
  EXPECT_NE(gtid.message().find("GTID 0-1-5"), std::string_view::npos);
  Status mysql = StatusForDumpError(1236,
                                    "Cannot replicate because the source purged required binary logs. "
                                    "Replicate the missing transactions from elsewhere",
                                    "m.000003:4");
  EXPECT_EQ(mysql.code(), StatusCode::kBinlogPurged) << mysql.ToString();
  Status other = StatusForDumpError(1236,
                                    "Error: connecting slave requested to start from GTID 0-1-99, which is not in "
                                    "the master's binlog",
                                    "GTID 0-1-99");
  EXPECT_EQ(other.code(), StatusCode::kFailedPrecondition);
}

TEST(DumpErrorTest, BinlogPurgedHasAnExitCodeAndAName) {
  Status s(StatusCode::kBinlogPurged, "x");
  EXPECT_EQ(StatusCodeName(StatusCode::kBinlogPurged), "BinlogPurged");
  EXPECT_EQ(s.ToString(), "BinlogPurged: x");
  EXPECT_EQ(app::ExitCodeFor(s), app::kExitBinlogPurged);
}

TEST(DumpErrorTest, BinlogFileOrder) {
  EXPECT_TRUE(BinlogFileIsOlder("m-bin.000003", "m-bin.000010"));
  EXPECT_FALSE(BinlogFileIsOlder("m-bin.000010", "m-bin.000003"));
  EXPECT_FALSE(BinlogFileIsOlder("m-bin.000003", "m-bin.000003"));
  EXPECT_FALSE(BinlogFileIsOlder("other.000001", "m-bin.000003"));
  EXPECT_FALSE(BinlogFileIsOlder("m-bin", "m-bin.000003"));
}

TEST(PreflightReportTest, FirstFailureBecomesAOneLineStatusWithItsCode) {
  PreflightReport r;
  r.checks.push_back({"log_bin", CheckOutcome::kOk, "ON", "", StatusCode::kFailedPrecondition});
  r.checks.push_back({"binlog_row_image", CheckOutcome::kWarn, "MINIMAL", "set FULL", StatusCode::kFailedPrecondition});
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.ToStatus().ok());
  r.checks.push_back({"start_position", CheckOutcome::kFail, "m.000001 purged", "bootstrap", StatusCode::kBinlogPurged});
  r.checks.push_back({"binlog_format", CheckOutcome::kFail, "STATEMENT", "set ROW", StatusCode::kFailedPrecondition});
  EXPECT_FALSE(r.ok());
  Status st = r.ToStatus();
  EXPECT_EQ(st.code(), StatusCode::kBinlogPurged);
  EXPECT_EQ(st.message(), "preflight start_position: m.000001 purged; fix: bootstrap");
  std::string text = r.ToString();
  EXPECT_NE(text.find("warn binlog_row_image: MINIMAL; fix: set FULL\n"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL binlog_format: STATEMENT; fix: set ROW\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ok   log_bin: ON\n"), std::string::npos) << text;
}

TEST(MasterStreamTest, NextBeforeConnectAndCancelledStatusesAreNotRestarts) {
  MasterStream s(GoodConfig());
  SourceEvent ev;
  EXPECT_EQ(s.Next(&ev).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(MasterStream::IsTransactionRestart(Aborted("master stream cancelled")));
  EXPECT_FALSE(MasterStream::IsTransactionRestart(Status::OK()));
  EXPECT_EQ(s.reconnect_count(), 0u);
  EXPECT_TRUE(s.last_error().ok());
}

TEST(MasterStreamTest, PreflightOfAnUnreachableMasterIsAFailedCheck) {
  MasterConfig c = GoodConfig();
  c.defaults_file = "/nonexistent/vomsrepl-test.cnf";
  c.user = "nobody";
  c.host = "127.0.0.1";
  c.port = 1;  // nothing listens on port 1
  c.connect_timeout = std::chrono::seconds(2);
  MasterStream s(c);
  auto r = s.Preflight();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_FALSE(r->checks.empty());
  EXPECT_EQ(r->checks[0].name, "reachable");
  EXPECT_EQ(r->checks[0].outcome, CheckOutcome::kFail);
  EXPECT_EQ(r->ToStatus().code(), StatusCode::kUnavailable) << r->ToString();
  EXPECT_EQ(s.Connect().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace vomsrepl::source
