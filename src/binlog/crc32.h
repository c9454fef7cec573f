// CRC32 of binlog events (binlog_checksum=CRC32): the IEEE polynomial,
// reflected, the same value as zlib's crc32(). Uses Intel ISA-L (PCLMUL,
// ~10 GB/s on 200-byte events here) when built with it, else zlib (~1.8 GB/s;
// FACTS.md).
#pragma once

#include <cstdint>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

// Continues a CRC32: Crc32(Crc32(0, a), b) == Crc32(0, a ++ b).
uint32_t Crc32(uint32_t crc, Bytes data);

}  // namespace vomsrepl::binlog
