#pragma once

#include <memory>
#include <string>

#include "client/chunk_transport.h"
#include "common/clock.h"
#include "common/http_server.h"
#include "common/request_metrics.h"
#include "common/status.h"
#include "common/tls.h"
#include "s3/cluster/cluster_backend.h"
#include "s3/gateway/credentials.h"
#include "s3/gateway/gateway.h"
#include "s3/s3_options.h"

namespace gale::s3 {

// The S3 API over a Gale cluster on an HTTP server of its own: the gateway,
// its ClusterBackend and its credentials (configured keys, and those of
// `keys`), wherever it runs: in gale-s3 with the coordinator's APIs over
// gRPC, in the coordinator with them in process. Bind(), then Start();
// Stop() stops accepting and lets requests in flight finish. What it is
// given must outlive it. Not thread-safe (one owner thread); the server's
// requests run on its own threads.
class S3ApiServer {
 public:
  // Requests are counted in `registry` (gale_s3_requests_total{op,code} and
  // latencies); null: not counted.
  S3ApiServer(const S3ApiOptions& options, ClusterApis apis, AccessKeySource* keys,
              client::ChunkTransport* transport, common::Clock* clock,
              prometheus::Registry* registry, const common::TlsOptions& tls);
  ~S3ApiServer();

  // The bound port (`port` 0: a free one); UNAVAILABLE naming the port when
  // it is in use.
  Result<int> Bind(const std::string& address, int port);
  void Start();
  // Idempotent.
  void Stop();

  ClusterBackend* backend() { return backend_.get(); }

 private:
  std::unique_ptr<common::RequestMetrics> metrics_;
  std::unique_ptr<ClusterBackend> backend_;
  std::unique_ptr<Credentials> credentials_;
  std::unique_ptr<S3Gateway> gateway_;
  std::unique_ptr<common::HttpServer> server_;
};

}  // namespace gale::s3
