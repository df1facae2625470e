#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace gale::common {

// Parses a byte count: a plain integer ("4194304") or a number with a binary
// suffix K, M, G, T (optionally followed by "iB" or "B"): "4M", "4MiB", "1G".
// INVALID_ARGUMENT for anything else, negative values, or overflow.
Result<int64_t> ParseByteSize(std::string_view text);

// "1.5 GiB", "512 B": for logs and the CLI.
std::string FormatBytes(int64_t bytes);

}  // namespace gale::common
