#include "common/config.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::common {
namespace {

struct TestOptions {
  int port = 8080;
  int64_t timeout_ms = 1000;
  int64_t size_bytes = 4096;
  std::string name = "default";
  std::string mode = "text";
  bool enabled = false;
  std::vector<std::string> peers;
};

class ConfigTest : public ::testing::Test {
 protected:
  ConfigTest() {
    schema_.AddInt("server.port", "port", &options_.port, 0, 65535, "a port", {"PORT"});
    schema_.AddInt("server.timeout_ms", "timeout-ms", &options_.timeout_ms, 10, 60000, "timeout");
    schema_.AddBytes("server.size_bytes", "size-bytes", &options_.size_bytes, 1, 1 << 30, "size");
    schema_.AddString("server.name", "name", &options_.name, "a name");
    schema_.AddEnum("logging.mode", "mode", &options_.mode, {"text", "json"}, "a mode");
    schema_.AddBool("server.enabled", "enabled", &options_.enabled, "switch");
    schema_.AddStringList("server.peers", "peers", &options_.peers, "peers");
    schema_.IgnoreSection("node");
  }

  std::string WriteFile(const std::string& yaml) {
    std::string path = dir_.Join("config.yaml");
    std::ofstream(path) << yaml;
    return path;
  }

  testing::TempDir dir_;
  TestOptions options_;
  ConfigSchema schema_;
};

TEST_F(ConfigTest, DefaultsStayWithoutSources) {
  ASSERT_OK(LoadConfig(schema_, {}));
  EXPECT_EQ(options_.port, 8080);
  EXPECT_EQ(options_.name, "default");
  EXPECT_EQ(schema_.FindByFlag("port")->default_value, "8080");
}

TEST_F(ConfigTest, FileThenEnvThenFlagPrecedence) {
  ConfigSources sources;
  sources.file_path = WriteFile("server:\n  port: 1111\n  name: from-file\n  timeout_ms: 500\n");
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.port, 1111);
  EXPECT_EQ(options_.name, "from-file");

  sources.env = {{"GALE_PORT", "2222"}, {"GALE_NAME", "from-env"}};
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.port, 2222);
  EXPECT_EQ(options_.name, "from-env");
  EXPECT_EQ(options_.timeout_ms, 500);  // only in the file

  sources.flags = {{"port", "3333"}};
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.port, 3333);
  EXPECT_EQ(options_.name, "from-env");
}

TEST_F(ConfigTest, GaleEnvBeatsZephyrAlias) {
  ConfigSources sources;
  sources.env = {{"PORT", "4444"}};
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.port, 4444);
  sources.env["GALE_PORT"] = "5555";
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.port, 5555);
}

TEST_F(ConfigTest, EmptyEnvIsIgnored) {
  ConfigSources sources;
  sources.env = {{"GALE_NAME", ""}};
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.name, "default");
}

TEST_F(ConfigTest, BadValueNamesKeyAndSource) {
  ConfigSources sources;
  sources.env = {{"GALE_PORT", "eighty"}};
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument,
                "server.port (from environment GALE_PORT): 'eighty' is not an integer");

  ConfigSources flags;
  flags.flags = {{"timeout-ms", "5"}};
  EXPECT_STATUS(LoadConfig(schema_, flags), absl::StatusCode::kInvalidArgument,
                "server.timeout_ms (from flag --timeout-ms): 5 is out of range [10, 60000]");

  ConfigSources file;
  file.file_path = WriteFile("logging:\n  mode: xml\n");
  EXPECT_STATUS(LoadConfig(schema_, file), absl::StatusCode::kInvalidArgument,
                "logging.mode (from config file");
}

TEST_F(ConfigTest, UnknownKeyInFileIsRejected) {
  ConfigSources sources;
  sources.file_path = WriteFile("server:\n  prot: 1\n");
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument,
                "unknown key 'server.prot'");
}

TEST_F(ConfigTest, IgnoredSectionsAreSkipped) {
  ConfigSources sources;
  sources.file_path = WriteFile("node:\n  anything: 1\nserver:\n  port: 7\n");
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.port, 7);
}

TEST_F(ConfigTest, MalformedOrMissingFileIsAnError) {
  ConfigSources sources;
  sources.file_path = WriteFile("server: [unclosed\n");
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument, "config file");
  sources.file_path = dir_.Join("missing.yaml");
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument,
                "cannot read config file");
  sources.file_path = WriteFile("- just\n- a list\n");
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument, "YAML mapping");
}

TEST_F(ConfigTest, UnknownFlagIsAnError) {
  ConfigSources sources;
  sources.flags = {{"nope", "1"}};
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument,
                "unknown flag --nope");
}

TEST_F(ConfigTest, TypedValues) {
  ConfigSources sources;
  sources.file_path =
      WriteFile("server:\n  size_bytes: 4MiB\n  enabled: yes\n  peers:\n    - a:1\n    - b:2\n");
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.size_bytes, 4 << 20);
  EXPECT_TRUE(options_.enabled);
  EXPECT_EQ(options_.peers, (std::vector<std::string>{"a:1", "b:2"}));

  sources.flags = {{"peers", " c:3 , d:4 "}, {"enabled", "false"}, {"mode", "JSON"}};
  ASSERT_OK(LoadConfig(schema_, sources));
  EXPECT_EQ(options_.peers, (std::vector<std::string>{"c:3", "d:4"}));
  EXPECT_FALSE(options_.enabled);
  EXPECT_EQ(options_.mode, "json");

  sources.flags = {{"enabled", "maybe"}};
  EXPECT_STATUS(LoadConfig(schema_, sources), absl::StatusCode::kInvalidArgument,
                "is not a boolean");
}

TEST(ResolveConfigPathTest, FlagThenEnv) {
  EXPECT_EQ(ResolveConfigPath("a.yaml", {{"CONFIG_PATH", "b.yaml"}}), "a.yaml");
  EXPECT_EQ(ResolveConfigPath("", {{"CONFIG_PATH", "b.yaml"}}), "b.yaml");
  EXPECT_EQ(ResolveConfigPath("", {{"GALE_CONFIG", "c.yaml"}}), "c.yaml");
  EXPECT_EQ(ResolveConfigPath("", {}), "");
}

}  // namespace
}  // namespace gale::common
