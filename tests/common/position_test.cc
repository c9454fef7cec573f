#include <vomsrepl/position.h>

#include <gtest/gtest.h>

namespace vomsrepl {
namespace {

TEST(BinlogPosition, ParsesAndFormats) {
  auto p = BinlogPosition::Parse("mysql-bin.000042:1234");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->file, "mysql-bin.000042");
  EXPECT_EQ(p->offset, 1234u);
  EXPECT_EQ(p->ToString(), "mysql-bin.000042:1234");
}

TEST(BinlogPosition, RejectsBadInput) {
  EXPECT_FALSE(BinlogPosition::Parse("nocolon").ok());
  EXPECT_FALSE(BinlogPosition::Parse(":4").ok());
  EXPECT_FALSE(BinlogPosition::Parse("f:").ok());
  EXPECT_FALSE(BinlogPosition::Parse("f:12x").ok());
  EXPECT_FALSE(BinlogPosition::Parse("../etc/f:4").ok());
  EXPECT_EQ(BinlogPosition::Parse("f:-1").status().code(), StatusCode::kInvalidArgument);
}

TEST(MariadbGtid, ParsesList) {
  auto l = MariadbGtidList::Parse("1-3-7, 0-1-42");
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->ToString(), "0-1-42,1-3-7");
  EXPECT_TRUE(l->Contains(MariadbGtid{0, 9, 42}));
  EXPECT_FALSE(l->Contains(MariadbGtid{0, 1, 43}));
  EXPECT_FALSE(l->Contains(MariadbGtid{2, 1, 1}));
  EXPECT_FALSE(MariadbGtidList::Parse("0-1-1,0-2-2").ok());
  EXPECT_FALSE(MariadbGtidList::Parse("0-1").ok());
  EXPECT_FALSE(MariadbGtidList::Parse("a-b-c").ok());
  EXPECT_TRUE(MariadbGtidList::Parse("").ok());
}

}  // namespace
}  // namespace vomsrepl
