// ScratchDirTest: a GoogleTest fixture with a fresh directory of its own under
// /tmp (dir_ = /tmp/vomsrepl-PREFIX-XXXXXX), made by SetUp() and removed with
// everything in it by TearDown(). A derived SetUp() calls ScratchDirTest::SetUp()
// first and returns on a fatal failure; a derived TearDown() calls
// ScratchDirTest::TearDown() last.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include <gtest/gtest.h>

namespace vomsrepl::ops::testing {

class ScratchDirTest : public ::testing::Test {
 protected:
  explicit ScratchDirTest(std::string prefix) : prefix_(std::move(prefix)) {}

  void SetUp() override {
    std::string tmpl = "/tmp/vomsrepl-" + prefix_ + "-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;

 private:
  std::string prefix_;
};

}  // namespace vomsrepl::ops::testing
