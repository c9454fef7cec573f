#include "apply/writeset.h"

#include <algorithm>
#include <string_view>

#include "binlog/rows_event.h"
#include "txn/rows_walk.h"

namespace vomsrepl::apply {
namespace {

using binlog::ColumnType;

// Types whose stored bytes are the one representation of a key value.
bool ByteComparableKeyType(ColumnType type) {
  switch (type) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kInt24:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kNewDecimal:
    case ColumnType::kBit:
    case ColumnType::kYear:
    case ColumnType::kDate:
    case ColumnType::kNewDate:
    case ColumnType::kTime:
    case ColumnType::kTime2:
    case ColumnType::kDateTime:
    case ColumnType::kDateTime2:
    case ColumnType::kTimestamp:
    case ColumnType::kTimestamp2:
      return true;
    default:
      return false;
  }
}

uint64_t Hash(std::string_view bytes) {
  uint64_t h = std::hash<std::string_view>{}(bytes);
  return h == kOrderedTablesKey ? h + 1 : h;
}

// Collects the key columns of each row image and hashes them. An after
// image without a key column (binlog_row_image=MINIMAL: only the changed
// columns) keeps the before image's value of it; a before (or only) image
// without one sets incomplete().
class KeyVisitor {
 public:
  KeyVisitor(const TableInfo& table, const std::string& table_prefix, std::vector<uint64_t>* keys,
             std::string* buffer)
      : table_(table), prefix_(table_prefix), keys_(keys), buffer_(buffer), cells_(table.key.size()),
        found_(table.key.size(), false) {}

  bool incomplete() const { return incomplete_; }

  void BeginRow(binlog::RowImage image) {
    // An after image starts from the before image's key (same row).
    if (image == binlog::RowImage::kBefore || !after_follows_before_) std::fill(found_.begin(), found_.end(), false);
  }
  void OnCell(const binlog::Cell& cell) {
    for (size_t k = 0; k < table_.key.size(); ++k) {
      if (table_.key[k] != cell.index) continue;
      cells_[k] = cell;
      found_[k] = true;
    }
  }
  void EndRow() {
    buffer_->assign(prefix_);
    for (size_t k = 0; k < cells_.size(); ++k) {
      if (!found_[k]) {
        incomplete_ = true;
        return;
      }
      const binlog::Cell& c = cells_[k];
      uint32_t n = c.is_null ? UINT32_MAX : uint32_t(c.bytes.size());
      buffer_->append(reinterpret_cast<const char*>(&n), sizeof n);
      if (!c.is_null) buffer_->append(reinterpret_cast<const char*>(c.bytes.data()), c.bytes.size());
    }
    keys_->push_back(Hash(*buffer_));
  }
  // UPDATE events: each before image is followed by its after image.
  void set_two_images(bool two) { after_follows_before_ = two; }

 private:
  const TableInfo& table_;
  const std::string& prefix_;
  std::vector<uint64_t>* keys_;
  std::string* buffer_;
  std::vector<binlog::Cell> cells_;
  std::vector<bool> found_;
  bool after_follows_before_ = false;
  bool incomplete_ = false;
};

}  // namespace

void NormalizeWriteset(std::vector<uint64_t>* keys) {
  std::sort(keys->begin(), keys->end());
  keys->erase(std::unique(keys->begin(), keys->end()), keys->end());
}

Status WritesetBuilder::Add(const txn::Transaction& t, std::vector<uint64_t>* keys) {
  if (t.chunk == 0) maps_.Clear();
  return txn::WalkRowsChanges(
      t, maps_, scratch_,
      [&](const binlog::TableSchema& schema, const binlog::RowsEventView& view) -> Status {
        VOMSREPL_ASSIGN_OR_RETURN(const TableInfo* info, catalog_.Resolve(session_, schema));
        if (!info->foldable || info->key.empty()) {
          keys->push_back(kOrderedTablesKey);
        } else {
          std::string prefix = info->quoted_name;
          prefix.push_back('\0');
          bool by_row = true;
          for (uint32_t k : info->key) by_row = by_row && ByteComparableKeyType(schema.columns[k].type);
          if (by_row) {
            KeyVisitor visitor(*info, prefix, keys, &buffer_);
            visitor.set_two_images(view.kind == binlog::RowsKind::kUpdate ||
                                   view.kind == binlog::RowsKind::kPartialUpdate);
            VOMSREPL_RETURN_IF_ERROR(binlog::ForEachRow(view, schema, visitor));
            if (visitor.incomplete())
              return FailedPrecondition(info->quoted_name + ": a row image without its key columns");
          } else {
            keys->push_back(Hash(prefix));
          }
        }
        return Status::OK();
      },
      txn::NoStatementExpected);
}

}  // namespace vomsrepl::apply
