#include "tests/mini_cluster/mini_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/time/clock.h"
#include "common/file_util.h"
#include "common/strings.h"
#include "httplib.h"
#include "tests/testing/wait.h"

namespace gale::testing {

std::string BinDir() { return GALE_BIN_DIR; }

MiniCluster::MiniCluster(MiniClusterOptions options)
    : options_(std::move(options)),
      coordinators_(static_cast<size_t>(std::max(1, options_.num_coordinators))) {}

MiniCluster::~MiniCluster() {
  if (::testing::Test::HasFailure()) {
    for (const MiniCoordinator& c : coordinators_) {
      if (c.process == nullptr) continue;
      std::fprintf(stderr, "---- coordinator log tail (%s) ----\n%s\n",
                   c.process->log_path().c_str(), c.process->LogTail().c_str());
    }
    for (const MiniNode& node : nodes_) {
      if (node.process == nullptr) continue;
      std::fprintf(stderr, "---- node log tail (%s) ----\n%s\n", node.process->log_path().c_str(),
                   node.process->LogTail().c_str());
    }
    if (gateway_.process != nullptr) {
      std::fprintf(stderr, "---- gateway log tail (%s) ----\n%s\n",
                   gateway_.process->log_path().c_str(), gateway_.process->LogTail().c_str());
    }
  }
  gateway_.process.reset();
  // SIGKILL whatever still runs; resume paused ones first so they can die.
  for (MiniNode& node : nodes_) {
    if (node.process != nullptr) (void)node.process->Signal(SIGCONT);
    node.process.reset();
  }
  for (MiniCoordinator& c : coordinators_) c.process.reset();
}

Status MiniCluster::Start() {
  for (size_t i = 0; i < coordinators_.size(); ++i) {
    RETURN_IF_ERROR(StartCoordinator(static_cast<int>(i)));
  }
  nodes_.resize(static_cast<size_t>(options_.num_nodes));
  for (int i = 0; i < options_.num_nodes; ++i) RETURN_IF_ERROR(StartNode(i));
  return WaitForActiveNodes(options_.num_nodes);
}

std::string MiniCluster::coordinator_grpc_address() const {
  std::string out;
  for (const MiniCoordinator& c : coordinators_) {
    if (c.grpc_port == 0) continue;
    out += StrCat(out.empty() ? "" : ",", "127.0.0.1:", c.grpc_port);
  }
  return out;
}

const MiniCoordinator& MiniCluster::LiveCoordinator() const {
  for (const MiniCoordinator& c : coordinators_) {
    if (c.process != nullptr && !c.process->Exited()) return c;
  }
  return coordinators_.front();
}

int MiniCluster::LeaderIndex() {
  for (size_t i = 0; i < coordinators_.size(); ++i) {
    const MiniCoordinator& c = coordinators_[i];
    if (c.process == nullptr || c.process->Exited()) continue;
    httplib::Client ops("127.0.0.1", c.metrics_port);
    auto r = ops.Get("/health");
    if (!r || r->status != 200) continue;
    auto health = nlohmann::json::parse(r->body, nullptr, false);
    if (health.is_object() && health.value("is_leader", false)) return static_cast<int>(i);
  }
  return -1;
}

Result<nlohmann::json> MiniCluster::WaitForInfoFile(
    const std::string& path, Subprocess* process,
    const std::function<bool(const nlohmann::json&)>& accept) {
  nlohmann::json info;
  bool ready = WaitUntil(
      [&] {
        if (process->Exited()) return true;
        auto text = common::ReadFileToString(path);
        if (!text.ok()) return false;
        info = nlohmann::json::parse(*text, nullptr, false);
        return info.is_object() && info.value("pid", 0) == process->pid() &&
               (accept == nullptr || accept(info));
      },
      absl::Seconds(30));
  if (process->Exited()) {
    return absl::InternalError(
        StrCat("process exited during start-up; log tail:\n", process->LogTail()));
  }
  if (!ready) return absl::DeadlineExceededError(StrCat("no info file at ", path));
  return info;
}

Status MiniCluster::StartCoordinator(int i) {
  MiniCoordinator& c = coordinators_.at(static_cast<size_t>(i));
  c.dir = root_.Join(i == 0 ? "coordinator" : StrCat("coordinator-", i));
  RETURN_IF_ERROR(common::CreateDirectories(c.dir));
  std::string info_path = c.dir + "/info.json";
  std::vector<std::string> args = {
      "--data-dir",     c.dir,
      "--bind-address", "127.0.0.1",
      "--grpc-port",    std::to_string(c.grpc_port),
      "--http-port",    std::to_string(c.http_port),
      "--metrics-port", std::to_string(c.metrics_port),
      "--s3-port",      std::to_string(c.s3_port),
      "--info-file",    info_path,
  };
  if (!options_.database_url.empty())
    args.insert(args.end(), {"--database-url", options_.database_url});
  if (!options_.join_token.empty()) args.insert(args.end(), {"--join-token", options_.join_token});
  for (std::string& flag : TlsFlags()) args.push_back(std::move(flag));
  args.insert(args.end(), options_.coordinator_flags.begin(), options_.coordinator_flags.end());
  c.process = std::make_unique<Subprocess>(BinDir() + "/gale-coordinator", args,
                                           c.dir + "/coordinator.log");
  RETURN_IF_ERROR(c.process->Start());
  ASSIGN_OR_RETURN(nlohmann::json info, WaitForInfoFile(info_path, c.process.get()));
  c.grpc_port = info.at("grpc_port").get<int>();
  c.http_port = info.at("http_port").get<int>();
  c.metrics_port = info.at("metrics_port").get<int>();
  c.s3_port = info.value("s3_port", 0);
  return absl::OkStatus();
}

Status MiniCluster::StopCoordinator(int i) {
  Subprocess* process = coordinator(i);
  if (process == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(int code, process->Stop());
  if (code != 0) {
    return absl::InternalError(
        StrCat("coordinator exited with ", code, "; log tail:\n", process->LogTail()));
  }
  return absl::OkStatus();
}

Status MiniCluster::KillCoordinator(int i) {
  Subprocess* process = coordinator(i);
  if (process == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(process->Signal(SIGKILL));
  return process->Wait(absl::Seconds(10)).status();
}

Status MiniCluster::RestartCoordinator(int i) {
  RETURN_IF_ERROR(StopCoordinator(i));
  return StartCoordinator(i);
}

namespace {

// `flags` (pairs of --flag value) with each pair of `overrides` replacing the
// pair of the same flag, or appended.
std::vector<std::string> OverrideFlags(std::vector<std::string> flags,
                                       const std::vector<std::string>& overrides) {
  for (size_t i = 0; i + 1 < overrides.size(); i += 2) {
    bool replaced = false;
    for (size_t j = 0; j + 1 < flags.size(); j += 2) {
      if (flags[j] == overrides[i]) {
        flags[j + 1] = overrides[i + 1];
        replaced = true;
      }
    }
    if (!replaced) flags.insert(flags.end(), {overrides[i], overrides[i + 1]});
  }
  return flags;
}

}  // namespace

Status MiniCluster::StartNode(int i, std::vector<std::string> flags) {
  if (i >= num_nodes()) nodes_.resize(static_cast<size_t>(i) + 1);
  nodes_[static_cast<size_t>(i)].flags = std::move(flags);
  return StartNode(i);
}

Status MiniCluster::StartNode(int i) {
  if (i >= num_nodes()) nodes_.resize(static_cast<size_t>(i) + 1);
  MiniNode& node = nodes_[static_cast<size_t>(i)];
  node.dir = root_.Join(StrCat("node-", i));
  RETURN_IF_ERROR(common::CreateDirectories(node.dir));
  std::string info_path = node.dir + ".info.json";
  std::vector<std::string> args = {
      "--coordinator",   coordinator_grpc_address(),
      "--data-dir",      node.dir,
      "--bind-address",  "127.0.0.1",
      "--port",          std::to_string(node.port),
      "--metrics-port",  std::to_string(node.metrics_port),
      "--info-file",     info_path,
      "--reserve-bytes", "0",
  };
  if (!options_.join_token.empty()) args.insert(args.end(), {"--join-token", options_.join_token});
  for (std::string& flag : TlsFlags()) args.push_back(std::move(flag));
  args.insert(args.end(), options_.node_flags.begin(), options_.node_flags.end());
  args = OverrideFlags(std::move(args), node.flags);
  node.process = std::make_unique<Subprocess>(BinDir() + "/gale-node", args,
                                              root_.Join(StrCat("node-", i, ".log")));
  RETURN_IF_ERROR(node.process->Start());
  // Registered once the info file names the node.
  ASSIGN_OR_RETURN(nlohmann::json info,
                   WaitForInfoFile(info_path, node.process.get(), [](const nlohmann::json& j) {
                     return !j.value("node_id", "").empty();
                   }));
  node.node_id = info.at("node_id").get<std::string>();
  node.port = info.at("port").get<int>();
  node.metrics_port = info.at("metrics_port").get<int>();
  return absl::OkStatus();
}

Status MiniCluster::StartGateway(std::vector<std::string> flags) {
  gateway_.process.reset();
  const std::string info_path = root_.Join("gateway.info.json");
  std::vector<std::string> args = {
      "--coordinator",  coordinator_grpc_address(),
      "--bind-address", "127.0.0.1",
      "--port",         std::to_string(gateway_.port),
      "--metrics-port", std::to_string(gateway_.metrics_port),
      "--info-file",    info_path,
  };
  if (!options_.api_token.empty()) {
    args.insert(args.end(), {"--coordinator-token", options_.api_token});
  }
  for (std::string& flag : TlsFlags()) args.push_back(std::move(flag));
  args.insert(args.end(), flags.begin(), flags.end());
  gateway_.process =
      std::make_unique<Subprocess>(BinDir() + "/gale-s3", args, root_.Join("gateway.log"));
  RETURN_IF_ERROR(gateway_.process->Start());
  ASSIGN_OR_RETURN(nlohmann::json info, WaitForInfoFile(info_path, gateway_.process.get()));
  gateway_.port = info.at("port").get<int>();
  gateway_.metrics_port = info.at("metrics_port").get<int>();
  return absl::OkStatus();
}

Status MiniCluster::StopNode(int i) {
  ASSIGN_OR_RETURN(int code, node(i).process->Stop());
  if (code != 0) return absl::InternalError(StrCat("node ", i, " exited with ", code));
  return absl::OkStatus();
}

Status MiniCluster::KillNode(int i) {
  RETURN_IF_ERROR(node(i).process->Signal(SIGKILL));
  return node(i).process->Wait(absl::Seconds(10)).status();
}

Status MiniCluster::RestartNode(int i) {
  RETURN_IF_ERROR(StopNode(i));
  return StartNode(i);
}

Status MiniCluster::PauseNode(int i) { return node(i).process->Signal(SIGSTOP); }

Status MiniCluster::ResumeNode(int i) { return node(i).process->Signal(SIGCONT); }

int MiniCluster::NodeIndex(const std::string& node_id) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].node_id == node_id) return static_cast<int>(i);
  }
  return -1;
}

int MiniCluster::RunGale(const std::vector<std::string>& args, std::string* out,
                         std::string* err) const {
  const std::string out_path = root_.Join("gale.out"), err_path = root_.Join("gale.err");
  std::string command =
      StrCat(options_.api_token.empty() ? "" : "GALE_TOKEN=" + options_.api_token + " ", BinDir(),
             "/gale --coordinator ", coordinator_grpc_address());
  if (!options_.tls_dir.empty()) {
    command += StrCat(" --ca-file ", options_.tls_dir, "/ca.pem");
    if (options_.mutual_tls) {
      command += StrCat(" --cert-file ", options_.tls_dir, "/gale.pem --key-file ",
                        options_.tls_dir, "/gale.key");
    }
  }
  for (const auto& a : args) command += " '" + a + "'";
  int rc = std::system((command + " >" + out_path + " 2>" + err_path).c_str());
  *out = common::ReadFileToString(out_path).value_or("");
  if (err != nullptr) *err = common::ReadFileToString(err_path).value_or("");
  return WEXITSTATUS(rc);
}

Result<std::unique_ptr<client::GaleClient>> MiniCluster::Client(int parallelism) const {
  client::ClientOptions options;
  options.coordinators = coordinator_grpc_address();
  options.parallelism = parallelism;
  options.token = options_.api_token;
  if (!options_.tls_dir.empty()) {
    options.tls.ca_file = options_.tls_dir + "/ca.pem";
    if (options_.mutual_tls) {
      options.tls.cert_file = options_.tls_dir + "/gale.pem";
      options.tls.key_file = options_.tls_dir + "/gale.key";
    }
  }
  return client::GaleClient::Connect(options);
}

std::vector<std::string> MiniCluster::TlsFlags() const {
  if (options_.tls_dir.empty()) return {};
  const std::string& d = options_.tls_dir;
  return {"--tls-cert-file",
          d + "/gale.pem",
          "--tls-key-file",
          d + "/gale.key",
          "--tls-ca-file",
          d + "/ca.pem",
          "--tls-require-client-cert",
          options_.mutual_tls ? "true" : "false"};
}

std::unique_ptr<httplib::Client> MiniCluster::RestClient(int port) const {
  const bool tls = !options_.tls_dir.empty();
  auto client = std::make_unique<httplib::Client>(
      StrCat(tls ? "https" : "http", "://127.0.0.1:", port),
      tls && options_.mutual_tls ? options_.tls_dir + "/gale.pem" : "",
      tls && options_.mutual_tls ? options_.tls_dir + "/gale.key" : "");
  if (tls) {
    client->set_ca_cert_path((options_.tls_dir + "/ca.pem").c_str());
    client->enable_server_certificate_verification(true);
  }
  if (!options_.api_token.empty()) client->set_bearer_token_auth(options_.api_token.c_str());
  return client;
}

Status MiniCluster::WaitForActiveNodes(int n, absl::Duration timeout) {
  auto client = RestClient(coordinator_http_port());
  int last = -1;
  bool ok = WaitUntil(
      [&] {
        auto r = client->Get("/api/v1/nodes/active?limit=0");
        if (!r || r->status != 200) return false;
        last = nlohmann::json::parse(r->body, nullptr, false).value("total_nodes", -1);
        return last == n;
      },
      timeout);
  if (!ok) return absl::DeadlineExceededError(StrCat("expected ", n, " active nodes, saw ", last));
  return absl::OkStatus();
}

}  // namespace gale::testing
