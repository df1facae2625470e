// config.yaml.example must document exactly the keys the binaries read, with
// their real defaults.

#include <gtest/gtest.h>

#include "common/config.h"
#include "coordinator/coordinator_options.h"
#include "node/node_options.h"
#include "s3/s3_options.h"
#include "tests/testing/status_matchers.h"
#include "yaml-cpp/yaml.h"

namespace gale {
namespace {

const std::string kExample = std::string(GALE_SOURCE_DIR) + "/config.yaml.example";

template <typename Options>
class ConfigExampleTest : public ::testing::Test {};

using BinaryOptions =
    ::testing::Types<coordinator::CoordinatorOptions, node::NodeOptions, s3::S3Options>;
TYPED_TEST_SUITE(ConfigExampleTest, BinaryOptions);

TYPED_TEST(ConfigExampleTest, EveryKeyIsDocumentedWithItsDefault) {
  TypeParam defaults;
  common::ConfigSchema schema;
  defaults.AddToSchema(&schema);
  YAML::Node root = YAML::LoadFile(kExample);
  for (const common::ConfigKey& key : schema.keys()) {
    size_t dot = key.path.find('.');
    YAML::Node value = root[key.path.substr(0, dot)][key.path.substr(dot + 1)];
    ASSERT_TRUE(value.IsDefined()) << key.path << " is missing from config.yaml.example";
    // Loading the example's value must reproduce the default exactly.
    TypeParam loaded;
    common::ConfigSchema one;
    loaded.AddToSchema(&one);
    ASSERT_OK(one.FindByPath(key.path)->set(value.Scalar()));
    common::ConfigSchema reread;
    loaded.AddToSchema(&reread);
    EXPECT_EQ(reread.FindByPath(key.path)->default_value, key.default_value)
        << key.path << ": the example says '" << value.Scalar() << "'";
  }
}

TYPED_TEST(ConfigExampleTest, ExampleLoadsCleanly) {
  TypeParam options;
  common::ConfigSchema schema;
  options.AddToSchema(&schema);
  common::ConfigSources sources;
  sources.file_path = kExample;
  ASSERT_OK(common::LoadConfig(schema, sources));  // no unknown keys in its sections
  ASSERT_OK(options.Finalize());
}

TEST(ConfigExampleTest, EveryDocumentedKeyExists) {
  std::set<std::string> known;
  coordinator::CoordinatorOptions coordinator_options;
  node::NodeOptions node_options;
  s3::S3Options s3_options;
  common::ConfigSchema coordinator_schema, node_schema, s3_schema;
  coordinator_options.AddToSchema(&coordinator_schema);
  node_options.AddToSchema(&node_schema);
  s3_options.AddToSchema(&s3_schema);
  for (const auto* schema : {&coordinator_schema, &node_schema, &s3_schema}) {
    for (const auto& key : schema->keys()) known.insert(key.path);
  }
  for (const auto& section : YAML::LoadFile(kExample)) {
    for (const auto& key : section.second) {
      std::string path = section.first.as<std::string>() + "." + key.first.as<std::string>();
      EXPECT_TRUE(known.contains(path)) << path << " is documented but no binary reads it";
    }
  }
}

}  // namespace
}  // namespace gale
