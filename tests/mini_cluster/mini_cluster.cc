#include "tests/mini_cluster/mini_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/time/clock.h"
#include "common/file_util.h"
#include "common/strings.h"
#include "tests/testing/wait.h"

namespace gale::testing {

std::string BinDir() { return GALE_BIN_DIR; }

MiniCluster::MiniCluster(MiniClusterOptions options) : options_(std::move(options)) {}

MiniCluster::~MiniCluster() {
  if (::testing::Test::HasFailure() && coordinator_ != nullptr) {
    std::fprintf(stderr, "---- coordinator log tail (%s) ----\n%s\n",
                 coordinator_->log_path().c_str(), coordinator_->LogTail().c_str());
  }
  coordinator_.reset();  // SIGKILL if still running
}

Status MiniCluster::Start() { return StartCoordinator(); }

std::string MiniCluster::coordinator_grpc_address() const {
  return StrCat("127.0.0.1:", grpc_port_);
}

Result<nlohmann::json> MiniCluster::WaitForInfoFile(const std::string& path, Subprocess* process) {
  nlohmann::json info;
  bool ready = WaitUntil(
      [&] {
        if (process->Exited()) return true;
        auto text = common::ReadFileToString(path);
        if (!text.ok()) return false;
        info = nlohmann::json::parse(*text, nullptr, false);
        return info.is_object() && info.value("pid", 0) == process->pid();
      },
      absl::Seconds(30));
  if (process->Exited()) {
    return absl::InternalError(
        StrCat("process exited during start-up; log tail:\n", process->LogTail()));
  }
  if (!ready) return absl::DeadlineExceededError(StrCat("no info file at ", path));
  return info;
}

Status MiniCluster::StartCoordinator() {
  std::string dir = root_.Join("coordinator");
  RETURN_IF_ERROR(common::CreateDirectories(dir));
  std::string info_path = dir + "/info.json";
  std::vector<std::string> args = {
      "--data-dir",     dir,
      "--bind-address", "127.0.0.1",
      "--grpc-port",    std::to_string(grpc_port_),
      "--http-port",    std::to_string(http_port_),
      "--metrics-port", std::to_string(metrics_port_),
      "--info-file",    info_path,
  };
  args.insert(args.end(), options_.coordinator_flags.begin(), options_.coordinator_flags.end());
  coordinator_ =
      std::make_unique<Subprocess>(BinDir() + "/gale-coordinator", args, dir + "/coordinator.log");
  RETURN_IF_ERROR(coordinator_->Start());
  ASSIGN_OR_RETURN(nlohmann::json info, WaitForInfoFile(info_path, coordinator_.get()));
  grpc_port_ = info.at("grpc_port").get<int>();
  http_port_ = info.at("http_port").get<int>();
  metrics_port_ = info.at("metrics_port").get<int>();
  return absl::OkStatus();
}

Status MiniCluster::StopCoordinator() {
  if (coordinator_ == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(int code, coordinator_->Stop());
  if (code != 0) {
    return absl::InternalError(
        StrCat("coordinator exited with ", code, "; log tail:\n", coordinator_->LogTail()));
  }
  return absl::OkStatus();
}

Status MiniCluster::KillCoordinator() {
  if (coordinator_ == nullptr) return absl::OkStatus();
  RETURN_IF_ERROR(coordinator_->Signal(SIGKILL));
  return coordinator_->Wait(absl::Seconds(10)).status();
}

Status MiniCluster::RestartCoordinator() {
  RETURN_IF_ERROR(StopCoordinator());
  return StartCoordinator();
}

}  // namespace gale::testing
