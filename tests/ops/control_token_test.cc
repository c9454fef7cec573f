// The control token file: created 0600 with 64 hex digits from the CSPRNG,
// read back unchanged, refused when others may read it, when it is a
// symlink or too short; the bearer comparison accepts exactly the token.
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "ops/control_token.h"
#include "scratch_dir_test.h"

namespace vomsrepl::ops {
namespace {

class ControlTokenTest : public testing::ScratchDirTest {
 protected:
  ControlTokenTest() : ScratchDirTest("token") {}
  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
};

TEST_F(ControlTokenTest, CreatedOnceWith0600AndReadBack) {
  const std::string path = dir_ + "/http.token";
  EXPECT_EQ(ReadControlToken(path).status().code(), StatusCode::kNotFound);
  auto first = LoadOrCreateControlToken(path);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 64u);
  EXPECT_EQ(first->find_first_not_of("0123456789abcdef"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Not replaced on the next start; the client reads the same.
  EXPECT_EQ(*LoadOrCreateControlToken(path), *first);
  EXPECT_EQ(*ReadControlToken(path), *first);
  // Another file gets another token.
  EXPECT_NE(*LoadOrCreateControlToken(dir_ + "/other.token"), *first);
}

TEST_F(ControlTokenTest, OperatorTokenWithNewlineIsAccepted) {
  const std::string token = "0123456789abcdefghijklmnopqrstuvwxyzABCD";
  auto read = ReadControlToken(Write("t", token + "\n", 0600));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, token);
}

TEST_F(ControlTokenTest, RefusesLooseModeShortTokenAndSymlink) {
  const std::string token(40, 'a');
  auto loose = ReadControlToken(Write("loose", token, 0640));
  EXPECT_EQ(loose.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(loose.status().message()).find("chmod 600"), std::string::npos) << loose.status().ToString();
  EXPECT_EQ(std::string(loose.status().message()).find(token), std::string::npos) << "the token was echoed";
  // LoadOrCreate does not replace a file it refuses.
  EXPECT_EQ(LoadOrCreateControlToken(dir_ + "/loose").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadControlToken(Write("short", "abc123", 0600)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadControlToken(Write("spaces", std::string(20, 'a') + " " + std::string(20, 'b'), 0600)).status().code(),
            StatusCode::kInvalidArgument);
  std::string target = Write("target", token, 0600);
  ASSERT_EQ(::symlink(target.c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(ReadControlToken(dir_ + "/link").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadOrCreateControlToken(dir_ + "/link").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadControlToken(dir_).status().code(), StatusCode::kInvalidArgument);  // a directory
}

TEST(BearerMatchesTest, ExactTokenOnly) {
  const std::string token(64, 'f');
  EXPECT_TRUE(BearerMatches("Bearer " + token, token));
  EXPECT_TRUE(BearerMatches("bearer " + token, token));  // the scheme is case-insensitive
  EXPECT_FALSE(BearerMatches("", token));
  EXPECT_FALSE(BearerMatches("Bearer ", token));
  EXPECT_FALSE(BearerMatches("Bearer " + token.substr(1), token));
  EXPECT_FALSE(BearerMatches("Bearer " + token + "f", token));
  EXPECT_FALSE(BearerMatches("Bearer " + token.substr(0, 63) + "e", token));
  EXPECT_FALSE(BearerMatches("Basic " + token, token));
  EXPECT_FALSE(BearerMatches(token, token));
  EXPECT_FALSE(BearerMatches("Bearer ", ""));  // an empty token matches nothing
}

}  // namespace
}  // namespace vomsrepl::ops
