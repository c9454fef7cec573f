// The verify report's JSON stays valid whatever bytes a key holds: a key
// value that is not UTF-8 (binary or latin1 keys) is written as
// "base64:<RFC 4648>", UTF-8 ones as JSON strings.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "binlog/value_text.h"
#include "lifecycle/verifier.h"

namespace vomsrepl::lifecycle {
namespace {

std::string JsonOf(const VerifyReport& report) {
  char* buf = nullptr;
  size_t len = 0;
  std::FILE* f = open_memstream(&buf, &len);
  WriteVerifyJson(report, f);
  std::fclose(f);
  std::string out(buf, len);
  std::free(buf);
  return out;
}

TEST(VerifyReport, KeysThatAreNotUtf8AreBase64) {
  VerifyReport report;
  report.replicas = {"replica1"};
  TableVerdict v;
  v.replica = "replica1";
  v.master_database = v.replica_database = "voms_x";
  v.table = "t";
  v.key_columns = {"k"};
  v.differing_chunks = 1;
  v.keys_total = 2;
  v.keys.push_back({KeyDifferenceKind::kDifferentValues, {std::string("caf\xe9", 4)}});  // latin1 é
  v.keys.push_back({KeyDifferenceKind::kMissingOnReplica, {"caf\xc3\xa9 \"q\""}});       // UTF-8 é
  report.tables.push_back(v);
  std::string json = JsonOf(report);
  EXPECT_TRUE(binlog::IsUtf8(json)) << json;
  EXPECT_NE(json.find("\"key\":[\"base64:Y2Fm6Q==\"]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"key\":[\"caf\xc3\xa9 \\\"q\\\"\"]"), std::string::npos) << json;
}

}  // namespace
}  // namespace vomsrepl::lifecycle
