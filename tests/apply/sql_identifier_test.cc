#include "apply/sql_identifier.h"

#include <gtest/gtest.h>

namespace vomsrepl::apply {
namespace {

TEST(SqlIdentifier, DoublesEmbeddedBackquotes) {
  EXPECT_EQ(QuoteIdentifier("voms_atlas"), "`voms_atlas`");
  EXPECT_EQ(QuoteIdentifier("a`b"), "`a``b`");
  EXPECT_EQ(QuoteIdentifier("``"), "``````");
  EXPECT_EQ(QuoteIdentifier("x; DROP TABLE y"), "`x; DROP TABLE y`");
}

TEST(SqlIdentifier, Validates) {
  EXPECT_TRUE(ValidateIdentifier("voms_atlas").ok());
  EXPECT_TRUE(ValidateIdentifier("t\xc3\xa9").ok());  // UTF-8 é
  EXPECT_FALSE(ValidateIdentifier("").ok());
  EXPECT_FALSE(ValidateIdentifier(std::string("a\0b", 3)).ok());
  EXPECT_FALSE(ValidateIdentifier("t\xc3").ok());
  EXPECT_FALSE(ValidateIdentifier("trailing ").ok());
  EXPECT_FALSE(ValidateIdentifier(std::string(65, 'a')).ok());
  EXPECT_TRUE(ValidateIdentifier(std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace vomsrepl::apply
