#include "binlog/decimal.h"

#include <cstdint>

namespace vomsrepl::binlog {
namespace {

constexpr unsigned kDigitsPerGroup = 9;
constexpr unsigned kGroupBytes = 4;
// Bytes holding 0..9 leftover digits. Format: strings/decimal.cc dig2bytes.
constexpr unsigned kDig2Bytes[10] = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
constexpr uint32_t kPow10[10] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000};

bool ValidPair(unsigned precision, unsigned scale) {
  return precision >= 1 && precision <= kDecimalMaxPrecision && scale <= precision && scale <= kDecimalMaxScale;
}

// Reads `n` (1..4) big-endian bytes, undoing the sign inversion.
uint32_t ReadGroup(const uint8_t* p, unsigned n, uint8_t mask) {
  uint32_t v = 0;
  for (unsigned i = 0; i < n; ++i) v = (v << 8) | uint8_t(p[i] ^ mask);
  return v;
}

// Writes `v` as exactly `digits` decimal digits (zero-padded) at `dst`.
char* PutDigits(char* dst, uint32_t v, unsigned digits) {
  for (unsigned i = digits; i > 0; --i) {
    dst[i - 1] = char('0' + v % 10);
    v /= 10;
  }
  return dst + digits;
}

}  // namespace

size_t DecimalBinarySize(unsigned precision, unsigned scale) {
  if (!ValidPair(precision, scale)) return 0;
  unsigned intg = precision - scale;
  return (intg / kDigitsPerGroup) * kGroupBytes + kDig2Bytes[intg % kDigitsPerGroup] +
         (scale / kDigitsPerGroup) * kGroupBytes + kDig2Bytes[scale % kDigitsPerGroup];
}

// Format: MySQL strings/decimal.cc bin2decimal + decimal2string.
Status AppendDecimalText(Bytes bytes, unsigned precision, unsigned scale, std::string& out) {
  if (!ValidPair(precision, scale))
    return InvalidArgument("DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ") is impossible");
  const size_t size = DecimalBinarySize(precision, scale);
  if (bytes.size() != size)
    return Corruption("DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ") value has " +
                      std::to_string(bytes.size()) + " bytes, expected " + std::to_string(size));
  // Local copy with the sign bit flipped back (at most 30 bytes).
  uint8_t buf[32];
  for (size_t i = 0; i < size; ++i) buf[i] = std::to_integer<uint8_t>(bytes[i]);
  const bool negative = (buf[0] & 0x80) == 0;
  buf[0] ^= 0x80;
  const uint8_t mask = negative ? 0xff : 0x00;

  const unsigned intg = precision - scale;
  const unsigned intg_lead = intg % kDigitsPerGroup, intg_full = intg / kDigitsPerGroup;
  const unsigned frac_full = scale / kDigitsPerGroup, frac_tail = scale % kDigitsPerGroup;

  // Digits land here: at most 65 digits, a sign and a point.
  char text[80];
  char* p = text;
  const uint8_t* src = buf;
  auto group = [&](unsigned digits) -> bool {
    unsigned n = digits == kDigitsPerGroup ? kGroupBytes : kDig2Bytes[digits];
    uint32_t v = ReadGroup(src, n, mask);
    src += n;
    if (v >= kPow10[digits]) return false;
    p = PutDigits(p, v, digits);
    return true;
  };
  bool ok = true;
  if (intg_lead) ok = group(intg_lead);
  for (unsigned i = 0; ok && i < intg_full; ++i) ok = group(kDigitsPerGroup);
  char* int_end = p;
  for (unsigned i = 0; ok && i < frac_full; ++i) ok = group(kDigitsPerGroup);
  if (ok && frac_tail) ok = group(frac_tail);
  if (!ok)
    return Corruption("DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) +
                      ") value has a digit group out of range");

  // Integer part without leading zeros, "0" when empty.
  const char* int_begin = text;
  while (int_begin < int_end && *int_begin == '0') ++int_begin;
  if (negative) out.push_back('-');
  if (int_begin == int_end) {
    out.push_back('0');
  } else {
    out.append(int_begin, size_t(int_end - int_begin));
  }
  if (scale > 0) {
    out.push_back('.');
    out.append(int_end, size_t(p - int_end));
  }
  return Status::OK();
}

}  // namespace vomsrepl::binlog
