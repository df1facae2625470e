// gale-s3 driven by the clients people run, as installed from Debian: the
// AWS CLI, boto3, s3cmd, rclone and restic, against a real cluster
// (coordinator, three nodes, gateway) on 127.0.0.1. Every download is
// compared byte for byte with what was uploaded.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "common/file_util.h"
#include "common/strings.h"
#include "httplib.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"

namespace gale {
namespace {

namespace fs = std::filesystem;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::RandomBytes;

constexpr char kAccessKey[] = "GALETESTACCESSKEY";
constexpr char kSecretKey[] = "gale/test/secret+key";

class S3ClientsITest : public ::testing::Test {
 protected:
  void SetUp() override {
    MiniClusterOptions options;
    options.num_nodes = 3;
    options.coordinator_flags = {"--heartbeat-interval-ms", "100"};
    options.node_flags = {"--heartbeat-interval-ms", "100"};
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    ASSERT_OK(cluster_->StartGateway({"--access-key", kAccessKey, "--secret-key", kSecretKey}));
    home_ = cluster_->root() + "/home";
    ASSERT_OK(common::CreateDirectories(home_));
    // Clients read their settings from here, never from the user's home.
    std::ofstream(home_ + "/aws-config") << "[default]\nregion = us-east-1\n";
  }

  // Runs `command` in a shell with the clients' environment; returns its
  // exit code, with stdout in `out` and stderr in the test log on failure.
  int Run(const std::string& command, std::string* out = nullptr) {
    const std::string out_path = home_ + "/cmd.out", err_path = home_ + "/cmd.err";
    const std::string env =
        StrCat("env -i PATH=/usr/bin:/bin HOME=", home_, " AWS_ACCESS_KEY_ID=", kAccessKey,
               " AWS_SECRET_ACCESS_KEY='", kSecretKey, "' AWS_CONFIG_FILE=", home_,
               "/aws-config AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true ",
               "ENDPOINT=", cluster_->gateway().endpoint(), " ");
    const int rc =
        std::system((env + "sh -c '" + command + "' >" + out_path + " 2>" + err_path).c_str());
    if (out != nullptr) *out = common::ReadFileToString(out_path).value_or("");
    if (WEXITSTATUS(rc) != 0) {
      ADD_FAILURE() << command << " exited with " << WEXITSTATUS(rc)
                    << "\nstdout: " << common::ReadFileToString(out_path).value_or("")
                    << "\nstderr: " << common::ReadFileToString(err_path).value_or("");
    }
    return WEXITSTATUS(rc);
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = home_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  std::string Read(const std::string& path) {
    return common::ReadFileToString(path).value_or("<missing " + path + ">");
  }

  std::unique_ptr<MiniCluster> cluster_;
  std::string home_;
};

TEST_F(S3ClientsITest, AwsCliCopiesSyncsListsAndRemoves) {
  const std::string aws = "/usr/bin/aws --endpoint-url $ENDPOINT";
  ASSERT_EQ(Run(aws + " s3 mb s3://cli-bucket"), 0);
  const std::string one = RandomBytes(1, 1), five = RandomBytes(5 << 20, 5);
  Write("up/one.bin", one);
  Write("up/five.bin", five);
  ASSERT_EQ(Run(aws + " s3 cp " + home_ + "/up/one.bin s3://cli-bucket/one.bin"), 0);
  ASSERT_EQ(Run(aws + " s3 cp " + home_ + "/up/five.bin s3://cli-bucket/dir/five.bin"), 0);
  ASSERT_EQ(Run(aws + " s3 cp s3://cli-bucket/one.bin " + home_ + "/down/one.bin"), 0);
  ASSERT_EQ(Run(aws + " s3 cp s3://cli-bucket/dir/five.bin " + home_ + "/down/five.bin"), 0);
  EXPECT_TRUE(Read(home_ + "/down/one.bin") == one);
  EXPECT_TRUE(Read(home_ + "/down/five.bin") == five);

  // 40 MiB goes up in 8 MiB parts (aws-cli's default multipart threshold and
  // part size) and comes down in ranged GETs.
  const std::string forty = RandomBytes(40 << 20, 40);
  Write("up/forty.bin", forty);
  ASSERT_EQ(Run(aws + " s3 cp " + home_ + "/up/forty.bin s3://cli-bucket/dir/forty.bin"), 0);
  ASSERT_EQ(Run(aws + " s3 cp s3://cli-bucket/dir/forty.bin " + home_ + "/down/forty.bin"), 0);
  EXPECT_TRUE(Read(home_ + "/down/forty.bin") == forty);
  // Server-side copies: CopyObject (a key with a space, signed URL-encoded)
  // and, above the threshold, UploadPartCopy.
  ASSERT_EQ(Run(aws + " s3 cp s3://cli-bucket/one.bin \"s3://cli-bucket/copy of one.bin\""), 0);
  ASSERT_EQ(Run(aws + " s3 cp s3://cli-bucket/dir/forty.bin s3://cli-bucket/forty-copy.bin"), 0);
  ASSERT_EQ(Run(aws + " s3 cp \"s3://cli-bucket/copy of one.bin\" " + home_ + "/down/copy1"), 0);
  ASSERT_EQ(Run(aws + " s3 cp s3://cli-bucket/forty-copy.bin " + home_ + "/down/copy40"), 0);
  EXPECT_TRUE(Read(home_ + "/down/copy1") == one);
  EXPECT_TRUE(Read(home_ + "/down/copy40") == forty);

  std::string out;
  ASSERT_EQ(Run(aws + " s3 ls s3://cli-bucket/", &out), 0);
  EXPECT_NE(out.find("PRE dir/"), std::string::npos) << out;
  EXPECT_NE(out.find(" 1 one.bin"), std::string::npos) << out;
  ASSERT_EQ(Run(aws + " s3 ls s3://cli-bucket/dir/", &out), 0);
  EXPECT_NE(out.find(StrCat(5 << 20, " five.bin")), std::string::npos) << out;

  // A tree up and back.
  for (int i = 0; i < 12; ++i) {
    Write(StrCat("tree/", i % 3, "/file-", i), RandomBytes(static_cast<size_t>(1000 * i + 1), i));
  }
  ASSERT_EQ(Run(aws + " s3 sync " + home_ + "/tree s3://cli-bucket/tree"), 0);
  ASSERT_EQ(Run(aws + " s3 sync s3://cli-bucket/tree " + home_ + "/tree-back"), 0);
  for (int i = 0; i < 12; ++i) {
    const std::string name = StrCat(i % 3, "/file-", i);
    EXPECT_TRUE(Read(home_ + "/tree-back/" + name) == Read(home_ + "/tree/" + name)) << name;
  }
  ASSERT_EQ(Run(aws + " s3 ls --recursive s3://cli-bucket/tree/", &out), 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 12) << out;

  // The gateway counted what it served, by operation and status.
  auto metrics = httplib::Client("127.0.0.1", cluster_->gateway().metrics_port).Get("/metrics");
  ASSERT_TRUE(metrics);
  for (const char* op :
       {"PutObject", "UploadPart", "CompleteMultipartUpload", "CopyObject", "UploadPartCopy"}) {
    EXPECT_NE(metrics->body.find(StrCat("gale_s3_requests_total{code=\"200\",op=\"", op, "\"}")),
              std::string::npos)
        << op << "\n"
        << metrics->body.substr(0, 3000);
  }

  ASSERT_EQ(Run(aws + " s3 rm --recursive s3://cli-bucket/"), 0);
  ASSERT_EQ(Run(aws + " s3 rb s3://cli-bucket"), 0);
  ASSERT_EQ(Run(aws + " s3 ls", &out), 0);
  EXPECT_EQ(out.find("cli-bucket"), std::string::npos) << out;
}

}  // namespace
}  // namespace gale
