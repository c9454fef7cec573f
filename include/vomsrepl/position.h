// Source positions: a binlog file:offset, and MariaDB GTIDs.
//
// A transaction carries the position *after* its commit: resuming from it
// starts with the next transaction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <vomsrepl/status.h>

namespace vomsrepl {

struct BinlogPosition {
  std::string file;   // e.g. "mysql-bin.000042"
  uint64_t offset = 0;

  bool empty() const { return file.empty(); }
  std::string ToString() const;  // "mysql-bin.000042:1234"
  // Parses "FILE:POS". The file name may not contain '/' or be empty.
  static Result<BinlogPosition> Parse(std::string_view text);
  friend bool operator==(const BinlogPosition&, const BinlogPosition&) = default;
};

// MariaDB GTID "domain-server-seq" (sql/rpl_gtid.h rpl_gtid).
struct MariadbGtid {
  uint32_t domain_id = 0;
  uint32_t server_id = 0;
  uint64_t seq_no = 0;

  std::string ToString() const;  // "0-1-42"
  static Result<MariadbGtid> Parse(std::string_view text);
  friend bool operator==(const MariadbGtid&, const MariadbGtid&) = default;
};

// A MariaDB GTID position: at most one GTID per domain, as in
// @@gtid_slave_pos ("0-1-42,1-3-7"). Kept sorted by domain.
class MariadbGtidList {
 public:
  const std::vector<MariadbGtid>& gtids() const { return gtids_; }
  bool empty() const { return gtids_.empty(); }
  // Records `gtid` as the latest of its domain.
  void Update(const MariadbGtid& gtid);
  // The GTID of `domain_id`, or nullptr.
  const MariadbGtid* Find(uint32_t domain_id) const;
  // True when every domain of `other` is at or below ours (same domain, seq_no <=).
  bool Contains(const MariadbGtid& gtid) const;
  std::string ToString() const;
  // Parses a comma-separated list; empty text is an empty list. Duplicate
  // domains are an error.
  static Result<MariadbGtidList> Parse(std::string_view text);
  friend bool operator==(const MariadbGtidList&, const MariadbGtidList&) = default;

 private:
  std::vector<MariadbGtid> gtids_;
};

}  // namespace vomsrepl
