#include "source/live_stream.h"

namespace vomsrepl::source {

Status LiveStream::Next(FileEvent* out) {
  if (reader_.HasInner()) {
    VOMSREPL_RETURN_IF_ERROR(reader_.NextInner(&out->event));
  } else {
    SourceEvent ev;
    for (;;) {
      Status s = master_.Next(&ev);
      if (s.ok()) break;
      if (MasterStream::IsTransactionRestart(s)) {
        if (on_restart_) on_restart_(s);
        continue;
      }
      if (s.code() == StatusCode::kOutOfRange) return OutOfRange("end of input");
      return s;
    }
    // The master's first event is a fake ROTATE that carries a CRC32 when the
    // master's binlog_checksum is CRC32: without this, its 4 checksum bytes
    // were read as the end of the file name.
    if (first_) reader_.AssumeChecksumBeforeFde(master_.checksum_before_fde());
    if (ev.file != file_) {
      file_.assign(ev.file);
      reader_.set_file_name(file_);
    }
    VOMSREPL_RETURN_IF_ERROR(reader_.FeedEvent(ev.raw, ev.offset, &out->event));
  }
  out->file = &file_;
  out->format = &reader_.format();
  out->first_of_file = first_;
  first_ = false;
  return Status::OK();
}

}  // namespace vomsrepl::source
