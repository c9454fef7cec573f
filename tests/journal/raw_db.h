// Opens a journal's RocksDB directly (both column families), for tests that
// look under the Journal API or damage records on purpose.
#pragma once

#include <rocksdb/db.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "journal/journal_format.h"

namespace vomsrepl::journal::testing {

struct RawDb {
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // [0] default, [1] transactions
  rocksdb::ColumnFamilyHandle* txn() const { return handles[1]; }
  ~RawDb() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
  }
};

inline std::unique_ptr<RawDb> OpenRawDb(const std::string& state_dir, bool read_only) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {std::string(kTransactionsColumnFamily), rocksdb::ColumnFamilyOptions()}};
  auto raw = std::make_unique<RawDb>();
  rocksdb::DBOptions opt;
  rocksdb::Status s;
  for (int attempt = 0; attempt < 20; ++attempt) {  // a live writer may delete a table file meanwhile
    s = read_only ? rocksdb::DB::OpenForReadOnly(opt, state_dir + "/journal", cfs, &raw->handles, &raw->db)
                  : rocksdb::DB::Open(opt, state_dir + "/journal", cfs, &raw->handles, &raw->db);
    if (s.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + 10 * attempt));
  }
  if (!s.ok()) {
    std::fprintf(stderr, "OpenRawDb %s: %s\n", state_dir.c_str(), s.ToString().c_str());
    return nullptr;
  }
  return raw;
}

}  // namespace vomsrepl::journal::testing
