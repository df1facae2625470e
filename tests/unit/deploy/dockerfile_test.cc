// docker/Dockerfile, checked without a Docker engine against what the
// binaries really are: the ports and data dir they default to, the health
// route they serve, and the shared libraries they link (each must come from
// a package the runtime stage installs).

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/file_util.h"
#include "common/strings.h"
#include "coordinator/coordinator_options.h"
#include "node/node_options.h"
#include "s3/s3_options.h"
#include "tests/mini_cluster/mini_cluster.h"

namespace gale {
namespace {

const std::string kSource = GALE_SOURCE_DIR;

// The Dockerfile's instructions, continuation lines joined, comments dropped.
struct Instruction {
  std::string keyword;  // upper case: FROM, RUN, ...
  std::string args;
};

std::vector<Instruction> ParseDockerfile(const std::string& text) {
  std::vector<Instruction> out;
  std::istringstream in(text);
  std::string line, pending;
  while (std::getline(in, line)) {
    std::string_view trimmed = TrimWhitespace(line);
    if (pending.empty() && (trimmed.empty() || trimmed.front() == '#')) continue;
    if (!trimmed.empty() && trimmed.back() == '\\') {
      pending += std::string(trimmed.substr(0, trimmed.size() - 1)) + " ";
      continue;
    }
    pending += std::string(trimmed);
    const size_t space = pending.find(' ');
    out.push_back(
        {pending.substr(0, space), space == std::string::npos ? "" : pending.substr(space + 1)});
    pending.clear();
  }
  return out;
}

// The instructions of the last stage (the image that ships).
std::vector<Instruction> RuntimeStage(const std::vector<Instruction>& all) {
  std::vector<Instruction> stage;
  for (const auto& i : all) {
    if (i.keyword == "FROM") stage.clear();
    stage.push_back(i);
  }
  return stage;
}

std::string Shell(const std::string& command) {
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
  }
  return out;
}

std::set<std::string> Words(std::string_view text) {
  std::set<std::string> out;
  std::istringstream in{std::string(text)};
  std::string word;
  while (in >> word) out.insert(word);
  return out;
}

class DockerfileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto text = common::ReadFileToString(kSource + "/docker/Dockerfile");
    ASSERT_TRUE(text.ok()) << text.status();
    all_ = ParseDockerfile(*text);
    runtime_ = RuntimeStage(all_);
    ASSERT_FALSE(runtime_.empty());
  }

  std::vector<std::string> Args(const std::string& keyword) const {
    std::vector<std::string> out;
    for (const auto& i : runtime_) {
      if (i.keyword == keyword) out.push_back(i.args);
    }
    return out;
  }

  std::vector<Instruction> all_;
  std::vector<Instruction> runtime_;
};

TEST_F(DockerfileTest, BuildsWithTheProjectsOwnDependencyScript) {
  ASSERT_GE(
      std::count_if(all_.begin(), all_.end(), [](const auto& i) { return i.keyword == "FROM"; }), 2)
      << "multi-stage";
  EXPECT_TRUE(all_.front().args.starts_with("debian:bookworm")) << all_.front().args;
  EXPECT_TRUE(runtime_.front().args.starts_with("debian:bookworm")) << runtime_.front().args;
  bool deps = false, release = false;
  for (const auto& i : all_) {
    if (i.keyword != "RUN") continue;
    deps |= i.args.find("./scripts/install-deps.sh") != std::string::npos;
    release |= i.args.find("-DCMAKE_BUILD_TYPE=Release") != std::string::npos;
  }
  EXPECT_TRUE(deps);
  EXPECT_TRUE(release);
  // Every binary the runtime stage copies is one the build makes.
  for (const std::string& copy : Args("COPY")) {
    if (!copy.starts_with("--from=build")) continue;
    for (const std::string& word : Words(copy)) {
      if (!word.starts_with("/build/bin/")) continue;
      const std::string binary = word.substr(std::string("/build/bin/").size());
      EXPECT_TRUE(common::ReadFileToString(testing::BinDir() + "/" + binary).ok())
          << binary << " is not a binary of this build";
    }
  }
}

TEST_F(DockerfileTest, RunsUnprivilegedWithDataPortsAndAHealthCheck) {
  ASSERT_EQ(Args("USER").size(), 1u);
  EXPECT_NE(Args("USER")[0], "root");
  EXPECT_NE(Args("USER")[0], "0");
  ASSERT_EQ(Args("VOLUME").size(), 1u);
  EXPECT_EQ(Args("VOLUME")[0], "/data");
  bool data_path = false;
  for (const std::string& env : Args("ENV")) data_path |= env == "DATA_PATH=/data";
  EXPECT_TRUE(data_path) << "both binaries read DATA_PATH for their data dir";

  coordinator::CoordinatorOptions coordinator;
  node::NodeOptions node;
  s3::S3Options gateway;
  const std::set<std::string> expected = {
      StrCat(coordinator.grpc_port),    StrCat(coordinator.http_port),
      StrCat(coordinator.metrics_port), StrCat(node.port),
      StrCat(node.metrics_port),        StrCat(gateway.port),
      StrCat(gateway.metrics_port)};
  std::set<std::string> exposed;
  for (const std::string& ports : Args("EXPOSE")) {
    for (const std::string& p : Words(ports)) exposed.insert(p);
  }
  EXPECT_EQ(exposed, expected) << "the binaries' default ports";

  ASSERT_EQ(Args("HEALTHCHECK").size(), 1u);
  const std::string health = Args("HEALTHCHECK")[0];
  EXPECT_NE(health.find("/live"), std::string::npos);
  EXPECT_NE(health.find(StrCat(coordinator.metrics_port)), std::string::npos);
  EXPECT_NE(health.find(StrCat(node.metrics_port)), std::string::npos);
  EXPECT_NE(health.find(StrCat(gateway.metrics_port)), std::string::npos);
  bool curl = false;
  for (const std::string& run : Args("RUN")) curl |= Words(run).contains("curl");
  EXPECT_TRUE(curl) << "the health check's curl is installed on purpose";
  ASSERT_EQ(Args("ENTRYPOINT").size(), 1u);
  EXPECT_NE(Args("ENTRYPOINT")[0].find("gale-coordinator"), std::string::npos);
}

TEST_F(DockerfileTest, TheRuntimeStageInstallsEveryLibraryTheBinariesLink) {
  std::set<std::string> installed;
  for (const std::string& run : Args("RUN")) {
    if (run.find("apt-get install") == std::string::npos) continue;
    for (const std::string& word : Words(run)) installed.insert(word);
  }
  // Present in debian:bookworm-slim itself.
  const std::set<std::string> base = {"libc6", "libstdc++6", "libgcc-s1", "zlib1g"};
  for (const char* binary : {"gale-coordinator", "gale-node", "gale-s3", "gale"}) {
    const std::string path = testing::BinDir() + "/" + binary;
    // Each library the binary names (NEEDED), resolved as the loader would,
    // and the Debian package that ships it.
    const std::string packages =
        Shell(StrCat("resolved=$(ldd ", path, "); for lib in $(readelf -d ", path,
                     " | sed -n 's/.*Shared library: \\[\\(.*\\)\\]/\\1/p'); do ",
                     "p=$(printf '%s\\n' \"$resolved\" | awk -v l=\"$lib\" '$1 == l {print $3}'); ",
                     "dpkg -S \"$(readlink -f \"$p\")\" 2>/dev/null | head -1 | cut -d: -f1 ",
                     "|| echo \"unknown:$lib\"; done"));
    ASSERT_FALSE(packages.empty()) << binary;
    for (const std::string& package : Words(packages)) {
      EXPECT_TRUE(installed.contains(package) || base.contains(package))
          << binary << " links a library of " << package
          << ", which the runtime stage does not install";
    }
  }
}

TEST(DockerignoreTest, KeepsBuildTreesAndDataOutOfTheContext) {
  auto text = common::ReadFileToString(kSource + "/.dockerignore");
  ASSERT_TRUE(text.ok()) << text.status();
  const std::set<std::string> lines = Words(*text);
  for (const char* entry : {"build", "build-*", "data", ".git"}) {
    EXPECT_TRUE(lines.contains(entry)) << entry;
  }
}

}  // namespace
}  // namespace gale
