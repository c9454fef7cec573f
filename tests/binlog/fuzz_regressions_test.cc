// Inputs found by the libFuzzer targets of tests/fuzz, each once a crash or
// undefined behaviour (seen under the ASan + UBSan builds); here they must
// decode to a clear result. The bytes are the fuzzers' inputs minus the
// target-selector byte of event_fuzzer.
#include <gtest/gtest.h>

#include "binlog/format_description.h"
#include <string>

#include "rows_test_util.h"

namespace vomsrepl::binlog {
namespace {

using testing::ByteBuilder;

// FDE of a pre-5.6.1 server (no checksum-algorithm byte) with no post-header
// lengths at all: memcpy was called with the null data() of an empty vector.
TEST(FuzzRegression, FormatDescriptionWithoutPostHeaderLengths) {
  ByteBuilder b;
  b.U16(4).Raw("5.0.1").Raw(std::string(45, '\0')).U32(0).U8(19);
  ASSERT_EQ(b.size(), 57u);  // version, server version, timestamp, header length: nothing after
  auto fde = DecodeFormatDescription(b.span());
  ASSERT_TRUE(fde.ok()) << fde.status().ToString();
  EXPECT_EQ(fde->server_version, "5.0.1");
  EXPECT_TRUE(fde->post_header_lengths.empty());
  EXPECT_EQ(fde->PostHeaderLength(EventType::kTableMap), 0);

  // The fuzzer's own input (server version "5.\x11", header length 46).
  ByteBuilder found;
  found.Bytes1({0x04, 0x00, 0x35, 0x2e, 0x11, 0x00, 0x00, 0x00, 0x0e, 0x0a, 0x00, 0x0a, 0x98, 0x98, 0x98, 0x98,
            0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x0a, 0x2a, 0x2a, 0x00, 0x12, 0x33, 0x00,
            0x0a, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98, 0x98,
            0x98, 0x98, 0x98, 0x28, 0x01, 0x60, 0x9f, 0x00, 0x2e});
  ASSERT_EQ(found.size(), 57u);
  EXPECT_FALSE(DecodeFormatDescription(found.span()).ok());
}

}  // namespace
}  // namespace vomsrepl::binlog
