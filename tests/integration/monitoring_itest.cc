// The monitoring kit (deploy/monitoring/) names only metrics the binaries
// really export: every gale_* name in the alert rules and the Grafana
// dashboard must appear on a live coordinator's or node's /metrics.

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "common/file_util.h"
#include "common/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"

namespace gale {
namespace {

const std::string kMonitoring = std::string(GALE_SOURCE_DIR) + "/deploy/monitoring";

std::set<std::string> GaleNames(const std::string& text) {
  static const std::regex kName(R"(\bgale_[a-z_]+)");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kName);
       it != std::sregex_iterator(); ++it) {
    out.insert(it->str());
  }
  return out;
}

// The metric names of a /metrics page (sample lines, labels dropped).
std::set<std::string> Exported(int port) {
  httplib::Client ops("127.0.0.1", port);
  auto r = ops.Get("/metrics");
  EXPECT_TRUE(r && r->status == 200);
  std::set<std::string> out;
  if (!r) return out;
  for (std::string_view line : SplitTrimmed(r->body, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    out.insert(std::string(line.substr(0, line.find_first_of("{ "))));
  }
  return out;
}

TEST(MonitoringITest, AlertsAndDashboardNameOnlyExportedMetrics) {
  testing::MiniClusterOptions options;
  options.num_nodes = 1;
  options.coordinator_flags = {"--default-replication-factor", "1"};
  testing::MiniCluster cluster(options);
  ASSERT_OK(cluster.Start());
  // Traffic of every kind the dashboard shows: REST and gRPC calls, an
  // upload and a download.
  ASSERT_OK_AND_ASSIGN(auto client, cluster.Client());
  const std::string path = cluster.root() + "/m";
  std::ofstream(path, std::ios::binary) << testing::RandomBytes(10000, 1);
  client::CreateFileArgs args;
  args.name = "m";
  ASSERT_OK(client->UploadPath(args, path));
  ASSERT_OK(client->DownloadToPath("m", path + ".back"));
  auto rest = cluster.RestClient(cluster.coordinator_http_port());
  ASSERT_TRUE(rest->Get("/api/v1/nodes"));

  std::set<std::string> exported = Exported(cluster.coordinator_metrics_port());
  const std::set<std::string> node = Exported(cluster.node(0).metrics_port);
  exported.insert(node.begin(), node.end());

  ASSERT_OK_AND_ASSIGN(std::string alerts, common::ReadFileToString(kMonitoring + "/alerts.yml"));
  ASSERT_OK_AND_ASSIGN(std::string dashboard_text,
                       common::ReadFileToString(kMonitoring + "/grafana-dashboard.json"));
  const nlohmann::json dashboard = nlohmann::json::parse(dashboard_text);
  std::string queries;
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel["targets"]) queries += target["expr"].get<std::string>() + "\n";
  }
  const std::set<std::string> used_by_alerts = GaleNames(alerts);
  const std::set<std::string> used_by_dashboard = GaleNames(queries);
  EXPECT_GE(used_by_alerts.size(), 5u);
  EXPECT_GE(used_by_dashboard.size(), 10u);
  for (const auto* used : {&used_by_alerts, &used_by_dashboard}) {
    for (const std::string& name : *used) {
      EXPECT_TRUE(exported.contains(name)) << name << " is not exported by any Gale binary";
    }
  }
}

}  // namespace
}  // namespace gale
