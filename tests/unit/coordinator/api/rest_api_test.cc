#include "coordinator/api/rest_api.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "coordinator/coordinator.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

using nlohmann::json;

constexpr char kZephyrRegister[] =
    R"({"addresses":["127.0.0.1:9080"],"storage_capacity":1000000000,)"
    R"("capabilities":{"version":"1.0.0"}})";

// The REST API on a real server on 127.0.0.1, driven by a real HTTP client,
// with time from a FakeClock.
class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CoordinatorOptions options;
    options.bind_address = "127.0.0.1";
    options.grpc_port = options.http_port = options.metrics_port = 0;
    options.data_dir = dir_.Join("data");
    options.max_request_body_bytes = 4096;
    ASSERT_OK(options.Finalize());
    coordinator_ = std::make_unique<Coordinator>(options, &clock_);
    ASSERT_OK(coordinator_->Start());
    registry_ = coordinator_->registry();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", coordinator_->http_port());
  }

  struct Reply {
    int status = 0;
    json body;
  };

  Reply Call(const std::string& method, const std::string& path, const std::string& body = "") {
    httplib::Result r = method == "GET" ? client_->Get(path.c_str())
                                        : client_->Post(path.c_str(), body, "application/json");
    Reply reply;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no response";
      return reply;
    }
    reply.status = r->status;
    reply.body = json::parse(r->body, nullptr, false);
    EXPECT_FALSE(reply.body.is_discarded()) << "not JSON: " << r->body;
    return reply;
  }

  // A 4xx with the standard error body whose details mention `substring`.
  void ExpectError(const Reply& reply, int status, const std::string& substring) {
    EXPECT_EQ(reply.status, status) << reply.body.dump();
    ASSERT_TRUE(reply.body.contains("error")) << reply.body.dump();
    ASSERT_TRUE(reply.body.contains("details")) << reply.body.dump();
    EXPECT_NE(reply.body["details"].get<std::string>().find(substring), std::string::npos)
        << reply.body.dump();
  }

  std::string RegisterOne() {
    Reply r = Call("POST", "/api/v1/nodes/register", kZephyrRegister);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.value("assigned_node_id", "");
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<Coordinator> coordinator_;
  NodeRegistry* registry_ = nullptr;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(RestApiTest, ZephyrFsRegisterHeartbeatActiveFlow) {
  Reply reg = Call("POST", "/api/v1/nodes/register", kZephyrRegister);
  ASSERT_EQ(reg.status, 200);
  EXPECT_EQ(reg.body["success"], true);
  EXPECT_EQ(reg.body["message"], "node registered");
  EXPECT_TRUE(reg.body["bootstrap_peers"].is_array());
  EXPECT_EQ(reg.body["cluster_id"].get<std::string>().size(), 36u);
  std::string id = reg.body["assigned_node_id"];
  ASSERT_EQ(id.size(), 36u);

  Reply hb = Call("POST", "/api/v1/nodes/" + id + "/heartbeat",
                  R"({"stats":{"storage_used":10,"storage_available":999999990,)"
                  R"("chunks_stored":2,"bandwidth_up":3,"bandwidth_down":4,"cpu_usage":1.5,)"
                  R"("memory_usage":2048,"uptime_seconds":60}})");
  ASSERT_EQ(hb.status, 200) << hb.body.dump();
  EXPECT_EQ(hb.body["success"], true);
  EXPECT_EQ(hb.body["tasks"], json::array());
  EXPECT_EQ(hb.body["needs_reregister"], false);

  Reply active = Call("GET", "/api/v1/nodes/active");
  ASSERT_EQ(active.status, 200);
  ASSERT_EQ(active.body["total_nodes"], 1);
  const json& node = active.body["nodes"][0];
  EXPECT_EQ(node["node_id"], id);
  EXPECT_EQ(node["addresses"], json::array({"127.0.0.1:9080"}));
  EXPECT_EQ(node["status"], "active");
  EXPECT_EQ(node["state"], "active");
  EXPECT_EQ(node["stats"]["storage_available"], 999999990);
  EXPECT_EQ(node["stats"]["uptime_seconds"], 60);
  EXPECT_EQ(node["last_heartbeat"], absl::ToUnixSeconds(clock_.Now()));
  EXPECT_EQ(node["version"], "1.0.0") << "taken from capabilities, as ZephyrFS nodes send it";

  // Without heartbeats it leaves the active list after node_timeout.
  clock_.Advance(absl::Seconds(15));
  EXPECT_EQ(Call("GET", "/api/v1/nodes/active").body["total_nodes"], 0);
  Reply one = Call("GET", "/api/v1/nodes/" + id);
  EXPECT_EQ(one.body["node"]["state"], "suspect");
  EXPECT_EQ(one.body["node"]["status"], "inactive");
}

TEST_F(RestApiTest, ListGetUnregisterMaintenance) {
  std::string a = RegisterOne();
  std::string b = RegisterOne();
  Reply all = Call("GET", "/api/v1/nodes");
  EXPECT_EQ(all.body["total_nodes"], 2);

  Reply m = Call("POST", "/api/v1/nodes/" + a + "/maintenance", R"({"enabled":true})");
  ASSERT_EQ(m.status, 200) << m.body.dump();
  EXPECT_EQ(m.body["node"]["status"], "maintenance");

  Reply un = Call("POST", "/api/v1/nodes/" + b + "/unregister", R"({"reason":"retired"})");
  ASSERT_EQ(un.status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/nodes/" + b).body["node"]["state"], "dead");
  Reply hb = Call("POST", "/api/v1/nodes/" + b + "/heartbeat", "{}");
  EXPECT_EQ(hb.status, 200);
  EXPECT_EQ(hb.body["needs_reregister"], true);
  EXPECT_EQ(hb.body["success"], false);
  // An unregister body is optional.
  EXPECT_EQ(Call("POST", "/api/v1/nodes/" + a + "/unregister", "").status, 200);
}

TEST_F(RestApiTest, ActiveLimitAndExclude) {
  std::string a = RegisterOne();
  std::string b = RegisterOne();
  std::string c = RegisterOne();
  EXPECT_EQ(Call("GET", "/api/v1/nodes/active?limit=2").body["total_nodes"], 2);
  EXPECT_EQ(Call("GET", "/api/v1/nodes/active?exclude=" + a + "&exclude=" + b)
                .body["nodes"][0]["node_id"],
            c);
  EXPECT_EQ(Call("GET", "/api/v1/nodes/active?exclude=" + a + "," + c).body["total_nodes"], 1);
  ExpectError(Call("GET", "/api/v1/nodes/active?limit=abc"), 400, "'limit'");
  ExpectError(Call("GET", "/api/v1/nodes/active?limit=-1"), 400, "'limit'");
}

TEST_F(RestApiTest, BadRegistrationsAreRejectedAndChangeNothing) {
  const std::pair<std::string, std::string> cases[] = {
      {"{not json", "not valid JSON"},
      {"[1,2]", "JSON object"},
      {R"({"storage_capacity":1})", "field 'addresses' is required"},
      {R"({"addresses":"127.0.0.1:9080","storage_capacity":1})", "field 'addresses'"},
      {R"({"addresses":[1],"storage_capacity":1})", "field 'addresses'"},
      {R"({"addresses":["127.0.0.1:9080"]})", "field 'storage_capacity' is required"},
      {R"({"addresses":["127.0.0.1:9080"],"storage_capacity":"big"})", "'storage_capacity'"},
      {R"({"addresses":["127.0.0.1:9080"],"storage_capacity":1.5})", "'storage_capacity'"},
      {R"({"addresses":["127.0.0.1:9080"],"storage_capacity":-1})", "'storage_capacity'"},
      {R"({"addresses":["nonsense"],"storage_capacity":1})", "addresses[0]"},
      {R"({"addresses":[],"storage_capacity":1})", "at least one"},
      {R"({"addresses":["127.0.0.1:9080"],"storage_capacity":1,"capabilities":{"v":1}})",
       "'capabilities.v'"},
      {R"({"addresses":["127.0.0.1:9080"],"storage_capacity":1,"node_id":"../x"})", "node_id"},
      {R"({"addresses":["127.0.0.1:9080"],"storage_capacity":1,"node_id":7})", "node_id"},
  };
  for (const auto& [body, expected] : cases) {
    ExpectError(Call("POST", "/api/v1/nodes/register", body), 400, expected);
  }
  EXPECT_EQ(Call("GET", "/api/v1/nodes").body["total_nodes"], 0);
}

TEST_F(RestApiTest, BadHeartbeatsAreRejectedAndChangeNothing) {
  std::string id = RegisterOne();
  ExpectError(Call("POST", "/api/v1/nodes/" + id + "/heartbeat", "{oops"), 400, "JSON");
  ExpectError(Call("POST", "/api/v1/nodes/" + id + "/heartbeat", R"({"stats":5})"), 400,
              "field 'stats'");
  ExpectError(
      Call("POST", "/api/v1/nodes/" + id + "/heartbeat", R"({"stats":{"storage_used":"lots"}})"),
      400, "field 'stats.storage_used'");
  ExpectError(
      Call("POST", "/api/v1/nodes/" + id + "/heartbeat", R"({"stats":{"storage_used":-1}})"), 400,
      "stats.storage_used");
  ExpectError(
      Call("POST", "/api/v1/nodes/" + id + "/heartbeat", R"({"stats":{"cpu_usage":"hot"}})"), 400,
      "stats.cpu_usage");
  EXPECT_EQ(registry_->heartbeats_total(), 0);

  Reply unknown = Call("POST", "/api/v1/nodes/ghost/heartbeat", "{}");
  ExpectError(unknown, 404, "ghost");
  EXPECT_EQ(unknown.body["needs_reregister"], true);
}

TEST_F(RestApiTest, UnknownIdsRoutesAndBodiesGetJsonErrors) {
  ExpectError(Call("GET", "/api/v1/nodes/ghost"), 404, "ghost");
  ExpectError(Call("POST", "/api/v1/nodes/ghost/unregister", "{}"), 404, "ghost");
  ExpectError(Call("POST", "/api/v1/nodes/ghost/maintenance", R"({"enabled":true})"), 404, "ghost");
  ExpectError(Call("GET", "/api/v1/nope"), 404, "no route for GET /api/v1/nope");
  ExpectError(Call("POST", "/api/v1/nodes/active", "{}"), 404, "no route");
  std::string id = RegisterOne();
  ExpectError(Call("POST", "/api/v1/nodes/" + id + "/maintenance", "{}"), 400,
              "field 'enabled' is required");
  ExpectError(Call("POST", "/api/v1/nodes/" + id + "/maintenance", R"({"enabled":"yes"})"), 400,
              "field 'enabled'");

  std::string huge = R"({"addresses":["127.0.0.1:9080"],"storage_capacity":1,"zone":")" +
                     std::string(8192, 'z') + "\"}";
  ExpectError(Call("POST", "/api/v1/nodes/register", huge), 413, "larger than");
  EXPECT_EQ(Call("GET", "/api/v1/nodes").body["total_nodes"], 1);
}

TEST_F(RestApiTest, NetworkStatusAndStats) {
  std::string a = RegisterOne();
  RegisterOne();
  ASSERT_EQ(Call("POST", "/api/v1/nodes/" + a + "/heartbeat",
                 R"({"stats":{"storage_used":100,"uptime_seconds":10}})")
                .status,
            200);
  clock_.Advance(absl::Seconds(30));
  ASSERT_EQ(Call("POST", "/api/v1/nodes/" + a + "/heartbeat",
                 R"({"stats":{"storage_used":100,"uptime_seconds":40}})")
                .status,
            200);
  Reply status = Call("GET", "/api/v1/network/status");
  ASSERT_EQ(status.status, 200);
  const json& stats = status.body["network_stats"];
  EXPECT_EQ(stats["total_nodes"], 2);
  EXPECT_EQ(stats["active_nodes"], 1);
  EXPECT_EQ(stats["total_storage_capacity"], 1000000000);
  EXPECT_EQ(stats["total_storage_used"], 100);
  EXPECT_EQ(stats["average_node_uptime"], 40.0);
  EXPECT_EQ(stats["network_uptime_seconds"], 30);
  EXPECT_EQ(stats["nodes_by_state"]["suspect"], 1);
  EXPECT_EQ(stats["total_files"], 0);
  EXPECT_EQ(status.body["active_nodes"].size(), 1u);
  EXPECT_EQ(status.body["timestamp"], absl::ToUnixSeconds(clock_.Now()));

  Reply only = Call("GET", "/api/v1/network/stats");
  EXPECT_EQ(only.body["total_nodes"], 2);
  EXPECT_FALSE(only.body.contains("active_nodes") && only.body["active_nodes"].is_array());

  Reply info = Call("GET", "/");
  EXPECT_EQ(info.body["service"], "Gale Coordinator");
  EXPECT_EQ(info.body["cluster_id"], status.body["cluster_id"]);
}

TEST_F(RestApiTest, DrainCopiesOffShowsProgressAndDecommissions) {
  const std::string a = RegisterOne(), b = RegisterOne();
  for (const auto& id : {a, b}) {
    ASSERT_EQ(Call("POST", "/api/v1/nodes/" + id + "/heartbeat",
                   R"({"stats":{"storage_available":1000000000}})")
                  .status,
              200);
  }
  // A committed one-copy file whose chunk lives on one node.
  const std::string chunk = common::Sha256::Hex("only copy");
  CreateFileArgs args;
  args.name = "solo";
  args.replication_factor = 1;
  ASSERT_OK_AND_ASSIGN(FileRecord file, coordinator_->files()->CreateFile(args));
  ASSERT_OK_AND_ASSIGN(auto placements,
                       coordinator_->files()->AllocateChunks(file.id, {{0, chunk, 9}}, {}));
  const std::string holder = placements[0].targets[0].node_id;
  const std::string other = holder == a ? b : a;
  ASSERT_OK(coordinator_->replicas()->ApplyChanges(holder, {{chunk, 9}}, {}, {}));
  ASSERT_OK(coordinator_->files()->CommitFile(file.id, 9, ""));

  ExpectError(Call("POST", "/api/v1/nodes/nope/drain"), 404, "nope");
  Reply drain = Call("POST", "/api/v1/nodes/" + holder + "/drain");
  ASSERT_EQ(drain.status, 200) << drain.body.dump();
  EXPECT_EQ(drain.body["node"]["state"], "draining");
  EXPECT_EQ(Call("POST", "/api/v1/nodes/" + holder + "/drain").status, 200) << "idempotent";

  ASSERT_OK(coordinator_->replication()->RunOnce());
  Reply node = Call("GET", "/api/v1/nodes/" + holder);
  EXPECT_EQ(node.body["node"]["drain"]["chunks_left"], 1);
  EXPECT_EQ(node.body["node"]["drain"]["bytes_left"], 9);
  const json health = Call("GET", "/api/v1/network/status").body["replication"];
  EXPECT_EQ(health["chunks_under_replicated"], 1) << "a draining node's copy does not count";
  EXPECT_EQ(health["chunks_lost"], 0) << "but it is readable";
  EXPECT_EQ(health["tasks_pending"], 1);
  EXPECT_EQ(health["drains"][holder]["bytes_left"], 9);

  // The other node pulls the copy order, runs it, reports.
  Reply beat = Call("POST", "/api/v1/nodes/" + other + "/heartbeat", "{}");
  ASSERT_EQ(beat.body["tasks"].size(), 1u) << beat.body.dump();
  const json task = beat.body["tasks"][0];
  EXPECT_EQ(task["kind"], "replicate");
  EXPECT_EQ(task["chunk_id"], chunk);
  EXPECT_EQ(task["size"], 9);
  EXPECT_EQ(task["sources"], json::array({"127.0.0.1:9080"}));
  ASSERT_OK(coordinator_->replicas()->ApplyChanges(other, {{chunk, 9}}, {}, {}));
  ASSERT_EQ(Call("POST", "/api/v1/nodes/" + other + "/heartbeat",
                 json{{"task_results", {{{"task_id", task["task_id"]}, {"ok", true}}}}}.dump())
                .status,
            200);

  ASSERT_OK(coordinator_->replication()->RunOnce());
  EXPECT_EQ(Call("GET", "/api/v1/nodes/" + holder).body["node"]["state"], "decommissioned");
  ASSERT_OK(coordinator_->replication()->RunOnce());
  beat = Call("POST", "/api/v1/nodes/" + holder + "/heartbeat", "{}");
  ASSERT_EQ(beat.body["tasks"].size(), 1u) << beat.body.dump();
  EXPECT_EQ(beat.body["tasks"][0]["kind"], "delete");
  EXPECT_EQ(Call("GET", "/api/v1/network/status").body["replication"]["chunks_under_replicated"],
            0);

  ASSERT_EQ(Call("POST", "/api/v1/nodes/" + other + "/unregister", "").status, 200);
  ExpectError(Call("POST", "/api/v1/nodes/" + other + "/drain"), 409, "dead");
}

}  // namespace
}  // namespace gale::coordinator
