// Decompression of compressed binlog payloads.
//
// MariaDB compressed events (QUERY_COMPRESSED, *_ROWS_COMPRESSED[_V1],
// log_bin_compress=ON): one header byte 0x80 | n (n = 1..4 bytes of
// uncompressed length, big-endian, follow), then a zlib stream.
// Format: MariaDB sql/log_event.cc binlog_buf_compress / binlog_buf_uncompress.
//
// MySQL TRANSACTION_PAYLOAD_EVENT with compression type ZSTD: a zstd frame
// holding whole events (MySQL libbinlogevents
// Transaction_payload_event, zstd_dec.cpp).
//
// Both decompress into a caller-owned buffer that is reused across events
// (no allocation on the steady state once it has grown). A declared size that
// does not match what decompresses is Corruption; a declared size above
// `max_size` is DataLoss-safe: refused with a clear error, never truncated.
#pragma once

#include <cstddef>
#include <vector>

#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

inline constexpr size_t kMaxUncompressedEventSize = size_t(1) << 30;  // 1 GiB, as max_allowed_packet

Status UncompressMariadbPayload(Bytes in, std::vector<std::byte>& out,
                                size_t max_size = kMaxUncompressedEventSize);

// `uncompressed_size` is the size the event header announces (0 = unknown).
Status UncompressZstdPayload(Bytes in, uint64_t uncompressed_size, std::vector<std::byte>& out,
                             size_t max_size = kMaxUncompressedEventSize);

}  // namespace vomsrepl::binlog
