// ASCII case folding for SQL keywords, grant lines and server variable values
// (ON/OFF, ROW, CRC32): locale-independent, other bytes (UTF-8 included) unchanged.
#pragma once

#include <string>
#include <string_view>

namespace vomsrepl {

inline std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace vomsrepl
