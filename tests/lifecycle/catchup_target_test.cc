// CatchupTarget: the three --until forms and the stop rules catchup applies
// to every source transaction (lifecycle/catchup_target.h).
#include <gtest/gtest.h>

#include "lifecycle/catchup_target.h"

namespace vomsrepl::lifecycle {
namespace {

txn::SourcePoint Point(const std::string& gtid, const std::string& state, const std::string& pos, uint32_t time = 0) {
  txn::SourcePoint p;
  p.gtid = gtid;
  if (!state.empty()) p.gtid_state = *MariadbGtidList::Parse(state);
  if (!pos.empty()) p.position = *BinlogPosition::Parse(pos);
  p.commit_time = time;
  return p;
}

TEST(CatchupTarget, ParsesEachForm) {
  auto g = CatchupTarget::Parse("0-1-420");
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->kind(), CatchupTarget::Kind::kGtid);
  EXPECT_EQ(g->gtids().ToString(), "0-1-420");
  auto list = CatchupTarget::Parse("0-1-420,1-2-17");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->gtids().gtids().size(), 2u);

  auto t = CatchupTarget::Parse("2026-12-02 04:05:06");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->kind(), CatchupTarget::Kind::kTime);
  EXPECT_EQ(t->time(), 1796184306);  // date -u -d '2026-12-02 04:05:06' +%s

  auto p = CatchupTarget::Parse("mysql-bin.000042:1234");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->kind(), CatchupTarget::Kind::kPosition);
  EXPECT_EQ(p->position().ToString(), "mysql-bin.000042:1234");
}

TEST(CatchupTarget, RefusesWhatIsNoneOfThem) {
  for (const char* bad : {"", "tomorrow", "2026-13-02 04:05:06", "0-1", "1-2-x", "mysql-bin.000001:", "a/b.000001:4",
                          "mysql-bin.000001:2", "mysql-bin.000001:12x"}) {
    auto r = CatchupTarget::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().ToString().find("YYYY-MM-DD HH:MM:SS"), std::string::npos) << r.status().ToString();
  }
}

TEST(CatchupTarget, GtidTargetIncludesItsTransactionAndStopsAfter) {
  auto t = *CatchupTarget::Parse("0-1-10");
  EXPECT_FALSE(*t.Beyond(Point("0-1-9", "0-1-9", "b.000001:100")));
  EXPECT_FALSE(*t.Beyond(Point("0-1-10", "0-1-10", "b.000001:200")));
  EXPECT_TRUE(*t.Beyond(Point("0-1-11", "0-1-11", "b.000001:300")));
  // A domain the target does not name lies beyond it (START SLAVE UNTIL master_gtid_pos).
  EXPECT_TRUE(*t.Beyond(Point("1-1-2", "0-1-9,1-1-2", "b.000001:300")));
  EXPECT_FALSE(t.Reached(Point("0-1-9", "0-1-9", "b.000001:100")));
  EXPECT_TRUE(t.Reached(Point("0-1-10", "0-1-10", "b.000001:200")));
  // A filtered transaction's state can pass the target too.
  EXPECT_TRUE(t.PassedBy(Point("0-1-12", "0-1-12", "b.000001:400")));
  // No MariaDB GTID: the stream cannot be placed against the target.
  auto none = t.Beyond(Point("", "", "b.000001:100"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  auto mysql = t.Beyond(Point("3E11FA47-71CA-11E1-9E33-C80AA9429562:23", "", "b.000001:100"));
  EXPECT_FALSE(mysql.ok());
}

TEST(CatchupTarget, GtidListNeedsEveryDomain) {
  auto t = *CatchupTarget::Parse("0-1-10,1-2-5");
  EXPECT_FALSE(t.Reached(Point("0-1-10", "0-1-10,1-2-4", "b.000001:100")));
  EXPECT_TRUE(t.Reached(Point("1-2-5", "0-1-10,1-2-5", "b.000001:200")));
  EXPECT_FALSE(*t.Beyond(Point("1-2-5", "0-1-10,1-2-5", "b.000001:200")));
}

TEST(CatchupTarget, TimeTargetAppliesWhatCommittedBefore) {
  auto t = *CatchupTarget::Parse("2026-12-02 04:05:06");
  const uint32_t at = 1796184306;
  EXPECT_FALSE(*t.Beyond(Point("0-1-1", "0-1-1", "b.000001:100", at - 1)));
  EXPECT_TRUE(*t.Beyond(Point("0-1-2", "0-1-2", "b.000001:200", at)));
  EXPECT_TRUE(*t.Beyond(Point("", "", "b.000001:200", at + 5)));  // no GTID needed
  EXPECT_FALSE(t.Reached(Point("0-1-1", "0-1-1", "b.000001:100", at - 1)));
  EXPECT_FALSE(t.PassedBy(Point("0-1-1", "0-1-1", "b.000001:100", at - 1)));
  EXPECT_TRUE(t.PassedBy(Point("0-1-3", "0-1-3", "b.000001:300", at)));
}

TEST(CatchupTarget, PositionTargetComparesFileNumberThenOffset) {
  auto t = *CatchupTarget::Parse("mysql-bin.000002:500");
  EXPECT_FALSE(*t.Beyond(Point("", "", "mysql-bin.000001:90000")));
  EXPECT_FALSE(*t.Beyond(Point("", "", "mysql-bin.000002:500")));
  EXPECT_TRUE(*t.Beyond(Point("", "", "mysql-bin.000002:501")));
  EXPECT_TRUE(*t.Beyond(Point("", "", "mysql-bin.000010:4")));  // 10 > 2, not "0000010" < "0000002"
  EXPECT_TRUE(t.Reached(Point("", "", "mysql-bin.000002:500")));
  EXPECT_FALSE(t.Reached(Point("", "", "mysql-bin.000002:499")));
  EXPECT_TRUE(t.PassedBy(Point("", "", "mysql-bin.000003:4")));
}

}  // namespace
}  // namespace vomsrepl::lifecycle
