#include "binlog/compression.h"

#include <zlib.h>
#include <zstd.h>

#include <string>

namespace vomsrepl::binlog {

// MariaDB sql/log_event.cc binlog_buf_uncompress: byte 0 = 0x80 | n (bits
// 0..2: n = 1..4 length bytes, big-endian uncompressed length), then zlib.
Status UncompressMariadbPayload(Bytes in, std::vector<std::byte>& out, size_t max_size) {
  if (in.empty()) return Corruption("compressed event: empty payload");
  uint8_t head = std::to_integer<uint8_t>(in[0]);
  size_t lenlen = head & 0x07;
  if ((head & 0x80) == 0 || lenlen < 1 || lenlen > 4)
    return Corruption("compressed event: bad header byte " + std::to_string(head) +
                      " (expected 0x80 | n, n = 1..4 length bytes)");
  if (in.size() < 1 + lenlen) return Corruption("compressed event: truncated length field");
  uint64_t declared = 0;
  for (size_t i = 0; i < lenlen; ++i) declared = (declared << 8) | std::to_integer<uint8_t>(in[1 + i]);
  if (declared > max_size)
    return DataLoss("compressed event declares " + std::to_string(declared) + " bytes, above the limit of " +
                    std::to_string(max_size));
  // Deflate expands at most 1032:1 (RFC 1951: a 258-byte match per 2 bits at
  // best), so a larger declared size is a lie: refuse it before allocating it.
  const Bytes src = in.subspan(1 + lenlen);
  if (declared > uint64_t(src.size()) * 1032 + 64)
    return Corruption("compressed event declares " + std::to_string(declared) + " bytes from " +
                      std::to_string(src.size()) + " compressed bytes, more than zlib can expand (1032:1)");
  out.resize(declared);
  uLongf dest_len = uLongf(declared);
  int rc = ::uncompress(reinterpret_cast<Bytef*>(out.data()), &dest_len,
                        reinterpret_cast<const Bytef*>(src.data()), uLong(src.size()));
  if (rc != Z_OK) return Corruption("compressed event: zlib error " + std::to_string(rc));
  if (dest_len != declared)
    return Corruption("compressed event: declared " + std::to_string(declared) + " bytes, got " +
                      std::to_string(dest_len));
  return Status::OK();
}

// MySQL libbinlogevents compression/zstd_dec.cpp: one zstd frame.
Status UncompressZstdPayload(Bytes in, uint64_t uncompressed_size, std::vector<std::byte>& out, size_t max_size) {
  unsigned long long frame_size = ZSTD_getFrameContentSize(in.data(), in.size());
  if (frame_size == ZSTD_CONTENTSIZE_ERROR) return Corruption("transaction payload: not a zstd frame");
  uint64_t size = uncompressed_size;
  if (frame_size != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (size != 0 && size != frame_size)
      return Corruption("transaction payload: header says " + std::to_string(size) +
                        " uncompressed bytes, zstd frame says " + std::to_string(frame_size));
    size = frame_size;
  }
  if (size > max_size)
    return DataLoss("transaction payload of " + std::to_string(size) + " bytes is above the limit of " +
                    std::to_string(max_size));
  // A zstd block yields at most 128 KiB and costs at least 4 bytes (an RLE
  // block), so a frame expands at most 32768:1: refuse a larger size before
  // allocating it.
  if (size > uint64_t(in.size()) * 32768 + (128 << 10))
    return Corruption("transaction payload declares " + std::to_string(size) + " bytes from " +
                      std::to_string(in.size()) + " compressed bytes, more than zstd can expand (32768:1)");
  out.resize(size);
  size_t got = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  if (ZSTD_isError(got)) return Corruption(std::string("transaction payload: zstd: ") + ZSTD_getErrorName(got));
  if (got != size)
    return Corruption("transaction payload: expected " + std::to_string(size) + " bytes, zstd gave " +
                      std::to_string(got));
  return Status::OK();
}

}  // namespace vomsrepl::binlog
