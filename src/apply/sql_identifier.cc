#include "apply/sql_identifier.h"

namespace vomsrepl::apply {
namespace {

// Returns the number of code points of valid UTF-8 `s`, or -1.
long CountUtf8(std::string_view s) {
  long n = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > s.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return -1;
    }
    i += len;
    ++n;
  }
  return n;
}

}  // namespace

Status ValidateIdentifier(std::string_view name) {
  if (name.empty()) return InvalidArgument("empty identifier");
  if (name.find('\0') != std::string_view::npos) return InvalidArgument("identifier contains a NUL byte");
  long n = CountUtf8(name);
  if (n < 0) return InvalidArgument("identifier is not valid UTF-8");
  if (n > 64) return InvalidArgument("identifier longer than 64 characters");
  if (name.back() == ' ') return InvalidArgument("identifier ends with a space");
  return Status::OK();
}

void AppendQuotedIdentifier(std::string& out, std::string_view name) {
  out.reserve(out.size() + name.size() + 2);
  out += '`';
  for (char c : name) {
    if (c == '`') out += '`';
    out += c;
  }
  out += '`';
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out;
  AppendQuotedIdentifier(out, name);
  return out;
}

std::string QualifiedName(std::string_view db, std::string_view table) {
  std::string out;
  AppendQuotedIdentifier(out, db);
  out += '.';
  AppendQuotedIdentifier(out, table);
  return out;
}

}  // namespace vomsrepl::apply
