#include "node/node_agent.h"

#include <unistd.h>

#include "common/file_util.h"
#include "common/health_routes.h"
#include "common/strings.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace gale::node {
namespace {

// How long a finished order's result waits for others to share a heartbeat.
constexpr absl::Duration kResultDelay = absl::Milliseconds(20);
// How long an acknowledgement waits for its chunk report to be delivered.
constexpr absl::Duration kReportWait = absl::Seconds(2);

}  // namespace

NodeAgent::NodeAgent(NodeOptions options, common::Clock* clock,
                     std::function<void(Status)> on_fatal)
    : options_(std::move(options)), clock_(clock), on_fatal_(std::move(on_fatal)) {}

NodeAgent::~NodeAgent() { Shutdown(); }

Status NodeAgent::Start() {
  metrics_ = std::make_unique<common::MetricsRegistry>("gale-node");
  http_metrics_ = std::make_unique<common::RequestMetrics>(metrics_->registry(), "gale_node_http",
                                                           "data API requests", "route");
  ChunkStoreOptions store_options;
  store_options.data_dir = options_.data_dir;
  store_options.capacity_bytes = options_.capacity_bytes;
  store_options.reserve_bytes = options_.reserve_bytes;
  store_options.max_chunk_bytes = options_.max_chunk_bytes;
  ASSIGN_OR_RETURN(store_, ChunkStore::Open(store_options));
  ASSIGN_OR_RETURN(identity_, NodeIdentity::Load(store_->paths()));
  stats_ = std::make_unique<StatsSampler>(store_.get(), &traffic_, clock_);
  client::CoordinatorClient::Metadata credentials;
  if (!options_.security.join_token.empty()) {
    credentials.emplace_back(common::kJoinTokenHeader, options_.security.join_token);
  }
  ASSIGN_OR_RETURN(auto channel_credentials, common::GrpcChannelCredentials(options_.tls));
  ASSIGN_OR_RETURN(coordinator_,
                   client::CoordinatorClient::Create(options_.coordinator, absl::Seconds(10),
                                                     credentials, channel_credentials));
  auth_ = std::make_unique<common::Authenticator>(options_.security);
  grants_ = std::make_unique<common::ChunkWriteGrants>(options_.security.join_token);
  if (options_.security.join_token.empty()) {
    spdlog::warn("no security.join_token: this node accepts chunk writes and deletes from anyone");
  }

  common::HttpServerOptions data_options;
  data_options.threads = options_.http_threads;
  data_options.max_stream_bytes = static_cast<size_t>(options_.max_chunk_bytes);
  data_options.read_timeout = absl::Milliseconds(options_.read_timeout_ms);
  data_options.tls = options_.tls;
  data_options.write_timeout = absl::Seconds(30);
  data_server_ = std::make_unique<common::HttpServer>("data", data_options, http_metrics_.get());
  // An acknowledged chunk is known to the coordinator as well as durable
  // here, so a commit never waits on a report that a crash swallowed. The
  // wait is bounded: while the coordinator is away writes still succeed, and
  // the full report after it returns covers them.
  data_api_ = std::make_unique<DataApi>(
      store_.get(), &traffic_,
      [this] {
        if (reporter_ != nullptr) reporter_->WaitDelivered(kReportWait);
      },
      DataApiAccess{auth_.get(), grants_.get(), clock_});
  data_api_->Register(data_server_.get());
  ASSIGN_OR_RETURN(port_, data_server_->Bind(options_.bind_address, options_.port));
  advertised_address_ = options_.AdvertisedAddress(port_);

  HeartbeaterOptions heartbeat_options;
  heartbeat_options.advertise_address = advertised_address_;
  heartbeat_options.zone = options_.zone;
  heartbeat_options.version = std::string(common::GaleVersion());
  heartbeat_options.full_report_interval = absl::Milliseconds(options_.chunk_report_interval_ms);
  peers_ = std::make_unique<client::ChunkTransport>(absl::Seconds(30), options_.tls);
  replication_bandwidth_ =
      std::make_unique<common::RateLimiter>(options_.replication_bandwidth_bytes_per_sec, clock_);
  // A finished order is reported (and the next one fetched) at once.
  tasks_ = std::make_unique<TaskRunner>(store_.get(), peers_.get(), replication_bandwidth_.get(),
                                        options_.task_workers, [this] {
                                          if (heartbeat_loop_ != nullptr)
                                            heartbeat_loop_->RunWithin(kResultDelay);
                                        });
  reporter_ = std::make_unique<ChunkReporter>(
      coordinator_.get(), identity_.get(), [this] { return heartbeater_->registered(); },
      [this] {
        if (report_loop_ != nullptr) report_loop_->TriggerNow();
      },
      [this] { heartbeater_->RequestFullReport(); });
  heartbeater_ =
      std::make_unique<Heartbeater>(coordinator_.get(), store_.get(), identity_.get(), stats_.get(),
                                    tasks_.get(), reporter_.get(), clock_, heartbeat_options);
  store_->SetListener(reporter_.get());
  ScrubberOptions scrub_options;
  scrub_options.bytes_per_second = options_.scrub_bytes_per_sec;
  scrub_options.pass_interval = absl::Milliseconds(options_.scrub_pass_interval_ms);
  scrubber_ = std::make_unique<Scrubber>(store_.get(), clock_, scrub_options);
  node_metrics_ = std::make_unique<NodeMetrics>(NodeMetricSources{
      store_.get(), &traffic_, heartbeater_.get(), tasks_.get(), scrubber_.get()});
  metrics_->AddCollector(node_metrics_.get());

  common::HttpServerOptions metrics_options;
  metrics_options.threads = 4;
  metrics_server_ = std::make_unique<common::HttpServer>("metrics", metrics_options, nullptr);
  common::HealthChecks checks;
  checks.ready = [this] { return Ready(); };
  checks.summary = [this] {
    ChunkStoreStats stats = store_->Stats();
    return nlohmann::json{{"service", "gale-node"},
                          {"version", common::GaleVersion()},
                          {"node_id", identity_->node_id()},
                          {"cluster_id", identity_->cluster_id()},
                          {"address", advertised_address_},
                          {"coordinator", coordinator_->current_address()},
                          {"registered", heartbeater_->registered()},
                          {"chunks", stats.chunks},
                          {"bytes_stored", stats.bytes_used},
                          {"available_bytes", stats.available_bytes}};
  };
  common::AddHealthRoutes(metrics_server_.get(), checks, metrics_.get());
  ASSIGN_OR_RETURN(metrics_port_,
                   metrics_server_->Bind(options_.bind_address, options_.metrics_port));

  data_server_->Start();
  metrics_server_->Start();
  RETURN_IF_ERROR(WriteInfoFile());
  spdlog::info("gale-node {} serving data on {}:{} (advertised as {}), metrics on {}:{}",
               common::GaleVersion(), options_.bind_address, port_, advertised_address_,
               options_.bind_address, metrics_port_);

  heartbeat_loop_ = std::make_unique<common::PeriodicLoop>(
      "heartbeat", absl::Milliseconds(options_.heartbeat_interval_ms), [this] { return Beat(); },
      /*jitter=*/0.1,
      // Never back off far past the coordinator's suspect timeout: a node
      // that stays quiet after an outage would be declared dead.
      /*max_backoff=*/2);
  heartbeat_loop_->Start();
  heartbeat_loop_->TriggerNow();  // register at once
  // Sends chunk changes as soon as they happen (TriggerNow); the period only
  // retries what failed.
  report_loop_ = std::make_unique<common::PeriodicLoop>(
      "chunk-reports", absl::Milliseconds(options_.heartbeat_interval_ms),
      [this] { return reporter_->RunOnce(); }, /*jitter=*/0.1, /*max_backoff=*/2);
  report_loop_->Start();
  if (options_.scrub_bytes_per_sec > 0) {
    scrub_loop_ = std::make_unique<common::PeriodicLoop>("scrub", scrub_options.period,
                                                         [this] { return scrubber_->RunOnce(); });
    scrub_loop_->Start();
  }
  return absl::OkStatus();
}

Status NodeAgent::Beat() {
  Status status = heartbeater_->RunOnce();
  if (absl::IsFailedPrecondition(status)) {
    spdlog::critical("{}", status.message());
    on_fatal_(status);
    return status;
  }
  if (status.ok() && (heartbeater_->poll_soon() || tasks_->busy())) {
    heartbeat_loop_->RunWithin(absl::Milliseconds(options_.task_poll_interval_ms));
  }
  if (heartbeater_->registered() && !info_has_id_) {
    // Now the info file can name the node.
    Status written = WriteInfoFile();
    if (!written.ok()) spdlog::warn("cannot update the info file: {}", written.ToString());
  }
  return status;
}

Status NodeAgent::WriteInfoFile() {
  if (options_.info_file.empty()) return absl::OkStatus();
  std::string node_id = identity_->node_id();
  info_has_id_ = !node_id.empty();
  nlohmann::json info = {{"port", port_},
                         {"metrics_port", metrics_port_},
                         {"pid", ::getpid()},
                         {"node_id", node_id},
                         {"address", advertised_address_}};
  return common::WriteFileAtomically(options_.info_file, info.dump());
}

Status NodeAgent::Ready() const {
  if (!heartbeater_->registered()) {
    return absl::UnavailableError("not registered with a coordinator yet");
  }
  if (::access(store_->paths().TmpDir().c_str(), W_OK) != 0) {
    return absl::UnavailableError(
        StrCat("data directory ", store_->paths().data_dir(), " is not writable"));
  }
  return absl::OkStatus();
}

void NodeAgent::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (heartbeat_loop_ != nullptr) heartbeat_loop_->Stop();
  if (scrub_loop_ != nullptr) scrub_loop_->Stop();
  // Stops accepting; in-flight requests finish (an interrupted upload leaves
  // only a temp file, removed at the next start).
  if (data_server_ != nullptr) data_server_->Stop();
  if (tasks_ != nullptr) tasks_->Stop();
  if (report_loop_ != nullptr) {
    report_loop_->Stop();
    Status flushed = reporter_->RunOnce();  // what the last requests stored
    if (!flushed.ok()) spdlog::warn("final chunk report failed: {}", flushed.ToString());
  }
  if (heartbeater_ != nullptr && heartbeater_->registered()) {
    Status final_beat = heartbeater_->RunOnce();
    if (!final_beat.ok()) spdlog::warn("final heartbeat failed: {}", final_beat.ToString());
  }
  if (metrics_server_ != nullptr) metrics_server_->Stop();
}

}  // namespace gale::node
