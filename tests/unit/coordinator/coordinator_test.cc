#include "coordinator/coordinator.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "common/file_util.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "coordinator/store/store_factory.h"
#include "httplib.h"
#include "migrations/migrations.h"
#include "nlohmann/json.hpp"
#include "proto/coordinator.grpc.pb.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

using nlohmann::json;

// A whole coordinator in-process on 127.0.0.1 with a FakeClock, driven
// through its gRPC and HTTP ports.
class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.bind_address = "127.0.0.1";
    options_.grpc_port = 0;
    options_.http_port = 0;
    options_.metrics_port = 0;
    options_.data_dir = dir_.Join("data");
    options_.info_file = dir_.Join("info.json");
    options_.heartbeat_interval_ms = 1000;
    options_.node_timeout_ms = 3000;
    options_.dead_after_ms = 10000;
    ASSERT_OK(options_.Finalize());
    coordinator_ = std::make_unique<Coordinator>(options_, &clock_);
    ASSERT_OK(coordinator_->Start());
    stub_ = v1::Coordinator::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(coordinator_->grpc_port()),
                            grpc::InsecureChannelCredentials()));
  }

  v1::RegisterNodeRequest RegisterRequest(const std::string& id = "") {
    v1::RegisterNodeRequest req;
    req.set_node_id(id);
    req.add_addresses("127.0.0.1:9080");
    req.set_storage_capacity(1 << 30);
    req.set_zone("z1");
    (*req.mutable_capabilities())["version"] = "1.0.0";
    return req;
  }

  std::string RegisterNode(const std::string& id = "") {
    grpc::ClientContext ctx;
    v1::RegisterNodeResponse resp;
    grpc::Status s = stub_->RegisterNode(&ctx, RegisterRequest(id), &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.node_id();
  }

  grpc::Status Heartbeat(const std::string& id, int64_t available,
                         v1::NodeHeartbeatResponse* resp) {
    grpc::ClientContext ctx;
    v1::NodeHeartbeatRequest req;
    req.set_node_id(id);
    req.mutable_stats()->set_storage_available(available);
    req.mutable_stats()->set_uptime_seconds(7);
    return stub_->NodeHeartbeat(&ctx, req, resp);
  }

  std::string GetMetricsPort(const std::string& path, int* status) {
    httplib::Client client("127.0.0.1", coordinator_->metrics_port());
    auto r = client.Get(path.c_str());
    *status = r ? r->status : 0;
    return r ? r->body : "";
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  CoordinatorOptions options_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<v1::Coordinator::Stub> stub_;
};

TEST_F(CoordinatorTest, GrpcRegistryRoundTrip) {
  std::string a = RegisterNode();
  std::string b = RegisterNode("node-b");
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(b, "node-b");

  v1::NodeHeartbeatResponse hb;
  ASSERT_TRUE(Heartbeat(a, 500, &hb).ok());
  EXPECT_FALSE(hb.needs_reregister());
  EXPECT_EQ(hb.state(), v1::NODE_STATE_ACTIVE);
  EXPECT_EQ(hb.heartbeat_interval_ms(), 1000);
  EXPECT_EQ(hb.tasks_size(), 0);

  grpc::ClientContext ctx;
  v1::GetActiveNodesRequest active_req;
  active_req.set_limit(1);
  v1::GetActiveNodesResponse active;
  ASSERT_TRUE(stub_->GetActiveNodes(&ctx, active_req, &active).ok());
  ASSERT_EQ(active.nodes_size(), 1);
  EXPECT_EQ(active.nodes(0).node_id(), a) << "most available storage first";
  EXPECT_EQ(active.nodes(0).stats().storage_available(), 500);
  EXPECT_EQ(active.nodes(0).zone(), "z1");
  EXPECT_EQ(active.nodes(0).capabilities().at("version"), "1.0.0");

  // b never heartbeats; past node_timeout only a stays active.
  clock_.Advance(absl::Milliseconds(2500));
  ASSERT_TRUE(Heartbeat(a, 500, &hb).ok());
  clock_.Advance(absl::Milliseconds(600));
  grpc::ClientContext ctx2;
  v1::GetNodeRequest get_req;
  get_req.set_node_id(b);
  v1::GetNodeResponse got;
  ASSERT_TRUE(stub_->GetNode(&ctx2, get_req, &got).ok());
  EXPECT_EQ(got.node().state(), v1::NODE_STATE_SUSPECT);

  grpc::ClientContext ctx3;
  v1::GetNetworkStatusResponse net;
  ASSERT_TRUE(stub_->GetNetworkStatus(&ctx3, {}, &net).ok());
  EXPECT_EQ(net.network_stats().total_nodes(), 2);
  EXPECT_EQ(net.network_stats().active_nodes(), 1);
  EXPECT_EQ(net.network_stats().nodes_by_state().at("suspect"), 1);
  EXPECT_EQ(net.active_nodes_size(), 1);
  EXPECT_FALSE(net.cluster_id().empty());

  grpc::ClientContext ctx4;
  v1::SetNodeMaintenanceRequest m;
  m.set_node_id(b);
  m.set_enabled(true);
  v1::SetNodeMaintenanceResponse mresp;
  ASSERT_TRUE(stub_->SetNodeMaintenance(&ctx4, m, &mresp).ok());
  EXPECT_EQ(mresp.node().state(), v1::NODE_STATE_MAINTENANCE);

  grpc::ClientContext ctx5;
  v1::ListNodesResponse all;
  ASSERT_TRUE(stub_->ListNodes(&ctx5, {}, &all).ok());
  EXPECT_EQ(all.nodes_size(), 2);
}

TEST_F(CoordinatorTest, GrpcErrorsAreTypedAndChangeNothing) {
  v1::NodeHeartbeatResponse hb;
  ASSERT_TRUE(Heartbeat("ghost", 1, &hb).ok());
  EXPECT_TRUE(hb.needs_reregister()) << "an unknown node is told to register";

  std::string id = RegisterNode();
  grpc::ClientContext ctx;
  v1::NodeHeartbeatRequest bad;
  bad.set_node_id(id);
  bad.mutable_stats()->set_chunks_stored(-3);
  grpc::Status s = stub_->NodeHeartbeat(&ctx, bad, &hb);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("stats.chunks_stored"), std::string::npos);

  grpc::ClientContext ctx2;
  v1::RegisterNodeRequest no_address = RegisterRequest();
  no_address.clear_addresses();
  v1::RegisterNodeResponse resp;
  s = stub_->RegisterNode(&ctx2, no_address, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("addresses"), std::string::npos);

  grpc::ClientContext ctx3;
  v1::GetNodeRequest get_req;
  get_req.set_node_id("ghost");
  v1::GetNodeResponse got;
  EXPECT_EQ(stub_->GetNode(&ctx3, get_req, &got).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx4;
  v1::UnregisterNodeRequest un;
  un.set_node_id("ghost");
  v1::UnregisterNodeResponse unresp;
  EXPECT_EQ(stub_->UnregisterNode(&ctx4, un, &unresp).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::ClientContext ctx5;
  v1::GetActiveNodesRequest neg;
  neg.set_limit(-1);
  v1::GetActiveNodesResponse active;
  EXPECT_EQ(stub_->GetActiveNodes(&ctx5, neg, &active).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  EXPECT_EQ(coordinator_->registry()->List().size(), 1u);
  EXPECT_EQ(coordinator_->registry()->heartbeats_total(), 0);
}

TEST_F(CoordinatorTest, HealthMetricsAndInfoFile) {
  int status = 0;
  GetMetricsPort("/live", &status);
  EXPECT_EQ(status, 200);
  GetMetricsPort("/ready", &status);
  EXPECT_EQ(status, 200);
  auto health = nlohmann::json::parse(GetMetricsPort("/health", &status));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(health["status"], "healthy");
  EXPECT_EQ(health["database"]["type"], "sqlite");
  EXPECT_EQ(health["database"]["schema_version"], migrations::SqliteMigrations().back().version);

  std::string id = RegisterNode();
  v1::NodeHeartbeatResponse hb;
  ASSERT_TRUE(Heartbeat(id, 1, &hb).ok());
  ASSERT_TRUE(Heartbeat(id, 1, &hb).ok());
  std::string metrics = GetMetricsPort("/metrics", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(metrics.find("gale_nodes{state=\"active\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("gale_nodes{state=\"dead\"} 0"), std::string::npos);
  EXPECT_NE(metrics.find("gale_heartbeats_total 2"), std::string::npos);
  EXPECT_NE(metrics.find("gale_grpc_requests_total{code=\"OK\",method=\"NodeHeartbeat\"} 2"),
            std::string::npos);
  EXPECT_NE(metrics.find("gale_grpc_request_duration_seconds_count{method=\"RegisterNode\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("gale_build_info{binary=\"gale-coordinator\""), std::string::npos);
  for (const char* name :
       {"gale_chunks_under_replicated 0", "gale_chunks_lost 0", "gale_chunks_corrupt_total 0",
        "gale_replication_bytes_total 0", "gale_time_to_redundancy_seconds 0"}) {
    EXPECT_NE(metrics.find(std::string("\n") + name + "\n"), std::string::npos) << name;
  }

  httplib::Client rest("127.0.0.1", coordinator_->http_port());
  ASSERT_TRUE(rest.Get("/api/v1/nodes"));
  ASSERT_TRUE(rest.Get("/health"));  // also served on the REST port
  metrics = GetMetricsPort("/metrics", &status);
  EXPECT_NE(metrics.find("gale_http_requests_total{code=\"200\",route=\"GET /api/v1/nodes\"} 1"),
            std::string::npos)
      << metrics;

  ASSERT_OK_AND_ASSIGN(std::string text, common::ReadFileToString(options_.info_file));
  auto info = nlohmann::json::parse(text);
  EXPECT_EQ(info["grpc_port"], coordinator_->grpc_port());
  EXPECT_EQ(info["http_port"], coordinator_->http_port());
  EXPECT_EQ(info["metrics_port"], coordinator_->metrics_port());
  EXPECT_EQ(info["pid"], ::getpid());
}

TEST_F(CoordinatorTest, SecondCoordinatorOnSameDatabaseIsRefused) {
  CoordinatorOptions second = options_;
  second.info_file.clear();
  Coordinator other(second, &clock_);
  EXPECT_STATUS(other.Start(), absl::StatusCode::kFailedPrecondition,
                "in use by another coordinator");
  coordinator_->Shutdown();
  coordinator_->Shutdown();  // idempotent
}

TEST_F(CoordinatorTest, AdminDatabaseStatsBackupAndCleanup) {
  httplib::Client rest("127.0.0.1", coordinator_->http_port());
  const std::string kept = RegisterNode("kept");
  RegisterNode("gone");
  grpc::ClientContext create_ctx;
  v1::CreateFileRequest create;
  create.set_name("never-committed");
  create.set_size(10);
  create.set_chunk_size(1 << 20);
  create.set_replication_factor(1);
  v1::CreateFileResponse created;
  grpc::Status create_status = stub_->CreateFile(&create_ctx, create, &created);
  ASSERT_TRUE(create_status.ok()) << create_status.error_message();

  auto stats = rest.Get("/api/v1/admin/database/stats");
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->status, 200) << stats->body;
  json s = json::parse(stats->body);
  EXPECT_EQ(s["backend"], "sqlite");
  EXPECT_EQ(s["tables"]["nodes"], 2);
  EXPECT_EQ(s["tables"]["files"], 0) << "an upload is in memory until its commit";
  EXPECT_GT(s["size_bytes"].get<int64_t>(), 0);

  // The backup is a database holding what the coordinator held.
  auto backup = rest.Post("/api/v1/admin/database/backup", "", "application/json");
  ASSERT_TRUE(backup);
  ASSERT_EQ(backup->status, 200) << backup->body;
  const std::string path = json::parse(backup->body)["path"];
  EXPECT_TRUE(path.starts_with(options_.data_dir + "/backups/")) << path;
  {
    ASSERT_OK_AND_ASSIGN(auto copy, SqliteStore::Open(path));
    ASSERT_OK_AND_ASSIGN(auto nodes, copy->ListNodes());
    ASSERT_EQ(nodes.size(), 2u);
    EXPECT_EQ(nodes[0].id, "gone");
    EXPECT_EQ(nodes[1].id, "kept");
    // Not committed: in memory only.
    EXPECT_STATUS(copy->GetFile(created.file_id()), absl::StatusCode::kNotFound, "");
  }

  // Eight days on, only "kept" is heard from: "gone" is dead and, holding
  // nothing, is forgotten past the 7-day retention with the stale upload
  // (in memory: it expires all the same).
  auto cleanup = [&] {
    auto r = rest.Post("/api/v1/admin/database/cleanup", "", "application/json");
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  };
  EXPECT_EQ(cleanup(),
            json({{"expired_uploads_removed", 0}, {"tasks_removed", 0}, {"nodes_removed", 0}}))
      << "nothing is old enough yet";
  clock_.Advance(absl::Hours(8 * 24));
  // Both died meanwhile (the failure detector may have run); "kept" is back.
  ASSERT_EQ(RegisterNode(kept), kept);
  ASSERT_OK(coordinator_->registry()->RunOnce());
  ASSERT_OK_AND_ASSIGN(NodeRecord dead, coordinator_->registry()->Get("gone"));
  ASSERT_EQ(dead.state, NodeState::kDead);
  EXPECT_EQ(cleanup(),
            json({{"expired_uploads_removed", 1}, {"tasks_removed", 0}, {"nodes_removed", 1}}));
  EXPECT_STATUS(coordinator_->registry()->Get("gone"), absl::StatusCode::kNotFound, "");
  EXPECT_OK(coordinator_->registry()->Get("kept"));
  auto after = rest.Get("/api/v1/admin/database/stats");
  ASSERT_TRUE(after);
  EXPECT_EQ(json::parse(after->body)["tables"]["nodes"], 1);
  EXPECT_EQ(json::parse(after->body)["tables"]["files"], 0);
}

TEST_F(CoordinatorTest, AdminBackupOnPostgresPointsToPgDump) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(auto database);
  coordinator_->Shutdown();
  CoordinatorOptions pg = options_;
  pg.info_file.clear();
  pg.database.url = database->url();
  ASSERT_OK(pg.Finalize());
  Coordinator coordinator(pg, &clock_);
  ASSERT_OK(coordinator.Start());
  httplib::Client rest("127.0.0.1", coordinator.http_port());
  auto stats = rest.Get("/api/v1/admin/database/stats");
  ASSERT_TRUE(stats);
  ASSERT_EQ(stats->status, 200) << stats->body;
  EXPECT_EQ(json::parse(stats->body)["backend"], "postgres");
  auto backup = rest.Post("/api/v1/admin/database/backup", "", "application/json");
  ASSERT_TRUE(backup);
  EXPECT_EQ(backup->status, 400);
  EXPECT_NE(backup->body.find("pg_dump"), std::string::npos) << backup->body;
  EXPECT_FALSE(std::filesystem::exists(pg.data_dir + "/backups") &&
               !std::filesystem::is_empty(pg.data_dir + "/backups"))
      << "nothing written";
}

TEST_F(CoordinatorTest, MigrateAppliesEverySchemaVersionAndIsIdempotent) {
  CoordinatorOptions fresh = options_;
  fresh.data_dir = dir_.Join("fresh");
  fresh.database.path.clear();
  ASSERT_OK(fresh.Finalize());
  ASSERT_OK_AND_ASSIGN(int version, MigrateMetadataStore(fresh.database));
  EXPECT_EQ(version, migrations::SqliteMigrations().back().version);
  ASSERT_OK_AND_ASSIGN(int again, MigrateMetadataStore(fresh.database));
  EXPECT_EQ(again, version);
  ASSERT_OK_AND_ASSIGN(auto store, SqliteStore::Open(fresh.database.path));
  EXPECT_OK(store->CheckReady());
  // The running coordinator's database is locked: migrate says so.
  EXPECT_STATUS(MigrateMetadataStore(options_.database), absl::StatusCode::kFailedPrecondition,
                "in use by another coordinator");
}

TEST_F(CoordinatorTest, StatePersistsAcrossRestart) {
  std::string id = RegisterNode("keeper");
  v1::NodeHeartbeatResponse hb;
  ASSERT_TRUE(Heartbeat(id, 4242, &hb).ok());
  coordinator_->Shutdown();  // flushes liveness

  options_.info_file.clear();
  Coordinator restarted(options_, &clock_);
  ASSERT_OK(restarted.Start());
  ASSERT_OK_AND_ASSIGN(NodeRecord node, restarted.registry()->Get("keeper"));
  EXPECT_EQ(node.stats.storage_available, 4242);
  EXPECT_EQ(node.state, NodeState::kActive);
  EXPECT_EQ(node.zone, "z1");
}

TEST(CoordinatorOptionsTest, FinalizeChecksRelationsAndDatabase) {
  CoordinatorOptions o;
  o.node_timeout_ms = 1000;
  o.heartbeat_interval_ms = 1000;
  EXPECT_STATUS(o.Finalize(), absl::StatusCode::kInvalidArgument, "heartbeat_interval_ms");
  o = CoordinatorOptions();
  o.dead_after_ms = o.node_timeout_ms;
  EXPECT_STATUS(o.Finalize(), absl::StatusCode::kInvalidArgument, "dead_after_ms");
  o = CoordinatorOptions();
  o.database.url = "mysql://x";
  EXPECT_STATUS(o.Finalize(), absl::StatusCode::kInvalidArgument, "database.url");
  o = CoordinatorOptions();
  o.database.url = "sqlite:///var/lib/gale/meta.db";
  ASSERT_OK(o.Finalize());
  EXPECT_EQ(o.database.path, "/var/lib/gale/meta.db");
  o = CoordinatorOptions();
  o.data_dir = "/srv/gale";
  ASSERT_OK(o.Finalize());
  EXPECT_EQ(o.database.path, "/srv/gale/gale.db");
}

}  // namespace
}  // namespace gale::coordinator
