// SandboxFixture: the GoogleTest fixture base of the integration test programs.
// SetUp() loads $VOMSREPL_SANDBOX_DIR/sandbox.env (sandbox_client.h) into env_
// and fails the test when it cannot. A derived SetUp() calls it first:
//   void SetUp() override {
//     SandboxFixture::SetUp();
//     if (HasFatalFailure()) return;
//     ...
#pragma once

#include <string>
#include <utility>

#include <gtest/gtest.h>

#include "sandbox_client.h"

namespace vomsrepl::testing {

class SandboxFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    auto env = SandboxEnv::FromEnvironment(&error);
    ASSERT_TRUE(env.has_value()) << error;
    env_ = std::move(*env);
  }

  SandboxEnv env_;
};

}  // namespace vomsrepl::testing
