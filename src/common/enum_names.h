// The name of an enumerator from a table in enumerator order, for the enums
// whose enumerators run 0, 1, 2, ... without gaps: one line per enum instead
// of one switch, and a value outside the table (a corrupt byte) reads as
// `unknown` instead of indexing past it.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace vomsrepl {

template <class E, size_t N>
constexpr std::string_view EnumName(E value, const std::string_view (&names)[N], std::string_view unknown = "?") {
  static_assert(std::is_enum_v<E>);
  const auto i = static_cast<std::make_unsigned_t<std::underlying_type_t<E>>>(value);
  return i < N ? names[i] : unknown;
}

}  // namespace vomsrepl
