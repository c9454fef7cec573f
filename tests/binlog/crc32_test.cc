// CRC32 of binlog events: ISA-L (when built with it) must give exactly
// zlib's crc32 values, including chaining from a non-zero CRC: the two
// libraries use different init/xor conventions internally.
#include "binlog/crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <vector>

namespace vomsrepl::binlog {
namespace {

uint32_t Zlib(uint32_t crc, const std::vector<std::byte>& v, size_t off, size_t n) {
  return uint32_t(::crc32(crc, reinterpret_cast<const Bytef*>(v.data() + off), uInt(n)));
}

TEST(Crc32, KnownValues) {
  // The CRC-32/ISO-HDLC check value of "123456789".
  std::string_view check = "123456789";
  EXPECT_EQ(Crc32(0, AsBytes(check)), 0xCBF43926u);
  EXPECT_EQ(Crc32(0, Bytes()), 0u);
  EXPECT_EQ(Crc32(0x12345678u, Bytes()), 0x12345678u);  // empty input leaves the CRC alone
}

TEST(Crc32, IdenticalToZlibForEveryLengthAndAlignment) {
  std::mt19937 rng(42);
  std::vector<std::byte> buf(5000);
  for (auto& b : buf) b = std::byte(uint8_t(rng()));
  for (size_t n = 0; n < 600; ++n)
    for (size_t off : {0u, 1u, 3u, 7u})
      ASSERT_EQ(Crc32(0, Bytes(buf.data() + off, n)), Zlib(0, buf, off, n)) << "n=" << n << " off=" << off;
  for (size_t n : {1000u, 4096u, 4999u}) EXPECT_EQ(Crc32(0, Bytes(buf.data(), n)), Zlib(0, buf, 0, n)) << n;
}

TEST(Crc32, ChainsLikeZlib) {
  std::mt19937 rng(7);
  std::vector<std::byte> buf(1000);
  for (auto& b : buf) b = std::byte(uint8_t(rng()));
  for (size_t split : {0u, 1u, 17u, 300u, 999u, 1000u}) {
    uint32_t a = Crc32(0, Bytes(buf.data(), split));
    EXPECT_EQ(Crc32(a, Bytes(buf.data() + split, buf.size() - split)), Crc32(0, Bytes(buf.data(), buf.size())));
    EXPECT_EQ(Crc32(0xdeadbeefu, Bytes(buf.data(), split)), Zlib(0xdeadbeefu, buf, 0, split));
  }
}

TEST(Crc32, AllZeroAndAllOnes) {
  for (uint8_t fill : {uint8_t(0), uint8_t(0xff)}) {
    std::vector<std::byte> buf(257, std::byte(fill));
    EXPECT_EQ(Crc32(0, Bytes(buf.data(), buf.size())), Zlib(0, buf, 0, buf.size()));
  }
}

}  // namespace
}  // namespace vomsrepl::binlog
