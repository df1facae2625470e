// config.yaml.example must document exactly the keys the coordinator reads,
// with their real defaults.

#include <gtest/gtest.h>

#include "common/config.h"
#include "coordinator/coordinator_options.h"
#include "tests/testing/status_matchers.h"
#include "yaml-cpp/yaml.h"

namespace gale::coordinator {
namespace {

const std::string kExample = std::string(GALE_SOURCE_DIR) + "/config.yaml.example";

TEST(ConfigExampleTest, EveryKeyIsDocumentedWithItsDefault) {
  CoordinatorOptions defaults;
  common::ConfigSchema schema;
  defaults.AddToSchema(&schema);
  YAML::Node root = YAML::LoadFile(kExample);
  for (const common::ConfigKey& key : schema.keys()) {
    size_t dot = key.path.find('.');
    YAML::Node value = root[key.path.substr(0, dot)][key.path.substr(dot + 1)];
    ASSERT_TRUE(value.IsDefined()) << key.path << " is missing from config.yaml.example";
    // Loading the example value must reproduce the default exactly.
    CoordinatorOptions loaded;
    common::ConfigSchema one;
    loaded.AddToSchema(&one);
    ASSERT_OK(one.FindByPath(key.path)->set(value.Scalar()));
    common::ConfigSchema reread;
    loaded.AddToSchema(&reread);
    EXPECT_EQ(reread.FindByPath(key.path)->default_value, key.default_value)
        << key.path << ": the example says '" << value.Scalar() << "'";
  }
}

TEST(ConfigExampleTest, ExampleLoadsCleanly) {
  CoordinatorOptions options;
  common::ConfigSchema schema;
  options.AddToSchema(&schema);
  common::ConfigSources sources;
  sources.file_path = kExample;
  ASSERT_OK(common::LoadConfig(schema, sources));  // no unknown keys
  ASSERT_OK(options.Finalize());
}

}  // namespace
}  // namespace gale::coordinator
