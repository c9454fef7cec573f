#include "apply/row_folder.h"

#include <cstring>

namespace vomsrepl::apply {

namespace {

void AppendRaw(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }

}  // namespace

bool RowFolder::Has(const TableInfo* table) const {
  for (const Table& t : tables_)
    if (t.info == table && !t.slots.empty()) return true;
  return false;
}

void RowFolder::Clear() {
  arena_.clear();
  values_.clear();
  tables_.clear();
  changes_ = 0;
  bytes_ = 0;
}

RowFolder::Table& RowFolder::TableFor(const TableInfo* info, const std::vector<uint32_t>& set_columns,
                                      const std::vector<uint32_t>& check_columns, bool has_before, Status* st) {
  for (Table& t : tables_) {
    if (t.info != info) continue;
    if (t.set_columns != set_columns) *st = Internal("folded rows of " + info->quoted_name + " with other columns");
    if (!has_before) return t;  // an INSERT: no before image to compare
    if (!t.check_known) {
      t.check_columns = check_columns;
      t.check_known = true;
    } else if (t.check_columns != check_columns) {
      // Before images with other columns (binlog_row_image changed inside
      // the group): rare; the group goes again in source order.
      *st = Aborted("folded rows of " + info->quoted_name + " with other before-image columns");
    }
    return t;
  }
  Table& t = tables_.emplace_back();
  t.info = info;
  t.set_columns = set_columns;
  if (has_before) {
    t.check_columns = check_columns;
    t.check_known = true;
  }
  for (uint32_t k : info->key) {
    uint32_t pos = 0;
    while (pos < set_columns.size() && set_columns[pos] != k) ++pos;
    if (pos == set_columns.size()) *st = Internal("key column of " + info->quoted_name + " not among the folded columns");
    t.key_in_set.push_back(pos);
  }
  return t;
}

std::string RowFolder::EncodeKey(std::span<const BoundValue> key) const {
  // Type, then the value: fixed fields of numbers and temporals (never the
  // union's padding), length-prefixed bytes of strings.
  std::string out;
  for (const BoundValue& v : key) {
    out.push_back(char(v.type));
    out.push_back(char(v.is_unsigned));
    switch (v.type) {
      case ParamType::kNull: break;
      case ParamType::kFloat: AppendRaw(out, &v.num.f, sizeof v.num.f); break;
      case ParamType::kDouble: AppendRaw(out, &v.num.d, sizeof v.num.d); break;
      case ParamType::kDate: case ParamType::kTime: case ParamType::kDateTime: case ParamType::kTimestamp: {
        const ParamTime& t = v.num.t;
        const uint64_t f[] = {t.year, t.month, t.day, t.hour, t.minute, t.second, t.second_part, uint64_t(t.neg)};
        AppendRaw(out, f, sizeof f);
        break;
      }
      default:
        if (v.is_bytes()) {
          AppendRaw(out, &v.length, sizeof v.length);
          out.append(arena_, v.offset, v.length);
        } else {
          AppendRaw(out, &v.num.i, sizeof v.num.i);
        }
        break;
    }
  }
  return out;
}

uint32_t RowFolder::Store(std::span<const BoundValue> v) {
  auto at = uint32_t(values_.size());
  values_.insert(values_.end(), v.begin(), v.end());
  bytes_ += v.size() * sizeof(BoundValue);
  return at;
}

Status RowFolder::Insert(Table& t, std::span<const BoundValue> after, uint64_t seq, const txn::SourcePoint* origin,
                         ImageDigest after_digest) {
  std::vector<BoundValue> key;
  key.reserve(t.key_in_set.size());
  for (uint32_t pos : t.key_in_set) key.push_back(after[pos]);
  std::string k = EncodeKey(key);
  auto [it, fresh] = t.index.try_emplace(std::move(k), uint32_t(t.slots.size()));
  if (fresh) {
    bytes_ += it->first.size() + 48;
    t.slots.push_back(Slot{false, true, 0, Store(after), seq, origin, {}, after_digest});
    return Status::OK();
  }
  Slot& s = t.slots[it->second];
  if (s.present) return Aborted("INSERT of a key present in the folded group of " + t.info->quoted_name);
  s.present = true;
  s.after = Store(after);
  s.seq = seq;
  s.origin = origin;
  s.last_after = after_digest;
  return Status::OK();
}

Status RowFolder::Remove(Table& t, std::span<const BoundValue> before, uint64_t seq, const txn::SourcePoint* origin,
                         ImageDigest before_digest) {
  auto [it, fresh] = t.index.try_emplace(EncodeKey(before.first(t.key_in_set.size())), uint32_t(t.slots.size()));
  if (fresh) {
    bytes_ += it->first.size() + 48;
    t.slots.push_back(Slot{true, false, Store(before), 0, seq, origin, before_digest, {}});
    return Status::OK();
  }
  Slot& s = t.slots[it->second];
  if (!s.present) return Aborted("change of a key deleted earlier in the folded group of " + t.info->quoted_name);
  s.present = false;
  s.seq = seq;
  s.origin = origin;
  return Status::OK();
}

Status RowFolder::Add(const TableInfo* table, const std::vector<uint32_t>& set_columns,
                      const std::vector<uint32_t>& check_columns, binlog::RowsKind kind,
                      std::span<const BoundValue> before, std::span<const BoundValue> after, uint64_t seq,
                      const txn::SourcePoint* origin, ImageDigest before_digest, ImageDigest after_digest) {
  Status st;
  Table& t = TableFor(table, set_columns, check_columns, kind != binlog::RowsKind::kWrite, &st);
  if (!st.ok()) return st;
  if (kind != binlog::RowsKind::kWrite && before.size() != t.key_in_set.size() + check_columns.size())
    return Internal("folded before image of " + table->quoted_name + " of the wrong width");
  ++changes_;
  switch (kind) {
    case binlog::RowsKind::kWrite:
      return Insert(t, after, seq, origin, after_digest);
    case binlog::RowsKind::kDelete:
      return Remove(t, before, seq, origin, before_digest);
    default: {
      std::vector<BoundValue> after_key;
      after_key.reserve(t.key_in_set.size());
      for (uint32_t pos : t.key_in_set) after_key.push_back(after[pos]);
      std::string kb = EncodeKey(before.first(t.key_in_set.size()));
      if (kb != EncodeKey(after_key)) {
        // The key changes: the old row goes, a new one comes.
        VOMSREPL_RETURN_IF_ERROR(Remove(t, before, seq, origin, before_digest));
        return Insert(t, after, seq, origin, after_digest);
      }
      auto [it, fresh] = t.index.try_emplace(std::move(kb), uint32_t(t.slots.size()));
      if (fresh) {
        bytes_ += it->first.size() + 48;
        uint32_t where = Store(before);
        t.slots.push_back(Slot{true, true, where, Store(after), seq, origin, before_digest, after_digest});
        return Status::OK();
      }
      Slot& s = t.slots[it->second];
      if (!s.present) return Aborted("UPDATE of a key deleted earlier in the folded group of " + table->quoted_name);
      s.after = Store(after);
      s.seq = seq;
      s.origin = origin;
      s.last_after = after_digest;
      return Status::OK();
    }
  }
}

Status RowFolder::ForEachNet(const NetRun& run) const {
  std::vector<NetRow> rows;
  std::vector<std::vector<BoundValue>> update_rows;  // after + key, contiguous per row
  for (const Table& t : tables_) {
    const size_t width = t.set_columns.size(), key_width = t.key_in_set.size() + t.check_columns.size();
    for (NetChange kind : {NetChange::kDelete, NetChange::kUpdate, NetChange::kInsert}) {
      rows.clear();
      update_rows.clear();
      for (const Slot& s : t.slots) {
        NetChange net;
        if (s.existed && !s.present) net = NetChange::kDelete;
        else if (s.existed && s.present) net = NetChange::kUpdate;
        else if (s.present) net = NetChange::kInsert;
        else continue;  // inserted and deleted again: nothing
        if (net != kind) continue;
        std::span<const BoundValue> all(values_);
        if (kind == NetChange::kDelete) {
          rows.push_back(NetRow{all.subspan(s.where, key_width), s.seq, s.origin});
        } else if (kind == NetChange::kInsert) {
          rows.push_back(NetRow{all.subspan(s.after, width), s.seq, s.origin});
        } else {
          std::vector<BoundValue>& v = update_rows.emplace_back();
          v.reserve(width + key_width);
          v.insert(v.end(), values_.begin() + s.after, values_.begin() + s.after + width);
          v.insert(v.end(), values_.begin() + s.where, values_.begin() + s.where + key_width);
          const bool same = s.first_before.complete && s.last_after.complete &&
                            s.first_before.hash == s.last_after.hash;
          rows.push_back(NetRow{{}, s.seq, s.origin, same});
        }
      }
      if (rows.empty()) continue;
      if (kind == NetChange::kUpdate)
        for (size_t i = 0; i < rows.size(); ++i) rows[i].values = update_rows[i];
      VOMSREPL_RETURN_IF_ERROR(run(*t.info, kind, t.set_columns, t.check_columns, rows));
    }
  }
  return Status::OK();
}

}  // namespace vomsrepl::apply
