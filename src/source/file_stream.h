// FileStream: events of a sequence of binlog or relay-log files, in order,
// with the range options DBAs know from mariadb-binlog.
//
// Files are mapped read-only (mmap); each file is walked by a
// binlog::EventReader, so TRANSACTION_PAYLOAD events are followed by their
// inner events. Views in a FileEvent stay valid until the next Next().
// Pages behind the walk are dropped every 16 MiB (MADV_DONTNEED), so the
// resident set stays small; views read again simply fault back in.
//
// Range semantics:
//   start_position   offset in the FIRST file where reading starts (an event
//                    boundary; the file's FORMAT_DESCRIPTION is still read)
//   stop_position    in the LAST file: stop at the first event at or past it
//   start_datetime   skip events whose timestamp is earlier (UTC seconds)
//   stop_datetime    stop at the first event at or after it (UTC seconds)
//   start_gtids      MariaDB: skip event groups at or below these GTIDs
//                    (per domain), i.e. start after them
//   stop_gtids       MariaDB: stop at the first group past the listed GTID of
//                    its domain (the listed GTID's group is included)
// Format descriptions and rotates are always delivered, so a consumer keeps
// the context it needs even in skipped ranges.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "binlog/event_reader.h"
#include "source/start_point.h"

namespace vomsrepl::source {

struct FileStreamOptions {
  std::vector<std::string> files;
  std::optional<uint64_t> start_position;
  std::optional<uint64_t> stop_position;
  std::optional<int64_t> start_datetime;  // seconds since the epoch (UTC)
  std::optional<int64_t> stop_datetime;
  MariadbGtidList start_gtids;
  MariadbGtidList stop_gtids;
  bool verify_checksum = true;

  // Starts at `start` (source/start_point.h): after its GTIDs, or at its file:pos,
  // which must then be in the first file (InvalidArgument naming the file wanted
  // otherwise, and for "current" / "oldest", which only a master knows).
  Status SetStart(const StartPoint& start);
};

struct FileEvent {
  binlog::ReadEvent event;
  const std::string* file = nullptr;             // path as given
  const binlog::FormatDescription* format = nullptr;
  bool first_of_file = false;                    // first event delivered from this file
};

// Parses "YYYY-MM-DD HH:MM:SS" (UTC) into seconds since the epoch.
Result<int64_t> ParseUtcDatetime(std::string_view text);

class FileStream {
 public:
  explicit FileStream(FileStreamOptions options);
  ~FileStream();
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  // Checks the options (existing files, consistent ranges) before reading.
  Status Validate() const;
  // OutOfRange ("end of input") when every file is read or a stop condition
  // is reached; other errors name the file and offset.
  Status Next(FileEvent* out);

  const std::string& current_file() const;

 private:
  Status OpenFile(size_t index);
  void CloseFile();
  bool InRange(const binlog::ReadEvent& ev);

  FileStreamOptions options_;
  size_t file_index_ = 0;
  bool file_open_ = false;
  bool first_of_file_ = false;
  bool done_ = false;
  void* map_ = nullptr;
  size_t map_size_ = 0;
  // Start of the mapped bytes not yet handed back to the kernel: pages behind
  // the walk are dropped every kReleaseStep bytes (MADV_DONTNEED), so the
  // resident set stays small on a GB-sized file. A dropped page that is read
  // again faults back in from the page cache with the same bytes.
  size_t released_ = 0;
  static constexpr size_t kReleaseStep = size_t(16) << 20;
  std::unique_ptr<binlog::EventReader> reader_;
  // GTID range state (MariaDB event groups).
  bool skipping_group_ = false;
};

}  // namespace vomsrepl::source
