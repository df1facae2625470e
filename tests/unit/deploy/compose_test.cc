// docker/docker-compose.yml, read without a Docker engine and checked
// against what the binaries really read and serve: environment names from
// their config schemas, ports and data dirs from their defaults, health
// routes they answer, volumes that exist.

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "common/config.h"
#include "common/file_util.h"
#include "common/strings.h"
#include "coordinator/coordinator_options.h"
#include "node/node_options.h"
#include "s3/s3_options.h"
#include "tests/unit/deploy/env_names.h"
#include "yaml-cpp/yaml.h"

namespace gale {
namespace {

const std::string kDocker = std::string(GALE_SOURCE_DIR) + "/docker";

// `service[key]`, looking through a YAML merge key (<<: *anchor), which
// yaml-cpp does not apply by itself.
YAML::Node Field(const YAML::Node& service, const std::string& key) {
  if (service[key]) return service[key];
  if (service["<<"] && service["<<"][key]) return service["<<"][key];
  return YAML::Node();
}

// The container side of each "host:container" port.
std::set<int> ContainerPorts(const YAML::Node& service) {
  std::set<int> out;
  for (const auto& port : Field(service, "ports")) {
    const std::string spec = port.as<std::string>();
    out.insert(std::stoi(spec.substr(spec.rfind(':') + 1)));
  }
  return out;
}

// The named volume mounted at `path`, or "".
std::string VolumeAt(const YAML::Node& service, const std::string& path) {
  for (const auto& volume : Field(service, "volumes")) {
    const std::string spec = volume.as<std::string>();
    const size_t colon = spec.find(':');
    if (colon != std::string::npos && spec.substr(colon + 1) == path) return spec.substr(0, colon);
  }
  return "";
}

std::string HealthCommand(const YAML::Node& service) {
  std::string out;
  for (const auto& word : Field(service, "healthcheck")["test"])
    out += word.as<std::string>() + " ";
  return out;
}

class ComposeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = YAML::LoadFile(kDocker + "/docker-compose.yml");
    services_ = root_["services"];
    ASSERT_TRUE(services_.IsMap());
  }

  // Every service restarts by itself, checks its health and keeps its state
  // in a named volume that is declared.
  void ExpectRunsOnItsOwn(const std::string& name, const std::string& data_path) {
    SCOPED_TRACE(name);
    const YAML::Node service = services_[name];
    ASSERT_TRUE(service.IsMap());
    EXPECT_EQ(Field(service, "restart").as<std::string>(""), "unless-stopped");
    EXPECT_FALSE(HealthCommand(service).empty()) << "no health check";
    const std::string volume = VolumeAt(service, data_path);
    ASSERT_FALSE(volume.empty()) << "nothing mounted at " << data_path;
    EXPECT_TRUE(root_["volumes"][volume].IsDefined()) << volume << " is not declared";
  }

  YAML::Node root_;
  YAML::Node services_;
};

TEST_F(ComposeTest, PostgresIsHealthCheckedWithItsOwnVolume) {
  ExpectRunsOnItsOwn("postgres", "/var/lib/postgresql/data");
  EXPECT_TRUE(services_["postgres"]["image"].as<std::string>().starts_with("postgres:15"));
  EXPECT_NE(HealthCommand(services_["postgres"]).find("pg_isready"), std::string::npos);
}

TEST_F(ComposeTest, TheCoordinatorMatchesTheBinary) {
  const YAML::Node c = services_["coordinator"];
  ExpectRunsOnItsOwn("coordinator", "/data");
  // Built from this repository's Dockerfile (context: the repository root).
  EXPECT_EQ(c["build"]["context"].as<std::string>(), "..");
  EXPECT_TRUE(
      common::ReadFileToString(kDocker + "/../" + c["build"]["dockerfile"].as<std::string>()).ok());
  EXPECT_EQ(c["depends_on"]["postgres"]["condition"].as<std::string>(), "service_healthy");

  const std::set<std::string> known = testing::EnvNames<coordinator::CoordinatorOptions>();
  for (const auto& env : c["environment"]) {
    EXPECT_TRUE(known.contains(env.first.as<std::string>()))
        << env.first.as<std::string>() << " is read by no coordinator key";
  }
  EXPECT_NE(c["environment"]["DATABASE_URL"].as<std::string>().find("@postgres:5432/"),
            std::string::npos);
  EXPECT_TRUE(c["environment"]["GALE_JOIN_TOKEN"].IsDefined());

  coordinator::CoordinatorOptions defaults;
  EXPECT_EQ(ContainerPorts(c),
            (std::set<int>{defaults.grpc_port, defaults.http_port, defaults.metrics_port}));
  const std::string health = HealthCommand(c);
  EXPECT_NE(health.find(StrCat("127.0.0.1:", defaults.metrics_port, "/ready")), std::string::npos)
      << health;
}

TEST_F(ComposeTest, ThreeNodesAdvertiseTheirServiceNames) {
  const std::set<std::string> known = testing::EnvNames<node::NodeOptions>();
  node::NodeOptions defaults;
  coordinator::CoordinatorOptions coordinator;
  std::set<std::string> volumes;
  for (const char* name : {"node1", "node2", "node3"}) {
    SCOPED_TRACE(name);
    const YAML::Node n = services_[name];
    ExpectRunsOnItsOwn(name, "/data");
    volumes.insert(VolumeAt(n, "/data"));
    EXPECT_EQ(Field(n, "entrypoint")[0].as<std::string>(), "gale-node");
    EXPECT_EQ(Field(n, "depends_on")["coordinator"]["condition"].as<std::string>(),
              "service_healthy");
    for (const auto& env : n["environment"]) {
      EXPECT_TRUE(known.contains(env.first.as<std::string>()))
          << env.first.as<std::string>() << " is read by no node key";
    }
    EXPECT_EQ(n["environment"]["GALE_ADVERTISE_ADDRESS"].as<std::string>(),
              StrCat(name, ":", defaults.port))
        << "peers and clients reach it by its service name";
    EXPECT_EQ(n["environment"]["GALE_BIND_ADDRESS"].as<std::string>(), "0.0.0.0");
    EXPECT_EQ(n["environment"]["GALE_COORDINATOR"].as<std::string>(),
              StrCat("coordinator:", coordinator.grpc_port));
    EXPECT_TRUE(n["environment"]["GALE_JOIN_TOKEN"].IsDefined());
    EXPECT_NE(HealthCommand(n).find(StrCat("127.0.0.1:", defaults.metrics_port, "/live")),
              std::string::npos);
  }
  EXPECT_EQ(volumes.size(), 3u) << "a volume each";
}

TEST_F(ComposeTest, TheS3GatewayMatchesTheBinary) {
  const YAML::Node g = services_["s3"];
  ASSERT_TRUE(g.IsMap());
  EXPECT_EQ(g["entrypoint"][0].as<std::string>(), "gale-s3");
  EXPECT_EQ(g["restart"].as<std::string>(), "unless-stopped");
  EXPECT_EQ(g["depends_on"]["coordinator"]["condition"].as<std::string>(), "service_healthy");
  const std::set<std::string> known = testing::EnvNames<s3::S3Options>();
  for (const auto& env : g["environment"]) {
    EXPECT_TRUE(known.contains(env.first.as<std::string>()))
        << env.first.as<std::string>() << " is read by no gateway key";
  }
  coordinator::CoordinatorOptions coordinator;
  EXPECT_EQ(g["environment"]["GALE_COORDINATOR"].as<std::string>(),
            StrCat("coordinator:", coordinator.grpc_port));
  EXPECT_EQ(g["environment"]["GALE_BIND_ADDRESS"].as<std::string>(), "0.0.0.0");
  s3::S3Options defaults;
  EXPECT_EQ(ContainerPorts(g), (std::set<int>{defaults.port, defaults.metrics_port}));
  EXPECT_NE(HealthCommand(g).find(StrCat("127.0.0.1:", defaults.metrics_port, "/ready")),
            std::string::npos);
}

TEST_F(ComposeTest, EveryVariableItNeedsIsInTheEnvExample) {
  auto compose = common::ReadFileToString(kDocker + "/docker-compose.yml");
  auto example = common::ReadFileToString(kDocker + "/.env.example");
  ASSERT_TRUE(compose.ok() && example.ok());
  const std::regex variable(R"(\$\{([A-Z0-9_]+))");
  std::set<std::string> used;
  for (auto it = std::sregex_iterator(compose->begin(), compose->end(), variable);
       it != std::sregex_iterator(); ++it) {
    used.insert((*it)[1]);
  }
  EXPECT_FALSE(used.empty());
  for (const std::string& name : used) {
    EXPECT_NE(example->find("\n" + name + "="), std::string::npos)
        << name << " is missing from docker/.env.example";
  }
}

TEST_F(ComposeTest, TheSqliteOverrideDropsPostgres) {
  const YAML::Node override = YAML::LoadFile(kDocker + "/docker-compose.sqlite.yml")["services"];
  EXPECT_TRUE(override["postgres"]["profiles"].IsSequence()) << "postgres is not started";
  EXPECT_EQ(override["coordinator"]["environment"]["DATABASE_URL"].as<std::string>("x"), "");
  EXPECT_EQ(override["coordinator"]["depends_on"].Tag(), "!reset");
}

}  // namespace
}  // namespace gale
