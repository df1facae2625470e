#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "nlohmann/json.hpp"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace gale::testing {

struct MiniClusterOptions {
  // Extra flags for gale-coordinator (e.g. short timeouts).
  std::vector<std::string> coordinator_flags;
};

// Real Gale processes on 127.0.0.1 in a temp root, for integration tests:
// binaries from GALE_BIN_DIR, ports chosen by the processes (port 0) and read
// from their info files. A restarted process gets its previous ports back, so
// peers configured with its address keep reaching it. On destruction every
// process is killed; on test failure the root is kept and each log's tail is
// printed. Not thread-safe.
class MiniCluster {
 public:
  explicit MiniCluster(MiniClusterOptions options = {});
  ~MiniCluster();

  Status Start();

  Status StartCoordinator();
  // SIGTERM and wait: a clean shutdown.
  Status StopCoordinator();
  // SIGKILL: a crash.
  Status KillCoordinator();
  Status RestartCoordinator();

  int coordinator_grpc_port() const { return grpc_port_; }
  int coordinator_http_port() const { return http_port_; }
  int coordinator_metrics_port() const { return metrics_port_; }
  std::string coordinator_grpc_address() const;
  Subprocess* coordinator() { return coordinator_.get(); }
  const std::string& root() const { return root_.path(); }

 private:
  // Waits for `path` to hold JSON written after `process` started, failing
  // early if the process exits.
  Result<nlohmann::json> WaitForInfoFile(const std::string& path, Subprocess* process);

  const MiniClusterOptions options_;
  TempDir root_;
  std::unique_ptr<Subprocess> coordinator_;
  int grpc_port_ = 0;
  int http_port_ = 0;
  int metrics_port_ = 0;
};

// Directory holding the built binaries (build/bin).
std::string BinDir();

}  // namespace gale::testing
