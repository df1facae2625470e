#include "common/units.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "common/strings.h"

namespace gale::common {

Result<int64_t> ParseByteSize(std::string_view text) {
  std::string_view s = TrimWhitespace(text);
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits == 0) {
    return absl::InvalidArgumentError(
        StrCat("'", text, "' is not a byte size (expected e.g. 4194304, 4M or 4MiB)"));
  }
  std::optional<int64_t> parsed = ParseInt64(s.substr(0, digits));
  if (!parsed) return absl::InvalidArgumentError(StrCat("'", text, "' is too large"));
  int64_t number = *parsed;
  std::string suffix = AsciiUpper(TrimWhitespace(s.substr(digits)));
  int shift = -1;
  if (suffix.empty() || suffix == "B") {
    shift = 0;
  } else {
    const std::string_view units = "KMGT";
    size_t pos = units.find(suffix[0]);
    std::string_view rest = std::string_view(suffix).substr(1);
    if (pos != std::string_view::npos && (rest.empty() || rest == "B" || rest == "IB")) {
      shift = 10 * static_cast<int>(pos + 1);
    }
  }
  if (shift < 0) {
    return absl::InvalidArgumentError(
        StrCat("'", text, "' has an unknown unit (use K, M, G or T)"));
  }
  if (number > (std::numeric_limits<int64_t>::max() >> shift)) {
    return absl::InvalidArgumentError(StrCat("'", text, "' is too large"));
  }
  return number << shift;
}

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (std::abs(value) >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

}  // namespace gale::common
