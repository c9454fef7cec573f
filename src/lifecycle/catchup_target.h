// CatchupTarget: where `vomsrepl catchup --until` stops, and the two
// questions the catch-up loop asks of every source transaction.
//
// Forms of --until (the UNTIL conditions of MariaDB's START SLAVE UNTIL and
// of mariadb-binlog's --stop-datetime / --stop-position):
//   GTID list  "0-1-420" or "0-1-420,1-2-17" (MariaDB). Every transaction up to
//              and including the listed GTID of its domain is applied; a
//              transaction of a domain the list does not name lies beyond
//              the target (as START SLAVE UNTIL master_gtid_pos, which stops
//              replicating such domains).
//   datetime   "YYYY-MM-DD HH:MM:SS" (UTC, as vomsrepl dump prints times):
//              every transaction whose source commit time is earlier is
//              applied; the first one committed at or after it lies beyond.
//   FILE:POS   "mysql-bin.000042:1234": every transaction that ends at or
//              before that master binlog position is applied.
//
// Beyond(point) says whether the transaction ending at `point` must NOT be
// applied; Reached(point) whether, once it is applied, the target is met and
// nothing later can belong before it (only a GTID or position target can be
// known met from the transaction itself; a time target is met when the
// source shows a later commit, or when the source checkpoint passes it).
// Positions compare by binlog file sequence number, then offset.
//
// Thread-safety: plain value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <vomsrepl/position.h>
#include <vomsrepl/status.h>

#include "txn/transaction.h"

namespace vomsrepl::lifecycle {

class CatchupTarget {
 public:
  enum class Kind { kGtid, kTime, kPosition };

  // Parses --until; InvalidArgument names the three accepted forms.
  static Result<CatchupTarget> Parse(std::string_view text);

  Kind kind() const { return kind_; }
  std::string ToString() const;
  const MariadbGtidList& gtids() const { return gtids_; }
  int64_t time() const { return time_; }
  const BinlogPosition& position() const { return position_; }

  // Must the transaction ending at `point` stay unapplied? For a GTID
  // target, a transaction without a MariaDB GTID is an error (the stream
  // cannot be placed against a GTID target): FailedPrecondition.
  Result<bool> Beyond(const txn::SourcePoint& point) const;
  // After applying the transaction ending at `point`, is the target met?
  bool Reached(const txn::SourcePoint& point) const;
  // Is the target met or passed by a source checkpoint (the source has read
  // everything up to `checkpoint`, kept or filtered)? For a time target the
  // checkpoint's commit time must be at or after the target.
  bool PassedBy(const txn::SourcePoint& checkpoint) const;

 private:
  Kind kind_ = Kind::kGtid;
  std::string text_;
  MariadbGtidList gtids_;
  int64_t time_ = 0;
  BinlogPosition position_;
};

}  // namespace vomsrepl::lifecycle
