// libFuzzer target: the input is a whole binlog file (magic, FDE, events).
// EventReader walks it (payload events expanded); every event is decoded with
// the decoder of its type, rows events against the table maps seen before
// them, every cell rendered as mariadb-binlog text and as JSON.
//
// Checksums are not verified, so that mutated inputs get past framing into
// the decoders (a seed corpus of real files exercises the CRC32 path in the
// unit tests instead).
#include <cstddef>
#include <cstdint>
#include <span>

#include "binlog/event_reader.h"
#include "fuzz_decode.h"

using namespace vomsrepl;
using namespace vomsrepl::binlog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes file(reinterpret_cast<const std::byte*>(data), size);
  EventReader reader(file, "fuzz", /*verify_checksum=*/false);
  fuzz::DecodeState state;
  ReadEvent ev;
  // Every successful Next() consumes at least one 19-byte header, so the loop
  // ends; the bound is a guard against a reader bug turning into a hang.
  for (size_t i = 0; i <= size; ++i) {
    if (!reader.Next(&ev).ok()) break;
    const EventHeader& h = ev.frame.header;
    if (h.type == EventType::kFormatDescription) {
      state.tables.Clear();
      continue;
    }
    fuzz::DecodeEventBody(h.type, ev.frame.body, reader.format(), h.server_id, state);
  }
  return 0;
}
