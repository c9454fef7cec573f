#include "pipeline/stream_pipeline.h"

namespace vomsrepl::pipeline {

template <class Stream>
Status StreamPipeline::Run(Stream& stream, const Status& cut_error, const AfterEvent& after_event) {
  source::FileEvent ev;
  for (;;) {
    VOMSREPL_RETURN_IF_ERROR(stream.Next(&ev));
    if (!cut_error.ok()) return cut_error;
    if (before_event_) VOMSREPL_RETURN_IF_ERROR(before_event_(ev));
    VOMSREPL_RETURN_IF_ERROR(assembler_.Feed(ev.event, *ev.file, *ev.format));
    if (after_event) VOMSREPL_RETURN_IF_ERROR(after_event(ev));
  }
}

Status StreamPipeline::RunMaster(source::MasterStream& master, const OnCut& on_cut, const AfterEvent& after_event) {
  Status cut_error;
  source::LiveStream live(master, /*verify_checksum=*/true, [&](const Status& cause) {
    Status abandoned = assembler_.AbandonOpenTransaction();
    if (!abandoned.ok() && cut_error.ok()) cut_error = abandoned;
    if (on_cut) on_cut(cause);
  });
  return Run(live, cut_error, after_event);
}

Status StreamPipeline::RunFiles(source::FileStream& files, const AfterEvent& after_event) {
  const Status no_cut;
  return Run(files, no_cut, after_event);
}

}  // namespace vomsrepl::pipeline
