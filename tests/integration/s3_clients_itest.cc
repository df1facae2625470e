// The S3 API, served by a gale-s3 gateway and by the coordinator itself
// (--serve-s3), driven by the clients people run, as installed from Debian:
// the AWS CLI, boto3, s3cmd, rclone and restic, and the AWS SDK for
// JavaScript v3 (npm, pinned in tests/js), each against a real cluster
// (coordinator, three nodes, and the gateway in the first form) on
// 127.0.0.1. Every download is compared byte for byte with what was
// uploaded. Clients run with an empty environment (PATH=/usr/bin:/bin, HOME
// in the cluster's root), so neither the user's settings nor other Pythons
// and Nodes on the PATH take part.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <set>

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

// Who serves S3: a gale-s3 gateway, or the coordinator itself (--serve-s3).
enum class Server { kGateway, kCoordinator };

class S3ClientsITest : public ::testing::TestWithParam<Server> {
 protected:
  void SetUp() override {
    MiniClusterOptions options;
    options.num_nodes = 3;
    options.coordinator_flags = {"--heartbeat-interval-ms", "100"};
    options.node_flags = {"--heartbeat-interval-ms", "100"};
    if (GetParam() == Server::kCoordinator) {
      options.coordinator_flags.insert(
          options.coordinator_flags.end(),
          {"--serve-s3", "true", "--s3-access-key", kAccessKey, "--s3-secret-key", kSecretKey});
    }
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    if (GetParam() == Server::kGateway) {
      ASSERT_OK(cluster_->StartGateway({"--access-key", kAccessKey, "--secret-key", kSecretKey}));
      port_ = cluster_->gateway().port;
      metrics_port_ = cluster_->gateway().metrics_port;
    } else {
      port_ = cluster_->coordinator_info().s3_port;
      metrics_port_ = cluster_->coordinator_metrics_port();
    }
    ASSERT_NE(port_, 0);
    home_ = cluster_->root() + "/home";
    ASSERT_OK(common::CreateDirectories(home_));
    // Clients read their settings from here, never from the user's home.
    std::ofstream(home_ + "/aws-config") << "[default]\nregion = us-east-1\n";
  }

  struct Outcome {
    int code = -1;
    std::string out;
    std::string err;
  };

  // Runs `command` (no single quotes) in a shell with the clients'
  // environment: no variable but these, the secret and endpoint among them.
  Outcome Exec(const std::string& command) {
    const std::string out_path = home_ + "/cmd.out", err_path = home_ + "/cmd.err";
    const std::string env =
        StrCat("env -i PATH=/usr/bin:/bin HOME=", home_, " AWS_ACCESS_KEY_ID=", kAccessKey,
               " AWS_SECRET_ACCESS_KEY='", kSecretKey, "' AWS_CONFIG_FILE=", home_,
               "/aws-config AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true ",
               "ENDPOINT=", endpoint(), " SOURCE=", GALE_SOURCE_DIR, " ");
    const int rc =
        std::system((env + "sh -c '" + command + "' >" + out_path + " 2>" + err_path).c_str());
    return {WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc),
            common::ReadFileToString(out_path).value_or(""),
            common::ReadFileToString(err_path).value_or("")};
  }

  // Exec that expects success: returns the exit code, with stdout in `out`,
  // and fails the test (showing both streams) on any other code than 0.
  int Run(const std::string& command, std::string* out = nullptr) {
    const Outcome outcome = Exec(command);
    if (out != nullptr) *out = outcome.out;
    if (outcome.code != 0) {
      ADD_FAILURE() << command << " exited with " << outcome.code << "\nstdout: " << outcome.out
                    << "\nstderr: " << outcome.err;
    }
    return outcome.code;
  }

  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = home_ + "/" + name;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  // An s3cmd configuration for the gateway with `secret`, as `s3cmd
  // --configure` writes it: path style, SigV4, plain HTTP, and its default
  // region "US", which the gateway's first answer corrects to us-east-1.
  std::string S3cmdConfig(const std::string& secret) {
    const std::string path = home_ + "/s3cmd.cfg";
    const std::string host = StrCat("127.0.0.1:", port_);
    std::ofstream(path) << "[default]\naccess_key = " << kAccessKey << "\nsecret_key = " << secret
                        << "\nhost_base = " << host << "\nhost_bucket = " << host
                        << "\nuse_https = False\nsignature_v2 = False\n";
    return path;
  }

  std::string Read(const std::string& path) {
    return common::ReadFileToString(path).value_or("<missing " + path + ">");
  }

  // Writes `files` random files of 0 to ~`max_bytes` bytes under `dir`
  // (relative to home), in a few nested directories.
  void WriteTree(const std::string& dir, int files, size_t max_bytes, uint64_t seed) {
    for (int i = 0; i < files; ++i) {
      const size_t size = i == 0 ? 0 : (max_bytes / static_cast<size_t>(files)) * i + i;
      const std::string sub = i % 3 == 0 ? "" : StrCat("sub", i % 3, i % 2 == 0 ? "/deeper/" : "/");
      Write(StrCat(dir, "/", sub, "file-", i, ".bin"), RandomBytes(size, seed + i));
    }
  }

  // Expects the regular files under `b` to be those under `a`, byte for byte.
  void ExpectSameTree(const std::string& a, const std::string& b) {
    auto files = [](const std::string& root) {
      std::set<std::string> names;
      std::error_code error;
      for (const auto& entry : fs::recursive_directory_iterator(root, error)) {
        if (entry.is_regular_file()) names.insert(fs::relative(entry.path(), root).string());
      }
      EXPECT_FALSE(error) << root << ": " << error.message();
      return names;
    };
    const std::set<std::string> names = files(a);
    EXPECT_FALSE(names.empty()) << a;
    EXPECT_EQ(files(b), names) << a << " vs " << b;
    for (const std::string& name : names) {
      EXPECT_TRUE(Read(a + "/" + name) == Read(b + "/" + name)) << name << " differs in " << b;
    }
  }

  std::string endpoint() const { return StrCat("http://127.0.0.1:", port_); }

  std::unique_ptr<MiniCluster> cluster_;
  std::string home_;
  int port_ = 0;          // where S3 is served
  int metrics_port_ = 0;  // and its counters
};

INSTANTIATE_TEST_SUITE_P(Servers, S3ClientsITest,
                         ::testing::Values(Server::kGateway, Server::kCoordinator),
                         [](const auto& info) {
                           return info.param == Server::kGateway ? "Gateway" : "Coordinator";
                         });

TEST_P(S3ClientsITest, AwsCliCopiesSyncsListsAndRemoves) {
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
  auto metrics = httplib::Client("127.0.0.1", metrics_port_).Get("/metrics");
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

// boto3 (tests/integration/s3_clients/boto3_client.py): ListObjects v1 and v2
// paginators over 2,500 keys with and without a delimiter, DeleteObjects in
// batches of 1,000, a presigned GET fetched with urllib, object attributes
// through head_object, and put/get/upload_file/download_file byte for byte.
TEST_P(S3ClientsITest, Boto3PaginatesDeletesInBatchesPresignsAndKeepsAttributes) {
  std::string out;
  ASSERT_EQ(Run("/usr/bin/python3 $SOURCE/tests/integration/s3_clients/boto3_client.py $ENDPOINT "
                "boto3-bucket " +
                    home_,
                &out),
            0);
  EXPECT_NE(out.find("boto3: all checks passed"), std::string::npos) << out;
}

// The AWS SDK for JavaScript v3 (tests/js/sdk_put_get.mjs): PutObject with its
// default checksums, a CRC32 trailer on aws-chunked (STREAMING-UNSIGNED-
// PAYLOAD-TRAILER) or a header, then GetObject validating them.
TEST_P(S3ClientsITest, JavaScriptSdkPutsWithChecksumTrailersAndGets) {
  std::string out;
  ASSERT_EQ(
      Run("/usr/bin/node $SOURCE/tests/js/sdk_put_get.mjs $ENDPOINT js-bucket " + home_, &out), 0)
      << "scripts/install-npm-test-deps.sh installs the SDK into tests/js/node_modules";
  EXPECT_NE(out.find("sdk-js: all checks passed"), std::string::npos) << out;
}

// s3cmd as `s3cmd --configure` sets it up (region "US", corrected by the
// gateway): mb, put, get, ls, info, recursive put and get, del, rb.
TEST_P(S3ClientsITest, S3cmdPutsGetsListsAndDeletes) {
  const std::string s3cmd =
      "/usr/bin/s3cmd --config " + S3cmdConfig(kSecretKey) + " --disable-multipart";
  ASSERT_EQ(Run(s3cmd + " mb s3://s3cmd-bucket"), 0);
  const std::string one = RandomBytes(1, 11), six = RandomBytes(6 << 20, 12);
  Write("up/one.bin", one);
  Write("up/six.bin", six);
  ASSERT_EQ(Run(s3cmd + " put " + home_ + "/up/one.bin s3://s3cmd-bucket/one.bin"), 0);
  ASSERT_EQ(Run(s3cmd + " put " + home_ + "/up/six.bin s3://s3cmd-bucket/dir/six.bin"), 0);
  fs::create_directories(home_ + "/down");
  ASSERT_EQ(Run(s3cmd + " get s3://s3cmd-bucket/one.bin " + home_ + "/down/one.bin"), 0);
  ASSERT_EQ(Run(s3cmd + " get s3://s3cmd-bucket/dir/six.bin " + home_ + "/down/six.bin"), 0);
  EXPECT_TRUE(Read(home_ + "/down/one.bin") == one);
  EXPECT_TRUE(Read(home_ + "/down/six.bin") == six);

  std::string out;
  ASSERT_EQ(Run(s3cmd + " ls", &out), 0);  // ListBuckets: no bucket tells s3cmd the region
  EXPECT_NE(out.find("s3://s3cmd-bucket"), std::string::npos) << out;
  ASSERT_EQ(Run(s3cmd + " ls s3://s3cmd-bucket/", &out), 0);
  EXPECT_NE(out.find("DIR  s3://s3cmd-bucket/dir/"), std::string::npos) << out;
  EXPECT_NE(out.find(" 1  s3://s3cmd-bucket/one.bin"), std::string::npos) << out;
  ASSERT_EQ(Run(s3cmd + " info s3://s3cmd-bucket/dir/six.bin", &out), 0);
  EXPECT_NE(out.find(StrCat("File size: ", 6 << 20)), std::string::npos) << out;

  // A tree up and back, then removed with DeleteObjects.
  WriteTree("tree", 9, 300000, 100);
  ASSERT_EQ(Run(s3cmd + " put --recursive " + home_ + "/tree/ s3://s3cmd-bucket/tree/"), 0);
  fs::create_directories(home_ + "/tree-back");  // s3cmd makes only what is below it
  ASSERT_EQ(Run(s3cmd + " get --recursive s3://s3cmd-bucket/tree/ " + home_ + "/tree-back/"), 0);
  ExpectSameTree(home_ + "/tree", home_ + "/tree-back");
  ASSERT_EQ(Run(s3cmd + " ls --recursive s3://s3cmd-bucket/", &out), 0);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 11) << out;

  ASSERT_EQ(Run(s3cmd + " del s3://s3cmd-bucket/one.bin"), 0);
  ASSERT_EQ(Run(s3cmd + " del --recursive --force s3://s3cmd-bucket/"), 0);
  ASSERT_EQ(Run(s3cmd + " ls --recursive s3://s3cmd-bucket/", &out), 0);
  EXPECT_EQ(out, "");
  ASSERT_EQ(Run(s3cmd + " rb s3://s3cmd-bucket"), 0);
}

// rclone with an s3 remote of provider Other: a tree copied up and back,
// checked by MD5 and by download, a changed file found and sent again, purge.
TEST_P(S3ClientsITest, RcloneCopiesUpAndBackAndChecks) {
  std::ofstream(home_ + "/rclone.conf")
      << "[gale]\ntype = s3\nprovider = Other\naccess_key_id = " << kAccessKey
      << "\nsecret_access_key = " << kSecretKey << "\nendpoint = " << endpoint()
      << "\nregion = us-east-1\nforce_path_style = true\n";
  const std::string rclone = "/usr/bin/rclone --config " + home_ + "/rclone.conf";
  WriteTree("tree", 14, 4 << 20, 200);
  ASSERT_EQ(Run(rclone + " mkdir gale:rclone-bucket"), 0);
  ASSERT_EQ(Run(rclone + " copy " + home_ + "/tree gale:rclone-bucket/tree"), 0);
  ASSERT_EQ(Run(rclone + " copy gale:rclone-bucket/tree " + home_ + "/tree-back"), 0);
  ExpectSameTree(home_ + "/tree", home_ + "/tree-back");
  // Sizes and MD5s (the ETags) of both sides, then every byte downloaded again.
  ASSERT_EQ(Run(rclone + " check " + home_ + "/tree gale:rclone-bucket/tree"), 0);
  ASSERT_EQ(Run(rclone + " check --download " + home_ + "/tree gale:rclone-bucket/tree"), 0);

  std::string out;
  ASSERT_EQ(Run(rclone + " lsf -R gale:rclone-bucket/tree", &out), 0);
  EXPECT_NE(out.find("sub1/file-1.bin\n"), std::string::npos) << out;
  EXPECT_NE(out.find("sub2/deeper/file-2.bin\n"), std::string::npos) << out;
  // A changed file is found by check, and copy sends it again.
  Write("tree/sub1/file-1.bin", RandomBytes(5000, 201));
  EXPECT_NE(Exec(rclone + " check " + home_ + "/tree gale:rclone-bucket/tree").code, 0);
  ASSERT_EQ(Run(rclone + " copy " + home_ + "/tree gale:rclone-bucket/tree"), 0);
  ASSERT_EQ(Run(rclone + " check " + home_ + "/tree gale:rclone-bucket/tree"), 0);

  ASSERT_EQ(Run(rclone + " purge gale:rclone-bucket"), 0);
  ASSERT_EQ(Run(rclone + " lsd gale:", &out), 0);
  EXPECT_EQ(out.find("rclone-bucket"), std::string::npos) << out;
}

// restic (minio-go: STREAMING-AWS4-HMAC-SHA256-PAYLOAD over plain HTTP) makes
// its bucket and repository, backs a tree up twice, prunes the first
// snapshot, reads every pack back to check it, and restores the tree.
TEST_P(S3ClientsITest, ResticBacksUpChecksAndRestores) {
  WriteTree("data", 12, 3 << 20, 300);
  const std::string restic =
      "RESTIC_PASSWORD=gale-test-password /usr/bin/restic --no-cache -r "
      "s3:$ENDPOINT/restic-bucket/repo";
  ASSERT_EQ(Run(restic + " init"), 0);
  ASSERT_EQ(Run(restic + " backup " + home_ + "/data"), 0);
  Write("data/added-later.bin", RandomBytes(70000, 399));
  ASSERT_EQ(Run(restic + " backup " + home_ + "/data"), 0);
  std::string out;
  ASSERT_EQ(Run(restic + " snapshots --json", &out), 0);
  EXPECT_GE(std::count(out.begin(), out.end(), '{'), 2) << out;
  // Pruning the first snapshot deletes and rewrites packs and indexes.
  ASSERT_EQ(Run(restic + " forget --keep-last 1 --prune"), 0);
  ASSERT_EQ(Run(restic + " check --read-data"), 0);
  ASSERT_EQ(Run(restic + " restore latest --target " + home_ + "/restored"), 0);
  ExpectSameTree(home_ + "/data", home_ + "/restored" + home_ + "/data");
}

// Bad requests through real clients fail with S3's error and store nothing.
TEST_P(S3ClientsITest, WrongCredentialsAndDigestsAreRefusedAndStoreNothing) {
  const std::string aws = "/usr/bin/aws --endpoint-url $ENDPOINT";
  ASSERT_EQ(Run(aws + " s3api create-bucket --bucket bad-bucket"), 0);
  const std::string file = Write("bad.bin", RandomBytes(1000, 500));
  const std::string put = " s3api put-object --bucket bad-bucket --key bad.bin --body " + file;

  Outcome outcome = Exec("AWS_SECRET_ACCESS_KEY=not-the-secret " + aws + put);
  EXPECT_NE(outcome.code, 0);
  EXPECT_NE(outcome.err.find("SignatureDoesNotMatch"), std::string::npos) << outcome.err;
  outcome = Exec("AWS_ACCESS_KEY_ID=NOSUCHKEY " + aws + put);
  EXPECT_NE(outcome.code, 0);
  EXPECT_NE(outcome.err.find("InvalidAccessKeyId"), std::string::npos) << outcome.err;
  // The MD5 of other bytes.
  outcome = Exec(aws + put + " --content-md5 XrY7u+Ae7tCTyyK7j1rNww==");
  EXPECT_NE(outcome.code, 0);
  EXPECT_NE(outcome.err.find("BadDigest"), std::string::npos) << outcome.err;

  // s3cmd with a wrong secret: refused first for its region, then for its
  // signature, on the connection that carried the refused body.
  outcome = Exec("/usr/bin/s3cmd --config " + S3cmdConfig("wrong-secret") + " put " + file +
                 " s3://bad-bucket/bad.bin");
  EXPECT_NE(outcome.code, 0);
  EXPECT_NE((outcome.out + outcome.err).find("SignatureDoesNotMatch"), std::string::npos)
      << outcome.out << outcome.err;

  std::string out;
  ASSERT_EQ(Run(aws + " s3api list-objects-v2 --bucket bad-bucket", &out), 0);
  EXPECT_EQ(out, "") << out;
}

}  // namespace
}  // namespace gale
