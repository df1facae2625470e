#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gale {

// Gale's error type: Abseil's Status, whose codes say what the caller should
// do (UNAVAILABLE: retry the call; ABORTED: retry the operation;
// FAILED_PRECONDITION: don't retry; ...). Result<T> is a value or a Status.
using Status = absl::Status;
template <typename T>
using Result = absl::StatusOr<T>;

// The HTTP status that a REST or data API answers for `code`. This table and
// the identical numbering of absl and gRPC codes are the one mapping of errors
// to both transports.
int HttpStatusForCode(absl::StatusCode code);

// A short lowercase name for `code` ("invalid argument", "not found"), used as
// the "error" field of JSON error bodies.
std::string_view ErrorNameForCode(absl::StatusCode code);

}  // namespace gale

#define GALE_STATUS_CONCAT_INNER(a, b) a##b
#define GALE_STATUS_CONCAT(a, b) GALE_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                    \
  do {                                           \
    ::absl::Status gale_status_ = (expr);        \
    if (!gale_status_.ok()) return gale_status_; \
  } while (0)

// Evaluates `rexpr` (a Result<T>); returns its Status if not OK, otherwise
// moves the value into `lhs` (which may be a declaration such as `auto x`).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  GALE_ASSIGN_OR_RETURN_IMPL(GALE_STATUS_CONCAT(gale_result_, __LINE__), lhs, rexpr)
#define GALE_ASSIGN_OR_RETURN_IMPL(result, lhs, rexpr) \
  auto result = (rexpr);                               \
  if (!result.ok()) return std::move(result).status(); \
  lhs = std::move(result).value()
