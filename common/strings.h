#pragma once

// Small string helpers on std::string_view. Debian 12's Abseil is built with
// its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW 0), so Abseil's
// string functions do not take std::string_view; Gale formats with fmt and
// uses these instead.

#include <charconv>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/strings/string_view.h"
#include "fmt/format.h"

namespace gale {

namespace strings_internal {

// What StrCat appends for one argument: text as it is, a char as itself,
// an integer in decimal (std::to_chars), anything else as fmt's "{}" does
// (booleans as true/false, floating point in its shortest form).
template <typename T>
void AppendPiece(std::string& out, const T& value) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    out.append(std::string_view(value));
  } else if constexpr (std::is_same_v<T, absl::string_view>) {
    out.append(value.data(), value.size());
  } else if constexpr (std::is_same_v<T, char>) {
    out.push_back(value);
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, end);
  } else {
    fmt::format_to(std::back_inserter(out), "{}", value);
  }
}

// A guess of AppendPiece's length, for reserving.
template <typename T>
size_t PieceSize(const T& value) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string_view(value).size();
  } else if constexpr (std::is_same_v<T, absl::string_view>) {
    return value.size();
  } else {
    return 20;
  }
}

}  // namespace strings_internal

// Concatenates the text forms of its arguments (strings, string views of
// either kind, chars, numbers; anything else fmt formats), as fmt's "{}"
// would write each.
template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  out.reserve((size_t{0} + ... + strings_internal::PieceSize(args)));
  (strings_internal::AppendPiece(out, args), ...);
  return out;
}

// Appends the text forms of its arguments to `out`, as StrCat writes them.
template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (strings_internal::AppendPiece(*out, args), ...);
}

// Splits on `sep`, trimming ASCII whitespace around each piece and dropping
// empty pieces.
std::vector<std::string_view> SplitTrimmed(std::string_view text, char sep);

std::string_view TrimWhitespace(std::string_view text);

// Bytes as lowercase hex, two digits each.
std::string HexEncode(std::string_view bytes);
// The value of one hex digit (either case), or -1.
int HexDigitValue(char c);
// The bytes `hex` (an even number of hex digits, either case) stands for, or
// nullopt.
std::optional<std::string> HexDecode(std::string_view hex);
std::string AsciiLower(std::string_view text);
std::string AsciiUpper(std::string_view text);

// A whole decimal integer (optional leading '-'), nothing else.
std::optional<int64_t> ParseInt64(std::string_view text);

// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code
// points past U+10FFFF; NUL is a character).
bool IsValidUtf8(std::string_view text);

// The smallest string that is greater, in byte order, than every string
// starting with `prefix`, or nullopt when there is none: valid UTF-8 when
// `prefix` is.
// In UTF-8 byte order is code point order, so the last code point goes up.
std::optional<std::string> Utf8PrefixEnd(std::string_view prefix);

// Converts Abseil's string_view (e.g. Status::message()) to the standard one.
inline std::string_view ToStd(absl::string_view s) { return {s.data(), s.size()}; }

// Printable form of arbitrary bytes for error messages: non-printable bytes
// as \xNN, at most `max` input bytes.
std::string EscapeForMessage(std::string_view text, size_t max = 128);

}  // namespace gale

// Lets fmt and spdlog format Abseil's string_view (Status::message()).
// Declared before use by StrCat's instantiations, which happen at call sites.
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<std::string_view> {
  auto format(absl::string_view s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(std::string_view(s.data(), s.size()), ctx);
  }
};
