// Helpers for the event tests: hand-built events and fixture files.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/event.h>

#include "binlog/byte_cursor.h"
#include "binlog/crc32.h"

namespace vomsrepl::binlog::testing {

inline std::string FixturePath(const std::string& rel) {
  return std::string(VOMSREPL_TEST_DATA_DIR) + "/binlogs/" + rel;
}

inline std::vector<std::byte> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> b(c.size());
  if (!c.empty()) std::memcpy(b.data(), c.data(), c.size());
  return b;
}

// Little-endian byte writer.
struct Buf {
  std::vector<std::byte> b;
  Buf& U8(uint64_t v) { return UN(v, 1); }
  Buf& U16(uint64_t v) { return UN(v, 2); }
  Buf& U24(uint64_t v) { return UN(v, 3); }
  Buf& U32(uint64_t v) { return UN(v, 4); }
  Buf& U56(uint64_t v) { return UN(v, 7); }
  Buf& U64(uint64_t v) { return UN(v, 8); }
  Buf& UN(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b.push_back(std::byte(uint8_t(v >> (8 * i))));
    return *this;
  }
  Buf& Str(std::string_view s) {
    for (char c : s) b.push_back(std::byte(uint8_t(c)));
    return *this;
  }
  Buf& Raw(const std::vector<std::byte>& v) {
    b.insert(b.end(), v.begin(), v.end());
    return *this;
  }
  Buf& Packed(uint64_t v) {
    if (v < 251) return U8(v);
    if (v < 65536) return U8(0xfc).U16(v);
    if (v < (1u << 24)) return U8(0xfd).U24(v);
    return U8(0xfe).U64(v);
  }
  Bytes bytes() const { return {b.data(), b.size()}; }
};

// A QUERY body (13-byte post-header): thread id, exec time 0, error 0.
inline Buf QueryBody(uint32_t thread_id, std::string_view db, const std::vector<std::byte>& status,
                     const std::vector<std::byte>& text) {
  Buf b;
  b.U32(thread_id).U32(0).U8(db.size()).U16(0).U16(status.size());
  b.Raw(status).Str(db).U8(0).Raw(text);
  return b;
}
inline Buf QueryBody(uint32_t thread_id, std::string_view db, const std::vector<std::byte>& status,
                     std::string_view text) {
  Buf t;
  t.Str(text);
  return QueryBody(thread_id, db, status, t.b);
}

// One whole event: 19-byte header + body (+ CRC32 of both when `crc`).
inline std::vector<std::byte> MakeEvent(EventType type, const std::vector<std::byte>& body, bool crc,
                                        uint32_t timestamp = 1700000000, uint32_t server_id = 1,
                                        uint32_t next_position = 0, uint16_t flags = 0) {
  Buf e;
  const uint32_t len = uint32_t(EventHeader::kSize + body.size() + (crc ? 4 : 0));
  e.U32(timestamp).U8(static_cast<uint8_t>(type)).U32(server_id).U32(len).U32(next_position).U16(flags);
  e.Raw(body);
  if (crc) e.U32(Crc32(0, e.bytes()));
  return e.b;
}

// A MariaDB 10.11 FORMAT_DESCRIPTION body (post-header lengths of that
// server, alg byte; the CRC32 is added by MakeEvent).
inline std::vector<std::byte> MariadbFdeBody(bool crc32) {
  Buf b;
  b.U16(4);
  std::string version = "10.11.6-MariaDB-log";
  version.resize(50, '\0');
  b.Str(version).U32(1700000000).U8(19);
  const uint8_t lens[] = {56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 0, 0, 0, 0, 84, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0,
                          0, 0, 10, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  for (uint8_t l : lens) b.U8(l);
  b.U8(crc32 ? 1 : 0);
  return b.b;
}

// A whole binlog file: magic + FDE + the given events (each already built).
inline std::vector<std::byte> MakeFile(const std::vector<std::vector<std::byte>>& events, bool crc32 = true) {
  Buf f;
  f.U8(0xfe).Str("bin");
  auto fde_body = MariadbFdeBody(crc32);
  if (!crc32) {  // alg NONE: 4 zero bytes stand where the CRC would be
    auto ev = MakeEvent(EventType::kFormatDescription, fde_body, false);
    uint32_t len = uint32_t(ev.size() + 4);
    std::memcpy(ev.data() + 9, &len, 4);
    ev.insert(ev.end(), 4, std::byte{0});
    f.Raw(ev);
  } else {
    f.Raw(MakeEvent(EventType::kFormatDescription, fde_body, true));
  }
  for (const auto& e : events) f.Raw(e);
  // Fix log_pos (end offset) of every event, and the CRCs after that.
  size_t pos = 4;
  while (pos + 19 <= f.b.size()) {
    uint32_t len = uint32_t(LoadLE<4>(f.b.data() + pos + 9));
    uint32_t next = uint32_t(pos + len);
    std::memcpy(f.b.data() + pos + 13, &next, 4);
    bool has_crc = crc32;
    if (has_crc) {
      uint32_t c = Crc32(0, Bytes(f.b.data() + pos, len - 4));
      std::memcpy(f.b.data() + pos + len - 4, &c, 4);
    }
    pos += len;
  }
  return f.b;
}

}  // namespace vomsrepl::binlog::testing
