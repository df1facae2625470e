// A cluster with a join token, full and read-only API tokens and a REST rate
// limit, attacked from loopback: rogue nodes, calls without or with the
// wrong tokens, chunk writes and deletes behind the coordinator's back,
// path tricks in ids, foreign browser origins, and clients that flood or
// stall. Every refusal must change nothing, and the cluster must keep
// serving its real clients, whose files read back byte-identical.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/grpc_util.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "node/chunk_paths.h"
#include "proto/coordinator.grpc.pb.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/raw_socket.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

using nlohmann::json;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::WaitUntil;

constexpr char kJoinToken[] = "join-7f3a9c";
constexpr char kFullToken[] = "full-51c2e0";
constexpr char kReadToken[] = "read-0b88d4";

class SecurityITest : public ::testing::Test {
 protected:
  void StartCluster(std::vector<std::string> extra_flags = {}) {
    MiniClusterOptions options;
    options.num_nodes = 2;
    options.join_token = kJoinToken;
    options.api_token = kFullToken;
    options.coordinator_flags = {"--heartbeat-interval-ms",
                                 "200",
                                 "--api-tokens",
                                 kFullToken,
                                 "--read-tokens",
                                 kReadToken,
                                 "--default-write-mode",
                                 "sync",
                                 "--default-replication-factor",
                                 "2"};
    options.coordinator_flags.insert(options.coordinator_flags.end(), extra_flags.begin(),
                                     extra_flags.end());
    options.node_flags = {"--heartbeat-interval-ms", "200"};
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    rest_ = std::make_unique<httplib::Client>("127.0.0.1", cluster_->coordinator_http_port());
  }

  // A gRPC stub that sends `metadata` with each call.
  grpc::Status GrpcRegister(const std::vector<std::pair<std::string, std::string>>& metadata) {
    auto stub = v1::Coordinator::NewStub(
        common::CreateCoordinatorChannel(cluster_->coordinator_grpc_address()));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    for (const auto& [key, value] : metadata) ctx.AddMetadata(key, value);
    v1::RegisterNodeRequest req;
    req.set_node_id("rogue");
    req.add_addresses("127.0.0.1:1");
    req.set_storage_capacity(int64_t{1} << 40);
    v1::RegisterNodeResponse resp;
    return stub->RegisterNode(&ctx, req, &resp);
  }

  httplib::Headers Bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  // Uploads `bytes` as `name` through the REST gateway with `headers`.
  httplib::Result RestUpload(const std::string& name, const std::string& bytes,
                             const httplib::Headers& headers) {
    return rest_->Post(("/api/v1/files/upload?name=" + name).c_str(), headers, bytes,
                       "application/octet-stream");
  }

  bool NodeKnown(const std::string& id) {
    auto r = rest_->Get(("/api/v1/nodes/" + id).c_str(), Bearer(kReadToken));
    return r && r->status == 200;
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<httplib::Client> rest_;
};

TEST_F(SecurityITest, NodesWithoutTheJoinTokenCannotRegister) {
  StartCluster();
  EXPECT_EQ(GrpcRegister({}).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GrpcRegister({{"x-gale-join-token", "join-guess"}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(GrpcRegister({{"authorization", std::string("Bearer ") + kFullToken}}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED)
      << "an API token is no node credential";
  const std::string body =
      R"({"node_id":"rogue","addresses":["127.0.0.1:1"],"storage_capacity":1000})";
  auto rest = rest_->Post("/api/v1/nodes/register", body, "application/json");
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->status, 401) << rest->body;
  EXPECT_EQ(rest->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_FALSE(NodeKnown("rogue")) << "a refusal changes nothing";

  // The same calls with the token work; the real nodes registered with it.
  auto joined = rest_->Post("/api/v1/nodes/register", {{"x-gale-join-token", kJoinToken}}, body,
                            "application/json");
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->status, 200) << joined->body;
  EXPECT_TRUE(NodeKnown("rogue"));
  EXPECT_TRUE(NodeKnown(cluster_->node(0).node_id));
}

TEST_F(SecurityITest, ApiTokensGuardReadsAndWrites) {
  StartCluster();
  const std::string bytes = testing::RandomBytes(300 << 10, 1);
  auto anonymous = RestUpload("a", bytes, {});
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401) << anonymous->body;
  auto read_only = RestUpload("a", bytes, Bearer(kReadToken));
  ASSERT_TRUE(read_only);
  EXPECT_EQ(read_only->status, 403) << read_only->body;
  auto wrong = RestUpload("a", bytes, Bearer("full-guess"));
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401);
  auto listed = rest_->Get("/api/v1/files", Bearer(kReadToken));
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->status, 200);
  EXPECT_EQ(json::parse(listed->body)["count"], 0) << "no refused upload left anything";

  auto stored = RestUpload("a", bytes, Bearer(kFullToken));
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->status, 201) << stored->body;
  EXPECT_EQ(rest_->Get("/api/v1/files/a/content")->status, 401);
  auto back = rest_->Get("/api/v1/files/a/content", Bearer(kReadToken));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->status, 200);
  EXPECT_EQ(common::Sha256::Hex(back->body), common::Sha256::Hex(bytes));
  EXPECT_EQ(rest_->Delete("/api/v1/files/a", Bearer(kReadToken))->status, 403);
  EXPECT_EQ(rest_->Delete("/api/v1/files/a")->status, 401);
  EXPECT_EQ(rest_->Post("/api/v1/admin/database/cleanup", "", "application/json")->status, 401);
  EXPECT_EQ(rest_->Get("/api/v1/files/a", Bearer(kReadToken))->status, 200) << "still there";

  // gRPC clients: none, read-only, full.
  client::ClientOptions options;
  options.coordinators = cluster_->coordinator_grpc_address();
  ASSERT_OK_AND_ASSIGN(auto nobody, client::GaleClient::Connect(options));
  EXPECT_STATUS(nobody->Stat("a"), absl::StatusCode::kUnauthenticated, "API token");
  options.token = kReadToken;
  ASSERT_OK_AND_ASSIGN(auto reader, client::GaleClient::Connect(options));
  ASSERT_OK_AND_ASSIGN(auto info, reader->Stat("a"));
  EXPECT_EQ(info.sha256, common::Sha256::Hex(bytes));
  EXPECT_STATUS(reader->Delete("a"), absl::StatusCode::kPermissionDenied, "only read");

  // The CLI reads GALE_TOKEN (the cluster's RunGale sets it to the full token).
  const std::string path = cluster_->root() + "/cli-upload";
  std::ofstream(path, std::ios::binary) << bytes;
  std::string out, err;
  ASSERT_EQ(cluster_->RunGale({"put", path, "--name", "b"}, &out, &err), 0) << err;
  ASSERT_EQ(cluster_->RunGale({"get", "b", "-o", path + ".back"}, &out, &err), 0) << err;
  ASSERT_OK_AND_ASSIGN(std::string cli_back, common::ReadFileToString(path + ".back"));
  EXPECT_EQ(common::Sha256::Hex(cli_back), common::Sha256::Hex(bytes));
  const std::string without = testing::BinDir() + "/gale --coordinator " +
                              cluster_->coordinator_grpc_address() + " ls >/dev/null 2>" + path +
                              ".err";
  EXPECT_NE(std::system(without.c_str()), 0);
  EXPECT_NE(common::ReadFileToString(path + ".err")->find("GALE_TOKEN"), std::string::npos);
  EXPECT_OK(reader->Stat("b"));
}

TEST_F(SecurityITest, NodesTakeChunkWritesOnlyWithAGrantAndDeletesWithTheJoinToken) {
  StartCluster();
  httplib::Client node("127.0.0.1", cluster_->node(0).port);
  const std::string bytes = testing::RandomBytes(1000, 2);
  const std::string id = common::Sha256::Hex(bytes);
  const std::string route = "/v1/chunks/" + id;
  auto ungranted = node.Put(route.c_str(), bytes, "application/octet-stream");
  ASSERT_TRUE(ungranted);
  EXPECT_EQ(ungranted->status, 403) << ungranted->body;
  auto forged = node.Put(route.c_str(), {{"x-gale-write-grant", "4102444800000.deadbeef"}}, bytes,
                         "application/octet-stream");
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 403) << forged->body;
  EXPECT_EQ(node.Get(route.c_str())->status, 404) << "nothing was stored";

  // The join token (an operator's tool) may write and delete.
  auto operator_put = node.Put(route.c_str(), {{"x-gale-join-token", kJoinToken}}, bytes,
                               "application/octet-stream");
  ASSERT_TRUE(operator_put);
  EXPECT_EQ(operator_put->status, 201) << operator_put->body;
  EXPECT_EQ(node.Delete(route.c_str())->status, 401);
  EXPECT_EQ(node.Delete(route.c_str(), {{"x-gale-join-token", "join-guess"}})->status, 401);
  auto held = node.Get(route.c_str());
  ASSERT_TRUE(held);
  ASSERT_EQ(held->status, 200) << "refused deletes leave the chunk";
  EXPECT_EQ(common::Sha256::Hex(held->body), id);
  EXPECT_EQ(node.Delete(route.c_str(), {{"x-gale-join-token", kJoinToken}})->status, 200);

  // Clients the coordinator directs carry its grants: uploads work.
  ASSERT_OK_AND_ASSIGN(auto client, cluster_->Client());
  const std::string file = testing::RandomBytes(3 << 20, 3);
  const std::string path = cluster_->root() + "/granted";
  std::ofstream(path, std::ios::binary) << file;
  client::CreateFileArgs args;
  args.name = "granted";
  args.chunk_size = 1 << 20;
  ASSERT_OK(client->UploadPath(args, path));
  ASSERT_OK(client->DownloadToPath("granted", path + ".back"));
  ASSERT_OK_AND_ASSIGN(std::string back, common::ReadFileToString(path + ".back"));
  EXPECT_EQ(common::Sha256::Hex(back), common::Sha256::Hex(file));
}

TEST_F(SecurityITest, PathTricksInIdsAreRejectedEverywhere) {
  StartCluster();
  httplib::Client node("127.0.0.1", cluster_->node(0).port);
  const std::string good = std::string(64, 'a');
  for (const std::string& id :
       {std::string("..%2F..%2Fetc%2Fpasswd"), std::string("../../etc/passwd"),
        good.substr(0, 63) + "%00", good.substr(0, 62) + "%2F.", std::string(64, 'A')}) {
    SCOPED_TRACE(id);
    auto coordinator = rest_->Get(("/api/v1/chunks/" + id).c_str(), Bearer(kReadToken));
    ASSERT_TRUE(coordinator);
    EXPECT_TRUE(coordinator->status == 400 || coordinator->status == 404) << coordinator->status;
    auto on_node = node.Get(("/v1/chunks/" + id).c_str());
    ASSERT_TRUE(on_node);
    EXPECT_TRUE(on_node->status == 400 || on_node->status == 404) << on_node->status;
    auto put = node.Put(("/v1/chunks/" + id).c_str(), {{"x-gale-join-token", kJoinToken}}, "x",
                        "application/octet-stream");
    ASSERT_TRUE(put);
    EXPECT_EQ(put->status, 400) << put->body;
  }
  // Nothing was written outside the chunk directories.
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(cluster_->root(), ec)) {
    EXPECT_EQ(e.path().filename().string().find("passwd"), std::string::npos) << e.path();
  }
}

TEST_F(SecurityITest, FloodsFromOneAddressGet429WithRetryAfter) {
  StartCluster({"--rate-limit-per-second", "5", "--rate-limit-burst", "10"});
  int served = 0, limited = 0;
  std::string retry_after;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 40; ++i) {
    auto r = rest_->Get("/api/v1/nodes", Bearer(kReadToken));
    ASSERT_TRUE(r);
    if (r->status == 200) ++served;
    if (r->status == 429) {
      ++limited;
      retry_after = r->get_header_value("Retry-After");
      EXPECT_NE(r->body.find("retry in"), std::string::npos) << r->body;
    }
  }
  // The burst (less what the cluster's start-up polls took) and the refill
  // at 5/s go through; the rest is refused.
  const double allowed = 10 + 5 * absl::ToDoubleSeconds(absl::Now() - start) + 1;
  EXPECT_GT(served, 0);
  EXPECT_LE(served, allowed);
  EXPECT_EQ(served + limited, 40);
  EXPECT_FALSE(retry_after.empty());
  EXPECT_TRUE(WaitUntil([&] {
    auto r = rest_->Get("/api/v1/nodes", Bearer(kReadToken));
    return r && r->status == 200;
  })) << "served again after waiting";
}

TEST_F(SecurityITest, CorsIsOffUnlessTheOriginIsAllowed) {
  StartCluster({"--cors-allowed-origins", "https://ui.example"});
  auto preflight = [&](const std::string& origin) {
    return rest_->Options("/api/v1/files",
                          {{"Origin", origin}, {"Access-Control-Request-Method", "POST"}});
  };
  auto allowed = preflight("https://ui.example");
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 204);
  EXPECT_EQ(allowed->get_header_value("Access-Control-Allow-Origin"), "https://ui.example");
  EXPECT_NE(allowed->get_header_value("Access-Control-Allow-Headers").find("Authorization"),
            std::string::npos);
  auto other = preflight("https://evil.example");
  ASSERT_TRUE(other);
  EXPECT_NE(other->status, 204);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));

  httplib::Headers headers = Bearer(kReadToken);
  headers.emplace("Origin", "https://ui.example");
  auto read = rest_->Get("/api/v1/files", headers);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  EXPECT_EQ(read->get_header_value("Access-Control-Allow-Origin"), "https://ui.example");
  headers = Bearer(kReadToken);
  headers.emplace("Origin", "https://evil.example");
  auto foreign = rest_->Get("/api/v1/files", headers);
  ASSERT_TRUE(foreign);
  EXPECT_FALSE(foreign->has_header("Access-Control-Allow-Origin")) << "browsers refuse it";
}

TEST_F(SecurityITest, AClientThatStallsMidBodyIsCutOffAndOthersAreServed) {
  StartCluster({"--read-timeout-ms", "1000"});
  testing::RawSocket stalled(cluster_->coordinator_http_port());
  ASSERT_TRUE(stalled.connected());
  ASSERT_TRUE(stalled.Send(std::string("POST /api/v1/files/upload?name=slow HTTP/1.1\r\n") +
                           "Host: 127.0.0.1\r\nAuthorization: Bearer " + kFullToken +
                           "\r\nContent-Length: 1000000\r\n\r\npartial"));
  const absl::Time start = absl::Now();
  auto other = rest_->Get("/api/v1/nodes", Bearer(kReadToken));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200) << "served while the other stalls";
  stalled.ReadUntil("never sent", absl::Seconds(20));
  EXPECT_LT(absl::Now() - start, absl::Seconds(15)) << "cut off, not kept until the test gave up";
  // The gateway gave the half upload up: no file row is left.
  EXPECT_TRUE(WaitUntil([&] {
    auto stats = rest_->Get("/api/v1/admin/database/stats", Bearer(kFullToken));
    return stats && stats->status == 200 && json::parse(stats->body)["tables"]["files"] == 0;
  }));
}

}  // namespace
}  // namespace gale
