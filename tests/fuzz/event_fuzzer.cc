// libFuzzer target over single event bodies and value formats.
//
// Input: byte 0 selects the target (bit 7: MariaDB 10.11 FDE instead of
// MySQL 8.0, low 7 bits modulo the target count), the rest is the body.
// Targets: each non-row event decoder; TABLE_MAP; each rows event type,
// whose body is [u16 LE n][n bytes of TABLE_MAP body][rows body] and whose
// rows are walked against that table map whatever their table ids; the FDE
// decoder; binary JSON (both text styles); partial JSON
// diffs (JsonDiffReader and both renderings).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "binlog/json_binary.h"
#include "fuzz_decode.h"

using namespace vomsrepl;
using namespace vomsrepl::binlog;

namespace {

// Post-header lengths of the FDEs of a MySQL 8.0.45 server
// (percona-binlog-server/data_80045_gtid/binlog.000001) and of MariaDB
// 10.11.19 (mariadb-types/types-bin.000001), in type order from 1.
FormatDescription MakeFde(bool mariadb) {
  FormatDescription fde;
  fde.binlog_version = 4;
  fde.checksum = ChecksumAlg::kCrc32;
  if (mariadb) {
    fde.server_version = "10.11.19-MariaDB-0+deb12u1-log";
    fde.flavor = ServerFlavor::kMariaDB;
    fde.version_major = 10, fde.version_minor = 11, fde.version_patch = 19;
    fde.post_header_lengths = {56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 228, 0, 4, 26, 8, 0, 0, 0, 8, 8,
                               8, 2, 0, 0, 0, 10, 10, 10, 0, 0, 0, 0, 0, 0, 10, 10, 10};
    fde.post_header_lengths.resize(160, 0);
    for (uint8_t n : {4, 19, 4, 0, 13, 8, 8, 8, 10, 10, 10}) fde.post_header_lengths.push_back(n);  // 160..170
  } else {
    fde.server_version = "8.0.45";
    fde.version_major = 8, fde.version_minor = 0, fde.version_patch = 45;
    fde.post_header_lengths = {0, 13, 0, 8, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 98, 0, 4, 26, 8, 0, 0,
                               0, 8, 8, 8, 2, 0, 0, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 10, 40, 0};
  }
  return fde;
}

const FormatDescription& Fde(bool mariadb) {
  static const FormatDescription mysql = MakeFde(false), maria = MakeFde(true);
  return mariadb ? maria : mysql;
}

enum class Extra : uint8_t { kNone, kFormatDescription, kJsonBinary, kJsonDiff };

struct Target {
  bool is_event;
  EventType type;
  Extra extra;
};

constexpr Target Ev(EventType t) { return {true, t, Extra::kNone}; }
constexpr Target X(Extra e) { return {false, EventType::kUnknown, e}; }

constexpr Target kTargets[] = {
    Ev(EventType::kQuery), Ev(EventType::kQueryCompressed), Ev(EventType::kRotate), Ev(EventType::kXid),
    Ev(EventType::kIntvar), Ev(EventType::kRand), Ev(EventType::kUserVar), Ev(EventType::kIncident),
    Ev(EventType::kRowsQuery), Ev(EventType::kAnnotateRows), Ev(EventType::kGtid), Ev(EventType::kAnonymousGtid),
    Ev(EventType::kGtidTagged), Ev(EventType::kPreviousGtids), Ev(EventType::kMariaGtid),
    Ev(EventType::kMariaGtidList), Ev(EventType::kBinlogCheckpoint), Ev(EventType::kTransactionPayload),
    Ev(EventType::kTableMap),
    Ev(EventType::kPreGaWriteRows), Ev(EventType::kPreGaUpdateRows), Ev(EventType::kPreGaDeleteRows),
    Ev(EventType::kWriteRowsV1), Ev(EventType::kUpdateRowsV1), Ev(EventType::kDeleteRowsV1),
    Ev(EventType::kWriteRowsV2), Ev(EventType::kUpdateRowsV2), Ev(EventType::kDeleteRowsV2),
    Ev(EventType::kPartialUpdateRows),
    Ev(EventType::kWriteRowsCompressedV1), Ev(EventType::kUpdateRowsCompressedV1),
    Ev(EventType::kDeleteRowsCompressedV1), Ev(EventType::kWriteRowsCompressed),
    Ev(EventType::kUpdateRowsCompressed), Ev(EventType::kDeleteRowsCompressed),
    X(Extra::kFormatDescription), X(Extra::kJsonBinary), X(Extra::kJsonDiff),
};
constexpr size_t kTargetCount = sizeof(kTargets) / sizeof(kTargets[0]);

void RowsAgainstOwnTableMap(EventType type, Bytes body, const FormatDescription& fde, fuzz::DecodeState& s) {
  if (body.size() < 2) return;
  size_t n = std::to_integer<size_t>(body[0]) | std::to_integer<size_t>(body[1]) << 8;
  body = body.subspan(2);
  if (n > body.size()) return;
  TableSchema schema;
  if (!DecodeTableMap(body.first(n), fde, schema).ok()) return;
  auto rows = DecodeRowsEvent(type, body.subspan(n), fde, s.scratch);
  if (!rows.ok()) return;
  uint64_t count = 0;
  (void)CountRows(*rows, schema, &count);
  (void)ForEachRow(*rows, schema, s.visitor);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool mariadb = (data[0] & 0x80) != 0;
  const Target& target = kTargets[(data[0] & 0x7f) % kTargetCount];
  Bytes body(reinterpret_cast<const std::byte*>(data + 1), size - 1);
  const FormatDescription& fde = Fde(mariadb);
  fuzz::DecodeState state;
  std::string out;
  if (target.is_event) {
    if (IsRowsEvent(target.type)) {
      RowsAgainstOwnTableMap(target.type, body, fde, state);
    } else {
      fuzz::DecodeEventBody(target.type, body, fde, /*server_id=*/1, state);
    }
    return 0;
  }
  switch (target.extra) {
    case Extra::kFormatDescription:
      (void)DecodeFormatDescription(body);
      break;
    case Extra::kNone:
      break;
    case Extra::kJsonBinary:
      (void)AppendJsonBinaryText(body, JsonTextStyle::kCompact, out);
      out.clear();
      (void)AppendJsonBinaryText(body, JsonTextStyle::kMysql, out);
      break;
    case Extra::kJsonDiff: {
      JsonDiffReader reader(body);
      JsonDiff diff;
      while (reader.Next(&diff)) (void)AppendJsonBinaryText(diff.value, JsonTextStyle::kCompact, out);
      out.clear();
      (void)AppendJsonDiffMysqlbinlog(body, 3, out);
      out.clear();
      (void)AppendJsonDiffJson(body, out);
      break;
    }
  }
  return 0;
}
