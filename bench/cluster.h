#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/scenario.h"
#include "common/status.h"
#include "proto/coordinator.grpc.pb.h"
#include "tests/mini_cluster/mini_cluster.h"

namespace gale::bench {

// The coordinator a scenario loads: one it started (a mini cluster of real
// processes on 127.0.0.1 under the work directory) or the one given with
// --coordinator. Not thread-safe; the stub and channel are.
struct BenchCluster {
  std::unique_ptr<testing::MiniCluster> cluster;  // null when given
  std::string grpc_address;
  std::string rest_host;
  int rest_port = 0;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::Coordinator::Stub> stub;

  // The coordinator's pid, or 0 when it is not ours.
  int coordinator_pid();
};

// What a scenario asks of the cluster it starts.
struct ClusterSpec {
  int nodes = 0;
  std::string database_url;  // "": SQLite
  std::vector<std::string> coordinator_flags;
  std::vector<std::string> node_flags;
  // Whether a cluster given by address may serve (its nodes and settings
  // are not ours to choose).
  bool given_ok = true;
};

// Starts the cluster `spec` describes, or connects to the one given by
// --coordinator (FAILED_PRECONDITION when the spec does not allow that).
Result<BenchCluster> StartCluster(const BenchOptions& options, const ClusterSpec& spec);

// A throwaway PostgreSQL server (scripts/test-postgres.sh) with its durable
// defaults (fsync and synchronous commit on), stopped on
// destruction; NOT_FOUND when this machine has no PostgreSQL binaries.
class BenchPostgres {
 public:
  static Result<std::unique_ptr<BenchPostgres>> Start(const BenchOptions& options);
  ~BenchPostgres();
  const std::string& url() const { return url_; }

 private:
  BenchPostgres(std::string script, std::string dir, std::string url);
  const std::string script_, dir_, url_;
};

// User plus system CPU seconds the process `pid` used so far (0 if gone).
double ProcessCpuSeconds(int pid);
// Its resident memory in bytes (0 if gone).
int64_t ProcessRssBytes(int pid);

}  // namespace gale::bench
