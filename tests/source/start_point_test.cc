#include "source/start_point.h"

#include <gtest/gtest.h>

#include "source/file_stream.h"

namespace vomsrepl::source {
namespace {

TEST(StartPoint, ParsesTheStartSyntaxAndPrintsItBack) {
  struct Case {
    std::string text;
    StartFrom from;
    std::string back;
  };
  for (const Case& c : std::vector<Case>{{"", StartFrom::kMasterCurrent, "current"},
                                         {"current", StartFrom::kMasterCurrent, "current"},
                                         {"oldest", StartFrom::kOldestBinlog, "oldest"},
                                         {"mysql-bin.000003:1234", StartFrom::kPosition, "mysql-bin.000003:1234"},
                                         {"gtid:0-1-100,1-1-5", StartFrom::kGtid, "gtid:0-1-100,1-1-5"}}) {
    SCOPED_TRACE(c.text);
    auto p = StartPoint::Parse(c.text);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->from, c.from);
    EXPECT_EQ(p->ToString(), c.back);
    auto again = StartPoint::Parse(p->ToString());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->ToString(), c.back);
  }
  auto pos = StartPoint::Parse("mysql-bin.000003:1234");
  EXPECT_EQ(pos->position.file, "mysql-bin.000003");
  EXPECT_EQ(pos->position.offset, 1234u);
  EXPECT_EQ(StartPoint::Parse("gtid:0-1-100")->gtids.ToString(), "0-1-100");
}

TEST(StartPoint, RefusesWhatIsNoStartPoint) {
  for (const char* bad : {"latest", "mysql-bin.000003", "gtid:x", "gtid:0-1", ":4", "a/b.000001:4"}) {
    auto p = StartPoint::Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_NE(StartPoint::Parse("latest").status().message().find("expected \"current\", \"oldest\""),
            std::string_view::npos);
}

TEST(StartPoint, AfterATransactionPrefersItsGtidState) {
  const BinlogPosition end{"m.000002", 900};
  StartPoint by_gtid = StartPoint::After(*MariadbGtidList::Parse("0-1-7"), end);
  EXPECT_EQ(by_gtid.from, StartFrom::kGtid);
  EXPECT_EQ(by_gtid.Describe(), "after GTID 0-1-7");
  StartPoint by_position = StartPoint::After(MariadbGtidList(), end);
  EXPECT_EQ(by_position.from, StartFrom::kPosition);
  EXPECT_EQ(by_position.Describe(), "at m.000002:900");
}

TEST(StartPoint, BinlogFilesStartAtGtidsOrAtAPositionOfTheirFirstFile) {
  FileStreamOptions o;
  o.files = {"/var/lib/mysql/m.000002", "/var/lib/mysql/m.000003"};
  ASSERT_TRUE(o.SetStart(StartPoint::AtPosition({"m.000002", 900})).ok());
  EXPECT_EQ(o.start_position, 900u);
  EXPECT_TRUE(o.start_gtids.empty());

  FileStreamOptions g;
  g.files = o.files;
  ASSERT_TRUE(g.SetStart(StartPoint::AfterGtids(*MariadbGtidList::Parse("0-1-7"))).ok());
  EXPECT_EQ(g.start_gtids.ToString(), "0-1-7");
  EXPECT_FALSE(g.start_position.has_value());

  Status other = o.SetStart(StartPoint::AtPosition({"m.000001", 4}));
  EXPECT_EQ(other.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(other.message().find("must start with m.000001"), std::string_view::npos) << other.ToString();
  EXPECT_EQ(o.SetStart(StartPoint::Current()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(o.SetStart(StartPoint::Oldest()).code(), StatusCode::kInvalidArgument);
  FileStreamOptions none;
  EXPECT_EQ(none.SetStart(StartPoint::AtPosition({"m.000001", 4})).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace vomsrepl::source
