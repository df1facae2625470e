#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "common/strings.h"

namespace gale::coordinator {

// Looks `name` up among the names of `values`. On no match: `code` (e.g.
// INVALID_ARGUMENT for user input, DATA_LOSS for what the database holds)
// with a message listing the names that exist.
template <typename Enum, typename Values>
Result<Enum> ParseEnumName(std::string_view name, const Values& values,
                           std::string_view (*name_of)(Enum), std::string_view what,
                           absl::StatusCode code) {
  std::string known;
  for (Enum value : values) {
    if (name_of(value) == name) return value;
    known += StrCat(known.empty() ? "" : ", ", name_of(value));
  }
  return Status(code, StrCat(what, " '", EscapeForMessage(name), "' is not one of ", known));
}

}  // namespace gale::coordinator
