#include "source/silence_window.h"

#include <algorithm>

#include "source/master_preflight.h"

namespace vomsrepl::source {

SilenceWindow::SilenceWindow(Seconds base, Seconds max)
    : base_(std::max(base, Seconds(1))), max_(std::max(max, base_)), current_(base_) {}

bool SilenceWindow::OnLoss(const std::string& file, uint64_t pos, Millis silent) {
  // The connector gives up a read after the window; allow for its whole-second
  // rounding and our own clock reading before and after.
  if (silent < std::chrono::duration_cast<Millis>(current_) * 9 / 10) return false;
  bool same_place = stalled_ && file == stalled_file_ && pos == stalled_pos_;
  stalled_ = true;
  stalled_file_ = file;
  stalled_pos_ = pos;
  current_ = same_place ? std::min(max_, current_ * 2) : base_;
  return true;
}

void SilenceWindow::OnEvent(const std::string& file, uint64_t pos) {
  if (!stalled_) return;
  // Before the first event (no file yet), any event is progress.
  bool past = stalled_file_.empty() ||
              (file == stalled_file_ ? pos > stalled_pos_ : BinlogFileIsOlder(stalled_file_, file));
  if (!past) return;
  stalled_ = false;
  stalled_file_.clear();
  stalled_pos_ = 0;
  current_ = base_;
}

}  // namespace vomsrepl::source
