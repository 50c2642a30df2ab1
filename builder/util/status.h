// Status and Result<T>: errors as values, with codes that follow gRPC's.
//
// The code says what the caller should do (retry, give up, fix the input);
// the message names the operation, the object and the cause. Context is
// prepended as an error travels up: "reading archive x.tar: entry a/b: ...".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ignite {

// Same numbering as google.rpc.Code so the values cross the gRPC API unchanged.
enum class Code {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ... as gRPC spells them.
std::string_view code_name(Code code);
// The code code_name() spells `name`; nullopt for any other text.
std::optional<Code> parse_code(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message". OK stays OK.
  Status with_context(std::string_view context) const;

  // "INVALID_ARGUMENT: message", or "OK".
  std::string to_string() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status ok_status() { return Status(); }
inline Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
inline Status resource_exhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
inline Status internal_error(std::string m) { return {Code::kInternal, std::move(m)}; }
inline Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status already_exists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status permission_denied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status data_loss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
inline Status unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }

// A status built from errno: "context: strerror(errno)", with a code chosen from errno.
Status errno_status(std::string_view context, int err);

// Writes "ignite: bug: <what> (status: <status>)" to stderr and aborts. A misused Result is a
// bug in the caller, not an error to report: going on would read a value that is not there, so
// it stops here in every build type (not only where assert is on), and without an exception,
// which would cross module boundaries.
[[noreturn]] void result_misuse(const char* what, const Status& status);

// A value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) {
      result_misuse("Result<T> built from an OK status, so it has neither a value nor an error",
                    std::get<Status>(v_));
    }
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  Status status() && { return ok() ? Status() : std::get<Status>(std::move(v_)); }

  T& value() & {
    check_has_value();
    return *std::get_if<T>(&v_);
  }
  const T& value() const& {
    check_has_value();
    return *std::get_if<T>(&v_);
  }
  T&& value() && {
    check_has_value();
    return std::move(*std::get_if<T>(&v_));
  }

  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void check_has_value() const {
    if (!ok()) {
      result_misuse("value() called on a Result that holds an error", *std::get_if<Status>(&v_));
    }
  }

  std::variant<T, Status> v_;
};

}  // namespace ignite

// Propagate a non-OK Status out of the current function.
#define IGNITE_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::ignite::Status ignite_status_ = (expr); \
    if (!ignite_status_.ok()) return ignite_status_; \
  } while (0)

#define IGNITE_CONCAT_INNER_(a, b) a##b
#define IGNITE_CONCAT_(a, b) IGNITE_CONCAT_INNER_(a, b)

// IGNITE_ASSIGN_OR_RETURN(auto x, make_x()); returns the error status if make_x() failed.
#define IGNITE_ASSIGN_OR_RETURN(lhs, expr) \
  IGNITE_ASSIGN_OR_RETURN_IMPL_(IGNITE_CONCAT_(ignite_result_, __LINE__), lhs, expr)
#define IGNITE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()
