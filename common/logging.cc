#include "common/logging.h"

#include <memory>

#include "common/strings.h"
#include "nlohmann/json.hpp"
#include "spdlog/formatter.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace gale::common {
namespace {

// Formats each record as one JSON object: {"ts","level","msg","thread"}.
// nlohmann::json does the escaping, so any message yields valid JSON.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json record = {
        {"ts", absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros),
                                absl::UTCTimeZone())},
        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                              spdlog::level::to_string_view(msg.level).size())},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
        {"thread", msg.thread_id},
    };
    // Invalid UTF-8 in a message must not throw: replace it.
    std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line.push_back('\n');
    dest.append(line.data(), line.data() + line.size());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

void AddLoggingToSchema(ConfigSchema* schema, std::string* level, std::string* format) {
  schema->AddEnum("logging.level", "log-level", level,
                  {"trace", "debug", "info", "warn", "error", "critical", "off"}, "log level",
                  {"LOG_LEVEL"});
  schema->AddEnum("logging.format", "log-format", format, {"text", "json"},
                  "text (readable) or json (one object per line)");
}

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter() {
  return std::make_unique<JsonFormatter>();
}

Status InitLogging(std::string_view level, std::string_view format) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off"; only accept "off" when asked for.
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(StrCat(
        "log level '", level, "' is not one of trace, debug, info, warn, error, critical, off"));
  }
  std::unique_ptr<spdlog::formatter> formatter;
  if (format == "json") {
    formatter = MakeJsonLogFormatter();
  } else if (format == "text") {
    formatter = std::make_unique<spdlog::pattern_formatter>("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  } else {
    return absl::InvalidArgumentError(StrCat("log format '", format, "' is not one of text, json"));
  }
  auto logger =
      std::make_shared<spdlog::logger>("gale", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(std::move(formatter));
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return absl::OkStatus();
}

}  // namespace gale::common
