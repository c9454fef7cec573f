// JSON output. Every JSON document vomsrepl writes (`/status`, `status
// --format=json`, `stats --format=json`, `verify --format=json`) is built as a
// `vomsrepl::Json` value and serialised by nlohmann::json (Debian's
// nlohmann-json3-dev), not by string concatenation; the daemon's /status is
// read back (`replica skip`) with its parser. The one exception is the event
// lines of `dump --format=json`, a hot path: through nlohmann they measured
// 2.1x slower (bench/dump-json-compare; bench/README.md), so app/dump_command.cc
// keeps its own writer and the tests parse its lines with nlohmann.
//
// `Json` is nlohmann::ordered_json: keys stay in the order they are set, so
// documents keep the field order they always had.
//
// Text that may not be UTF-8 (database and table names, SQL text, key values
// read from a server) goes through JsonBytes(): UTF-8 as is, anything else as
// "base64:<standard base64>", the form `dump` uses for such values. Nothing is
// replaced or dropped silently; JsonText() serialises with strict UTF-8
// checking and, should a string not built through JsonBytes() still be invalid,
// writes U+FFFD rather than throwing (status messages only, never data).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace vomsrepl {

using Json = nlohmann::ordered_json;

// True when `bytes` is valid UTF-8 (no overlong forms, no surrogates).
bool IsValidUtf8(std::string_view bytes);

// "base64:<standard base64 of bytes>".
std::string Base64Text(std::string_view bytes);

// A JSON string of `bytes`: itself when UTF-8, else "base64:<base64>".
inline Json JsonBytes(std::string_view bytes) {
  return IsValidUtf8(bytes) ? Json(std::string(bytes)) : Json(Base64Text(bytes));
}

// Compact serialisation (no spaces), as every document of vomsrepl.
inline std::string JsonText(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vomsrepl
