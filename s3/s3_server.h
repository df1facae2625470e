#pragma once

#include <memory>

#include "client/chunk_transport.h"
#include "client/coordinator_client.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "common/request_metrics.h"
#include "common/status.h"
#include "s3/cluster/cluster_key_source.h"
#include "s3/cluster/grpc_cluster_apis.h"
#include "s3/s3_api_server.h"
#include "s3/s3_options.h"

namespace gale::s3 {

// The gale-s3 process: the S3 API server over the coordinators' gRPC APIs,
// and the metrics and health server beside it. Start() binds both (port 0 allowed)
// and writes the info file; Shutdown() stops accepting, then lets requests
// in flight finish. Owns everything; not thread-safe (one owner thread).
class S3Server {
 public:
  S3Server(S3Options options, common::Clock* clock);
  ~S3Server();

  Status Start();
  // Idempotent.
  void Shutdown();

  int port() const { return port_; }
  int metrics_port() const { return metrics_port_; }

 private:
  // OK when a coordinator answers.
  Status Ready();
  Status WriteInfoFile() const;

  const S3Options options_;
  common::Clock* const clock_;
  std::unique_ptr<common::MetricsRegistry> metrics_;
  std::unique_ptr<client::CoordinatorClient> coordinator_;
  std::unique_ptr<client::ChunkTransport> transport_;
  std::unique_ptr<GrpcClusterApis> apis_;
  std::unique_ptr<ClusterKeySource> key_source_;
  std::unique_ptr<S3ApiServer> api_;
  std::unique_ptr<common::HttpServer> metrics_server_;
  int port_ = 0;
  int metrics_port_ = 0;
};

}  // namespace gale::s3
