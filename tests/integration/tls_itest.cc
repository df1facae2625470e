// Whole clusters on TLS (certificates from scripts/gen-dev-certs.sh):
// uploads, downloads and node-to-node repair copies over TLS, plain-text
// and unverified peers refused, and mutual TLS refusing clients without a
// certificate. Files read back byte-identical.

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/file_util.h"
#include "common/grpc_util.h"
#include "common/sha256.h"
#include "common/tls.h"
#include "httplib.h"
#include "proto/coordinator.grpc.pb.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::WaitUntil;

// Runs scripts/gen-dev-certs.sh into `dir`.
void MakeCerts(const std::string& dir) {
  const std::string command =
      std::string(GALE_SOURCE_DIR) + "/scripts/gen-dev-certs.sh " + dir + " >/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

class TlsITest : public ::testing::Test {
 protected:
  void StartCluster(bool mutual) {
    ASSERT_NO_FATAL_FAILURE(MakeCerts(certs_.path()));
    MiniClusterOptions options;
    options.num_nodes = 3;
    options.tls_dir = certs_.path();
    options.mutual_tls = mutual;
    options.join_token = "tls-join";
    options.coordinator_flags = {"--heartbeat-interval-ms", "200", "--replication-interval-ms",
                                 "100"};
    options.node_flags = {"--heartbeat-interval-ms", "200"};
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    ASSERT_OK_AND_ASSIGN(client_, cluster_->Client());
  }

  // Uploads (quorum: two copies, the third made by a node pulling from a
  // peer), waits for three copies of every chunk, and reads it back.
  void ExpectRoundTrip(const std::string& name, int64_t size) {
    const std::string bytes = testing::RandomBytes(size, size);
    const std::string path = cluster_->root() + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    client::CreateFileArgs args;
    args.name = name;
    args.chunk_size = 1 << 20;
    ASSERT_OK(client_->UploadPath(args, path));
    ASSERT_TRUE(WaitUntil([&] {
      auto info = client_->Stat(name);
      if (!info.ok()) return false;
      for (const auto& chunk : info->chunks) {
        if (chunk.replicas.size() != 3) return false;
      }
      return true;
    })) << "repair copies between nodes go over TLS too";
    ASSERT_OK(client_->DownloadToPath(name, path + ".back"));
    ASSERT_OK_AND_ASSIGN(std::string back, common::ReadFileToString(path + ".back"));
    EXPECT_EQ(common::Sha256::Hex(back), common::Sha256::Hex(bytes));
  }

  // A RegisterNode over gRPC with `tls`; its status code.
  grpc::StatusCode Dial(const common::TlsOptions& tls) {
    auto credentials = common::GrpcChannelCredentials(tls);
    EXPECT_OK(credentials);
    auto stub = v1::Coordinator::NewStub(common::CreateCoordinatorChannel(
        "127.0.0.1:" + std::to_string(cluster_->coordinator_grpc_port()), *credentials));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    ctx.AddMetadata("x-gale-join-token", "tls-join");
    v1::ListNodesRequest req;
    v1::ListNodesResponse resp;
    return stub->ListNodes(&ctx, req, &resp).error_code();
  }

  testing::TempDir certs_;
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::GaleClient> client_;
};

TEST_F(TlsITest, AWholeClusterRunsOnTls) {
  StartCluster(/*mutual=*/false);
  ExpectRoundTrip("small", 1000);
  ExpectRoundTrip("large", (5 << 20) + 123);

  // REST over HTTPS answers; plain HTTP on the same port gets nothing.
  auto rest = cluster_->RestClient(cluster_->coordinator_http_port());
  auto nodes = rest->Get("/api/v1/nodes");
  ASSERT_TRUE(nodes);
  EXPECT_EQ(nodes->status, 200);
  httplib::Client plain("127.0.0.1", cluster_->coordinator_http_port());
  plain.set_read_timeout(5, 0);
  auto refused = plain.Get("/api/v1/nodes");
  EXPECT_TRUE(!refused || refused->status >= 400);
  httplib::Client plain_node("127.0.0.1", cluster_->node(0).port);
  plain_node.set_read_timeout(5, 0);
  auto refused_node = plain_node.Get("/v1/chunks/" + std::string(64, 'a'));
  EXPECT_TRUE(!refused_node || refused_node->status >= 400);

  // gRPC: verified TLS works; plain text and a CA that did not sign the
  // coordinator's certificate do not.
  common::TlsOptions trusted;
  trusted.ca_file = certs_.Join("ca.pem");
  EXPECT_EQ(Dial(trusted), grpc::StatusCode::OK);
  EXPECT_EQ(Dial(common::TlsOptions{}), grpc::StatusCode::UNAVAILABLE);
  testing::TempDir other;
  ASSERT_NO_FATAL_FAILURE(MakeCerts(other.path()));
  common::TlsOptions stranger;
  stranger.ca_file = other.Join("ca.pem");
  EXPECT_EQ(Dial(stranger), grpc::StatusCode::UNAVAILABLE);

  // The CLI verifies with --ca-file (the cluster passes it).
  std::string out, err;
  EXPECT_EQ(cluster_->RunGale({"ls"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("large"), std::string::npos) << out;
}

TEST_F(TlsITest, MutualTlsRefusesClientsWithoutACertificate) {
  StartCluster(/*mutual=*/true);
  ExpectRoundTrip("mutual", (2 << 20) + 7);
  common::TlsOptions anonymous;
  anonymous.ca_file = certs_.Join("ca.pem");
  EXPECT_EQ(Dial(anonymous), grpc::StatusCode::UNAVAILABLE) << "no client certificate";
  common::TlsOptions with_cert = anonymous;
  with_cert.cert_file = certs_.Join("gale.pem");
  with_cert.key_file = certs_.Join("gale.key");
  EXPECT_EQ(Dial(with_cert), grpc::StatusCode::OK);

  httplib::Client no_cert("https://127.0.0.1:" + std::to_string(cluster_->node(0).port));
  no_cert.set_ca_cert_path(certs_.Join("ca.pem").c_str());
  no_cert.enable_server_certificate_verification(true);
  auto refused = no_cert.Get("/v1/chunks/" + std::string(64, 'a'));
  EXPECT_FALSE(refused) << "the node's data API demands a certificate too";
}

}  // namespace
}  // namespace gale
