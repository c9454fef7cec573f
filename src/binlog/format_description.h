// FormatDescription: what the FORMAT_DESCRIPTION_EVENT (FDE) says about the
// events that follow it: header and post-header lengths, checksum algorithm,
// server flavour and version.
//
// Format: MySQL libbinlogevents/src/control_events.cpp
// Format_description_event; MariaDB sql/log_event.cc
// Format_description_log_event. The checksum algorithm byte (and the FDE's own
// CRC32) exist from MySQL 5.6.1 and MariaDB 5.3 on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <vomsrepl/event.h>
#include <vomsrepl/status.h>

#include "binlog/byte_cursor.h"

namespace vomsrepl::binlog {

enum class ChecksumAlg : uint8_t { kOff = 0, kCrc32 = 1, kUndefined = 255 };
enum class ServerFlavor : uint8_t { kMySQL, kMariaDB };

struct FormatDescription {
  uint16_t binlog_version = 4;
  std::string server_version;          // "10.11.6-MariaDB-log", "8.0.32"
  uint32_t create_timestamp = 0;
  uint8_t common_header_length = EventHeader::kSize;
  std::vector<uint8_t> post_header_lengths;  // [type - 1]
  ChecksumAlg checksum = ChecksumAlg::kOff;
  ServerFlavor flavor = ServerFlavor::kMySQL;
  uint32_t version_major = 0, version_minor = 0, version_patch = 0;

  // Post-header length for `type`, 0 when the FDE does not list it.
  uint8_t PostHeaderLength(EventType type) const {
    size_t i = static_cast<size_t>(type);
    return i >= 1 && i <= post_header_lengths.size() ? post_header_lengths[i - 1] : 0;
  }
  bool HasChecksum() const { return checksum == ChecksumAlg::kCrc32; }
  // True for servers at or above major.minor.patch (of the flavour).
  bool AtLeast(uint32_t major, uint32_t minor, uint32_t patch) const {
    if (version_major != major) return version_major > major;
    if (version_minor != minor) return version_minor > minor;
    return version_patch >= patch;
  }
  bool IsMariaDB() const { return flavor == ServerFlavor::kMariaDB; }

  // The description used before any FDE is seen (binlog v4, no checksum,
  // post-header lengths of MySQL 5.6).
  static FormatDescription DefaultV4();
};

// Decodes the body of a FORMAT_DESCRIPTION_EVENT. `body` is the whole event
// after the 19-byte header, including the checksum-algorithm byte and the CRC32
// if present (the FDE decides itself whether it carries them).
Result<FormatDescription> DecodeFormatDescription(Bytes body);

// Sets server_version, flavor and version_* from an FDE's server version
// string ("10.11.6-MariaDB-log": MariaDB 10.11.6).
void ReadServerVersion(std::string_view version, FormatDescription* f);

// True when an FDE written by this server version carries the
// checksum-algorithm byte: MySQL 5.6.1+ (libbinlogevents
// checksum_version_split) and MariaDB 5.3+.
bool CarriesChecksumAlgByte(const FormatDescription& f);

}  // namespace vomsrepl::binlog
