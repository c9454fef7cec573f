#include "journal/state_dir_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace vomsrepl::journal {
namespace {

TEST(StateDirLock, SecondAcquireFailsUntilReleased) {
  char tmpl[] = "/tmp/vomsrepl-lock-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/state";
  {
    auto first = StateDirLock::Acquire(dir);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto second = StateDirLock::Acquire(dir);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(second.status().message().find(std::to_string(::getpid())), std::string::npos);
  }
  {
    auto again = StateDirLock::Acquire(dir);
    EXPECT_TRUE(again.ok());
  }
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace vomsrepl::journal
