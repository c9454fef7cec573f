#include "binlog/format_description.h"

#include <cstring>

namespace vomsrepl::binlog {
namespace {

constexpr size_t kServerVersionLength = 50;
constexpr size_t kFdeFixedPart = 2 + kServerVersionLength + 4 + 1;  // before the post-header lengths

void ParseVersion(std::string_view v, uint32_t* major, uint32_t* minor, uint32_t* patch) {
  uint32_t parts[3] = {0, 0, 0};
  size_t i = 0;
  for (int k = 0; k < 3; ++k) {
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') parts[k] = parts[k] * 10 + uint32_t(v[i++] - '0');
    if (i >= v.size() || v[i] != '.') break;
    ++i;
  }
  *major = parts[0];
  *minor = parts[1];
  *patch = parts[2];
}

// Server versions whose FDE carries the checksum-algorithm byte: MySQL 5.6.1+
// (libbinlogevents checksum_version_split) and MariaDB 5.3+.
bool HasChecksumAlgByte(const FormatDescription& f) {
  if (f.IsMariaDB()) return f.AtLeast(5, 3, 0);
  return f.AtLeast(5, 6, 1);
}

}  // namespace

void ReadServerVersion(std::string_view version, FormatDescription* f) {
  f->server_version = std::string(version);
  f->flavor = version.find("MariaDB") != std::string_view::npos ? ServerFlavor::kMariaDB : ServerFlavor::kMySQL;
  ParseVersion(version, &f->version_major, &f->version_minor, &f->version_patch);
}

bool CarriesChecksumAlgByte(const FormatDescription& f) { return HasChecksumAlgByte(f); }

FormatDescription FormatDescription::DefaultV4() {
  // Post-header lengths of a MySQL 5.6 server (libbinlogevents
  // Format_description_event ctor); only used until the first FDE arrives.
  FormatDescription f;
  f.post_header_lengths = {
      56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 0, 0, 0, 0, 84, 0, 4, 26, 8, 0, 0, 0, 8, 8, 8, 2, 0, 0, 0, 10, 10, 10, 42, 42, 0};
  return f;
}

namespace {

// The post-header lengths may be empty: memcpy must not see the null data()
// of an empty span or vector (found by tests/fuzz).
void CopyLengths(Bytes lens, std::vector<uint8_t>& out) {
  out.resize(lens.size());
  if (!lens.empty()) std::memcpy(out.data(), lens.data(), lens.size());
}

}  // namespace

// MySQL libbinlogevents control_events.cpp Format_description_event; MariaDB
// sql/log_event.cc Format_description_log_event.
Result<FormatDescription> DecodeFormatDescription(Bytes body) {
  ByteCursor c(body);
  FormatDescription f;
  f.binlog_version = c.ReadU16();
  std::string_view raw_version = c.ReadString(kServerVersionLength);
  f.create_timestamp = c.ReadU32();
  f.common_header_length = c.ReadU8();
  if (!c.ok()) return Corruption("FORMAT_DESCRIPTION event too short (" + std::to_string(body.size()) + " bytes)");
  if (f.binlog_version != 4)
    return NotSupported("binlog version " + std::to_string(f.binlog_version) +
                        " (only v4, MySQL 5.0+ and MariaDB, is supported)");
  if (f.common_header_length < EventHeader::kSize)
    return Corruption("FORMAT_DESCRIPTION common header length " + std::to_string(f.common_header_length) +
                      " is below 19");
  if (f.common_header_length != EventHeader::kSize)
    return NotSupported("FORMAT_DESCRIPTION common header length " + std::to_string(f.common_header_length) +
                        " (only the 19-byte v4 header is supported)");
  size_t nul = raw_version.find('\0');
  ReadServerVersion(raw_version.substr(0, nul), &f);

  size_t rest = c.remaining();
  if (HasChecksumAlgByte(f)) {
    // ... post-header lengths, the alg byte, and 4 checksum bytes (the CRC32
    // when alg is CRC32, else zeros): the alg byte is always 5 bytes from the
    // end (MySQL Log_event_footer::get_checksum_alg).
    if (rest < 5) return Corruption("FORMAT_DESCRIPTION: missing checksum algorithm byte");
    uint8_t alg = std::to_integer<uint8_t>(body[body.size() - 5]);
    if (alg == uint8_t(ChecksumAlg::kCrc32)) {
      f.checksum = ChecksumAlg::kCrc32;
    } else if (alg == uint8_t(ChecksumAlg::kOff) || alg == uint8_t(ChecksumAlg::kUndefined)) {
      f.checksum = alg == 0 ? ChecksumAlg::kOff : ChecksumAlg::kUndefined;
    } else {
      return Corruption("FORMAT_DESCRIPTION: unknown checksum algorithm " + std::to_string(alg));
    }
    Bytes lens = c.ReadBytes(rest - 5);
    CopyLengths(lens, f.post_header_lengths);
  } else {
    CopyLengths(c.ReadRest(), f.post_header_lengths);
    f.checksum = ChecksumAlg::kOff;
  }
  if (!c.ok()) return Corruption("FORMAT_DESCRIPTION truncated");
  return f;
}

}  // namespace vomsrepl::binlog
