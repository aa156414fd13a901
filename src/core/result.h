// Expected failures as values. See ARCHITECTURE.md, "Error policy".
//
// A function that can fail for reasons outside the program's control (bad input, a missing row, a
// conflict, an unreachable peer) returns Result<T>. Exceptions are reserved for what ends a request
// or start-up; broken invariants assert.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace parley::core {

// Stable error codes. The HTTP status each maps to is decided in one table in the server layer.
enum class ErrorCode {
  kInvalidArgument,     // the caller's input is malformed or out of range
  kNotFound,            // the thing named does not exist
  kAlreadyExists,       // creating something whose identity is taken
  kConflict,            // the state changed under the caller (stale version, racing writer)
  kFailedPrecondition,  // not allowed in the current state (e.g. a forbidden status transition)
  kUnauthenticated,     // no or bad credentials / signature
  kPermissionDenied,    // credentials fine, action not allowed
  kResourceExhausted,   // a limit was hit (size, rate, capacity)
  kUnavailable,         // a dependency cannot be reached right now; retrying may help
  kInternal,            // a bug or corrupted data
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok().
  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

// Result<void>: success carries nothing.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error)
      : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return Status(); }

}  // namespace parley::core

#define PARLEY_CONCAT_INNER(a, b) a##b
#define PARLEY_CONCAT(a, b) PARLEY_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result) from the enclosing function, which must return a Result.
// The temporary has a unique name, so PARLEY_TRY may nest (inside a lambda passed to another).
#define PARLEY_TRY(expr) PARLEY_TRY_IMPL(expr, PARLEY_CONCAT(parley_try_result_, __COUNTER__))
#define PARLEY_TRY_IMPL(expr, name) \
  do {                              \
    auto&& name = (expr);           \
    if (!name.ok()) {               \
      return name.error();          \
    }                               \
  } while (false)

// Declares or assigns `lhs` from the value of `expr` (a Result), or returns its error from the
// enclosing function. Expands to several statements: brace it inside an unbraced if.
#define PARLEY_ASSIGN_OR_RETURN(lhs, expr) \
  PARLEY_ASSIGN_OR_RETURN_IMPL(lhs, expr, PARLEY_CONCAT(parley_assign_result_, __COUNTER__))
#define PARLEY_ASSIGN_OR_RETURN_IMPL(lhs, expr, name) \
  auto name = (expr);                                 \
  if (!name.ok()) {                                   \
    return name.error();                              \
  }                                                   \
  lhs = std::move(name).value()
