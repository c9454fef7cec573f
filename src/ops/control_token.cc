#include "ops/control_token.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vomsrepl::ops {
namespace {

std::string Errno(int e) { return std::strerror(e); }

bool TokenCharacter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::strchr("._~+/=-", c) != nullptr;
}

// 32 bytes of getrandom(2), as 64 lower-case hex digits.
Result<std::string> NewToken() {
  unsigned char bytes[32];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Internal("getrandom: " + Errno(errno));
    got += size_t(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Status CheckTokenFile(const std::string& path, const struct stat& st) {
  if (!S_ISREG(st.st_mode)) return InvalidArgument("[http] token_file " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", unsigned(st.st_mode & 07777));
    return InvalidArgument("[http] token_file " + path + " has mode " + octal +
                           ": make it readable by its owner only (chmod 600 " + path + ")");
  }
  if (st.st_uid != ::geteuid()) {
    return InvalidArgument("[http] token_file " + path + " belongs to uid " + std::to_string(st.st_uid) +
                           ", not to this process's user (uid " + std::to_string(::geteuid()) + ")");
  }
  return Status::OK();
}

Result<std::string> ReadOpenToken(const std::string& path, int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return Unavailable("[http] token_file " + path + ": " + Errno(errno));
  VOMSREPL_RETURN_IF_ERROR(CheckTokenFile(path, st));
  std::string text;
  char buf[256];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Unavailable("[http] token_file " + path + ": " + Errno(errno));
    if (n == 0) break;
    text.append(buf, size_t(n));
    if (text.size() > 4096) return InvalidArgument("[http] token_file " + path + " is larger than 4 KiB");
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  bool valid = text.size() >= kControlTokenMinLength;
  for (char c : text) valid = valid && TokenCharacter(c);
  if (!valid) {
    return InvalidArgument("[http] token_file " + path + " does not hold a token (at least " +
                           std::to_string(kControlTokenMinLength) +
                           " characters of A-Z a-z 0-9 . _ ~ + / = -): remove it and `vomsrepl run` writes a new one");
  }
  return text;
}

}  // namespace

Result<std::string> ReadControlToken(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) return NotFound("[http] token_file " + path + " does not exist (`vomsrepl run` creates it)");
    if (e == ELOOP) return InvalidArgument("[http] token_file " + path + " is a symlink: name the file itself");
    return InvalidArgument("[http] token_file " + path + ": " + Errno(e));
  }
  auto token = ReadOpenToken(path, fd);
  ::close(fd);
  return token;
}

Result<std::string> LoadOrCreateControlToken(const std::string& path) {
  auto existing = ReadControlToken(path);
  if (existing.ok() || existing.status().code() != StatusCode::kNotFound) return existing;
  VOMSREPL_ASSIGN_OR_RETURN(std::string token, NewToken());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    if (e == EEXIST) return ReadControlToken(path);  // another writer won the race
    return InvalidArgument("cannot create [http] token_file " + path + ": " + Errno(e));
  }
  std::string line = token + "\n";
  ssize_t n = ::write(fd, line.data(), line.size());
  int e = errno;
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (n != ssize_t(line.size()) || !synced) {
    ::unlink(path.c_str());
    return Unavailable("cannot write [http] token_file " + path + ": " + Errno(e));
  }
  return token;
}

bool BearerMatches(std::string_view authorization_header, std::string_view token) {
  constexpr std::string_view kScheme = "Bearer ";
  if (token.empty() || authorization_header.size() < kScheme.size()) return false;
  // The scheme is case-insensitive (RFC 9110 11.1); it is no secret.
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization_header[i])) !=
        std::tolower(static_cast<unsigned char>(kScheme[i])))
      return false;
  }
  std::string_view given = authorization_header.substr(kScheme.size());
  // Constant time in the token's content: every byte of the longer one is
  // looked at, and a length difference only adds to the difference.
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  const size_t n = std::max(given.size(), token.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char a = i < given.size() ? static_cast<unsigned char>(given[i]) : 0;
    unsigned char b = i < token.size() ? static_cast<unsigned char>(token[i]) : 0;
    diff |= static_cast<unsigned char>(a ^ b);
  }
  return diff == 0;
}

}  // namespace vomsrepl::ops
