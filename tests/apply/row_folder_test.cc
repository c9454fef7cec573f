// RowFolder: net change per key (no server).
#include "apply/row_folder.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace vomsrepl::apply {
namespace {

class RowFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_.database = "voms_x";
    table_.table = "t";
    table_.quoted_name = "`voms_x`.`t`";
    table_.columns = {ColumnInfo{"id", false, false, false, "int", 0}, ColumnInfo{"v", false, false, true, "int", 0}};
    table_.key = {0};
    table_.foldable = true;
  }

  BoundValue Int(int64_t x) {
    BoundValue b;
    b.type = ParamType::kLongLong;
    b.num.i = x;
    return b;
  }
  BoundValue Text(const std::string& s) {
    BoundValue b;
    b.type = ParamType::kBlob;
    b.offset = uint32_t(folder_.arena().size());
    b.length = uint32_t(s.size());
    folder_.arena() += s;
    return b;
  }
  Status Insert(int64_t id, const std::string& v) {
    std::vector<BoundValue> after{Int(id), Text(v)};
    return folder_.Add(&table_, set_, none_, binlog::RowsKind::kWrite, {}, after, ++seq_, nullptr);
  }
  Status Update(int64_t from, int64_t to, const std::string& v) {
    std::vector<BoundValue> key{Int(from)}, after{Int(to), Text(v)};
    return folder_.Add(&table_, set_, none_, binlog::RowsKind::kUpdate, key, after, ++seq_, nullptr);
  }
  Status Delete(int64_t id) {
    std::vector<BoundValue> key{Int(id)};
    return folder_.Add(&table_, set_, none_, binlog::RowsKind::kDelete, key, {}, ++seq_, nullptr);
  }

  // "D:id", "U:id=v@key", "I:id=v" in the order ForEachNet gives them.
  std::vector<std::string> Net() {
    std::vector<std::string> out;
    Status st = folder_.ForEachNet([&](const TableInfo& t, NetChange kind, const std::vector<uint32_t>& set,
                                       const std::vector<uint32_t>& check,
                                       const std::vector<RowFolder::NetRow>& rows) -> Status {
      EXPECT_EQ(&t, &table_);
      EXPECT_EQ(set, set_);
      EXPECT_TRUE(check.empty());
      for (const auto& r : rows) {
        auto text = [&](const BoundValue& b) { return folder_.arena().substr(b.offset, b.length); };
        switch (kind) {
          case NetChange::kDelete:
            EXPECT_EQ(r.values.size(), 1u);
            out.push_back("D:" + std::to_string(r.values[0].num.i));
            break;
          case NetChange::kUpdate:
            EXPECT_EQ(r.values.size(), 3u);
            out.push_back("U:" + std::to_string(r.values[0].num.i) + "=" + text(r.values[1]) + "@" +
                          std::to_string(r.values[2].num.i));
            break;
          case NetChange::kInsert:
            EXPECT_EQ(r.values.size(), 2u);
            out.push_back("I:" + std::to_string(r.values[0].num.i) + "=" + text(r.values[1]));
            break;
        }
      }
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }

  TableInfo table_;
  std::vector<uint32_t> set_{0, 1};
  std::vector<uint32_t> none_;
  RowFolder folder_;
  uint64_t seq_ = 0;
};

TEST_F(RowFolderTest, InsertUpdateDeleteOfOneKeyFoldToTheirNetChange) {
  ASSERT_TRUE(Insert(1, "a").ok());
  ASSERT_TRUE(Update(1, 1, "b").ok());
  ASSERT_TRUE(Update(1, 1, "c").ok());  // insert + updates: one INSERT of the last image
  ASSERT_TRUE(Insert(2, "x").ok());
  ASSERT_TRUE(Delete(2).ok());          // insert + delete: nothing
  ASSERT_TRUE(Delete(3).ok());
  ASSERT_TRUE(Insert(3, "y").ok());     // delete + insert (sysbench): one UPDATE
  ASSERT_TRUE(Update(4, 4, "p").ok());
  ASSERT_TRUE(Delete(4).ok());          // update + delete: one DELETE
  ASSERT_TRUE(Update(5, 5, "q").ok());
  ASSERT_TRUE(Update(5, 5, "r").ok());  // updates: one UPDATE of the last image
  EXPECT_EQ(folder_.changes(), 11u);
  EXPECT_EQ(Net(), (std::vector<std::string>{"D:4", "U:3=y@3", "U:5=r@5", "I:1=c"}));
}

TEST_F(RowFolderTest, KeyChangeIsADeleteAndAnInsert) {
  ASSERT_TRUE(Update(6, 60, "m").ok());  // 6 moves to 60
  ASSERT_TRUE(Delete(7).ok());
  ASSERT_TRUE(Update(8, 7, "n").ok());   // 8 takes the key 7 deleted before: 7 is updated in place
  EXPECT_EQ(Net(), (std::vector<std::string>{"D:6", "D:8", "U:7=n@7", "I:60=m"}));
}

TEST_F(RowFolderTest, ContradictionsAreAbortedForAnInOrderRetry) {
  ASSERT_TRUE(Insert(1, "a").ok());
  EXPECT_EQ(Insert(1, "b").code(), StatusCode::kAborted);
  ASSERT_TRUE(Delete(2).ok());
  EXPECT_EQ(Update(2, 2, "c").code(), StatusCode::kAborted);
  EXPECT_EQ(Delete(2).code(), StatusCode::kAborted);
}

TEST_F(RowFolderTest, ClearForgetsEverythingAndHasNamesTheTable) {
  EXPECT_FALSE(folder_.Has(&table_));
  ASSERT_TRUE(Insert(1, "a").ok());
  EXPECT_TRUE(folder_.Has(&table_));
  EXPECT_GT(folder_.bytes(), 0u);
  folder_.Clear();
  EXPECT_TRUE(folder_.empty());
  EXPECT_FALSE(folder_.Has(&table_));
  EXPECT_TRUE(Net().empty());
  ASSERT_TRUE(Insert(1, "a").ok());  // no memory of the cleared key
  EXPECT_EQ(Net(), (std::vector<std::string>{"I:1=a"}));
}

TEST_F(RowFolderTest, StringKeysCompareByTheirBytes) {
  table_.key = {1};  // the text column is the key
  ASSERT_TRUE(Insert(1, "k").ok());
  ASSERT_TRUE(Insert(2, "K").ok());  // other bytes: another key (the server compares by collation; the
                                     // binlog gives every image of one row the same bytes)
  std::vector<BoundValue> key{Text("k")}, after{Int(3), Text("k")};
  ASSERT_TRUE(folder_.Add(&table_, set_, none_, binlog::RowsKind::kUpdate, key, after, ++seq_, nullptr).ok());
  EXPECT_EQ(Net(), (std::vector<std::string>{"I:3=k", "I:2=K"}));
}

// The before-image check: the net statement carries the FIRST before image's
// check values of its key (the replica's state before the group).
TEST_F(RowFolderTest, NetUpdatesAndDeletesCarryTheFirstBeforeImagesCheckValues) {
  const std::vector<uint32_t> check{1};
  auto update = [&](int64_t id, const std::string& old, const std::string& v) {
    std::vector<BoundValue> before{Int(id), Text(old)}, after{Int(id), Text(v)};
    return folder_.Add(&table_, set_, check, binlog::RowsKind::kUpdate, before, after, ++seq_, nullptr);
  };
  auto remove = [&](int64_t id, const std::string& old) {
    std::vector<BoundValue> before{Int(id), Text(old)};
    return folder_.Add(&table_, set_, check, binlog::RowsKind::kDelete, before, {}, ++seq_, nullptr);
  };
  ASSERT_TRUE(Insert(9, "i").ok());  // an INSERT first does not fix the check columns
  ASSERT_TRUE(update(5, "a", "b").ok());
  ASSERT_TRUE(update(5, "b", "c").ok());
  ASSERT_TRUE(update(4, "w", "x").ok());
  ASSERT_TRUE(remove(4, "x").ok());
  ASSERT_TRUE(remove(3, "d").ok());
  std::vector<std::string> out;
  Status st = folder_.ForEachNet([&](const TableInfo&, NetChange kind, const std::vector<uint32_t>&,
                                     const std::vector<uint32_t>& got_check,
                                     const std::vector<RowFolder::NetRow>& rows) -> Status {
    auto text = [&](const BoundValue& b) { return folder_.arena().substr(b.offset, b.length); };
    if (kind != NetChange::kInsert) {
      EXPECT_EQ(got_check, check);
    }
    for (const auto& r : rows) {
      switch (kind) {
        case NetChange::kDelete:  // key, check
          EXPECT_EQ(r.values.size(), 2u);
          out.push_back("D:" + std::to_string(r.values[0].num.i) + "?" + text(r.values[1]));
          break;
        case NetChange::kUpdate:  // after (id, v), key, check
          EXPECT_EQ(r.values.size(), 4u);
          out.push_back("U:" + std::to_string(r.values[0].num.i) + "=" + text(r.values[1]) + "@" +
                        std::to_string(r.values[2].num.i) + "?" + text(r.values[3]));
          break;
        case NetChange::kInsert:
          out.push_back("I:" + std::to_string(r.values[0].num.i) + "=" + text(r.values[1]));
          break;
      }
    }
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(out, (std::vector<std::string>{"D:4?w", "D:3?d", "U:5=c@5?a", "I:9=i"}));
  // Another set of before-image columns for the same table: an in-order retry.
  EXPECT_EQ(Update(6, 6, "z").code(), StatusCode::kAborted);
}

// NetRow::maybe_unchanged: a net UPDATE whose last after image has the
// digest of its first before image (both complete) ends as it was.
TEST_F(RowFolderTest, NetUpdateBackToItsFirstBeforeImageIsMarkedMaybeUnchanged) {
  const ImageDigest a{111, true}, b{222, true}, partial{111, false};
  auto add = [&](binlog::RowsKind kind, int64_t id, const std::string& v, ImageDigest before, ImageDigest after) {
    std::vector<BoundValue> key{Int(id)}, image{Int(id), Text(v)};
    std::span<const BoundValue> k = kind == binlog::RowsKind::kWrite ? std::span<const BoundValue>{} : key;
    std::span<const BoundValue> i = kind == binlog::RowsKind::kDelete ? std::span<const BoundValue>{} : image;
    return folder_.Add(&table_, set_, none_, kind, k, i, ++seq_, nullptr, before, after);
  };
  using K = binlog::RowsKind;
  ASSERT_TRUE(add(K::kDelete, 1, "", a, {}).ok());  // DELETE and INSERT of the same values (sysbench)
  ASSERT_TRUE(add(K::kWrite, 1, "x", {}, a).ok());
  ASSERT_TRUE(add(K::kDelete, 2, "", a, {}).ok());  // ... of other values
  ASSERT_TRUE(add(K::kWrite, 2, "y", {}, b).ok());
  ASSERT_TRUE(add(K::kUpdate, 3, "z", a, b).ok());  // an UPDATE and its undo
  ASSERT_TRUE(add(K::kUpdate, 3, "w", b, a).ok());
  ASSERT_TRUE(add(K::kUpdate, 4, "v", partial, partial).ok());  // a partial image proves nothing
  ASSERT_TRUE(add(K::kUpdate, 5, "u", a, b).ok());              // changed
  ASSERT_TRUE(add(K::kWrite, 6, "t", {}, a).ok());               // an INSERT is never an UPDATE
  std::map<int64_t, bool> same;
  ASSERT_TRUE(folder_
                  .ForEachNet([&](const TableInfo&, NetChange kind, const std::vector<uint32_t>&,
                                  const std::vector<uint32_t>&, const std::vector<RowFolder::NetRow>& rows) -> Status {
                    for (const auto& r : rows) {
                      if (kind == NetChange::kUpdate) same[r.values[0].num.i] = r.maybe_unchanged;
                      else EXPECT_FALSE(r.maybe_unchanged);
                    }
                    return Status::OK();
                  })
                  .ok());
  EXPECT_EQ(same, (std::map<int64_t, bool>{{1, true}, {2, false}, {3, true}, {4, false}, {5, false}}));
}

}  // namespace
}  // namespace vomsrepl::apply
