// The real gale-coordinator binary on loopback: registration and heartbeats
// over gRPC and REST, liveness, restarts (clean and kill -9), configuration
// errors and JSON logs.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "common/file_util.h"
#include "common/grpc_util.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "proto/coordinator.grpc.pb.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

using nlohmann::json;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::WaitUntil;

class CoordinatorITest : public ::testing::Test {
 protected:
  void StartCluster(std::vector<std::string> flags) {
    MiniClusterOptions options;
    options.coordinator_flags = std::move(flags);
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    Connect();
  }

  void Connect() {
    stub_ = v1::Coordinator::NewStub(
        common::CreateCoordinatorChannel(cluster_->coordinator_grpc_address()));
    rest_ = std::make_unique<httplib::Client>("127.0.0.1", cluster_->coordinator_http_port());
  }

  std::string GrpcRegister(const std::string& id, const std::string& address) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::RegisterNodeRequest req;
    req.set_node_id(id);
    req.add_addresses(address);
    req.set_storage_capacity(int64_t{1} << 40);
    v1::RegisterNodeResponse resp;
    grpc::Status s = stub_->RegisterNode(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.node_id();
  }

  v1::NodeHeartbeatResponse GrpcHeartbeat(const std::string& id, int64_t used) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::NodeHeartbeatRequest req;
    req.set_node_id(id);
    req.mutable_stats()->set_storage_used(used);
    v1::NodeHeartbeatResponse resp;
    grpc::Status s = stub_->NodeHeartbeat(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  std::string RestRegister(const std::string& address) {
    auto r = rest_->Post("/api/v1/nodes/register",
                         json{{"addresses", {address}},
                              {"storage_capacity", 1000000000},
                              {"capabilities", {{"version", "1.0.0"}}}}
                             .dump(),
                         "application/json");
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "no response");
    return r ? json::parse(r->body).value("assigned_node_id", "") : "";
  }

  int RestHeartbeat(const std::string& id, int64_t used) {
    auto r = rest_->Post(("/api/v1/nodes/" + id + "/heartbeat").c_str(),
                         json{{"stats", {{"storage_used", used}}}}.dump(), "application/json");
    return r ? r->status : 0;
  }

  std::map<std::string, json> ActiveNodes() {
    std::map<std::string, json> out;
    auto r = rest_->Get("/api/v1/nodes/active");
    if (!r || r->status != 200) {
      ADD_FAILURE() << "GET /api/v1/nodes/active: "
                    << (r ? r->body : httplib::to_string(r.error()));
      return out;
    }
    json body = json::parse(r->body);
    for (const auto& node : body["nodes"]) out[node["node_id"]] = node;
    return out;
  }

  // Registers `n` nodes over gRPC, each with a terabyte free.
  void RegisterNodesWithRoom(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string id = GrpcRegister("", StrCat("127.0.0.1:", 9101 + i));
      grpc::ClientContext ctx;
      v1::NodeHeartbeatRequest req;
      req.set_node_id(id);
      req.mutable_stats()->set_storage_available(int64_t{1} << 40);
      v1::NodeHeartbeatResponse resp;
      ASSERT_TRUE(stub_->NodeHeartbeat(&ctx, req, &resp).ok());
    }
  }
  template <typename Method, typename Request, typename Response>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return ((*stub_).*method)(&ctx, request, response);
  }
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<v1::Coordinator::Stub> stub_;
  std::unique_ptr<httplib::Client> rest_;
};

TEST_F(CoordinatorITest, RegistersOverBothApisAndSurvivesRestarts) {
  StartCluster({"--heartbeat-interval-ms", "100", "--node-timeout-ms", "5000", "--dead-after-ms",
                "20000", "--liveness-flush-interval-ms", "50"});
  std::string g1 = GrpcRegister("", "127.0.0.1:9001");
  std::string g2 = GrpcRegister("grpc-node-2", "127.0.0.1:9002");
  std::string r1 = RestRegister("127.0.0.1:9003");
  ASSERT_FALSE(g1.empty());
  ASSERT_EQ(g2, "grpc-node-2");
  ASSERT_FALSE(r1.empty());
  EXPECT_FALSE(GrpcHeartbeat(g1, 11).needs_reregister());
  EXPECT_FALSE(GrpcHeartbeat(g2, 22).needs_reregister());
  EXPECT_EQ(RestHeartbeat(r1, 33), 200);

  // Both APIs see all three, with the stats they sent.
  auto active = ActiveNodes();
  ASSERT_EQ(active.size(), 3u);
  EXPECT_EQ(active[g1]["stats"]["storage_used"], 11);
  EXPECT_EQ(active[r1]["addresses"][0], "127.0.0.1:9003");
  grpc::ClientContext ctx;
  v1::GetActiveNodesResponse grpc_active;
  ASSERT_TRUE(stub_->GetActiveNodes(&ctx, {}, &grpc_active).ok());
  EXPECT_EQ(grpc_active.total_nodes(), 3);

  // A clean restart keeps every node, its id and its last stats.
  ASSERT_OK(cluster_->RestartCoordinator());
  Connect();
  active = ActiveNodes();
  ASSERT_EQ(active.size(), 3u);
  EXPECT_EQ(active[g2]["stats"]["storage_used"], 22);
  EXPECT_EQ(active[r1]["stats"]["storage_used"], 33);
  EXPECT_FALSE(GrpcHeartbeat(g1, 12).needs_reregister());

  // So does a crash: registrations were durable when acknowledged.
  std::string late = GrpcRegister("late-node", "127.0.0.1:9004");
  ASSERT_OK(cluster_->KillCoordinator());
  ASSERT_OK(cluster_->StartCoordinator());
  Connect();
  active = ActiveNodes();
  EXPECT_EQ(active.size(), 4u);
  EXPECT_TRUE(active.contains(late));
  EXPECT_EQ(active[late]["addresses"][0], "127.0.0.1:9004");
}

TEST_F(CoordinatorITest, SilentNodeLeavesActiveListThenDies) {
  StartCluster({"--heartbeat-interval-ms", "50", "--node-timeout-ms", "300", "--dead-after-ms",
                "900", "--liveness-flush-interval-ms", "20"});
  std::string quiet = RestRegister("127.0.0.1:9100");
  std::string chatty = GrpcRegister("chatty", "127.0.0.1:9101");
  ASSERT_EQ(ActiveNodes().size(), 2u);

  // chatty keeps heartbeating; quiet does not.
  auto state_of = [&](const std::string& id) {
    auto r = rest_->Get(("/api/v1/nodes/" + id).c_str());
    return r && r->status == 200 ? json::parse(r->body)["node"]["state"].get<std::string>()
                                 : std::string("?");
  };
  ASSERT_TRUE(WaitUntil([&] {
    GrpcHeartbeat(chatty, 1);
    return !ActiveNodes().contains(quiet);
  }));
  EXPECT_TRUE(ActiveNodes().contains(chatty));
  ASSERT_TRUE(WaitUntil([&] {
    GrpcHeartbeat(chatty, 1);
    return state_of(quiet) == "dead";
  }));
  EXPECT_EQ(state_of(chatty), "active");

  // The dead node is told to re-register; after that it is active again.
  auto r = rest_->Post(("/api/v1/nodes/" + quiet + "/heartbeat").c_str(), "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["needs_reregister"], true);
  auto again = rest_->Post(
      "/api/v1/nodes/register",
      json{{"node_id", quiet}, {"addresses", {"127.0.0.1:9100"}}, {"storage_capacity", 1}}.dump(),
      "application/json");
  ASSERT_TRUE(again && again->status == 200);
  EXPECT_EQ(state_of(quiet), "active");

  // Metrics count both as active again (chatty keeps heartbeating meanwhile).
  httplib::Client ops("127.0.0.1", cluster_->coordinator_metrics_port());
  EXPECT_TRUE(WaitUntil([&] {
    GrpcHeartbeat(chatty, 1);
    auto metrics = ops.Get("/metrics");
    return metrics && metrics->body.find("gale_nodes{state=\"active\"} 2") != std::string::npos;
  }));
}

// GetFile with a node table names each node once and replicas by index;
// resolved, it says exactly what the answer without one says.
TEST_F(CoordinatorITest, GetFileWithANodeTableResolvesToTheSameReplicas) {
  StartCluster({});
  ASSERT_NO_FATAL_FAILURE(RegisterNodesWithRoom(3));
  auto call = [&](auto method, const auto& request, auto* response) {
    const grpc::Status s = Call(method, request, response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return s.ok();
  };
  v1::CreateFileRequest create;
  create.set_name("table");
  create.set_size(4 * 100);
  create.set_chunk_size(100);
  create.set_write_mode(v1::WRITE_MODE_SYNC);
  v1::CreateFileResponse created;
  ASSERT_TRUE(call(&v1::Coordinator::Stub::CreateFile, create, &created));
  v1::AllocateChunksRequest allocate;
  allocate.set_file_id(created.file_id());
  for (int i = 0; i < 4; ++i) {
    v1::ChunkSpec* spec = allocate.add_chunks();
    spec->set_index(i);
    spec->set_chunk_id(common::Sha256::Hex(StrCat("table ", i)));
    spec->set_size(100);
  }
  v1::AllocateChunksResponse placements;
  ASSERT_TRUE(call(&v1::Coordinator::Stub::AllocateChunks, allocate, &placements));
  std::map<std::string, v1::ReportChunkChangesRequest> reports;
  for (const v1::ChunkPlacement& placement : placements.placements()) {
    for (const v1::Target& target : placement.targets()) {
      v1::ReportChunkChangesRequest& report = reports[target.node_id()];
      report.set_node_id(target.node_id());
      v1::ChunkEntry* entry = report.add_received();
      entry->set_chunk_id(placement.chunk_id());
      entry->set_size(100);
    }
  }
  ASSERT_EQ(reports.size(), 3u);
  for (const auto& [node, report] : reports) {
    v1::ReportChunkChangesResponse reported;
    ASSERT_TRUE(call(&v1::Coordinator::Stub::ReportChunkChanges, report, &reported));
  }
  v1::CommitFileRequest commit;
  commit.set_file_id(created.file_id());
  commit.set_size(400);
  commit.set_sha256(common::Sha256::Hex("table"));
  v1::CommitFileResponse committed;
  ASSERT_TRUE(call(&v1::Coordinator::Stub::CommitFile, commit, &committed));

  v1::GetFileRequest get;
  get.set_file(created.file_id());
  get.set_with_chunks(true);
  v1::GetFileResponse plain;
  ASSERT_TRUE(call(&v1::Coordinator::Stub::GetFile, get, &plain));
  get.set_node_table(true);
  v1::GetFileResponse tabled;
  ASSERT_TRUE(call(&v1::Coordinator::Stub::GetFile, get, &tabled));

  EXPECT_EQ(plain.file().nodes_size(), 0);
  ASSERT_EQ(tabled.file().nodes_size(), 3) << "each node once";
  ASSERT_EQ(tabled.file().chunks_size(), 4);
  ASSERT_EQ(plain.file().chunks_size(), 4);
  for (int c = 0; c < 4; ++c) {
    const v1::FileChunk& p = plain.file().chunks(c);
    const v1::FileChunk& t = tabled.file().chunks(c);
    EXPECT_EQ(t.chunk_id(), p.chunk_id());
    ASSERT_EQ(p.replicas_size(), 3);
    ASSERT_EQ(t.replicas_size(), p.replicas_size());
    for (int r = 0; r < p.replicas_size(); ++r) {
      const v1::Replica& replica = t.replicas(r);
      EXPECT_TRUE(replica.node_id().empty() && replica.address().empty());
      ASSERT_GE(replica.node(), 0);
      ASSERT_LT(replica.node(), 3);
      const v1::ReplicaNode& node = tabled.file().nodes(replica.node());
      EXPECT_EQ(node.node_id(), p.replicas(r).node_id());
      EXPECT_EQ(node.address(), p.replicas(r).address());
      EXPECT_EQ(replica.node_state(), p.replicas(r).node_state());
    }
  }
}

TEST_F(CoordinatorITest, CreateFileWithChunksAnswersTheirPlacements) {
  StartCluster({});
  ASSERT_NO_FATAL_FAILURE(RegisterNodesWithRoom(3));
  v1::CreateFileRequest create;
  create.set_name("placed");
  create.set_size(2 * 100);
  create.set_chunk_size(100);
  create.set_write_mode(v1::WRITE_MODE_SYNC);
  for (int i = 0; i < 2; ++i) {
    v1::ChunkSpec* spec = create.add_chunks();
    spec->set_index(i);
    spec->set_chunk_id(common::Sha256::Hex(StrCat("placed ", i)));
    spec->set_size(100);
  }
  v1::CreateFileResponse created;
  grpc::Status status = Call(&v1::Coordinator::Stub::CreateFile, create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(created.placements_size(), 2);
  for (int i = 0; i < 2; ++i) {
    const v1::ChunkPlacement& placement = created.placements(i);
    EXPECT_EQ(placement.index(), i);
    EXPECT_EQ(placement.chunk_id(), common::Sha256::Hex(StrCat("placed ", i)));
    std::set<std::string> targets;
    for (const v1::Target& target : placement.targets()) targets.insert(target.node_id());
    EXPECT_EQ(targets.size(), 3u) << "a distinct node per copy";
  }
  // The file holds its chunks as AllocateChunks would have recorded them.
  v1::GetFileRequest get;
  get.set_file(created.file_id());
  get.set_with_chunks(true);
  v1::GetFileResponse file;
  status = Call(&v1::Coordinator::Stub::GetFile, get, &file);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(file.file().chunks_size(), 2);
  EXPECT_EQ(file.file().chunks(1).chunk_id(), common::Sha256::Hex("placed 1"));

  create.set_name("unplaceable");
  create.mutable_chunks(1)->set_chunk_id("not-a-sha");
  v1::CreateFileResponse refused;
  status = Call(&v1::Coordinator::Stub::CreateFile, create, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("chunks[1].chunk_id"));
  EXPECT_TRUE(refused.file_id().empty());
}

TEST_F(CoordinatorITest, HealthEndpointsAnswer) {
  StartCluster({});
  httplib::Client ops("127.0.0.1", cluster_->coordinator_metrics_port());
  for (const char* path : {"/live", "/ready", "/health", "/metrics"}) {
    auto r = ops.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  }
  auto root = rest_->Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(json::parse(root->body)["service"], "Gale Coordinator");
}

// Runs the binary with `args` and expects it to refuse to start, saying
// `expected`.
void ExpectStartupError(const std::vector<std::string>& args, const std::string& expected,
                        std::map<std::string, std::string> env = {}) {
  testing::TempDir dir;
  testing::Subprocess process(testing::BinDir() + "/gale-coordinator", args, dir.Join("log"),
                              std::move(env));
  ASSERT_OK(process.Start());
  ASSERT_OK_AND_ASSIGN(int code, process.Wait(absl::Seconds(30)));
  EXPECT_NE(code, 0);
  EXPECT_NE(process.LogTail().find(expected), std::string::npos) << process.LogTail();
}

TEST_F(CoordinatorITest, PortsInUseStopASecondCoordinatorNamingThePort) {
  StartCluster({});
  const std::vector<std::pair<std::string, int>> ports = {
      {"--grpc-port", cluster_->coordinator_grpc_port()},
      {"--http-port", cluster_->coordinator_http_port()},
      {"--metrics-port", cluster_->coordinator_metrics_port()}};
  for (const auto& [flag, port] : ports) {
    // Its own database: nothing but the port is shared.
    testing::TempDir dir;
    std::vector<std::string> args;
    for (const auto& [other, unused] : ports) {
      args.insert(args.end(), {other, other == flag ? std::to_string(port) : "0"});
    }
    args.insert(args.end(), {"--bind-address", "127.0.0.1"});
    ExpectStartupError(args, StrCat("127.0.0.1:", port), {{"DATA_PATH", dir.Join("data")}});
  }
  {
    // The S3 port of --serve-s3, on a port the running one holds.
    testing::TempDir dir;
    const int taken = cluster_->coordinator_http_port();
    ExpectStartupError({"--grpc-port", "0", "--http-port", "0", "--metrics-port", "0", "--serve-s3",
                        "true", "--s3-port", std::to_string(taken), "--bind-address", "127.0.0.1"},
                       StrCat("127.0.0.1:", taken), {{"DATA_PATH", dir.Join("data")}});
  }
  // The running coordinator still answers on every port.
  ASSERT_TRUE(rest_->Get("/api/v1/nodes"));
  EXPECT_EQ(GrpcRegister("after", "127.0.0.1:1"), "after");
}

TEST_F(CoordinatorITest, UnknownRoutesAnswer404Json) {
  StartCluster({});
  for (const std::string method : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
    httplib::Request req;
    req.method = method;
    req.path = "/api/v1/no/such/route";
    if (method != "GET" && method != "DELETE") {
      req.body = R"({"a": 1})";
      req.set_header("Content-Type", "application/json");
    }
    auto r = rest_->send(req);
    ASSERT_TRUE(r) << method;
    EXPECT_EQ(r->status, 404) << method << ": " << r->body;
    json body = json::parse(r->body, nullptr, false);
    ASSERT_FALSE(body.is_discarded()) << r->body;
    EXPECT_EQ(body["details"], "no route for " + method + " /api/v1/no/such/route");
  }
}

TEST(CoordinatorConfigITest, BadConfigurationStopsStartupNamingTheKey) {
  ExpectStartupError({"--grpc-port", "eighty"},
                     "server.grpc_port (from flag --grpc-port): 'eighty' is not an integer");
  ExpectStartupError({}, "server.http_port (from environment HTTP_PORT)", {{"HTTP_PORT", "-5"}});
  ExpectStartupError(
      {"--heartbeat-interval-ms", "10", "--node-timeout-ms", "100", "--dead-after-ms", "50"},
      "coordinator.node_timeout_ms (100) must be less than");
  // The s3 section is checked when the coordinator serves S3.
  ExpectStartupError({"--serve-s3", "true", "--s3-access-key", "KEY"},
                     "s3.access_key and its secret");
  testing::TempDir dir;
  std::string config = dir.Join("config.yaml");
  std::ofstream(config) << "server:\n  grcp_port: 1\n";
  ExpectStartupError({"--config", config}, "unknown key 'server.grcp_port'");
  ExpectStartupError({}, "unknown key 'server.grcp_port'", {{"CONFIG_PATH", config}});
}

TEST(CoordinatorConfigITest, ConfigFileEnvAndJsonLogs) {
  testing::TempDir dir;
  std::string config = dir.Join("config.yaml");
  std::ofstream(config) << "server:\n  bind_address: 127.0.0.1\n  grpc_port: 0\n"
                           "  http_port: 0\n  metrics_port: 0\n"
                           "coordinator:\n  heartbeat_interval_ms: 1000\n"
                           "  node_timeout_ms: 4321\n"
                           "node:\n  port: 9080\n";  // other binaries' sections are skipped
  std::string info = dir.Join("info.json");
  testing::Subprocess process(testing::BinDir() + "/gale-coordinator",
                              {"--config", config, "--info-file", info, "--log-format", "json"},
                              dir.Join("log"),
                              {{"DATA_PATH", dir.Join("data")}, {"LOG_LEVEL", "debug"}});
  ASSERT_OK(process.Start());
  ASSERT_TRUE(WaitUntil([&] { return common::ReadFileToString(info).ok() || process.Exited(); },
                        absl::Seconds(30)))
      << process.LogTail();
  ASSERT_FALSE(process.Exited()) << process.LogTail();
  EXPECT_TRUE(common::ReadFileToString(dir.Join("data/gale.db")).ok()) << "DATA_PATH honoured";
  ASSERT_OK_AND_ASSIGN(int code, process.Stop());
  EXPECT_EQ(code, 0);

  std::ifstream log(dir.Join("log"));
  std::string line;
  int records = 0;
  while (std::getline(log, line)) {
    auto record = json::parse(line, nullptr, false);
    ASSERT_FALSE(record.is_discarded()) << "not a JSON line: " << line;
    EXPECT_TRUE(record.contains("msg"));
    ++records;
  }
  EXPECT_GE(records, 3);
}

TEST(CoordinatorConfigITest, MigrateAppliesTheSchemaAndExits) {
  testing::TempDir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"migrate", "--data-dir", dir.Join("data")},
        std::vector<std::string>{"--migrate-only", "--data-dir", dir.Join("data")}}) {
    testing::Subprocess process(testing::BinDir() + "/gale-coordinator", args, dir.Join("log"));
    ASSERT_OK(process.Start());
    ASSERT_OK_AND_ASSIGN(int code, process.Wait(absl::Seconds(30)));
    EXPECT_EQ(code, 0) << process.LogTail();
    EXPECT_NE(process.LogTail().find("migrated to schema version"), std::string::npos)
        << process.LogTail();
    EXPECT_EQ(process.LogTail().find("serving"), std::string::npos) << "it does not serve";
  }
  EXPECT_TRUE(common::ReadFileToString(dir.Join("data/gale.db")).ok());
}

}  // namespace
}  // namespace gale
