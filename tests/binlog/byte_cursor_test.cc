#include "binlog/byte_cursor.h"

#include <gtest/gtest.h>

#include <array>
#include <vomsrepl/status.h>

namespace vomsrepl::binlog {
namespace {

Bytes B(const std::array<uint8_t, 12>& a) { return {reinterpret_cast<const std::byte*>(a.data()), a.size()}; }

TEST(ByteCursor, ReadsLittleEndian) {
  std::array<uint8_t, 12> data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
  ByteCursor c(B(data));
  EXPECT_EQ(c.ReadU8(), 0x01);
  EXPECT_EQ(c.ReadU16(), 0x0302);
  EXPECT_EQ(c.ReadU24(), 0x060504u);
  EXPECT_EQ(c.ReadU32(), 0x0a090807u);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.remaining(), 2u);
}

TEST(ByteCursor, OverrunIsStickyAndReturnsZero) {
  std::array<uint8_t, 12> data{};
  data.fill(0xff);
  ByteCursor c(B(data));
  c.Skip(10);
  EXPECT_EQ(c.ReadU32(), 0u);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.ReadU8(), 0u);  // still failed, even though nothing is left anyway
  EXPECT_TRUE(c.ReadBytes(1).empty());
  EXPECT_FALSE(c.ok());
}

TEST(ByteCursor, PackedIntegers) {
  std::array<uint8_t, 12> data{0xfa, 0xfc, 0x34, 0x12, 0xfd, 0x01, 0x02, 0x03, 0xfb, 0, 0, 0};
  ByteCursor c(B(data));
  EXPECT_EQ(c.ReadPackedInt(), 0xfau);
  EXPECT_EQ(c.ReadPackedInt(), 0x1234u);
  EXPECT_EQ(c.ReadPackedInt(), 0x030201u);
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.ReadPackedInt(), 0u);  // 0xfb (NULL marker) is invalid here
  EXPECT_FALSE(c.ok());
}

TEST(ByteCursor, NulTerminatedNeedsTerminator) {
  std::array<uint8_t, 12> data{'a', 'b', 0, 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'};
  ByteCursor c(B(data));
  EXPECT_EQ(c.ReadNulTerminated(), "ab");
  EXPECT_TRUE(c.ok());
  EXPECT_EQ(c.ReadNulTerminated(), "");
  EXPECT_FALSE(c.ok());
}

TEST(ByteCursor, BigEndianLoads) {
  std::array<uint8_t, 12> data{0x80, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(LoadBE<3>(reinterpret_cast<const std::byte*>(data.data())), 0x800001u);
}

TEST(Status, OkAllocatesNothingAndCarriesCodes) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(ok.ToString(), "OK");
  Status bad = Corruption("bad CRC at mysql-bin.000001:4");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.code(), StatusCode::kCorruption);
  EXPECT_EQ(bad.ToString(), "Corruption: bad CRC at mysql-bin.000001:4");
  EXPECT_EQ(bad.WithContext("dump").message(), "dump: bad CRC at mysql-bin.000001:4");
  Result<int> r = NotFound("x");
  EXPECT_FALSE(r.ok());
  Result<std::string> s = std::string("v");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "v");
}

}  // namespace
}  // namespace vomsrepl::binlog
