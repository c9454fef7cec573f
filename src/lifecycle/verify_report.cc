// Text and JSON forms of a VerifyReport (lifecycle/verifier.h).
#include <cmath>
#include <string>

#include <vomsrepl/json.h>

#include "common/enum_names.h"
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

// Padded to one width, for the report's columns.
std::string_view KindText(KeyDifferenceKind kind) {
  static constexpr std::string_view kTexts[] = {"missing on replica", "extra on replica  ", "different values  "};
  return EnumName(kind, kTexts);
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
  Json j;
  j["identical"] = report.identical();
  j["seconds"] = std::round(report.seconds * 1e6) / 1e6;  // microseconds, as before
  Json& replicas = j["replicas"] = Json::array();
  for (const std::string& r : report.replicas) replicas.push_back(JsonBytes(r));
  Json& tables = j["tables"] = Json::array();
  for (const TableVerdict& v : report.tables) {
    Json t;
    t["replica"] = JsonBytes(v.replica);
    t["database"] = JsonBytes(v.master_database);
    t["replica_database"] = JsonBytes(v.replica_database);
    t["table"] = JsonBytes(v.table);
    t["identical"] = v.identical();
    Json& pk = t["primary_key"] = Json::array();
    for (const std::string& c : v.key_columns) pk.push_back(JsonBytes(c));
    t["chunks"] = v.chunks;
    t["differing_chunks"] = v.differing_chunks;
    t["master_rows"] = v.master_rows;
    t["replica_rows"] = v.replica_rows;
    t["aligned"] = !v.unaligned;
    t["by_checksum_table"] = v.by_checksum_table;
    t["problem"] = JsonBytes(v.problem);
    t["keys_total"] = v.keys_total;
    Json& keys = t["keys"] = Json::array();
    for (const KeyDifference& k : v.keys) {
      // A key value that is not UTF-8 (a binary or latin1 key) is written
      // "base64:<RFC 4648>", as `dump --format=json` writes such values.
      Json key = Json::array();
      for (const std::string& part : k.key) key.push_back(JsonBytes(part));
      keys.push_back(Json{{"kind", std::string(KeyDifferenceKindName(k.kind))}, {"key", std::move(key)}});
    }
    tables.push_back(std::move(t));
  }
  std::fputs((JsonText(j) + "\n").c_str(), out);
}

}  // namespace vomsrepl::lifecycle
