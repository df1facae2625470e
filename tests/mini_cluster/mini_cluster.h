#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/gale_client.h"
#include "common/status.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace gale::testing {

struct MiniClusterOptions {
  int num_nodes = 0;
  // Coordinators sharing one database (more than one needs database_url).
  int num_coordinators = 1;
  // postgresql://... for every coordinator; empty: SQLite in its data dir.
  std::string database_url;
  // Extra flags for gale-coordinator (e.g. short timeouts).
  std::vector<std::string> coordinator_flags;
  // Extra flags for every gale-node.
  std::vector<std::string> node_flags;
  // Given to the coordinators and every node (--join-token).
  std::string join_token;
  // A full-access token the cluster's own clients (Client, RunGale, the
  // waits) present; the coordinator flags must configure it.
  std::string api_token;
  // A directory made by scripts/gen-dev-certs.sh: every process serves TLS
  // with its gale.pem, and every client verifies against its ca.pem.
  std::string tls_dir;
  bool mutual_tls = false;  // with tls_dir: client certificates required
};

// One gale-coordinator of the mini cluster.
struct MiniCoordinator {
  std::string dir;
  std::unique_ptr<Subprocess> process;
  int grpc_port = 0;
  int http_port = 0;
  int metrics_port = 0;
  int s3_port = 0;  // with --serve-s3 among the coordinator flags

  std::string s3_endpoint() const { return "http://127.0.0.1:" + std::to_string(s3_port); }
};

// One gale-node of the mini cluster.
struct MiniNode {
  std::string dir;  // its data directory
  std::unique_ptr<Subprocess> process;
  std::string node_id;
  int port = 0;
  int metrics_port = 0;
  // Flags for this node only, replacing the shared ones of the same name
  // (e.g. {"--capacity-bytes", "1MiB"}); kept across restarts.
  std::vector<std::string> flags;

  std::string address() const { return "127.0.0.1:" + std::to_string(port); }
};

// The mini cluster's gale-s3 gateway.
struct MiniGateway {
  std::unique_ptr<Subprocess> process;
  int port = 0;
  int metrics_port = 0;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port); }
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

  // Coordinators are numbered from 0; the ones without a number mean 0.
  Status StartCoordinator(int i = 0);
  // SIGTERM and wait: a clean shutdown.
  Status StopCoordinator(int i = 0);
  // SIGKILL: a crash.
  Status KillCoordinator(int i = 0);
  Status RestartCoordinator(int i = 0);
  // The index of the coordinator that leads (its /health says so), or -1.
  int LeaderIndex();

  // Nodes are numbered from 0. Start waits until the node has registered.
  Status StartNode(int i);
  // Starts node `i` with its own `flags` (see MiniNode::flags).
  Status StartNode(int i, std::vector<std::string> flags);
  Status StopNode(int i);     // SIGTERM
  Status KillNode(int i);     // SIGKILL
  Status RestartNode(int i);  // clean stop, then start
  Status PauseNode(int i);    // SIGSTOP
  Status ResumeNode(int i);   // SIGCONT
  // Waits until the coordinator lists exactly `n` active nodes.
  Status WaitForActiveNodes(int n, absl::Duration timeout = absl::Seconds(30));
  MiniNode& node(int i) { return nodes_.at(static_cast<size_t>(i)); }

  // Starts a gale-s3 gateway on the cluster, with `flags` added (e.g. its
  // access key); stops the one running first.
  Status StartGateway(std::vector<std::string> flags);
  MiniGateway& gateway() { return gateway_; }
  // The index of the node with `node_id`, or -1.
  int NodeIndex(const std::string& node_id) const;
  // Runs the gale CLI against this cluster with `args`; returns its exit
  // code and fills `out` (and `err`) with what it printed.
  int RunGale(const std::vector<std::string>& args, std::string* out,
              std::string* err = nullptr) const;
  // A REST client for a coordinator's `port`, over TLS and with the API
  // token when the cluster uses them.
  std::unique_ptr<httplib::Client> RestClient(int port) const;
  // A client library connection to this cluster.
  Result<std::unique_ptr<client::GaleClient>> Client(int parallelism = 4) const;
  int num_nodes() const { return static_cast<int>(nodes_.size()); }

  int coordinator_grpc_port(int i = 0) const { return coordinators_.at(i).grpc_port; }
  // Of the first coordinator still running.
  int coordinator_http_port() const { return LiveCoordinator().http_port; }
  int coordinator_http_port(int i) const { return coordinators_.at(i).http_port; }
  int coordinator_metrics_port(int i = 0) const { return coordinators_.at(i).metrics_port; }
  // Every coordinator's gRPC address, comma-separated: nodes and clients
  // fail over between them.
  std::string coordinator_grpc_address() const;
  Subprocess* coordinator(int i = 0) { return coordinators_.at(i).process.get(); }
  const MiniCoordinator& coordinator_info(int i = 0) const { return coordinators_.at(i); }
  const std::string& root() const { return root_.path(); }

 private:
  // Waits for `path` to hold JSON written by `process` for which `accept`
  // holds, failing early if the process exits.
  Result<nlohmann::json> WaitForInfoFile(
      const std::string& path, Subprocess* process,
      const std::function<bool(const nlohmann::json&)>& accept = nullptr);

  const MiniCoordinator& LiveCoordinator() const;
  // The TLS flags every process gets (none without tls_dir).
  std::vector<std::string> TlsFlags() const;

  const MiniClusterOptions options_;
  TempDir root_;
  std::vector<MiniCoordinator> coordinators_;
  std::vector<MiniNode> nodes_;
  MiniGateway gateway_;
};

// Directory holding the built binaries (build/bin).
std::string BinDir();

}  // namespace gale::testing
