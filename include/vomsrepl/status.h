// Status and Result<T>: how every vomsrepl function reports failure.
//
// No exceptions on the data path. A Status is either OK (which allocates
// nothing and is one null pointer) or carries a code and a message. Codes drive
// policy (see STYLE.md): kUnavailable is retried (reconnect), kCorruption and
// kDataLoss stop the stream and alert, kNotSupported names a feature we do not
// handle, kInvalidArgument is a configuration or CLI error, kFailedPrecondition
// is an environment problem that retrying will not fix, kBinlogPurged means the
// master purged the binlog a stream needs (the way back is a bootstrap).
//
// Thread-safety: a Status is a value; distinct objects may be used from
// distinct threads without synchronisation.
#pragma once

#include <cassert>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace vomsrepl {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,     // bad config, CLI flag, identifier
  kNotFound = 2,            // file, table, GTID not found
  kNotSupported = 3,        // an event type or feature we do not handle
  kCorruption = 4,          // bytes that violate the binlog format
  kDataLoss = 5,            // something would be lost: stop, never skip
  kUnavailable = 6,         // transient: network, server down (retry)
  kFailedPrecondition = 7,  // environment wrong (binlog_format, writable replica)
  kOutOfRange = 8,          // end of input, position past the end
  kInternal = 9,            // a bug of ours
  kAborted = 10,            // cancelled by the operator or a signal
  kBinlogPurged = 11,       // the master no longer has the binlog file/GTID to stream from
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() noexcept = default;  // OK
  Status(StatusCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // The message without the code name; empty for OK.
  std::string_view message() const;
  // "Corruption: message" or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "context: message" (same code).
  Status WithContext(std::string_view context) const;

  // Silences [[nodiscard]] where ignoring a status is deliberate.
  void IgnoreError() const {}

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status NotSupported(std::string m) { return {StatusCode::kNotSupported, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
inline Status DataLoss(std::string m) { return {StatusCode::kDataLoss, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Aborted(std::string m) { return {StatusCode::kAborted, std::move(m)}; }

// Result<T>: a T or a non-OK Status (std::expected-like; we build as C++20).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : status_(), has_value_(true) { new (&storage_) T(std::move(value)); }  // NOLINT
  Result(Status status) : status_(std::move(status)), has_value_(false) {              // NOLINT
    assert(!status_.ok() && "Result built from an OK status without a value");
  }
  Result(const Result& o) : status_(o.status_), has_value_(o.has_value_) {
    if (has_value_) new (&storage_) T(*o);
  }
  Result(Result&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
      : status_(std::move(o.status_)), has_value_(o.has_value_) {
    if (has_value_) new (&storage_) T(std::move(*o));
  }
  Result& operator=(Result o) {
    this->~Result();
    new (this) Result(std::move(o));
    return *this;
  }
  ~Result() {
    if (has_value_) ptr()->~T();
  }

  bool ok() const { return has_value_; }
  const Status& status() const { return status_; }

  T& value() & { assert(has_value_); return *ptr(); }
  const T& value() const& { assert(has_value_); return *ptr(); }
  T&& value() && { assert(has_value_); return std::move(*ptr()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  T* ptr() { return std::launder(reinterpret_cast<T*>(&storage_)); }
  const T* ptr() const { return std::launder(reinterpret_cast<const T*>(&storage_)); }

  Status status_;
  bool has_value_;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace vomsrepl

// Propagates a non-OK Status from an expression returning Status.
#define VOMSREPL_RETURN_IF_ERROR(expr)          \
  do {                                          \
    ::vomsrepl::Status _st = (expr);            \
    if (!_st.ok()) return _st;                  \
  } while (0)

#define VOMSREPL_CONCAT_INNER(a, b) a##b
#define VOMSREPL_CONCAT(a, b) VOMSREPL_CONCAT_INNER(a, b)
// VOMSREPL_ASSIGN_OR_RETURN(auto x, FunctionReturningResult());
#define VOMSREPL_ASSIGN_OR_RETURN(lhs, expr) \
  VOMSREPL_ASSIGN_OR_RETURN_IMPL(VOMSREPL_CONCAT(_res_, __LINE__), lhs, expr)
#define VOMSREPL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(*tmp)
