// Real gale-coordinator and gale-node processes on loopback: registration
// with live stats, identity and chunks across restarts, the chunk report,
// liveness after kill -9, crash leftovers, and foreign data directories.

#include <gtest/gtest.h>

#include <filesystem>

#include "common/sha256.h"
#include "common/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/raw_socket.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

using testing::RandomBytes;
namespace fs = std::filesystem;
using nlohmann::json;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::WaitUntil;

class NodeITest : public ::testing::Test {
 protected:
  void StartCluster(int nodes,
                    std::vector<std::string> coordinator_flags = {
                        "--heartbeat-interval-ms", "100", "--node-timeout-ms", "1000",
                        "--dead-after-ms", "3000", "--liveness-flush-interval-ms", "50"}) {
    MiniClusterOptions options;
    options.num_nodes = nodes;
    options.coordinator_flags = std::move(coordinator_flags);
    options.node_flags = {"--heartbeat-interval-ms", "100"};
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    rest_ = std::make_unique<httplib::Client>("127.0.0.1", cluster_->coordinator_http_port());
  }

  json RestGet(const std::string& path) {
    auto r = rest_->Get(path.c_str());
    if (!r || r->status != 200) return json();
    return json::parse(r->body, nullptr, false);
  }

  // Stores `data` on node `i` through its data API; returns the chunk id.
  std::string PutChunk(int i, const std::string& data) {
    std::string id = common::Sha256::Hex(data);
    httplib::Client client("127.0.0.1", cluster_->node(i).port);
    auto r = client.Put(("/v1/chunks/" + id).c_str(), data, "application/octet-stream");
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "no response");
    return id;
  }

  std::string GetChunk(int i, const std::string& id) {
    httplib::Client client("127.0.0.1", cluster_->node(i).port);
    auto r = client.Get(("/v1/chunks/" + id).c_str());
    return r && r->status == 200 ? r->body : "";
  }

  std::string StateOf(const std::string& node_id) {
    json body = RestGet("/api/v1/nodes/" + node_id);
    return body.is_object() ? body["node"].value("state", "?") : "?";
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<httplib::Client> rest_;
};

TEST_F(NodeITest, ThreeNodesRegisterWithLiveStats) {
  StartCluster(3);
  std::string id = PutChunk(1, RandomBytes(100000, 1));
  // The stats in the coordinator come from the nodes' heartbeats.
  ASSERT_TRUE(WaitUntil([&] {
    json active = RestGet("/api/v1/nodes/active");
    if (active.value("total_nodes", 0) != 3) return false;
    for (const auto& node : active["nodes"]) {
      if (node["stats"]["uptime_seconds"].get<int64_t>() == 0 &&
          node["stats"]["memory_usage"].get<double>() == 0) {
        return false;  // not heartbeated yet
      }
      if (node["node_id"] == cluster_->node(1).node_id &&
          (node["stats"]["chunks_stored"] != 1 || node["stats"]["storage_used"] != 100000)) {
        return false;
      }
    }
    return true;
  }));
  json active = RestGet("/api/v1/nodes/active");
  for (const auto& node : active["nodes"]) {
    EXPECT_GT(node["stats"]["storage_available"].get<int64_t>(), 0);
    EXPECT_GT(node["stats"]["memory_usage"].get<double>(), 1e6);
    EXPECT_GT(node["storage_capacity"].get<int64_t>(), 0);
    EXPECT_EQ(node["status"], "active");
  }
  std::set<std::string> addresses;
  for (const auto& node : active["nodes"]) addresses.insert(node["addresses"][0]);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(addresses.contains(cluster_->node(i).address()));

  for (int i = 0; i < 3; ++i) {
    httplib::Client ops("127.0.0.1", cluster_->node(i).metrics_port);
    auto ready = ops.Get("/ready");
    ASSERT_TRUE(ready);
    EXPECT_EQ(ready->status, 200) << ready->body;
    auto metrics = ops.Get("/metrics");
    ASSERT_TRUE(metrics);
    EXPECT_NE(metrics->body.find(i == 1 ? "gale_node_chunks 1" : "gale_node_chunks 0"),
              std::string::npos);
    if (i == 1) {  // request metrics appear once a request happened
      EXPECT_NE(metrics->body.find("gale_node_http_requests_total{code=\"201\",route=\"PUT "
                                   "/v1/chunks/{id*}\"} 1"),
                std::string::npos)
          << metrics->body;
    }
  }
  EXPECT_EQ(common::Sha256::Hex(GetChunk(1, id)), id);
}

TEST_F(NodeITest, RestartedNodeKeepsItsIdAndChunksAndReportsThem) {
  StartCluster(2);
  const std::string node_id = cluster_->node(0).node_id;
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(PutChunk(0, RandomBytes(1000 + 70000 * i, 10 + i)));

  ASSERT_OK(cluster_->RestartNode(0));
  EXPECT_EQ(cluster_->node(0).node_id, node_id);
  for (const auto& id : ids) EXPECT_EQ(common::Sha256::Hex(GetChunk(0, id)), id);

  // The full report after re-registration tells the coordinator what exists.
  json chunks = RestGet("/api/v1/nodes/" + node_id + "/chunks");
  ASSERT_EQ(chunks.value("total_chunks", -1), 5) << chunks.dump();
  std::set<std::string> reported;
  for (const auto& c : chunks["chunks"]) reported.insert(c["chunk_id"]);
  EXPECT_EQ(reported, std::set<std::string>(ids.begin(), ids.end()));
  EXPECT_EQ(RestGet("/api/v1/nodes/" + cluster_->node(1).node_id + "/chunks")["total_chunks"], 0);
  EXPECT_EQ(RestGet("/api/v1/nodes").value("total_nodes", 0), 2) << "no duplicate node";
}

TEST_F(NodeITest, KilledNodeTurnsSuspectThenDead) {
  // Ten heartbeats' margin before a live node would turn suspect: two
  // cores running tests side by side can delay a few.
  StartCluster(3, {"--heartbeat-interval-ms", "100", "--node-timeout-ms", "1000", "--dead-after-ms",
                   "2500", "--liveness-flush-interval-ms", "50"});
  const std::string victim = cluster_->node(2).node_id;
  ASSERT_OK(cluster_->KillNode(2));
  ASSERT_TRUE(WaitUntil([&] { return StateOf(victim) == "suspect"; }));
  ASSERT_OK(cluster_->WaitForActiveNodes(2));
  ASSERT_TRUE(WaitUntil([&] { return StateOf(victim) == "dead"; }));
  EXPECT_EQ(StateOf(cluster_->node(0).node_id), "active");
  EXPECT_EQ(StateOf(cluster_->node(1).node_id), "active");

  // It comes back with its id and is active again.
  ASSERT_OK(cluster_->StartNode(2));
  EXPECT_EQ(cluster_->node(2).node_id, victim);
  ASSERT_OK(cluster_->WaitForActiveNodes(3));
}

TEST_F(NodeITest, KillDuringUploadLeavesOnlyTempFilesWhichRestartRemoves) {
  StartCluster(1);
  const std::string data = RandomBytes(3 << 20, 20);
  const std::string id = common::Sha256::Hex(data);
  const std::string tmp_dir = cluster_->node(0).dir + "/tmp";
  testing::RawSocket socket(cluster_->node(0).port);
  ASSERT_TRUE(socket.Send("PUT /v1/chunks/" + id + " HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                          std::to_string(data.size()) + "\r\n\r\n" + data.substr(0, 2 << 20)));
  ASSERT_TRUE(WaitUntil([&] { return !fs::is_empty(tmp_dir); }));
  ASSERT_OK(cluster_->KillNode(0));
  EXPECT_FALSE(fs::is_empty(tmp_dir)) << "kill -9 leaves the partial write behind";
  EXPECT_FALSE(fs::exists(cluster_->node(0).dir + "/chunks/" + id.substr(0, 2) + "/" +
                          id.substr(2, 2) + "/" + id));
  ASSERT_OK(cluster_->StartNode(0));
  EXPECT_TRUE(fs::is_empty(tmp_dir)) << "start-up removes it";
  httplib::Client client("127.0.0.1", cluster_->node(0).port);
  EXPECT_EQ(client.Get(("/v1/chunks/" + id).c_str())->status, 404);
}

TEST_F(NodeITest, NodeServesReadsWhileTheCoordinatorIsDown) {
  StartCluster(1);
  std::string id = PutChunk(0, RandomBytes(50000, 30));
  ASSERT_OK(cluster_->StopCoordinator());
  EXPECT_EQ(common::Sha256::Hex(GetChunk(0, id)), id);
  ASSERT_OK(cluster_->StartCoordinator());
  rest_ = std::make_unique<httplib::Client>("127.0.0.1", cluster_->coordinator_http_port());
  ASSERT_OK(cluster_->WaitForActiveNodes(1));
  EXPECT_EQ(StateOf(cluster_->node(0).node_id), "active");
}

TEST_F(NodeITest, DataDirectoryOfAnotherClusterIsRefused) {
  StartCluster(1);
  const std::string foreign_dir = cluster_->node(0).dir;
  ASSERT_OK(cluster_->StopNode(0));

  MiniCluster other;  // a new cluster, with its own cluster id
  ASSERT_OK(other.Start());
  testing::Subprocess node(
      testing::BinDir() + "/gale-node",
      {"--coordinator", other.coordinator_grpc_address(), "--data-dir", foreign_dir, "--port", "0",
       "--metrics-port", "0", "--reserve-bytes", "0"},
      other.root() + "/foreign-node.log");
  ASSERT_OK(node.Start());
  ASSERT_OK_AND_ASSIGN(int code, node.Wait(absl::Seconds(30)));
  EXPECT_EQ(code, 1);
  EXPECT_NE(node.LogTail().find("belongs to cluster"), std::string::npos) << node.LogTail();
  httplib::Client rest("127.0.0.1", other.coordinator_http_port());
  EXPECT_EQ(json::parse(rest.Get("/api/v1/nodes")->body)["total_nodes"], 0);
}

TEST_F(NodeITest, PortsInUseStopASecondNodeNamingThePort) {
  StartCluster(1);
  const testing::MiniNode& running = cluster_->node(0);
  for (const auto& [flag, port] : std::vector<std::pair<std::string, int>>{
           {"--port", running.port}, {"--metrics-port", running.metrics_port}}) {
    testing::TempDir dir;
    std::vector<std::string> args = {"--coordinator",   cluster_->coordinator_grpc_address(),
                                     "--bind-address",  "127.0.0.1",
                                     "--data-dir",      dir.Join("data"),
                                     "--reserve-bytes", "0"};
    for (const std::string other : {"--port", "--metrics-port"}) {
      args.push_back(other);
      args.push_back(other == flag ? std::to_string(port) : "0");
    }
    testing::Subprocess node(testing::BinDir() + "/gale-node", args, dir.Join("log"));
    ASSERT_OK(node.Start());
    ASSERT_OK_AND_ASSIGN(int code, node.Wait(absl::Seconds(30)));
    EXPECT_NE(code, 0) << flag;
    EXPECT_NE(node.LogTail().find(StrCat("127.0.0.1:", port)), std::string::npos) << node.LogTail();
  }
  // The running node still serves and is the only one registered.
  ASSERT_OK(cluster_->WaitForActiveNodes(1));
  EXPECT_EQ(StateOf(running.node_id), "active");
}

}  // namespace
}  // namespace gale
