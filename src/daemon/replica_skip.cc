#include "daemon/replica_skip.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <vector>

#include "binlog/column_type.h"
#include "binlog/table_map.h"
#include "txn/change_format.h"

namespace vomsrepl::daemon {
namespace {

// The decimal number right after `prefix`'s first occurrence, if any.
std::optional<uint64_t> NumberAfter(std::string_view text, std::string_view prefix) {
  size_t at = text.find(prefix);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(at + prefix.size());
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
  if (ec != std::errc() || end == rest.data()) return std::nullopt;
  return n;
}

// The word after `prefix` (up to ',', ' ', ')' or the end), "" when absent.
std::string WordAfter(std::string_view text, std::string_view prefix) {
  size_t at = text.find(prefix);
  if (at == std::string_view::npos) return {};
  std::string_view rest = text.substr(at + prefix.size());
  size_t end = rest.find_first_of(", )");
  return std::string(rest.substr(0, end));
}

}  // namespace

std::optional<uint64_t> FailedJournalSeq(std::string_view error) {
  auto seq = NumberAfter(error, "journal seq ");
  if (seq && *seq == 0) return std::nullopt;
  return seq;
}

Result<uint64_t> SkipSeqFromQuery(std::string_view query) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (pair.starts_with("seq=")) {
      std::string_view v = pair.substr(4);
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n == 0) {
        return InvalidArgument("seq=" + std::string(v) + " is not a journal seq (a positive number)");
      }
      return n;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return InvalidArgument(
      "skip needs the journal seq of the failed transaction: POST /replica/NAME/skip?seq=N, N from /status "
      "(failed_seq), or `vomsrepl replica skip NAME`");
}

Status CheckSkip(std::string_view replica, std::string_view state, uint64_t failed_seq, uint64_t requested) {
  const std::string name(replica);
  if (!state.starts_with("error")) {
    return FailedPrecondition("replica " + name + " is " + std::string(state) +
                              ": skip applies only to a replica stopped on an error");
  }
  if (failed_seq == 0) {
    return FailedPrecondition("replica " + name +
                              " stopped on an error that names no journal transaction: there is nothing to skip");
  }
  if (requested != failed_seq) {
    return FailedPrecondition("replica " + name + " failed on journal seq " + std::to_string(failed_seq) + ", not " +
                              std::to_string(requested) + ": nothing skipped");
  }
  return Status::OK();
}

std::string TablesOf(const txn::Transaction& t) {
  binlog::FormatDescription fde = txn::ChangeFormat(t.mariadb_source);
  txn::ChangeReader reader(t.changes);
  txn::Change c;
  std::vector<std::string> names;
  std::set<std::string> seen;
  auto add = [&](std::string name) {
    if (seen.insert(name).second) names.push_back(std::move(name));
  };
  while (reader.Next(&c)) {
    if (c.kind == txn::ChangeKind::kTableMap) {
      binlog::TableSchema schema;
      if (binlog::DecodeTableMap(c.body, fde, schema).ok()) add(schema.database + "." + schema.table);
    } else if (c.kind == txn::ChangeKind::kStatement) {
      add("statement in " + std::string(c.database.empty() ? "(no database)" : c.database));
    }
  }
  if (!reader.status().ok()) add("(undecodable changes)");
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string RedactedError(std::string_view last_error) {
  if (last_error.empty()) return {};
  std::string out(last_error.substr(0, std::min(last_error.find(':'), last_error.size())));
  if (out.size() > 24 || out.find(' ') != std::string::npos) out = "error";
  if (auto seq = FailedJournalSeq(last_error)) out += ": journal seq " + std::to_string(*seq);
  if (std::string source = WordAfter(last_error, ", source "); !source.empty()) out += ", source " + source;
  if (std::string gtid = WordAfter(last_error, ", GTID "); !gtid.empty()) out += ", GTID " + gtid;
  return out + " (details need the control token)";
}

}  // namespace vomsrepl::daemon
