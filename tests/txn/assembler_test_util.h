// Helpers for TransactionAssembler tests: run the assembler over binlog
// fixture files (EventReader, as FileStream does) and collect what the sink
// receives.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "binlog/event_reader.h"
#include "txn/transaction_assembler.h"

namespace vomsrepl::txn::testing {

inline std::string Fixture(const std::string& rel) { return std::string(VOMSREPL_TEST_DATA_DIR) + "/" + rel; }

inline std::vector<std::byte> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

inline std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

struct CollectingSink : TransactionSink {
  std::vector<Transaction> transactions;  // every chunk, in order
  std::vector<SourcePoint> advanced;
  std::vector<uint32_t> abandoned;
  Status OnTransaction(Transaction&& t) override {
    transactions.push_back(std::move(t));
    return Status::OK();
  }
  Status OnPositionAdvanced(const SourcePoint& p) override {
    advanced.push_back(p);
    return Status::OK();
  }
  Status OnAbandon(uint32_t chunks) override {
    abandoned.push_back(chunks);
    return Status::OK();
  }
  // Last chunks only.
  std::vector<const Transaction*> Complete() const {
    std::vector<const Transaction*> out;
    for (const auto& t : transactions)
      if (t.last_chunk) out.push_back(&t);
    return out;
  }
};

// Feeds every event of `files` to `assembler`; `skip` (optional) may drop
// events before the assembler sees them. Returns the first error.
template <class Skip>
Status AssembleFiles(TransactionAssembler& assembler, const std::vector<std::string>& files, Skip skip) {
  for (const auto& path : files) {
    std::vector<std::byte> bytes = ReadFileBytes(path);
    if (bytes.empty()) return NotFound("cannot read " + path);
    std::string name = BaseName(path);
    binlog::EventReader reader(bytes, name);
    binlog::ReadEvent ev;
    for (;;) {
      Status s = reader.Next(&ev);
      if (reader.at_end()) break;
      if (!s.ok()) return s;
      if (skip(ev)) continue;
      VOMSREPL_RETURN_IF_ERROR(assembler.Feed(ev, name, reader.format()));
    }
  }
  return Status::OK();
}
inline Status AssembleFiles(TransactionAssembler& assembler, const std::vector<std::string>& files) {
  return AssembleFiles(assembler, files, [](const binlog::ReadEvent&) { return false; });
}

inline FilterRules Rules(std::vector<std::string> include, std::vector<DatabaseRename> renames = {}) {
  FilterConfig c;
  c.include_databases = std::move(include);
  c.renames = std::move(renames);
  auto r = FilterRules::Create(c);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : FilterRules();
}

// Every change of `t`, in order.
inline std::vector<Change> Changes(const Transaction& t) {
  std::vector<Change> out;
  ChangeReader r(t.changes);
  Change c;
  while (r.Next(&c)) out.push_back(c);
  EXPECT_TRUE(r.status().ok()) << r.status().ToString();
  return out;
}

}  // namespace vomsrepl::txn::testing
