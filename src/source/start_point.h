// StartPoint: where a binlog stream starts, the one type for every reader
// (`run`'s [master] start, the feeder's resume, catchup, switch-master, the
// live `dump`/`stats`, binlog files). Parsed in one place (Parse), built
// from a transaction's end in one place (After).
//
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <string_view>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

namespace vomsrepl::source {

enum class StartFrom {
  kOldestBinlog,   // the first binlog file the master still has, position 4
  kMasterCurrent,  // the master's current end (SHOW MASTER STATUS): new events only
  kPosition,       // `position` (file:pos)
  kGtid,           // after `gtids` (MariaDB only), strict mode
};

struct StartPoint {
  StartFrom from = StartFrom::kOldestBinlog;
  BinlogPosition position;  // kPosition
  MariadbGtidList gtids;    // kGtid (empty: from the start of GTID history); empty for the other kinds

  static StartPoint Oldest() { return {}; }
  static StartPoint Current() { return {StartFrom::kMasterCurrent, {}, {}}; }
  static StartPoint AtPosition(BinlogPosition p) { return {StartFrom::kPosition, std::move(p), {}}; }
  static StartPoint AfterGtids(MariadbGtidList g) { return {StartFrom::kGtid, {}, std::move(g)}; }
  // Right after a transaction that ended at `position` with the master's GTID state
  // `gtid_state`: by GTID when there is one (it survives a binlog rotation and a
  // master switch), else by file:pos.
  static StartPoint After(const MariadbGtidList& gtid_state, const BinlogPosition& position);

  // The [master] start syntax: "current" (or ""), "oldest", "FILE:POS",
  // "gtid:D-S-N[,...]". InvalidArgument names what was expected.
  static Result<StartPoint> Parse(std::string_view text);
  // The same syntax back ("gtid:0-1-5", "mariadb-bin.000002:4", "current", "oldest").
  std::string ToString() const;
  // For messages: "after GTID 0-1-5", "at mariadb-bin.000002:4", "at the master's
  // current position", "at the oldest binlog".
  std::string Describe() const;
};

}  // namespace vomsrepl::source
