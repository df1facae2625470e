// S3 access keys kept by the coordinator, end to end: `gale s3 keys create`
// makes a key, the AWS CLI signs requests with it against gale-s3 (which
// looks the key up at the coordinator) or against the coordinator serving
// S3 itself (--serve-s3: looked up in process), read-only and bucket limits
// answer AccessDenied, and a deleted key stops working once the server's
// cache of it expires. The cluster requires API tokens, so the gateway's
// lookups go over its authenticated connection, and read tokens get no
// secrets.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "client/coordinator_client.h"
#include "client/grpc_s3_key_api.h"
#include "common/file_util.h"
#include "common/strings.h"
#include "nlohmann/json.hpp"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

using absl::StatusCode;
using testing::MiniCluster;
using testing::MiniClusterOptions;

constexpr char kFullToken[] = "full-8d21c7";
constexpr char kReadToken[] = "read-3e90af";
// Short, so that the test sees a deleted key go within seconds.
constexpr int kKeyCacheTtlMs = 1000;

struct Key {
  std::string access;
  std::string secret;
};

// Who serves S3: a gale-s3 gateway, or the coordinator itself.
enum class Server { kGateway, kCoordinator };

class S3KeysITest : public ::testing::TestWithParam<Server> {
 protected:
  void SetUp() override {
    MiniClusterOptions options;
    options.num_nodes = 1;
    options.api_token = kFullToken;
    options.coordinator_flags = {"--heartbeat-interval-ms",
                                 "100",
                                 "--default-replication-factor",
                                 "1",
                                 "--api-tokens",
                                 kFullToken,
                                 "--read-tokens",
                                 kReadToken};
    options.node_flags = {"--heartbeat-interval-ms", "100"};
    // No configured access key: every key comes from the coordinator.
    const std::string ttl = std::to_string(kKeyCacheTtlMs);
    if (GetParam() == Server::kCoordinator) {
      options.coordinator_flags.insert(options.coordinator_flags.end(),
                                       {"--serve-s3", "true", "--s3-key-cache-ttl-ms", ttl,
                                        "--s3-key-negative-cache-ttl-ms", "200"});
    }
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    if (GetParam() == Server::kGateway) {
      ASSERT_OK(cluster_->StartGateway(
          {"--key-cache-ttl-ms", ttl, "--key-negative-cache-ttl-ms", "200"}));
      endpoint_ = cluster_->gateway().endpoint();
    } else {
      endpoint_ = cluster_->coordinator_info().s3_endpoint();
    }
    home_ = cluster_->root() + "/home";
    ASSERT_OK(common::CreateDirectories(home_));
    std::ofstream(home_ + "/aws-config") << "[default]\nregion = us-east-1\n";
  }

  // `gale s3 keys create ARGS --json`.
  Key CreateKey(const std::vector<std::string>& args) {
    std::vector<std::string> command = {"s3", "keys", "create", "--json"};
    command.insert(command.end(), args.begin(), args.end());
    std::string out, err;
    EXPECT_EQ(cluster_->RunGale(command, &out, &err), 0) << out << err;
    EXPECT_NE(err.find("shown this once only"), std::string::npos) << err;
    auto json = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || !json.contains("access_key") || !json.contains("secret_key")) {
      ADD_FAILURE() << "not a key: " << out;
      return {};
    }
    return {json["access_key"], json["secret_key"]};
  }

  // Runs the AWS CLI (`aws ARGS`) signing with `key`; returns its exit code
  // and what it printed on stdout and stderr.
  int Aws(const Key& key, const std::string& args, std::string* out = nullptr) {
    const std::string out_path = home_ + "/aws.out", err_path = home_ + "/aws.err";
    const std::string command =
        StrCat("env -i PATH=/usr/bin:/bin HOME=", home_, " AWS_ACCESS_KEY_ID='", key.access,
               "' AWS_SECRET_ACCESS_KEY='", key.secret, "' AWS_CONFIG_FILE=", home_,
               "/aws-config AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true "
               "/usr/bin/aws --endpoint-url ",
               endpoint_, " ", args, " >", out_path, " 2>", err_path);
    const int rc = std::system(command.c_str());
    if (out != nullptr) {
      *out = common::ReadFileToString(out_path).value_or("") +
             common::ReadFileToString(err_path).value_or("");
    }
    return WEXITSTATUS(rc);
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = home_ + "/" + name;
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::string home_;
  std::string endpoint_;  // where S3 is served
};

INSTANTIATE_TEST_SUITE_P(Servers, S3KeysITest,
                         ::testing::Values(Server::kGateway, Server::kCoordinator),
                         [](const auto& info) {
                           return info.param == Server::kGateway ? "Gateway" : "Coordinator";
                         });

TEST_P(S3KeysITest, KeysFromTheCliSignRequestsUntilDeleted) {
  const Key full = CreateKey({"--owner", "alice"});
  const Key reader = CreateKey({"--read-only"});
  const Key limited = CreateKey({"--bucket", "limited-bucket"});
  ASSERT_FALSE(full.access.empty());
  EXPECT_TRUE(full.access.starts_with("GALE")) << full.access;
  EXPECT_EQ(full.secret.size(), 40u);

  // The master key was generated into the coordinator's data dir, for its
  // owner alone.
  struct stat st {};
  ASSERT_EQ(::stat((cluster_->root() + "/coordinator/s3-master-key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // PUT and GET with the full key: the same bytes come back.
  std::string out;
  ASSERT_EQ(Aws(full, "s3 mb s3://keys-bucket", &out), 0) << out;
  const std::string bytes = testing::RandomBytes(300'000, 7);
  const std::string up = Write("up.bin", bytes);
  ASSERT_EQ(Aws(full, "s3api put-object --bucket keys-bucket --key dir/obj.bin --body " + up, &out),
            0)
      << out;
  ASSERT_EQ(
      Aws(full, "s3api get-object --bucket keys-bucket --key dir/obj.bin " + home_ + "/down.bin",
          &out),
      0)
      << out;
  EXPECT_TRUE(common::ReadFileToString(home_ + "/down.bin").value_or("") == bytes)
      << "bytes differ";
  ASSERT_EQ(Aws(full, "s3api list-buckets", &out), 0) << out;
  EXPECT_NE(out.find("alice"), std::string::npos) << "the bucket's owner: " << out;

  // Read-only: reads work, writes are denied.
  ASSERT_EQ(
      Aws(reader, "s3api get-object --bucket keys-bucket --key dir/obj.bin " + home_ + "/read.bin",
          &out),
      0)
      << out;
  EXPECT_TRUE(common::ReadFileToString(home_ + "/read.bin").value_or("") == bytes);
  EXPECT_NE(Aws(reader, "s3api put-object --bucket keys-bucket --key nope --body " + up, &out), 0);
  EXPECT_NE(out.find("AccessDenied"), std::string::npos) << out;
  EXPECT_NE(Aws(reader, "s3 mb s3://reader-bucket", &out), 0);
  EXPECT_NE(out.find("AccessDenied"), std::string::npos) << out;

  // Limited to one bucket: that one works, others are denied.
  ASSERT_EQ(Aws(limited, "s3 mb s3://limited-bucket", &out), 0) << out;
  ASSERT_EQ(Aws(limited, "s3api put-object --bucket limited-bucket --key k --body " + up, &out), 0)
      << out;
  EXPECT_NE(Aws(limited,
                "s3api get-object --bucket keys-bucket --key dir/obj.bin " + home_ + "/limited.bin",
                &out),
            0);
  EXPECT_NE(out.find("AccessDenied"), std::string::npos) << out;

  // A key nobody made, and a made one with a wrong secret.
  EXPECT_NE(Aws({"GALEAAAAAAAAAAAAAAAA", full.secret}, "s3api list-buckets", &out), 0);
  EXPECT_NE(out.find("InvalidAccessKeyId"), std::string::npos) << out;
  EXPECT_NE(Aws({full.access, reader.secret}, "s3api list-buckets", &out), 0);
  EXPECT_NE(out.find("SignatureDoesNotMatch"), std::string::npos) << out;

  // The list shows every key and no secret.
  std::string err;
  ASSERT_EQ(cluster_->RunGale({"s3", "keys", "list", "--json"}, &out, &err), 0) << err;
  auto listed = nlohmann::json::parse(out, nullptr, false);
  ASSERT_TRUE(listed.is_array()) << out;
  EXPECT_EQ(listed.size(), 3u) << out;
  EXPECT_EQ(out.find("secret"), std::string::npos) << out;
  for (const Key* key : {&full, &reader, &limited}) {
    EXPECT_NE(out.find(key->access), std::string::npos) << out;
    EXPECT_EQ(out.find(key->secret), std::string::npos) << out;
  }
  ASSERT_EQ(cluster_->RunGale({"s3", "keys", "list"}, &out, &err), 0) << err;
  EXPECT_NE(out.find("read-only"), std::string::npos) << out;
  EXPECT_NE(out.find("limited-bucket"), std::string::npos) << out;

  // Deleted: the server refuses the key once its cached copy expires.
  ASSERT_EQ(Aws(full, "s3api list-buckets", &out), 0) << out;  // cached now
  ASSERT_EQ(cluster_->RunGale({"s3", "keys", "delete", full.access}, &out, &err), 0) << err;
  EXPECT_NE(out.find("deleted S3 access key " + full.access), std::string::npos) << out;
  const absl::Time deleted = absl::Now();
  EXPECT_TRUE(testing::WaitUntil(
      [&] {
        return Aws(full, "s3api list-buckets", &out) != 0 &&
               out.find("InvalidAccessKeyId") != std::string::npos;
      },
      absl::Seconds(30)))
      << out;
  // The TTL plus an AWS CLI run or two.
  EXPECT_LT(absl::Now() - deleted, absl::Milliseconds(kKeyCacheTtlMs) + absl::Seconds(15));
  ASSERT_EQ(Aws(reader, "s3api list-buckets", &out), 0) << "the other keys still work: " << out;

  EXPECT_EQ(cluster_->RunGale({"s3", "keys", "delete", full.access}, &out, &err), 1);
  EXPECT_NE(err.find("no S3 access key"), std::string::npos) << err;
  EXPECT_NE(err.find("gale s3 keys list"), std::string::npos) << err;
  EXPECT_EQ(cluster_->RunGale({"s3", "keys", "delete", "not-a-key"}, &out, &err), 1);
  EXPECT_NE(err.find("field 'access_key'"), std::string::npos) << err;
  EXPECT_EQ(cluster_->RunGale({"s3", "keys", "create", "--bucket", "Bad_Name"}, &out, &err), 1);
  EXPECT_NE(err.find("field 'buckets'"), std::string::npos) << err;
}

TEST_P(S3KeysITest, SecretsNeedAFullToken) {
  const Key key = CreateKey({});
  ASSERT_FALSE(key.access.empty());
  for (const char* token : {"", kReadToken}) {
    SCOPED_TRACE(token);
    client::CoordinatorClient::Metadata metadata;
    if (*token != '\0') metadata.emplace_back("authorization", StrCat("Bearer ", token));
    ASSERT_OK_AND_ASSIGN(auto coordinator,
                         client::CoordinatorClient::Create(cluster_->coordinator_grpc_address(),
                                                           absl::Seconds(10), metadata));
    client::GrpcS3KeyApi api(coordinator.get());
    const StatusCode expected =
        *token == '\0' ? StatusCode::kUnauthenticated : StatusCode::kPermissionDenied;
    EXPECT_EQ(api.GetS3Key(key.access).status().code(), expected);
    EXPECT_EQ(api.ListS3Keys().status().code(), expected);
    EXPECT_EQ(api.CreateS3Key({}).status().code(), expected);
    EXPECT_EQ(api.DeleteS3Key(key.access).code(), expected);
  }
  // The full token gets the secret: what the gateway does.
  ASSERT_OK_AND_ASSIGN(
      auto coordinator,
      client::CoordinatorClient::Create(cluster_->coordinator_grpc_address(), absl::Seconds(10),
                                        {{"authorization", StrCat("Bearer ", kFullToken)}}));
  client::GrpcS3KeyApi api(coordinator.get());
  ASSERT_OK_AND_ASSIGN(client::S3KeyInfo info, api.GetS3Key(key.access));
  EXPECT_EQ(info.secret_key, key.secret);
  // The coordinator's log never shows a secret.
  const std::string log =
      common::ReadFileToString(cluster_->root() + "/coordinator/coordinator.log").value_or("");
  EXPECT_NE(log.find(key.access), std::string::npos) << "creation is logged";
  EXPECT_EQ(log.find(key.secret), std::string::npos) << "the secret is not";
}

}  // namespace
}  // namespace gale
