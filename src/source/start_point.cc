#include "source/start_point.h"

namespace vomsrepl::source {

StartPoint StartPoint::After(const MariadbGtidList& gtid_state, const BinlogPosition& position) {
  if (!gtid_state.empty()) return AfterGtids(gtid_state);
  return AtPosition(position);
}

Result<StartPoint> StartPoint::Parse(std::string_view text) {
  if (text.empty() || text == "current") return Current();
  if (text == "oldest") return Oldest();
  if (text.rfind("gtid:", 0) == 0) {
    VOMSREPL_ASSIGN_OR_RETURN(MariadbGtidList g, MariadbGtidList::Parse(text.substr(5)));
    return AfterGtids(std::move(g));
  }
  auto p = BinlogPosition::Parse(text);
  if (!p.ok())
    return InvalidArgument("expected \"current\", \"oldest\", \"FILE:POS\" or \"gtid:D-S-N[,...]\", got \"" +
                           std::string(text) + "\"");
  return AtPosition(std::move(*p));
}

std::string StartPoint::ToString() const {
  switch (from) {
    case StartFrom::kOldestBinlog: return "oldest";
    case StartFrom::kMasterCurrent: return "current";
    case StartFrom::kPosition: return position.ToString();
    case StartFrom::kGtid: return "gtid:" + gtids.ToString();
  }
  return "oldest";
}

std::string StartPoint::Describe() const {
  switch (from) {
    case StartFrom::kOldestBinlog: return "at the oldest binlog";
    case StartFrom::kMasterCurrent: return "at the master's current position";
    case StartFrom::kPosition: return "at " + position.ToString();
    case StartFrom::kGtid: return "after GTID " + gtids.ToString();
  }
  return "at the oldest binlog";
}

}  // namespace vomsrepl::source
