#include "source/file_stream.h"

#include <filesystem>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "binlog/events.h"

namespace vomsrepl::source {

Status FileStreamOptions::SetStart(const StartPoint& start) {
  switch (start.from) {
    case StartFrom::kGtid:
      start_gtids = start.gtids;
      return Status::OK();
    case StartFrom::kPosition:
      if (files.empty() || std::filesystem::path(files.front()).filename().string() != start.position.file)
        return InvalidArgument("the binlog files must start with " + start.position.file + " (the stream starts at " +
                               start.position.ToString() + ", no GTIDs)");
      start_position = start.position.offset;
      return Status::OK();
    default:
      return InvalidArgument("binlog files cannot start " + start.Describe() + ": only a master knows it");
  }
}
namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

}  // namespace

Result<int64_t> ParseUtcDatetime(std::string_view text) {
  std::tm tm{};
  std::string s(text);
  const char* end = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (end == nullptr || *end != '\0')
    return InvalidArgument("datetime '" + s + "' is not 'YYYY-MM-DD HH:MM:SS'");
  return int64_t(timegm(&tm));
}

FileStream::FileStream(FileStreamOptions options) : options_(std::move(options)) {}

FileStream::~FileStream() { CloseFile(); }

const std::string& FileStream::current_file() const {
  static const std::string kNone;
  return file_index_ < options_.files.size() ? options_.files[file_index_] : kNone;
}

Status FileStream::Validate() const {
  if (options_.files.empty()) return InvalidArgument("no binlog file given");
  for (const auto& f : options_.files) {
    struct stat st;
    if (::stat(f.c_str(), &st) != 0) return NotFound(Errno("cannot read", f));
    if (!S_ISREG(st.st_mode)) return InvalidArgument(f + " is not a regular file");
  }
  if (options_.start_position && *options_.start_position < 4)
    return InvalidArgument("--start-position must be at least 4 (the first event after the magic number)");
  if (options_.files.size() == 1 && options_.start_position && options_.stop_position &&
      *options_.stop_position <= *options_.start_position)
    return InvalidArgument("--stop-position must be after --start-position");
  if (options_.start_datetime && options_.stop_datetime && *options_.stop_datetime <= *options_.start_datetime)
    return InvalidArgument("--stop-datetime must be after --start-datetime");
  return Status::OK();
}

void FileStream::CloseFile() {
  reader_.reset();
  if (map_ != nullptr && map_ != MAP_FAILED) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
  released_ = 0;
  file_open_ = false;
}

Status FileStream::OpenFile(size_t index) {
  CloseFile();
  const std::string& path = options_.files[index];
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound(Errno("cannot open", path));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return NotFound(Errno("cannot stat", path));
  }
  map_size_ = size_t(st.st_size);
  static const std::byte kEmpty[1] = {};
  binlog::Bytes bytes(kEmpty, 0);
  if (map_size_ > 0) {
    map_ = ::mmap(nullptr, map_size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map_ == MAP_FAILED) {
      ::close(fd);
      map_ = nullptr;
      return NotFound(Errno("cannot map", path));
    }
    // Two calls: the advice values are not flags (SEQUENTIAL|WILLNEED == WILLNEED).
    ::madvise(map_, map_size_, MADV_SEQUENTIAL);
    ::madvise(map_, map_size_, MADV_WILLNEED);
    bytes = binlog::Bytes(static_cast<const std::byte*>(map_), map_size_);
  }
  ::close(fd);
  reader_ = std::make_unique<binlog::EventReader>(bytes, path, options_.verify_checksum);
  if (index == 0 && options_.start_position && *options_.start_position > 4)
    VOMSREPL_RETURN_IF_ERROR(reader_->Seek(*options_.start_position));
  file_open_ = true;
  first_of_file_ = true;
  return Status::OK();
}

bool FileStream::InRange(const binlog::ReadEvent& ev) {
  using vomsrepl::EventType;
  const EventType t = ev.frame.header.type;
  const bool context_event = t == EventType::kFormatDescription || t == EventType::kRotate ||
                             t == EventType::kPreviousGtids || t == EventType::kMariaGtidList ||
                             t == EventType::kBinlogCheckpoint;
  if (t == EventType::kMariaGtid && !options_.start_gtids.empty()) {
    auto g = binlog::DecodeMariaGtid(ev.frame.body, ev.frame.header.server_id);
    skipping_group_ = g.ok() && options_.start_gtids.Contains(MariadbGtid{g->domain_id, g->server_id, g->seq_no});
  }
  if (context_event) return true;
  if (skipping_group_) return false;
  if (options_.start_datetime && int64_t(ev.frame.header.timestamp) < *options_.start_datetime) return false;
  return true;
}

Status FileStream::Next(FileEvent* out) {
  while (!done_) {
    if (!file_open_) {
      if (file_index_ >= options_.files.size()) break;
      VOMSREPL_RETURN_IF_ERROR(OpenFile(file_index_));
    }
    binlog::ReadEvent ev;
    Status s = reader_->Next(&ev);
    if (!s.ok()) {
      if (s.code() == StatusCode::kOutOfRange && reader_->at_end()) {
        CloseFile();
        ++file_index_;
        continue;
      }
      if (s.code() == StatusCode::kOutOfRange)  // a truncated event: never skipped silently
        return DataLoss(std::string(s.message()) + " (file truncated or still being written)");
      return s;
    }
    if (ev.offset >= released_ + kReleaseStep) {
      // Events before this one were handed out by earlier calls (views valid
      // until the next call): their pages can go.
      const size_t page = size_t(::sysconf(_SC_PAGESIZE));
      const size_t upto = size_t(ev.offset) / page * page;
      ::madvise(static_cast<std::byte*>(map_) + released_, upto - released_, MADV_DONTNEED);
      released_ = upto;
    }
    const bool last_file = file_index_ + 1 == options_.files.size();
    const auto& h = ev.frame.header;
    if (last_file && options_.stop_position && !ev.inside_payload && ev.offset >= *options_.stop_position) break;
    if (options_.stop_datetime && h.type != EventType::kFormatDescription &&
        int64_t(h.timestamp) >= *options_.stop_datetime)
      break;
    if (h.type == EventType::kMariaGtid && !options_.stop_gtids.empty()) {
      // The group of the stop GTID is complete once a later GTID of its domain starts.
      auto g = binlog::DecodeMariaGtid(ev.frame.body, h.server_id);
      if (!g.ok()) return g.status().WithContext("Gtid event at " + current_file() + ":" + std::to_string(ev.offset));
      const MariadbGtid* stop = options_.stop_gtids.Find(g->domain_id);
      if (stop != nullptr && g->seq_no > stop->seq_no) break;
    }
    if (!InRange(ev)) continue;
    out->event = ev;
    out->file = &options_.files[file_index_];
    out->format = &reader_->format();
    out->first_of_file = first_of_file_;
    first_of_file_ = false;
    return Status::OK();
  }
  done_ = true;
  CloseFile();
  return OutOfRange("end of input");
}

}  // namespace vomsrepl::source
