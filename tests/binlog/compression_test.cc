// Decompression of MariaDB compressed events (zlib with a length header) and
// MySQL TRANSACTION_PAYLOAD (zstd): round trips and every size mismatch.
#include "binlog/compression.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "binlog/events.h"
#include "event_test_util.h"

namespace vomsrepl::binlog {
namespace {

using testing::Buf;

// MariaDB binlog_buf_compress: 0x80 | n, n bytes of big-endian length, zlib.
std::vector<std::byte> MariadbCompress(std::string_view text, int lenlen, uint64_t declared) {
  std::vector<std::byte> out(1 + size_t(lenlen));
  out[0] = std::byte(uint8_t(0x80 | lenlen));
  for (int i = 0; i < lenlen; ++i) out[1 + size_t(i)] = std::byte(uint8_t(declared >> (8 * (lenlen - 1 - i))));
  uLongf clen = compressBound(uLong(text.size()));
  std::vector<std::byte> z(clen);
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(z.data()), &clen, reinterpret_cast<const Bytef*>(text.data()),
                     uLong(text.size())),
            Z_OK);
  out.insert(out.end(), z.begin(), z.begin() + long(clen));
  return out;
}

std::vector<std::byte> ZstdCompress(std::string_view text, bool with_size = true) {
  std::vector<std::byte> z(ZSTD_compressBound(text.size()));
  size_t n;
  if (with_size) {
    n = ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3);
  } else {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
    n = ZSTD_compress2(cctx, z.data(), z.size(), text.data(), text.size());
    ZSTD_freeCCtx(cctx);
  }
  EXPECT_FALSE(ZSTD_isError(n));
  z.resize(n);
  return z;
}

std::string_view View(const std::vector<std::byte>& v) { return AsStringView(Bytes(v.data(), v.size())); }
Bytes B(const std::vector<std::byte>& v) { return {v.data(), v.size()}; }

TEST(Compression, MariadbRoundTripEveryLengthWidth) {
  std::string text(70000, 'x');
  for (size_t i = 0; i < text.size(); ++i) text[i] = char('a' + (i * 7) % 26);
  std::vector<std::byte> out;
  for (int lenlen = 1; lenlen <= 4; ++lenlen) {
    std::string t = lenlen == 1 ? text.substr(0, 200) : lenlen == 2 ? text.substr(0, 60000) : text;
    auto packed = MariadbCompress(t, lenlen, t.size());
    ASSERT_TRUE(UncompressMariadbPayload(B(packed), out).ok()) << lenlen;
    EXPECT_EQ(View(out), t);
  }
  // The output buffer is reused: no reallocation for a smaller payload.
  const std::byte* data = out.data();
  auto small = MariadbCompress("BEGIN", 1, 5);
  ASSERT_TRUE(UncompressMariadbPayload(B(small), out).ok());
  EXPECT_EQ(View(out), "BEGIN");
  EXPECT_EQ(out.data(), data);
}

TEST(Compression, MariadbErrors) {
  std::string text = "INSERT INTO voms_x.t VALUES (1),(2),(3) /* padding padding padding */";
  std::vector<std::byte> out;
  auto longer = MariadbCompress(text, 1, text.size() + 1);
  Status s = UncompressMariadbPayload(B(longer), out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  auto shorter = MariadbCompress(text, 1, text.size() - 1);
  EXPECT_EQ(UncompressMariadbPayload(B(shorter), out).code(), StatusCode::kCorruption);
  auto bad_head = MariadbCompress(text, 1, text.size());
  bad_head[0] = std::byte{0x05};
  EXPECT_EQ(UncompressMariadbPayload(B(bad_head), out).code(), StatusCode::kCorruption);
  bad_head[0] = std::byte{0x85};  // 5 length bytes: invalid
  EXPECT_EQ(UncompressMariadbPayload(B(bad_head), out).code(), StatusCode::kCorruption);
  EXPECT_EQ(UncompressMariadbPayload(Bytes(), out).code(), StatusCode::kCorruption);
  auto header_only = MariadbCompress(text, 4, text.size());
  header_only.resize(3);
  EXPECT_EQ(UncompressMariadbPayload(B(header_only), out).code(), StatusCode::kCorruption);
  auto garbage = MariadbCompress(text, 1, text.size());
  for (size_t i = 2; i < garbage.size(); ++i) garbage[i] = std::byte{0x55};
  EXPECT_EQ(UncompressMariadbPayload(B(garbage), out).code(), StatusCode::kCorruption);
  auto fine = MariadbCompress(text, 1, text.size());
  EXPECT_EQ(UncompressMariadbPayload(B(fine), out, 10).code(), StatusCode::kDataLoss);  // above max_size
  // A size no deflate stream of this length can reach is refused before it is
  // allocated (a fuzzer's 47-byte event declared 2^30 - 1 bytes: 1 GiB zeroed).
  auto liar = MariadbCompress(text, 4, (uint64_t(1) << 30) - 1);
  s = UncompressMariadbPayload(B(liar), out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.ToString().find("more than zlib can expand"), std::string::npos) << s.ToString();
  EXPECT_LT(out.capacity(), size_t(1) << 20);
  // The most compressible input still fits the bound.
  std::string zeros(4 << 20, '\0');
  auto dense = MariadbCompress(zeros, 3, zeros.size());
  ASSERT_TRUE(UncompressMariadbPayload(B(dense), out).ok());
  EXPECT_EQ(out.size(), zeros.size());
}

TEST(Compression, ZstdRoundTripAndSizeChecks) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "event bytes " + std::to_string(i) + ";";
  std::vector<std::byte> out;
  auto z = ZstdCompress(text);
  ASSERT_TRUE(UncompressZstdPayload(B(z), text.size(), out).ok());
  EXPECT_EQ(View(out), text);
  ASSERT_TRUE(UncompressZstdPayload(B(z), 0, out).ok());  // size unknown to the event: frame says it
  EXPECT_EQ(View(out), text);
  Status s = UncompressZstdPayload(B(z), text.size() + 1, out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_EQ(UncompressZstdPayload(B(z), 0, out, 100).code(), StatusCode::kDataLoss);

  // A frame without a content size: the event's size is used and checked.
  auto nz = ZstdCompress(text, false);
  ASSERT_TRUE(UncompressZstdPayload(B(nz), text.size(), out).ok());
  EXPECT_EQ(View(out), text);
  EXPECT_FALSE(UncompressZstdPayload(B(nz), text.size() - 1, out).ok());

  auto trunc = z;
  trunc.resize(trunc.size() / 2);
  EXPECT_FALSE(UncompressZstdPayload(B(trunc), text.size(), out).ok());
  std::vector<std::byte> junk(64, std::byte{0x42});
  EXPECT_EQ(UncompressZstdPayload(B(junk), 10, out).code(), StatusCode::kCorruption);

  // A frame without a content size and an event header claiming 1 GiB: refused
  // before the allocation; the most compressible input still fits the bound.
  Status lie = UncompressZstdPayload(B(nz), uint64_t(1) << 30, out);
  EXPECT_EQ(lie.code(), StatusCode::kCorruption) << lie.ToString();
  EXPECT_NE(lie.ToString().find("more than zstd can expand"), std::string::npos) << lie.ToString();
  std::string zeros(16 << 20, '\0');
  auto dense = ZstdCompress(zeros, false);
  ASSERT_TRUE(UncompressZstdPayload(B(dense), zeros.size(), out).ok());
  EXPECT_EQ(out.size(), zeros.size());
}

// A MariaDB QUERY_COMPRESSED event built by hand: post-header, status
// variables, database, then the compressed query text.
TEST(Compression, QueryCompressedEventDecodes) {
  std::string query = "INSERT INTO t VALUES ('" + std::string(300, 'q') + "')";
  auto packed = MariadbCompress(query, 2, query.size());
  Buf status;
  status.U8(kQFlags2).U32(0x4000);
  Buf body = testing::QueryBody(77, "voms_x", status.b, packed);
  FormatDescription fde = FormatDescription::DefaultV4();
  std::vector<std::byte> scratch;
  auto q = DecodeQuery(EventType::kQueryCompressed, body.bytes(), fde, scratch);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->thread_id, 77u);
  EXPECT_EQ(q->database, "voms_x");
  EXPECT_EQ(q->flags2, 0x4000u);
  EXPECT_EQ(q->query, query);

  // Declared size off by one: a clear Corruption naming the event.
  auto bad = body;
  size_t at = 13 + 5 + 7;  // after post-header, status vars, "voms_x\0"
  bad.b[at + 2] = std::byte(uint8_t(std::to_integer<uint8_t>(bad.b[at + 2]) + 1));
  auto e = DecodeQuery(EventType::kQueryCompressed, bad.bytes(), fde, scratch);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
  EXPECT_NE(e.status().message().find("Query_compressed"), std::string_view::npos) << e.status().ToString();
}

}  // namespace
}  // namespace vomsrepl::binlog
