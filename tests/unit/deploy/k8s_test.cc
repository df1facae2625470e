// The Kubernetes manifests (k8s/), read without a cluster and checked
// against the binaries: the ConfigMap's config.yaml loads in both config
// schemas, probes ask routes on ports the binaries serve, environment names
// are ones they read, Secrets and ConfigMaps referenced exist with their
// keys, the nodes advertise their stable DNS names, and every workload runs
// unprivileged.

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/strings.h"
#include "coordinator/coordinator_options.h"
#include "node/node_options.h"
#include "s3/s3_options.h"
#include "tests/unit/deploy/env_names.h"
#include "yaml-cpp/yaml.h"

namespace gale {
namespace {

const std::string kK8s = std::string(GALE_SOURCE_DIR) + "/k8s";

// Loads `yaml` as the binary would, with `env` (key path -> value) applied
// on top as the pod's environment does.
template <typename Options>
Status LoadsCleanly(const std::string& yaml, const std::map<std::string, std::string>& env = {}) {
  Options options;
  common::ConfigSchema schema;
  options.AddToSchema(&schema);
  RETURN_IF_ERROR(common::ApplyConfigText(schema, yaml));
  for (const auto& [path, value] : env) RETURN_IF_ERROR(schema.FindByPath(path)->set(value));
  return options.Finalize();
}

class K8sTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const YAML::Node kustomization = YAML::LoadFile(kK8s + "/kustomization.yaml");
    ASSERT_EQ(kustomization["namespace"].as<std::string>(), "gale");
    for (const auto& file : kustomization["resources"]) {
      for (const YAML::Node& doc : YAML::LoadAllFromFile(kK8s + "/" + file.as<std::string>())) {
        ASSERT_TRUE(doc["kind"]) << file;
        by_kind_name_[doc["kind"].as<std::string>() + "/" +
                      doc["metadata"]["name"].as<std::string>()] = doc;
      }
    }
  }

  YAML::Node Get(const std::string& kind_name) {
    auto it = by_kind_name_.find(kind_name);
    EXPECT_NE(it, by_kind_name_.end()) << kind_name << " is missing";
    return it == by_kind_name_.end() ? YAML::Node() : it->second;
  }

  // The pod template's only container named `name`.
  static YAML::Node Container(const YAML::Node& workload, const std::string& name) {
    for (const auto& c : workload["spec"]["template"]["spec"]["containers"]) {
      if (c["name"].as<std::string>() == name) return c;
    }
    ADD_FAILURE() << "no container " << name;
    return YAML::Node();
  }

  // Container port number by name.
  static int Port(const YAML::Node& container, const std::string& name) {
    for (const auto& p : container["ports"]) {
      if (p["name"].as<std::string>() == name) return p["containerPort"].as<int>();
    }
    return -1;
  }

  // Probes ask `path` on a port the container declares as `metrics_port`.
  static void ExpectProbes(const YAML::Node& container, int metrics_port) {
    for (const auto& [probe, path] : std::vector<std::pair<std::string, std::string>>{
             {"startupProbe", "/live"}, {"livenessProbe", "/live"}, {"readinessProbe", "/ready"}}) {
      SCOPED_TRACE(probe);
      const YAML::Node get = container[probe]["httpGet"];
      ASSERT_TRUE(get.IsMap());
      EXPECT_EQ(get["path"].as<std::string>(), path);
      EXPECT_EQ(Port(container, get["port"].as<std::string>()), metrics_port);
    }
  }

  // Every env var is one the binary reads (or a pod field used to build
  // one), and every secretKeyRef names a key of the Secret.
  void ExpectEnv(const YAML::Node& container, const std::set<std::string>& known) {
    const YAML::Node secret = Get("Secret/gale-secrets")["stringData"];
    for (const auto& env : container["env"]) {
      const std::string name = env["name"].as<std::string>();
      const YAML::Node from = env["valueFrom"];
      if (from && from["fieldRef"] && name.starts_with("POD_")) continue;
      EXPECT_TRUE(known.contains(name)) << name << " is read by no key of the binary";
      if (from && from["secretKeyRef"]) {
        const YAML::Node ref = from["secretKeyRef"];
        EXPECT_EQ(ref["name"].as<std::string>(), "gale-secrets");
        EXPECT_TRUE(secret[ref["key"].as<std::string>()].IsDefined())
            << ref["key"].as<std::string>() << " is not a key of the Secret";
      }
    }
  }

  static void ExpectUnprivileged(const YAML::Node& workload, const YAML::Node& container) {
    EXPECT_TRUE(workload["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"].as<bool>());
    EXPECT_FALSE(container["securityContext"]["allowPrivilegeEscalation"].as<bool>());
    EXPECT_TRUE(container["securityContext"]["readOnlyRootFilesystem"].as<bool>());
    EXPECT_TRUE(container["resources"]["requests"].IsMap());
    EXPECT_TRUE(container["resources"]["limits"].IsMap());
  }

  // The config volume is the ConfigMap, mounted where CONFIG_PATH points.
  static void ExpectConfigMounted(const YAML::Node& workload, const YAML::Node& container) {
    std::string config_path;
    for (const auto& env : container["env"]) {
      if (env["name"].as<std::string>() == "CONFIG_PATH")
        config_path = env["value"].as<std::string>();
    }
    EXPECT_EQ(config_path, "/etc/gale/config.yaml");
    bool mounted = false;
    for (const auto& m : container["volumeMounts"]) {
      mounted |= m["name"].as<std::string>() == "config" &&
                 m["mountPath"].as<std::string>() == "/etc/gale";
    }
    EXPECT_TRUE(mounted);
    bool from_configmap = false;
    for (const auto& v : workload["spec"]["template"]["spec"]["volumes"]) {
      from_configmap |= v["name"].as<std::string>() == "config" &&
                        v["configMap"]["name"].as<std::string>("") == "gale-config";
    }
    EXPECT_TRUE(from_configmap);
  }

  std::map<std::string, YAML::Node> by_kind_name_;
};

TEST_F(K8sTest, TheConfigMapLoadsInBothBinaries) {
  const std::string config = Get("ConfigMap/gale-config")["data"]["config.yaml"].as<std::string>();
  EXPECT_TRUE(LoadsCleanly<coordinator::CoordinatorOptions>(config).ok())
      << LoadsCleanly<coordinator::CoordinatorOptions>(config);
  // The node's advertise address comes from its pod's environment.
  const std::map<std::string, std::string> pod = {
      {"node.advertise_address", "gale-node-0.gale-node.gale.svc.cluster.local:9080"}};
  EXPECT_TRUE(LoadsCleanly<node::NodeOptions>(config, pod).ok())
      << LoadsCleanly<node::NodeOptions>(config, pod);
  // The gateway's key and secret come from the Secret.
  const std::map<std::string, std::string> gateway = {{"s3.access_key", "key"},
                                                      {"s3.secret_key", "secret"}};
  EXPECT_TRUE(LoadsCleanly<s3::S3Options>(config, gateway).ok())
      << LoadsCleanly<s3::S3Options>(config, gateway);
}

TEST_F(K8sTest, S3GatewaysAreProbedUnprivilegedAndServed) {
  const YAML::Node deployment = Get("Deployment/gale-s3");
  const YAML::Node c = Container(deployment, "s3");
  s3::S3Options defaults;
  EXPECT_EQ(Port(c, "s3"), defaults.port);
  EXPECT_EQ(Port(c, "metrics"), defaults.metrics_port);
  ExpectProbes(c, defaults.metrics_port);
  ExpectEnv(c, testing::EnvNames<s3::S3Options>());
  ExpectUnprivileged(deployment, c);
  ExpectConfigMounted(deployment, c);
  const YAML::Node config =
      YAML::Load(Get("ConfigMap/gale-config")["data"]["config.yaml"].as<std::string>());
  coordinator::CoordinatorOptions coordinator;
  EXPECT_EQ(config["s3"]["coordinator"].as<std::string>(),
            StrCat("gale-coordinator:", coordinator.grpc_port));
  EXPECT_EQ(config["s3"]["bind_address"].as<std::string>(), "0.0.0.0");

  const YAML::Node service = Get("Service/gale-s3");
  std::set<int> ports;
  for (const auto& p : service["spec"]["ports"]) ports.insert(p["port"].as<int>());
  EXPECT_EQ(ports, (std::set<int>{defaults.port, defaults.metrics_port}));
  EXPECT_EQ(service["spec"]["selector"]["app.kubernetes.io/component"].as<std::string>(), "s3");
}

TEST_F(K8sTest, CoordinatorsAreTwoProbedUnprivilegedAndMigrateFirst) {
  const YAML::Node deployment = Get("Deployment/gale-coordinator");
  EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 2) << "two coordinators on PostgreSQL";
  const YAML::Node c = Container(deployment, "coordinator");
  coordinator::CoordinatorOptions defaults;
  EXPECT_EQ(Port(c, "grpc"), defaults.grpc_port);
  EXPECT_EQ(Port(c, "http"), defaults.http_port);
  EXPECT_EQ(Port(c, "metrics"), defaults.metrics_port);
  ExpectProbes(c, defaults.metrics_port);
  ExpectEnv(c, testing::EnvNames<coordinator::CoordinatorOptions>());
  ExpectUnprivileged(deployment, c);
  ExpectConfigMounted(deployment, c);

  const YAML::Node init = deployment["spec"]["template"]["spec"]["initContainers"][0];
  ASSERT_TRUE(init.IsMap());
  EXPECT_EQ(init["args"][0].as<std::string>(), "migrate");
  ExpectEnv(init, testing::EnvNames<coordinator::CoordinatorOptions>());

  const YAML::Node service = Get("Service/gale-coordinator");
  std::set<int> ports;
  for (const auto& p : service["spec"]["ports"]) ports.insert(p["port"].as<int>());
  EXPECT_EQ(ports, (std::set<int>{defaults.grpc_port, defaults.http_port, defaults.metrics_port}));
  EXPECT_EQ(service["metadata"]["annotations"]["prometheus.io/scrape"].as<std::string>(), "true");
  EXPECT_EQ(service["metadata"]["annotations"]["prometheus.io/port"].as<int>(),
            defaults.metrics_port);
  EXPECT_EQ(service["spec"]["selector"]["app.kubernetes.io/component"].as<std::string>(),
            deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
                .as<std::string>());
}

TEST_F(K8sTest, NodesKeepVolumesAndAdvertiseTheirStableNames) {
  const YAML::Node set = Get("StatefulSet/gale-node");
  const std::string service_name = set["spec"]["serviceName"].as<std::string>();
  const YAML::Node headless = Get("Service/" + service_name);
  EXPECT_EQ(headless["spec"]["clusterIP"].as<std::string>(), "None") << "headless: stable DNS";
  const YAML::Node c = Container(set, "node");
  node::NodeOptions defaults;
  EXPECT_EQ(Port(c, "data"), defaults.port);
  EXPECT_EQ(Port(c, "metrics"), defaults.metrics_port);
  ExpectProbes(c, defaults.metrics_port);
  ExpectEnv(c, testing::EnvNames<node::NodeOptions>());
  ExpectUnprivileged(set, c);
  ExpectConfigMounted(set, c);

  std::map<std::string, std::string> env;
  for (const auto& e : c["env"]) env[e["name"].as<std::string>()] = e["value"].as<std::string>("");
  EXPECT_EQ(
      env["GALE_ADVERTISE_ADDRESS"],
      StrCat("$(POD_NAME).", service_name, ".$(POD_NAMESPACE).svc.cluster.local:", defaults.port));
  coordinator::CoordinatorOptions coordinator;
  EXPECT_EQ(env["GALE_COORDINATOR"], StrCat("gale-coordinator:", coordinator.grpc_port));

  // The claim template is what is mounted at the data dir the config names.
  const std::string claim =
      set["spec"]["volumeClaimTemplates"][0]["metadata"]["name"].as<std::string>();
  bool mounted = false;
  for (const auto& m : c["volumeMounts"]) {
    mounted |= m["name"].as<std::string>() == claim && m["mountPath"].as<std::string>() == "/data";
  }
  EXPECT_TRUE(mounted);
  const YAML::Node config =
      YAML::Load(Get("ConfigMap/gale-config")["data"]["config.yaml"].as<std::string>());
  EXPECT_EQ(config["node"]["data_dir"].as<std::string>(), "/data");

  const YAML::Node pdb = Get("PodDisruptionBudget/gale-node");
  EXPECT_EQ(pdb["spec"]["maxUnavailable"].as<int>(), 1);
  EXPECT_EQ(pdb["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"].as<std::string>(),
            set["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
                .as<std::string>());
}

TEST_F(K8sTest, TheDevPostgresOverlayIsMarkedAndMatchesTheSecret) {
  const YAML::Node overlay = YAML::LoadFile(kK8s + "/dev-postgres/kustomization.yaml");
  std::set<std::string> resources;
  for (const auto& r : overlay["resources"]) resources.insert(r.as<std::string>());
  EXPECT_TRUE(resources.contains("../"));
  std::map<std::string, YAML::Node> docs;
  for (const YAML::Node& doc : YAML::LoadAllFromFile(kK8s + "/dev-postgres/postgres.yaml")) {
    docs[doc["kind"].as<std::string>()] = doc;
  }
  ASSERT_TRUE(docs.contains("StatefulSet") && docs.contains("Service"));
  // The Secret's DATABASE_URL reaches this Service with this password.
  const std::string url =
      Get("Secret/gale-secrets")["stringData"]["DATABASE_URL"].as<std::string>();
  std::string password;
  for (const auto& e : docs["StatefulSet"]["spec"]["template"]["spec"]["containers"][0]["env"]) {
    if (e["name"].as<std::string>() == "POSTGRES_PASSWORD") password = e["value"].as<std::string>();
  }
  EXPECT_NE(
      url.find(StrCat(":", password, "@", docs["Service"]["metadata"]["name"].as<std::string>(),
                      ".gale.svc.cluster.local:5432/")),
      std::string::npos)
      << url;
}

}  // namespace
}  // namespace gale
