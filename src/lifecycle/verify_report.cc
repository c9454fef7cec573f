// Text and JSON forms of a VerifyReport (lifecycle/verifier.h).
#include <string>

#include "binlog/byte_cursor.h"
#include "binlog/json_binary.h"
#include "binlog/value_text.h"
#include "lifecycle/verifier.h"

namespace vomsrepl::lifecycle {
namespace {

std::string DescribeKey(const std::vector<std::string>& columns, const std::vector<std::string>& key) {
  std::string s;
  for (size_t i = 0; i < key.size(); ++i) {
    if (i) s += ", ";
    s += (i < columns.size() ? columns[i] : "?") + "=" + key[i];
  }
  return s;
}

std::string_view KindText(KeyDifferenceKind kind) {
  switch (kind) {
    case KeyDifferenceKind::kMissingOnReplica: return "missing on replica";
    case KeyDifferenceKind::kExtraOnReplica: return "extra on replica  ";
    case KeyDifferenceKind::kDifferentValues: return "different values  ";
  }
  return "?";
}

void Json(std::string& out, std::string_view s) { binlog::AppendJsonString(s, out); }

// A key value that is not UTF-8 (a binary or latin1 key) as "base64:<RFC 4648>",
// as `dump --format=json` writes such values: the report stays valid JSON.
void KeyJson(std::string& out, std::string_view s) {
  if (binlog::IsUtf8(s)) return Json(out, s);
  out += "\"base64:";
  binlog::AppendBase64(binlog::AsBytes(s), out);
  out += '"';
}

}  // namespace

void WriteVerifyText(const VerifyReport& report, std::FILE* out) {
  for (const std::string& replica : report.replicas) {
    uint64_t tables = 0, different = 0, rows = 0, by_checksum = 0;
    for (const TableVerdict& v : report.tables) {
      if (v.replica != replica) continue;
      ++tables;
      rows += v.master_rows;
      if (v.by_checksum_table) ++by_checksum;
      if (v.identical()) continue;
      ++different;
      std::string name = v.master_database + "." + v.table;
      if (v.replica_database != v.master_database) name += " (" + v.replica_database + "." + v.table + " on the replica)";
      if (!v.problem.empty()) {
        std::fprintf(out, "%s: %s: %s\n", replica.c_str(), name.c_str(), v.problem.c_str());
        continue;
      }
      if (v.key_columns.empty()) {
        std::fprintf(out, "%s: %s: DIFFERENT (no primary key: whole-table checksum, %llu rows on the master, %llu "
                          "on the replica)%s\n",
                     replica.c_str(), name.c_str(), (unsigned long long)v.master_rows,
                     (unsigned long long)v.replica_rows, v.unaligned ? " [not at a matching source position]" : "");
        continue;
      }
      std::fprintf(out, "%s: %s: DIFFERENT: %llu keys in %llu of %llu chunks%s\n", replica.c_str(), name.c_str(),
                   (unsigned long long)v.keys_total, (unsigned long long)v.differing_chunks,
                   (unsigned long long)v.chunks, v.unaligned ? " [not at a matching source position]" : "");
      for (const KeyDifference& k : v.keys)
        std::fprintf(out, "    %s  %s\n", std::string(KindText(k.kind)).c_str(),
                     DescribeKey(v.key_columns, k.key).c_str());
      if (v.keys_total > v.keys.size())
        std::fprintf(out, "    ... and %llu more\n", (unsigned long long)(v.keys_total - v.keys.size()));
    }
    std::fprintf(out, "%s: %llu tables (%llu identical by CHECKSUM TABLE), %llu rows compared in chunks: %s\n",
                 replica.c_str(), (unsigned long long)tables, (unsigned long long)by_checksum, (unsigned long long)rows,
                 different == 0 ? "identical" : (std::to_string(different) + " tables differ").c_str());
  }
  std::fprintf(out, "verify: %s in %.2f s\n",
               report.identical() ? "no differences" : (std::to_string(report.different_tables()) +
                                                        " table comparisons differ").c_str(),
               report.seconds);
}

void WriteVerifyJson(const VerifyReport& report, std::FILE* out) {
  std::string s = "{\"identical\":";
  s += report.identical() ? "true" : "false";
  s += ",\"seconds\":" + std::to_string(report.seconds) + ",\"replicas\":[";
  for (size_t i = 0; i < report.replicas.size(); ++i) {
    if (i) s += ",";
    Json(s, report.replicas[i]);
  }
  s += "],\"tables\":[";
  bool first = true;
  for (const TableVerdict& v : report.tables) {
    if (!first) s += ",";
    first = false;
    s += "{\"replica\":";
    Json(s, v.replica);
    s += ",\"database\":";
    Json(s, v.master_database);
    s += ",\"replica_database\":";
    Json(s, v.replica_database);
    s += ",\"table\":";
    Json(s, v.table);
    s += ",\"identical\":";
    s += v.identical() ? "true" : "false";
    s += ",\"primary_key\":[";
    for (size_t i = 0; i < v.key_columns.size(); ++i) {
      if (i) s += ",";
      Json(s, v.key_columns[i]);
    }
    s += "],\"chunks\":" + std::to_string(v.chunks) + ",\"differing_chunks\":" + std::to_string(v.differing_chunks) +
         ",\"master_rows\":" + std::to_string(v.master_rows) + ",\"replica_rows\":" + std::to_string(v.replica_rows) +
         ",\"aligned\":" + (v.unaligned ? "false" : "true") +
         ",\"by_checksum_table\":" + (v.by_checksum_table ? "true" : "false") + ",\"problem\":";
    Json(s, v.problem);
    s += ",\"keys_total\":" + std::to_string(v.keys_total) + ",\"keys\":[";
    for (size_t i = 0; i < v.keys.size(); ++i) {
      if (i) s += ",";
      s += "{\"kind\":";
      Json(s, KeyDifferenceKindName(v.keys[i].kind));
      s += ",\"key\":[";
      for (size_t j = 0; j < v.keys[i].key.size(); ++j) {
        if (j) s += ",";
        KeyJson(s, v.keys[i].key[j]);
      }
      s += "]}";
    }
    s += "]}";
  }
  s += "]}\n";
  std::fputs(s.c_str(), out);
}

}  // namespace vomsrepl::lifecycle
