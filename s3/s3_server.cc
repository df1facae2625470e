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
  client::CoordinatorClient::Metadata call_credentials;
  if (!options_.coordinator_token.empty()) {
    call_credentials.emplace_back("authorization", "Bearer " + options_.coordinator_token);
  }
  ASSIGN_OR_RETURN(auto channel_credentials, common::GrpcChannelCredentials(options_.tls));
  ASSIGN_OR_RETURN(coordinator_,
                   client::CoordinatorClient::Create(options_.coordinator, absl::Seconds(30),
                                                     call_credentials, channel_credentials));
  transport_ = std::make_unique<client::ChunkTransport>(absl::Seconds(30), options_.tls);
  apis_ = std::make_unique<GrpcClusterApis>(coordinator_.get());
  key_source_ = std::make_unique<ClusterKeySource>(coordinator_.get());
  api_ =
      std::make_unique<S3ApiServer>(options_.api, apis_->apis(), key_source_.get(),
                                    transport_.get(), clock_, metrics_->registry(), options_.tls);
  ASSIGN_OR_RETURN(port_, api_->Bind(options_.bind_address, options_.port));

  common::HttpServerOptions metrics_options;
  metrics_options.threads = 4;
  metrics_server_ = std::make_unique<common::HttpServer>("metrics", metrics_options, nullptr);
  common::HealthChecks checks;
  checks.ready = [this] { return Ready(); };
  checks.summary = [this] {
    return nlohmann::json{{"service", "gale-s3"},
                          {"version", common::GaleVersion()},
                          {"coordinator", coordinator_->current_address()},
                          {"region", options_.api.region}};
  };
  common::AddHealthRoutes(metrics_server_.get(), checks, metrics_.get());
  ASSIGN_OR_RETURN(metrics_port_,
                   metrics_server_->Bind(options_.bind_address, options_.metrics_port));

  api_->Start();
  metrics_server_->Start();
  RETURN_IF_ERROR(WriteInfoFile());
  spdlog::info("gale-s3 {} serving S3 on {}:{} (region {}), metrics on {}:{}",
               common::GaleVersion(), options_.bind_address, port_, options_.api.region,
               options_.bind_address, metrics_port_);
  return absl::OkStatus();
}

void S3Server::Shutdown() {
  if (api_ != nullptr) api_->Stop();
  if (metrics_server_ != nullptr) metrics_server_->Stop();
}

Status S3Server::Ready() {
  // The coordinators answer a metadata read.
  return api_->backend()->ListBuckets().status();
}

Status S3Server::WriteInfoFile() const {
  if (options_.info_file.empty()) return absl::OkStatus();
  nlohmann::json info = {{"port", port_}, {"metrics_port", metrics_port_}, {"pid", ::getpid()}};
  return common::WriteFileAtomically(options_.info_file, info.dump());
}

}  // namespace gale::s3
