#include "lifecycle/catchup_target.h"

#include <cctype>

#include "lifecycle/source_alignment.h"
#include "source/file_stream.h"

namespace vomsrepl::lifecycle {

namespace {

// "D-S-N[,D-S-N...]": digits and dashes only, with commas between GTIDs.
bool LooksLikeGtidList(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == ',' || c == ' ')) return false;
  return s.find('-') != std::string_view::npos;
}

}  // namespace

Result<CatchupTarget> CatchupTarget::Parse(std::string_view text) {
  CatchupTarget t;
  t.text_ = std::string(text);
  const std::string usage =
      "--until '" + t.text_ +
      "': give a MariaDB GTID list (0-1-420), a UTC time 'YYYY-MM-DD HH:MM:SS' or a master binlog position FILE:POS";
  if (text.empty()) return InvalidArgument(usage);
  // A datetime holds ':' too, so it is tried before FILE:POS.
  if (text.size() == 19 && text[4] == '-' && text[10] == ' ') {
    auto time = source::ParseUtcDatetime(text);
    if (!time.ok()) return InvalidArgument(usage + " (" + std::string(time.status().message()) + ")");
    t.kind_ = Kind::kTime;
    t.time_ = *time;
    return t;
  }
  if (LooksLikeGtidList(text)) {
    auto gtids = MariadbGtidList::Parse(text);
    if (!gtids.ok()) return InvalidArgument(usage + " (" + std::string(gtids.status().message()) + ")");
    if (gtids->empty()) return InvalidArgument(usage);
    t.kind_ = Kind::kGtid;
    t.gtids_ = std::move(*gtids);
    return t;
  }
  auto position = BinlogPosition::Parse(text);
  if (!position.ok()) return InvalidArgument(usage + " (" + std::string(position.status().message()) + ")");
  if (position->offset < 4) return InvalidArgument(usage + " (a binlog position is at least 4)");
  t.kind_ = Kind::kPosition;
  t.position_ = std::move(*position);
  return t;
}

std::string CatchupTarget::ToString() const {
  switch (kind_) {
    case Kind::kGtid:
      return "GTID " + gtids_.ToString();
    case Kind::kTime:
      return "time " + text_ + " UTC";
    case Kind::kPosition:
      return "position " + position_.ToString();
  }
  return text_;
}

Result<bool> CatchupTarget::Beyond(const txn::SourcePoint& point) const {
  switch (kind_) {
    case Kind::kGtid: {
      auto gtid = MariadbGtid::Parse(point.gtid);
      if (point.gtid.empty() || !gtid.ok())
        return FailedPrecondition("catchup --until " + gtids_.ToString() + ": the transaction ending at " +
                                  point.position.ToString() + " has no MariaDB GTID ('" + point.gtid +
                                  "'); use --until FILE:POS or a time");
      const MariadbGtid* limit = gtids_.Find(gtid->domain_id);
      return limit == nullptr || gtid->seq_no > limit->seq_no;
    }
    case Kind::kTime:
      return int64_t(point.commit_time) >= time_;
    case Kind::kPosition:
      return CompareBinlogPositions(point.position, position_) > 0;
  }
  return false;
}

bool CatchupTarget::Reached(const txn::SourcePoint& point) const {
  switch (kind_) {
    case Kind::kGtid:
      for (const MariadbGtid& want : gtids_.gtids()) {
        const MariadbGtid* have = point.gtid_state.Find(want.domain_id);
        if (have == nullptr || have->seq_no < want.seq_no) return false;
      }
      return true;
    case Kind::kTime:
      return false;  // only a later commit (or the checkpoint) shows that nothing else comes before it
    case Kind::kPosition:
      return CompareBinlogPositions(point.position, position_) >= 0;
  }
  return false;
}

bool CatchupTarget::PassedBy(const txn::SourcePoint& checkpoint) const {
  if (kind_ == Kind::kTime) return int64_t(checkpoint.commit_time) >= time_;
  return Reached(checkpoint);
}

}  // namespace vomsrepl::lifecycle
