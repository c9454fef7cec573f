#include "binlog/crc32.h"

#include <zlib.h>

#ifdef VOMSREPL_HAVE_ISAL
#include <isa-l/crc.h>
#endif

namespace vomsrepl::binlog {

uint32_t Crc32(uint32_t crc, Bytes data) {
#ifdef VOMSREPL_HAVE_ISAL
  // crc32_gzip_refl uses the gzip (reflected IEEE) convention, init/xorout
  // handled inside, so it chains exactly like zlib's crc32.
  return crc32_gzip_refl(crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
#else
  uLong c = crc;
  const auto* p = reinterpret_cast<const Bytef*>(data.data());
  size_t n = data.size();
  while (n > 0) {
    uInt chunk = n > (1u << 30) ? (1u << 30) : uInt(n);
    c = ::crc32(c, p, chunk);
    p += chunk;
    n -= chunk;
  }
  return uint32_t(c);
#endif
}

}  // namespace vomsrepl::binlog
