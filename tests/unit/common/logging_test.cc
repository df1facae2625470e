#include "common/logging.h"

#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "spdlog/details/log_msg.h"
#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

std::string FormatJson(std::string_view message) {
  auto formatter = MakeJsonLogFormatter();
  spdlog::details::log_msg msg("gale", spdlog::level::warn,
                               spdlog::string_view_t(message.data(), message.size()));
  spdlog::memory_buf_t out;
  formatter->format(msg, out);
  return std::string(out.data(), out.size());
}

TEST(LoggingTest, JsonLinesEscapeEverything) {
  std::string nasty = "quote \" backslash \\ newline \n tab \t ctrl \x01 bad utf8 \xff end";
  std::string line = FormatJson(nasty);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one record per line";
  auto record = nlohmann::json::parse(line);
  EXPECT_EQ(record["level"], "warning");
  std::string msg = record["msg"];
  EXPECT_NE(msg.find("quote \" backslash \\ newline \n tab"), std::string::npos);
  EXPECT_NE(msg.find("end"), std::string::npos);
  EXPECT_TRUE(record.contains("ts"));
}

TEST(LoggingTest, RejectsUnknownLevelAndFormat) {
  EXPECT_STATUS(InitLogging("loud", "text"), absl::StatusCode::kInvalidArgument, "log level");
  EXPECT_STATUS(InitLogging("info", "xml"), absl::StatusCode::kInvalidArgument, "log format");
  EXPECT_OK(InitLogging("off", "json"));
  EXPECT_OK(InitLogging("warn", "text"));
}

}  // namespace
}  // namespace gale::common
