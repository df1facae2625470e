#include "s3/s3_server.h"

#include <unistd.h>

#include "common/file_util.h"
#include "common/grpc_util.h"
#include "common/health_routes.h"
#include "common/security.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace gale::s3 {

S3Server::S3Server(S3Options options, common::Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

S3Server::~S3Server() { Shutdown(); }

Status S3Server::Start() {
  metrics_ = std::make_unique<common::MetricsRegistry>("gale-s3");
  request_metrics_ = std::make_unique<common::RequestMetrics>(metrics_->registry(), "gale_s3",
                                                              "S3 requests", "op");
  client::CoordinatorClient::Metadata call_credentials;
  if (!options_.coordinator_token.empty()) {
    call_credentials.emplace_back("authorization", "Bearer " + options_.coordinator_token);
  }
  ASSIGN_OR_RETURN(auto channel_credentials, common::GrpcChannelCredentials(options_.tls));
  ASSIGN_OR_RETURN(coordinator_,
                   client::CoordinatorClient::Create(options_.coordinator, absl::Seconds(30),
                                                     call_credentials, channel_credentials));
  transport_ = std::make_unique<client::ChunkTransport>(absl::Seconds(30), options_.tls);
  ClusterBackendOptions backend_options;
  backend_options.chunk_size = options_.chunk_size_bytes;
  backend_options.replication_factor = options_.replication_factor;
  backend_options.write_mode = options_.write_mode;
  backend_ =
      std::make_unique<ClusterBackend>(coordinator_.get(), transport_.get(), backend_options);

  // Keys not configured here are looked up at the coordinator (`gale s3
  // keys`), and cached: a deleted key stops working within the TTL.
  key_source_ = std::make_unique<ClusterKeySource>(coordinator_.get());
  KeyCacheOptions cache_options;
  cache_options.ttl = absl::Milliseconds(options_.key_cache_ttl_ms);
  cache_options.negative_ttl = absl::Milliseconds(options_.key_negative_cache_ttl_ms);
  credentials_ = std::make_unique<Credentials>(key_source_.get(), clock_, cache_options);
  if (!options_.access_key.empty()) {
    credentials_->Add(options_.access_key, AccessKey{.secret = options_.secret_key});
  } else {
    spdlog::info(
        "no s3.access_key: keys made with `gale s3 keys create`, and anonymous reads of "
        "s3.anonymous_read_buckets");
  }
  credentials_->SetAnonymousReadBuckets(
      {options_.anonymous_read_buckets.begin(), options_.anonymous_read_buckets.end()});
  S3GatewayOptions gateway_options;
  gateway_options.region = options_.region;
  gateway_options.domain = options_.domain;
  gateway_options.max_object_bytes = options_.max_object_bytes;
  gateway_options.metrics = request_metrics_.get();
  gateway_ =
      std::make_unique<S3Gateway>(backend_.get(), credentials_.get(), clock_, gateway_options);

  common::HttpServerOptions server_options;
  server_options.threads = options_.http_threads;
  server_options.read_timeout = absl::Milliseconds(options_.read_timeout_ms);
  server_options.write_timeout = absl::Seconds(60);
  server_options.tls = options_.tls;
  server_ = std::make_unique<common::HttpServer>("s3", server_options, nullptr);
  gateway_->Register(server_->raw());
  ASSIGN_OR_RETURN(port_, server_->Bind(options_.bind_address, options_.port));

  common::HttpServerOptions metrics_options;
  metrics_options.threads = 4;
  metrics_server_ = std::make_unique<common::HttpServer>("metrics", metrics_options, nullptr);
  common::HealthChecks checks;
  checks.ready = [this] { return Ready(); };
  checks.summary = [this] {
    return nlohmann::json{{"service", "gale-s3"},
                          {"version", common::GaleVersion()},
                          {"coordinator", coordinator_->current_address()},
                          {"region", options_.region}};
  };
  common::AddHealthRoutes(metrics_server_.get(), checks, metrics_.get());
  ASSIGN_OR_RETURN(metrics_port_,
                   metrics_server_->Bind(options_.bind_address, options_.metrics_port));

  server_->Start();
  metrics_server_->Start();
  RETURN_IF_ERROR(WriteInfoFile());
  spdlog::info("gale-s3 {} serving S3 on {}:{} (region {}), metrics on {}:{}",
               common::GaleVersion(), options_.bind_address, port_, options_.region,
               options_.bind_address, metrics_port_);
  return absl::OkStatus();
}

void S3Server::Shutdown() {
  if (server_ != nullptr) server_->Stop();
  if (metrics_server_ != nullptr) metrics_server_->Stop();
}

Status S3Server::Ready() {
  // The coordinators answer a metadata read.
  return backend_->ListBuckets().status();
}

Status S3Server::WriteInfoFile() const {
  if (options_.info_file.empty()) return absl::OkStatus();
  nlohmann::json info = {{"port", port_}, {"metrics_port", metrics_port_}, {"pid", ::getpid()}};
  return common::WriteFileAtomically(options_.info_file, info.dump());
}

}  // namespace gale::s3
