#pragma once

#include <memory>

#include "client/coordinator_client.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "common/periodic_loop.h"
#include "common/rate_limiter.h"
#include "common/request_metrics.h"
#include "common/status.h"
#include "node/chunk_reporter.h"
#include "node/chunk_store.h"
#include "node/data_api.h"
#include "node/heartbeater.h"
#include "node/node_identity.h"
#include "node/node_metrics.h"
#include "node/node_options.h"
#include "node/node_stats.h"
#include "node/scrubber.h"
#include "node/task_runner.h"

namespace gale::node {

// A whole gale-node: owns the chunk store, the data API and metrics servers,
// the identity and the heartbeat loop, and orders their start and shutdown.
// Start() once, Shutdown() once (also run by the destructor).
class NodeAgent {
 public:
  // `clock` must outlive the agent. `on_fatal` is called (from the heartbeat
  // thread) when the node must stop, e.g. its data belongs to another cluster.
  NodeAgent(NodeOptions options, common::Clock* clock, std::function<void(Status)> on_fatal);
  ~NodeAgent();

  // Opens the store (removing leftover temp files), binds both ports, writes
  // the info file and starts registering with the coordinator. The data API
  // serves reads even while the coordinator is unreachable.
  Status Start();
  // Stops accepting requests, lets in-flight ones finish, sends a final
  // heartbeat. Idempotent.
  void Shutdown();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }
  std::string node_id() const { return identity_ ? identity_->node_id() : ""; }
  ChunkStore* store() { return store_.get(); }

 private:
  Status WriteInfoFile();
  Status Ready() const;
  Status Beat();

  NodeOptions options_;
  common::Clock* const clock_;
  const std::function<void(Status)> on_fatal_;

  std::unique_ptr<common::MetricsRegistry> metrics_;
  std::unique_ptr<common::RequestMetrics> http_metrics_;
  std::unique_ptr<ChunkStore> store_;
  std::unique_ptr<NodeIdentity> identity_;
  DataTraffic traffic_;
  std::unique_ptr<StatsSampler> stats_;
  std::unique_ptr<client::CoordinatorClient> coordinator_;
  std::unique_ptr<common::Authenticator> auth_;       // the join token
  std::unique_ptr<common::ChunkWriteGrants> grants_;  // checks the coordinator's
  std::unique_ptr<client::ChunkTransport> peers_;     // replication reads from other nodes
  std::unique_ptr<common::RateLimiter> replication_bandwidth_;
  std::unique_ptr<TaskRunner> tasks_;
  std::unique_ptr<Scrubber> scrubber_;
  std::unique_ptr<common::PeriodicLoop> scrub_loop_;
  std::unique_ptr<Heartbeater> heartbeater_;
  std::unique_ptr<ChunkReporter> reporter_;
  std::unique_ptr<common::PeriodicLoop> report_loop_;
  std::unique_ptr<NodeMetrics> node_metrics_;
  std::unique_ptr<DataApi> data_api_;
  std::unique_ptr<common::HttpServer> data_server_;
  std::unique_ptr<common::HttpServer> metrics_server_;
  std::unique_ptr<common::PeriodicLoop> heartbeat_loop_;
  std::string advertised_address_;
  int port_ = 0;
  int metrics_port_ = 0;
  bool info_has_id_ = false;  // whether the info file names the node id yet
  bool shut_down_ = false;
};

}  // namespace gale::node
