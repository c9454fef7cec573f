// Helpers shared by table_map_test, rows_event_test and rows_fixtures_test:
// byte builders for TABLE_MAP / rows bodies, and a minimal walker over a
// binlog file (magic, then events by header.event_length; the FDE's CRC32 is
// detected by checking it) so the rows tests do not depend on the framing code.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/event.h>

#include "binlog/byte_cursor.h"
#include "binlog/column_type.h"
#include "binlog/format_description.h"

namespace vomsrepl::binlog::testing {

// Bytes written as small integers (each 0..255): B({0x80, 0x00, 0x7b}).
inline std::vector<std::byte> B(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int x : v) out.push_back(std::byte(uint8_t(x)));
  return out;
}

class ByteBuilder {
 public:
  ByteBuilder& U8(uint64_t v) { return Int(v, 1); }
  ByteBuilder& U16(uint64_t v) { return Int(v, 2); }
  ByteBuilder& U32(uint64_t v) { return Int(v, 4); }
  ByteBuilder& U64(uint64_t v) { return Int(v, 8); }
  ByteBuilder& Int(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b_.push_back(std::byte(uint8_t(v >> (8 * i))));
    return *this;
  }
  ByteBuilder& Packed(uint64_t v) {
    if (v < 251) return U8(v);
    if (v < 65536) return U8(0xfc).U16(v);
    if (v < (1u << 24)) return U8(0xfd).Int(v, 3);
    return U8(0xfe).Int(v, 8);
  }
  ByteBuilder& Raw(std::string_view s) {
    for (char ch : s) b_.push_back(std::byte(uint8_t(ch)));
    return *this;
  }
  ByteBuilder& Raw(const std::vector<std::byte>& v) {
    b_.insert(b_.end(), v.begin(), v.end());
    return *this;
  }
  ByteBuilder& Bytes1(std::initializer_list<uint8_t> bytes) {
    for (uint8_t x : bytes) b_.push_back(std::byte(x));
    return *this;
  }
  ByteBuilder& PackedString(std::string_view s) { return Packed(s.size()).Raw(s); }
  // Optional-metadata TLV.
  ByteBuilder& Tlv(uint8_t type, const ByteBuilder& value) {
    U8(type).Packed(value.size());
    return Raw(value.bytes());
  }
  size_t size() const { return b_.size(); }
  const std::vector<std::byte>& bytes() const { return b_; }
  Bytes span() const { return {b_.data(), b_.size()}; }

 private:
  std::vector<std::byte> b_;
};

// An FDE as MySQL 8 / MariaDB 10.11 write it (post-header lengths that matter here).
inline FormatDescription TestFde(uint8_t table_map_post_header = 8) {
  FormatDescription fde;
  fde.binlog_version = 4;
  fde.server_version = "8.0.40";
  fde.version_major = 8;
  fde.version_minor = 0;
  fde.version_patch = 40;
  fde.post_header_lengths.assign(41, 0);
  auto set = [&](EventType t, uint8_t n) { fde.post_header_lengths[size_t(t) - 1] = n; };
  set(EventType::kTableMap, table_map_post_header);
  for (EventType t : {EventType::kPreGaWriteRows, EventType::kPreGaUpdateRows, EventType::kPreGaDeleteRows,
                      EventType::kWriteRowsV1, EventType::kUpdateRowsV1, EventType::kDeleteRowsV1})
    set(t, table_map_post_header == 6 ? 6 : 8);
  for (EventType t : {EventType::kWriteRowsV2, EventType::kUpdateRowsV2, EventType::kDeleteRowsV2,
                      EventType::kPartialUpdateRows})
    set(t, 10);
  return fde;
}

inline std::vector<std::byte> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(raw.size());
  if (!raw.empty()) std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

inline std::string FixturePath(const std::string& rel) { return std::string(VOMSREPL_TEST_DATA_DIR) + "/binlogs/" + rel; }

struct WalkedEvent {
  EventType type;
  size_t offset;        // of the header in the file
  size_t index;         // 0-based event number in the file
  Bytes body;           // after the 19-byte header, CRC stripped
  const FormatDescription* fde;
};

// Minimal FDE parse for the tests: version, post-header lengths, checksum
// (detected by verifying the trailing CRC32 with zlib).
inline FormatDescription ParseFdeForTest(Bytes event) {
  FormatDescription fde;
  Bytes body = event.subspan(19);
  fde.binlog_version = uint16_t(LoadLE<2>(body.data()));
  std::string_view ver = AsStringView(body.subspan(2, 50));
  fde.server_version = std::string(ver.substr(0, ver.find('\0')));
  fde.flavor = fde.server_version.find("MariaDB") != std::string::npos ? ServerFlavor::kMariaDB : ServerFlavor::kMySQL;
  size_t end = body.size();
  if (event.size() >= 19 + 57 + 5) {
    uint32_t stored = uint32_t(LoadLE<4>(event.data() + event.size() - 4));
    // The server computes the FDE's CRC with LOG_EVENT_BINLOG_IN_USE_F (0x1
    // of the flags at offset 17) cleared: a binlog still open has it set.
    std::vector<std::byte> copy(event.begin(), event.end() - 4);
    copy[17] &= std::byte{0xfe};
    uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(copy.data()), uInt(copy.size())));
    if (stored == crc) {
      fde.checksum = static_cast<ChecksumAlg>(std::to_integer<uint8_t>(event[event.size() - 5]));
      end -= 5;
    }
  }
  for (size_t i = 57; i < end; ++i) fde.post_header_lengths.push_back(std::to_integer<uint8_t>(body[i]));
  return fde;
}

// Calls fn for every event; returns false if the file ended mid-event.
inline bool WalkBinlog(const std::vector<std::byte>& file, const std::function<void(const WalkedEvent&)>& fn) {
  if (file.size() < 4) return false;
  FormatDescription fde = TestFde();
  size_t pos = 4, index = 0;
  while (pos < file.size()) {
    if (file.size() - pos < 19) return false;
    uint32_t len = uint32_t(LoadLE<4>(file.data() + pos + 9));
    if (len < 19 || len > file.size() - pos) return false;
    Bytes event(file.data() + pos, len);
    auto type = static_cast<EventType>(std::to_integer<uint8_t>(event[4]));
    if (type == EventType::kFormatDescription) fde = ParseFdeForTest(event);
    Bytes body = event.subspan(19);
    if (type != EventType::kFormatDescription && fde.HasChecksum() && body.size() >= 4)
      body = body.first(body.size() - 4);
    fn(WalkedEvent{type, pos, index, body, &fde});
    pos += len;
    ++index;
  }
  return true;
}

}  // namespace vomsrepl::binlog::testing
