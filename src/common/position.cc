#include <vomsrepl/position.h>

#include <algorithm>
#include <charconv>

namespace vomsrepl {
namespace {

template <typename T>
bool ParseUnsigned(std::string_view s, T& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string BinlogPosition::ToString() const { return file + ":" + std::to_string(offset); }

Result<BinlogPosition> BinlogPosition::Parse(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return InvalidArgument("binlog position '" + std::string(text) + "' is not FILE:POS");
  BinlogPosition p;
  p.file = std::string(text.substr(0, colon));
  if (p.file.find('/') != std::string::npos)
    return InvalidArgument("binlog position '" + std::string(text) + "': file name must not contain '/'");
  if (!ParseUnsigned(text.substr(colon + 1), p.offset))
    return InvalidArgument("binlog position '" + std::string(text) + "': offset is not a number");
  return p;
}

std::string MariadbGtid::ToString() const {
  return std::to_string(domain_id) + "-" + std::to_string(server_id) + "-" + std::to_string(seq_no);
}

Result<MariadbGtid> MariadbGtid::Parse(std::string_view text) {
  text = Trim(text);
  size_t a = text.find('-');
  size_t b = a == std::string_view::npos ? a : text.find('-', a + 1);
  MariadbGtid g;
  if (b == std::string_view::npos || !ParseUnsigned(text.substr(0, a), g.domain_id) ||
      !ParseUnsigned(text.substr(a + 1, b - a - 1), g.server_id) ||
      !ParseUnsigned(text.substr(b + 1), g.seq_no))
    return InvalidArgument("GTID '" + std::string(text) + "' is not DOMAIN-SERVER-SEQ (e.g. 0-1-42)");
  return g;
}

void MariadbGtidList::Update(const MariadbGtid& gtid) {
  auto it = std::lower_bound(gtids_.begin(), gtids_.end(), gtid.domain_id,
                             [](const MariadbGtid& g, uint32_t d) { return g.domain_id < d; });
  if (it != gtids_.end() && it->domain_id == gtid.domain_id) {
    *it = gtid;
  } else {
    gtids_.insert(it, gtid);
  }
}

const MariadbGtid* MariadbGtidList::Find(uint32_t domain_id) const {
  auto it = std::lower_bound(gtids_.begin(), gtids_.end(), domain_id,
                             [](const MariadbGtid& g, uint32_t d) { return g.domain_id < d; });
  return it != gtids_.end() && it->domain_id == domain_id ? &*it : nullptr;
}

bool MariadbGtidList::Contains(const MariadbGtid& gtid) const {
  const MariadbGtid* mine = Find(gtid.domain_id);
  return mine != nullptr && gtid.seq_no <= mine->seq_no;
}

std::string MariadbGtidList::ToString() const {
  std::string s;
  for (const auto& g : gtids_) {
    if (!s.empty()) s += ',';
    s += g.ToString();
  }
  return s;
}

Result<MariadbGtidList> MariadbGtidList::Parse(std::string_view text) {
  MariadbGtidList list;
  text = Trim(text);
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    VOMSREPL_ASSIGN_OR_RETURN(MariadbGtid g, MariadbGtid::Parse(item));
    if (list.Find(g.domain_id) != nullptr)
      return InvalidArgument("GTID list '" + std::string(text) + "' names domain " +
                             std::to_string(g.domain_id) + " twice");
    list.Update(g);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return list;
}

}  // namespace vomsrepl
