// The byte-level helpers declared in include/vomsrepl/json.h. That header is
// not included here: the decoder module stays std + zstd + zlib, without
// nlohmann.
#include <string>
#include <string_view>

#include "binlog/byte_cursor.h"
#include "binlog/json_binary.h"
#include "binlog/value_text.h"

namespace vomsrepl {

bool IsValidUtf8(std::string_view bytes) { return binlog::IsUtf8(bytes); }

std::string Base64Text(std::string_view bytes) {
  std::string out = "base64:";
  binlog::AppendBase64(binlog::Bytes(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()), out);
  return out;
}

}  // namespace vomsrepl
