// Status and Result<T>: errors as values at module boundaries.
//
// A Status is either ok or carries a Code and a client-safe message. The codes
// are chosen by what the caller should do next; src/api maps them to HTTP in
// exactly one place. Messages must never contain secrets, SQL or host paths.
//
// Thread-safety: immutable values; safe to copy across threads.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ff {

enum class Code {
  kOk = 0,
  kInvalidArgument,   // 400: malformed JSON or header
  kIntegrity,         // 400: checksum or size mismatch
  kValidation,        // 422: schema or id pattern; message names the field
  kUnauthenticated,   // 401: missing, forged or expired token
  kPermissionDenied,  // 403: valid token, someone else's resource
  kNotFound,          // 404
  kConflict,          // 409: duplicate id, wrong state, finished job
  kTooLarge,          // 413
  kOutOfRange,        // 416: unsatisfiable Range
  kRateLimited,       // 429
  kUnavailable,       // 503: dependency down; the one retryable code
  kDataLoss,          // 500: corrupt WAL or object
  kInternal,          // 500: broken invariant
};

const char* code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy with "context: " prepended to the message.
  Status with_context(const std::string& context) const;
  std::string to_string() const;

  void ignore_error() const {}

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status IntegrityError(std::string m) { return Status(Code::kIntegrity, std::move(m)); }
inline Status ValidationError(std::string m) { return Status(Code::kValidation, std::move(m)); }
inline Status Unauthenticated(std::string m) {
  return Status(Code::kUnauthenticated, std::move(m));
}
inline Status PermissionDenied(std::string m) {
  return Status(Code::kPermissionDenied, std::move(m));
}
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status Conflict(std::string m) { return Status(Code::kConflict, std::move(m)); }
inline Status TooLarge(std::string m) { return Status(Code::kTooLarge, std::move(m)); }
inline Status OutOfRange(std::string m) { return Status(Code::kOutOfRange, std::move(m)); }
inline Status RateLimited(std::string m) { return Status(Code::kRateLimited, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
inline Status DataLoss(std::string m) { return Status(Code::kDataLoss, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }

// Result<T>: a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }
  // By value on a temporary, so `FF_TRY(make_result().status())` does not
  // hold a reference into a Result that is already gone.
  Status status() && { return ok() ? Status() : std::get<1>(std::move(v_)); }
  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

namespace detail {
inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) {
  return r.status();
}
}  // namespace detail

}  // namespace ff

#define FF_CONCAT_INNER(a, b) a##b
#define FF_CONCAT(a, b) FF_CONCAT_INNER(a, b)

// Returns the Status of `expr` (a Status or Result) from the enclosing function if not ok.
#define FF_TRY(expr)                                                        \
  do {                                                                      \
    auto&& ff_try_value_ = (expr);                                          \
    if (!ff_try_value_.ok()) return ::ff::detail::status_of(ff_try_value_); \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define FF_ASSIGN_OR_RETURN(lhs, rexpr) \
  FF_ASSIGN_OR_RETURN_IMPL(FF_CONCAT(ff_result_, __LINE__), lhs, rexpr)
#define FF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
