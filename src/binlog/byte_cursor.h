// ByteCursor: bounds-checked little-endian reads over an immutable byte span.
//
// Every read checks what remains. On overrun the cursor records a sticky
// error, returns zero (or an empty view) and stays at the end, so a decoder
// reads a whole event and checks ok() once (the approach of MySQL's
// Event_reader). Views returned by ReadBytes/ReadString point into the span the
// cursor was built on and live as long as that buffer does.
//
// Loads go through memcpy and are converted from little-endian, never through
// reinterpret_cast of a wider type.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace vomsrepl::binlog {

using Bytes = std::span<const std::byte>;

inline std::string_view AsStringView(Bytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
inline Bytes AsBytes(std::string_view s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// Little-endian load of N (1..8) bytes at p into a uint64_t.
template <int N>
inline uint64_t LoadLE(const std::byte* p) {
  static_assert(N >= 1 && N <= 8);
  uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, N);
  } else {
    for (int i = 0; i < N; ++i) v |= uint64_t(std::to_integer<uint8_t>(p[i])) << (8 * i);
  }
  return v;
}

// Big-endian load of N (1..8) bytes (used by DECIMAL and the *2 temporal types).
template <int N>
inline uint64_t LoadBE(const std::byte* p) {
  static_assert(N >= 1 && N <= 8);
  uint64_t v = 0;
  for (int i = 0; i < N; ++i) v = (v << 8) | std::to_integer<uint8_t>(p[i]);
  return v;
}

class ByteCursor {
 public:
  ByteCursor() = default;
  explicit ByteCursor(Bytes data) : begin_(data.data()), cur_(data.data()), end_(data.data() + data.size()) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return size_t(end_ - cur_); }
  size_t offset() const { return size_t(cur_ - begin_); }
  bool empty() const { return cur_ == end_; }
  Bytes rest() const { return {cur_, remaining()}; }

  uint8_t ReadU8() { return uint8_t(Read<1>()); }
  uint16_t ReadU16() { return uint16_t(Read<2>()); }
  uint32_t ReadU24() { return uint32_t(Read<3>()); }
  uint32_t ReadU32() { return uint32_t(Read<4>()); }
  uint64_t ReadU48() { return Read<6>(); }
  uint64_t ReadU56() { return Read<7>(); }
  uint64_t ReadU64() { return Read<8>(); }

  // Unsigned little-endian integer of n bytes (0..8).
  uint64_t ReadUIntN(size_t n) {
    if (!Require(n) || n > 8) return Fail();
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(std::to_integer<uint8_t>(cur_[i])) << (8 * i);
    cur_ += n;
    return v;
  }

  // Length-encoded integer (protocol "int<lenenc>"): 0xfb is NULL in result
  // sets and an error here; 0xff is invalid.
  uint64_t ReadPackedInt() {
    uint8_t first = ReadU8();
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfc: return ReadU16();
      case 0xfd: return ReadU24();
      case 0xfe: return ReadU64();
      default: return Fail();
    }
  }

  Bytes ReadBytes(size_t n) {
    if (!Require(n)) {
      Fail();
      return {};
    }
    Bytes b{cur_, n};
    cur_ += n;
    return b;
  }
  std::string_view ReadString(size_t n) { return AsStringView(ReadBytes(n)); }
  // One length byte, then that many bytes.
  std::string_view ReadLengthPrefixedString() { return ReadString(ReadU8()); }
  // Length-encoded length, then that many bytes.
  Bytes ReadPackedBytes() {
    uint64_t n = ReadPackedInt();
    if (!ok_ || n > remaining()) {
      Fail();
      return {};
    }
    return ReadBytes(size_t(n));
  }
  // Bytes up to (not including) a NUL, which is consumed; error if none.
  std::string_view ReadNulTerminated() {
    const void* nul = std::memchr(cur_, 0, remaining());
    if (!ok_ || nul == nullptr) {
      Fail();
      return {};
    }
    size_t n = size_t(static_cast<const std::byte*>(nul) - cur_);
    std::string_view s = ReadString(n);
    cur_ += 1;
    return s;
  }
  Bytes ReadRest() { return ReadBytes(remaining()); }

  void Skip(size_t n) {
    if (!Require(n)) {
      Fail();
      return;
    }
    cur_ += n;
  }

  // Marks the cursor failed (for semantic errors found by the caller).
  void Invalidate() { Fail(); }

 private:
  bool Require(size_t n) const { return ok_ && size_t(end_ - cur_) >= n; }
  uint64_t Fail() {
    ok_ = false;
    cur_ = end_;
    return 0;
  }
  template <int N>
  uint64_t Read() {
    if (!Require(N)) return Fail();
    uint64_t v = LoadLE<N>(cur_);
    cur_ += N;
    return v;
  }

  const std::byte* begin_ = nullptr;
  const std::byte* cur_ = nullptr;
  const std::byte* end_ = nullptr;
  bool ok_ = true;
};

}  // namespace vomsrepl::binlog
