// Proves the steady state allocates nothing: a repeated TABLE_MAP (same
// bytes), the rows event decode and a full ForEachRow walk, event after event.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "../rows_test_util.h"
#include "binlog/rows_event.h"
#include "binlog/table_map.h"

// The replacements below pair malloc with free; GCC cannot see that through
// the inlined sized delete.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace vomsrepl::binlog {
namespace {

using testing::ByteBuilder;
using testing::TestFde;

struct SizeSum {
  uint64_t bytes = 0, cells = 0, nulls = 0, images = 0;
  void BeginRow(RowImage) { ++images; }
  void OnCell(const Cell& c) {
    ++cells;
    nulls += c.is_null;
    bytes += c.bytes.size();
  }
  void EndRow() {}
};

TEST(Allocations, SteadyStateIsAllocationFree) {
  // voms_atlas.usr(id BIGINT, dn VARCHAR(255) utf8mb4, ca INT, cert BLOB, created DATETIME2(0), amount DECIMAL(10,2))
  ByteBuilder tm;
  tm.Int(77, 6).U16(1).U8(10).Raw("voms_atlas").U8(0).U8(3).Raw("usr").U8(0).Packed(6).Bytes1({8, 15, 3, 252, 18, 246});
  tm.Packed(6).Bytes1({0xfc, 0x03, 2, 0, 10, 2}).Bytes1({0x3e});
  ByteBuilder names;
  for (const char* n : {"id", "dn", "ca", "cert", "created", "amount"}) names.PackedString(n);
  tm.Tlv(4, names);
  tm.Tlv(8, ByteBuilder().Packed(0));

  ByteBuilder rows;
  for (int i = 0; i < 50; ++i) {
    // UPDATE: before and after, the cert NULL in the after image.
    rows.U8(0).U64(uint64_t(i)).U16(20).Raw("/DC=ch/CN=some user").U8(' ').U32(3).U16(4).Raw("cert").Int(0, 5).Int(0, 5);
    rows.U8(0b1000).U64(uint64_t(i)).U16(20).Raw("/DC=ch/CN=other use").U8('r').U32(4).Int(0, 5).Int(0, 5);
  }
  ByteBuilder ev;
  ev.Int(77, 6).U16(kRowsFlagStmtEnd).U16(2).Packed(6).U8(0x3f).U8(0x3f).Raw(rows.bytes());

  FormatDescription fde = TestFde();
  TableMapCache cache;
  std::vector<std::byte> scratch;
  SizeSum sum;
  auto one_event = [&]() -> bool {
    if (!cache.Update(tm.span(), fde).ok()) return false;
    auto view = DecodeRowsEvent(EventType::kUpdateRowsV2, ev.span(), fde, scratch);
    if (!view.ok()) return false;
    const TableSchema* schema = cache.Find(view->table_id);
    if (schema == nullptr) return false;
    if (!ForEachRow(*view, *schema, sum).ok()) return false;
    uint64_t n = 0;
    if (!CountRows(*view, *schema, &n).ok() || n != 50) return false;
    if (view->end_of_statement) cache.Clear();
    return true;
  };
  ASSERT_TRUE(one_event());  // warm-up: the first TABLE_MAP of an id is decoded and stored
  uint64_t before = g_allocations.load();
  bool ok = true;
  for (int i = 0; i < 1000 && ok; ++i) ok = one_event();
  uint64_t allocations = g_allocations.load() - before;
  ASSERT_TRUE(ok);
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(cache.decode_count(), 1u);
  EXPECT_EQ(sum.images, 1001u * 100u);
  EXPECT_EQ(sum.cells, 1001u * 100u * 6u);
  EXPECT_EQ(sum.nulls, 1001u * 50u);
}

}  // namespace
}  // namespace vomsrepl::binlog
