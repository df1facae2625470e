#include "s3/s3_api_server.h"

#include "spdlog/spdlog.h"

namespace gale::s3 {

S3ApiServer::S3ApiServer(const S3ApiOptions& options, ClusterApis apis, AccessKeySource* keys,
                         client::ChunkTransport* transport, common::Clock* clock,
                         prometheus::Registry* registry, const common::TlsOptions& tls) {
  if (registry != nullptr) {
    metrics_ = std::make_unique<common::RequestMetrics>(registry, "gale_s3", "S3 requests", "op");
  }
  ClusterBackendOptions backend_options;
  backend_options.chunk_size = options.chunk_size_bytes;
  backend_options.replication_factor = options.replication_factor;
  backend_options.write_mode = options.write_mode;
  backend_ = std::make_unique<ClusterBackend>(std::move(apis), transport, backend_options);

  // Keys not configured here are looked up in `keys` (`gale s3 keys`), and
  // cached: a deleted key stops working within the TTL.
  KeyCacheOptions cache_options;
  cache_options.ttl = absl::Milliseconds(options.key_cache_ttl_ms);
  cache_options.negative_ttl = absl::Milliseconds(options.key_negative_cache_ttl_ms);
  credentials_ = std::make_unique<Credentials>(keys, clock, cache_options);
  if (!options.access_key.empty()) {
    credentials_->Add(options.access_key, AccessKey{.secret = options.secret_key});
  } else {
    spdlog::info(
        "no s3.access_key: keys made with `gale s3 keys create`, and anonymous reads of "
        "s3.anonymous_read_buckets");
  }
  credentials_->SetAnonymousReadBuckets(
      {options.anonymous_read_buckets.begin(), options.anonymous_read_buckets.end()});
  S3GatewayOptions gateway_options;
  gateway_options.region = options.region;
  gateway_options.domain = options.domain;
  gateway_options.max_object_bytes = options.max_object_bytes;
  gateway_options.metrics = metrics_.get();
  gateway_ =
      std::make_unique<S3Gateway>(backend_.get(), credentials_.get(), clock, gateway_options);

  common::HttpServerOptions server_options;
  server_options.threads = options.http_threads;
  server_options.read_timeout = absl::Milliseconds(options.read_timeout_ms);
  server_options.write_timeout = absl::Seconds(60);
  server_options.tls = tls;
  server_ = std::make_unique<common::HttpServer>("s3", server_options, nullptr);
  gateway_->Register(server_->raw());
}

S3ApiServer::~S3ApiServer() { Stop(); }

Result<int> S3ApiServer::Bind(const std::string& address, int port) {
  return server_->Bind(address, port);
}

void S3ApiServer::Start() { server_->Start(); }

void S3ApiServer::Stop() { server_->Stop(); }

}  // namespace gale::s3
