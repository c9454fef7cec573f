// A TABLE_MAP body in the journal's form (txn/transaction.h): 6-byte table id,
// flags, database and table names, one INT (LONG) column, no metadata. For the
// tests that look at a journaled transaction's tables (txn/database_split.h,
// lifecycle/source_alignment.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vomsrepl::testing {

inline std::vector<std::byte> JournalTableMapBody(const std::string& db, const std::string& table,
                                                  uint8_t table_id = 7) {
  std::vector<std::byte> b(8, std::byte{0});
  b[0] = std::byte{table_id};
  b.push_back(std::byte(db.size()));
  for (char c : db) b.push_back(std::byte(c));
  b.push_back(std::byte{0});
  b.push_back(std::byte(table.size()));
  for (char c : table) b.push_back(std::byte(c));
  b.push_back(std::byte{0});
  for (uint8_t x : {1, 3, 0, 0}) b.push_back(std::byte{x});  // 1 column, LONG, metadata length 0, null bitmap
  return b;
}

}  // namespace vomsrepl::testing
