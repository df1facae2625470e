#pragma once

#include <memory>
#include <string_view>

#include "common/config.h"
#include "common/status.h"
#include "spdlog/formatter.h"

namespace gale::common {

// Configures spdlog's default logger for the process: `level` is one of
// trace, debug, info, warn, error, critical, off; `format` is "text"
// (readable lines) or "json" (one JSON object per line, properly escaped).
// INVALID_ARGUMENT for unknown values. Call once, early in main().
Status InitLogging(std::string_view level, std::string_view format);

// Adds the shared `logging.level` (--log-level, LOG_LEVEL) and
// `logging.format` (--log-format) keys, bound to the given fields.
void AddLoggingToSchema(ConfigSchema* schema, std::string* level, std::string* format);

// The formatter behind --log-format json, exposed for tests.
std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter();

}  // namespace gale::common
