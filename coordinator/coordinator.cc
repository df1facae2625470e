#include "coordinator/coordinator.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include "common/file_util.h"
#include "common/health_routes.h"
#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/api/access_policy.h"
#include "coordinator/api/grpc_service.h"
#include "coordinator/api/local_file_api.h"
#include "coordinator/api/local_object_api.h"
#include "coordinator/api/local_s3_key_source.h"
#include "coordinator/api/rest_admin_api.h"
#include "coordinator/api/rest_api.h"
#include "coordinator/api/rest_files_api.h"
#include "coordinator/cluster/registry_metrics.h"
#include "coordinator/files/database_admin.h"
#include "coordinator/repair/replication_metrics.h"
#include "coordinator/store/memory/cached_store.h"
#include "coordinator/store/postgres/pg_advisory_lock.h"
#include "coordinator/store/postgres/pg_connection.h"
#include "coordinator/store/store_factory.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// How soon the replication manager runs after a task finishes: a short
// delay lets the results of one heartbeat round arrive together.
constexpr absl::Duration kReplanDelay = absl::Milliseconds(50);

// How often leadership is taken or re-verified. A crashed leader's session
// ends with its process, so a successor leads within about this long.
constexpr absl::Duration kLeaderCheckInterval = absl::Seconds(1);
// Idle gRPC server threads kept for the next calls.
constexpr int kGrpcIdleThreads = 64;

// How a coordinator's lock session names itself, before "host:port".
constexpr std::string_view kSessionPrefix = "gale-coordinator ";

// This coordinator's name in logs and status.
std::string CoordinatorName(int grpc_port) {
  char host[256] = {};
  if (::gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  return StrCat(host[0] != '\0' ? host : "localhost", ":", grpc_port);
}

}  // namespace

Coordinator::Coordinator(CoordinatorOptions options, common::Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

Coordinator::~Coordinator() { Shutdown(); }

Status Coordinator::Start() {
  started_at_ = clock_->Now();
  RETURN_IF_ERROR(common::CreateDirectories(options_.data_dir));
  metrics_ = std::make_unique<common::MetricsRegistry>("gale-coordinator");
  grpc_metrics_ = std::make_unique<common::RequestMetrics>(metrics_->registry(), "gale_grpc",
                                                           "gRPC calls", "method");
  http_metrics_ = std::make_unique<common::RequestMetrics>(metrics_->registry(), "gale_http",
                                                           "REST requests", "route");

  auth_ = std::make_unique<common::Authenticator>(options_.security);
  grants_ = std::make_unique<common::ChunkWriteGrants>(options_.security.join_token);
  if (options_.security.join_token.empty()) {
    spdlog::warn(
        "no security.join_token: any process that reaches this coordinator can register as a "
        "node, and nodes accept chunk writes from anyone");
  }
  if (!options_.security.api_tokens_required()) {
    spdlog::warn("no security.api_tokens: every REST and client gRPC call is allowed");
  }
  ASSIGN_OR_RETURN(store_, OpenMetadataStore(options_.database));
  {
    // The hot reads from memory (docs/DESIGN.md, "What lives in memory").
    // With SQLite this process is the database's only writer; with
    // PostgreSQL the index follows the other coordinators' changes.
    // Migrate() starts building the index; reads go to the database until
    // it is built.
    const bool shared = options_.database.type == "postgres";
    auto cached = std::make_unique<CachedStore>(
        std::move(store_),
        CachedStore::Options{
            .authoritative = !shared,
            .load_in_background = true,
            .follow_changes = shared,
            .staleness_bound = absl::Milliseconds(options_.database.staleness_bound_ms),
            .upload_memory_limit = absl::Milliseconds(options_.gc_grace_ms) / 4,
            .clock = clock_});
    cached_store_ = cached.get();
    store_ = std::move(cached);
  }
  RETURN_IF_ERROR(store_->Migrate());
  ASSIGN_OR_RETURN(cluster_, store_->GetOrCreateCluster(common::NewUuid(), clock_->Now()));
  spdlog::info("metadata store: {} at {} (cluster {})", store_->backend(),
               options_.database.type == "postgres" ? RedactPostgresUrl(options_.database.url)
                                                    : options_.database.path,
               cluster_.id);

  NodeRegistryOptions registry_options;
  registry_options.node_timeout = absl::Milliseconds(options_.node_timeout_ms);
  registry_options.dead_after = absl::Milliseconds(options_.dead_after_ms);
  registry_options.cluster_id = cluster_.id;
  registry_ = std::make_unique<NodeRegistry>(store_.get(), clock_, registry_options);
  RETURN_IF_ERROR(registry_->Load());
  replicas_ = std::make_unique<ReplicaCatalog>(store_.get(), registry_.get(), clock_);
  TaskLedgerOptions task_options;
  task_options.task_deadline = absl::Milliseconds(options_.task_deadline_ms);
  task_options.retry_after = absl::Milliseconds(options_.task_retry_ms);
  task_options.max_attempts = options_.task_max_attempts;
  task_options.max_tasks_per_heartbeat = options_.max_tasks_per_heartbeat;
  tasks_ = std::make_unique<TaskLedger>(store_.get(), clock_, task_options);
  FileServiceOptions file_options;
  file_options.default_replication_factor = options_.default_replication_factor;
  ASSIGN_OR_RETURN(file_options.default_write_mode, ParseWriteMode(options_.default_write_mode));
  file_options.pending_upload_ttl = absl::Milliseconds(options_.pending_upload_ttl_ms);
  file_options.commit_wait = absl::Milliseconds(options_.commit_wait_ms);
  file_options.max_chunk_bytes = options_.max_chunk_bytes;
  file_options.max_chunks_per_file = options_.max_chunks_per_file;
  file_options.placement_reserve_bytes = options_.placement_reserve_bytes;
  file_options.grants = grants_.get();
  files_ = std::make_unique<FileService>(store_.get(), registry_.get(), replicas_.get(), clock_,
                                         file_options);
  objects_ = std::make_unique<ObjectService>(
      store_.get(), files_.get(), clock_,
      ObjectServiceOptions{absl::Milliseconds(options_.multipart_upload_ttl_ms)});
  GarbageCollectorOptions gc_options;
  gc_options.grace = absl::Milliseconds(options_.gc_grace_ms);
  gc_options.task_history = absl::Milliseconds(options_.task_history_ms);
  gc_ = std::make_unique<GarbageCollector>(store_.get(), files_.get(), objects_.get(), tasks_.get(),
                                           clock_, gc_options);
  DatabaseAdminOptions admin_options;
  admin_options.backup_dir = options_.data_dir + "/backups";
  admin_options.task_history = gc_options.task_history;
  admin_options.dead_node_retention = absl::Milliseconds(options_.dead_node_retention_ms);
  database_admin_ = std::make_unique<DatabaseAdmin>(store_.get(), gc_.get(), registry_.get(),
                                                    clock_, admin_options);
  ReplicationOptions replication_options;
  replication_options.max_replications_per_node = options_.max_replications_per_node;
  replication_options.max_replications_total = options_.max_replications_total;
  replication_options.retry_after = absl::Milliseconds(options_.task_retry_ms);
  replication_options.placement_reserve_bytes = options_.placement_reserve_bytes;
  replication_ = std::make_unique<ReplicationManager>(store_.get(), registry_.get(),
                                                      replicas_.get(), clock_, replication_options);
  // Every coordinator keeps the status current; only the leader plans.
  replication_loop_ = std::make_unique<common::PeriodicLoop>(
      "replication", absl::Milliseconds(options_.replication_interval_ms), [this] {
        return leader_->is_leader() ? replication_->RunOnce() : replication_->ObserveOnce();
      });
  // A finished copy or delete frees a transfer slot or changes a chunk's
  // count: plan again soon rather than at the next interval.
  tasks_->SetOnFinished([this](const TaskRecord& task) {
    if (task.kind != TaskKind::kVerify) replication_loop_->RunWithin(kReplanDelay);
  });
  // The master key of S3 secrets never enters the database. Generated into
  // the data dir only with SQLite: coordinators sharing PostgreSQL must share
  // one key, so there it has to be configured.
  S3MasterKeyOptions master_key_options;
  master_key_options.key_hex = options_.s3_master_key;
  master_key_options.key_file = options_.s3_master_key_file;
  if (options_.database.type != "postgres") {
    master_key_options.generated_file = options_.data_dir + "/s3-master-key";
  }
  s3_master_key_ = std::make_unique<S3MasterKey>(std::move(master_key_options));
  RETURN_IF_ERROR(s3_master_key_->Load());
  if (!s3_master_key_->fingerprint().empty()) {
    spdlog::info("S3 master key loaded (fingerprint {})", s3_master_key_->fingerprint());
  } else if (options_.database.type == "postgres") {  // none configured
    spdlog::warn(
        "no coordinator.s3_master_key_file or GALE_S3_MASTER_KEY: S3 keys (`gale s3 keys`) "
        "cannot be created or used until one is set, the same on every coordinator");
  }
  s3_keys_ = std::make_unique<S3KeyService>(store_.get(), s3_master_key_.get(), clock_);
  heartbeats_ =
      std::make_unique<HeartbeatHandler>(registry_.get(), tasks_.get(), replication_.get());
  replication_metrics_ =
      std::make_unique<ReplicationMetrics>(replication_.get(), replicas_.get(), tasks_.get());
  metrics_->AddCollector(replication_metrics_.get());

  if (options_.database.type == "postgres") {
    // The lock connects once the name (with the bound port) is known.
    leader_ = std::make_unique<LeaderElection>(
        [this]() -> Result<bool> {
          if (leader_lock_ == nullptr) return false;
          return leader_lock_->TryAcquire(kLeaderLockKey);
        },
        [this]() -> Result<std::string> {
          if (holder_conn_ == nullptr || !holder_conn_->usable()) {
            ASSIGN_OR_RETURN(holder_conn_, PgConnection::Connect(options_.database.url));
          }
          ASSIGN_OR_RETURN(std::string holder, FindLockHolder(holder_conn_.get(), kLeaderLockKey));
          if (holder.starts_with(kSessionPrefix)) holder.erase(0, kSessionPrefix.size());
          return holder;
        },
        [this](bool leader) { OnLeadershipChange(leader); });
  } else {
    leader_ = std::make_unique<LeaderElection>(nullptr, nullptr, nullptr);
  }
  registry_metrics_ = std::make_unique<RegistryMetrics>(registry_.get(), leader_.get());
  metrics_->AddCollector(registry_metrics_.get());
  Status status = StartServers();
  if (status.ok()) status = StartElection();
  if (!status.ok()) {
    Shutdown();
    return status;
  }
  liveness_loop_ = std::make_unique<common::PeriodicLoop>(
      "liveness", absl::Milliseconds(options_.liveness_flush_interval_ms), [this] {
        if (shared_store_) RETURN_IF_ERROR(registry_->Refresh());
        return registry_->RunOnce();
      });
  liveness_loop_->Start();
  gc_loop_ = std::make_unique<common::PeriodicLoop>(
      "gc", absl::Milliseconds(options_.gc_interval_ms),
      [this] { return leader_->is_leader() ? gc_->RunOnce() : absl::OkStatus(); });
  gc_loop_->Start();
  replication_loop_->Start();
  if (leader_loop_ != nullptr) leader_loop_->Start();

  if (!options_.info_file.empty()) {
    status = WriteInfoFile();
    if (!status.ok()) {
      Shutdown();
      return status;
    }
  }
  serving_ = true;
  spdlog::info("gale-coordinator {} serving: gRPC {}:{}, REST {}:{}, metrics {}:{}{}",
               common::GaleVersion(), options_.bind_address, grpc_port_, options_.bind_address,
               http_port_, options_.bind_address, metrics_port_,
               s3_server_ != nullptr ? StrCat(", S3 ", options_.bind_address, ":", s3_port_,
                                              " (region ", options_.s3.region, ")")
                                     : "");
  return absl::OkStatus();
}

Status Coordinator::StartServers() {
  // gRPC: bind first so that port 0 resolves before anything is announced.
  ServiceContext context;
  context.registry = registry_.get();
  context.replicas = replicas_.get();
  context.files = files_.get();
  context.objects = objects_.get();
  context.heartbeats = heartbeats_.get();
  context.tasks = tasks_.get();
  context.replication = replication_.get();
  context.store = store_.get();
  context.clock = clock_;
  context.cluster = &cluster_;
  context.leader = leader_.get();
  context.auth = auth_.get();
  context.heartbeat_interval_ms = options_.heartbeat_interval_ms;
  context.instance_id = common::NewUuid();
  context.s3_keys = s3_keys_.get();
  grpc_service_ = std::make_unique<CoordinatorGrpcService>(context, grpc_metrics_.get());
  // grpc.health.v1.Health/Check: for gRPC probes, and the no-op call that
  // gale-bench measures the transport against.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  ASSIGN_OR_RETURN(auto credentials, common::GrpcServerCredentials(options_.tls));
  builder.AddListeningPort(StrCat(options_.bind_address, ":", options_.grpc_port), credentials,
                           &grpc_port_);
  // gRPC sets SO_REUSEPORT by default: a second coordinator on this port would
  // bind too and the kernel would split connections between the two.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // The sync server keeps at most MAX_POLLERS idle threads (default 2) and
  // starts a thread whenever fewer than MIN_POLLERS wait: with more calls
  // at once than that, every call started a thread and ended one. Keep
  // enough for the concurrency clients bring.
  builder.SetSyncServerOption(grpc::ServerBuilder::MIN_POLLERS, 2);
  builder.SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS, kGrpcIdleThreads);
  builder.SetMaxReceiveMessageSize(static_cast<int>(options_.grpc_max_message_bytes));
  builder.SetMaxSendMessageSize(static_cast<int>(options_.grpc_max_message_bytes));
  builder.RegisterService(grpc_service_.get());
  grpc_server_ = builder.BuildAndStart();
  if (grpc_server_ == nullptr || grpc_port_ == 0) {
    return absl::UnavailableError(StrCat("cannot listen for gRPC on ", options_.bind_address, ":",
                                         options_.grpc_port, " (in use or not permitted)"));
  }

  common::HttpServerOptions http_options;
  http_options.threads = options_.http_threads;
  http_options.max_body_bytes = static_cast<size_t>(options_.max_request_body_bytes);
  // Gateway uploads stream any size through in bounded memory.
  http_options.max_stream_bytes = std::numeric_limits<int64_t>::max();
  http_options.authorize = [this](std::string_view method, std::string_view route,
                                  const httplib::Request& req) {
    return AuthorizeRest(*auth_, method, route, req);
  };
  http_options.read_timeout = absl::Milliseconds(options_.read_timeout_ms);
  http_options.tls = options_.tls;
  http_options.cors_allowed_origins = options_.cors_allowed_origins;
  http_options.rate_limit_per_second = options_.rate_limit_per_second;
  http_options.rate_limit_burst = options_.rate_limit_burst;
  http_options.clock = clock_;

  rest_api_ = std::make_unique<RestApi>(context);
  rest_server_ = std::make_unique<common::HttpServer>("rest", http_options, http_metrics_.get());
  rest_api_->Register(rest_server_.get());
  local_files_ = std::make_unique<LocalFileApi>(files_.get(), replicas_.get());
  gateway_transport_ = std::make_unique<client::ChunkTransport>(absl::Seconds(30), options_.tls);
  files_rest_api_ =
      std::make_unique<FilesRestApi>(context, local_files_.get(), gateway_transport_.get());
  files_rest_api_->Register(rest_server_.get());
  admin_rest_api_ = std::make_unique<AdminRestApi>(database_admin_.get());
  admin_rest_api_->Register(rest_server_.get());

  common::HealthChecks checks;
  checks.ready = [this] { return Ready(); };
  checks.summary = [this] {
    NodeSummary nodes = registry_->Summarize();
    nlohmann::json by_state = nlohmann::json::object();
    for (const auto& [state, count] : nodes.by_state) by_state[NodeStateName(state)] = count;
    auto schema = store_->SchemaVersion();
    return nlohmann::json{
        {"service", "gale-coordinator"},
        {"version", common::GaleVersion()},
        {"cluster_id", cluster_.id},
        {"uptime_seconds", absl::ToInt64Seconds(clock_->Now() - started_at_)},
        {"database",
         {{"type", store_->backend()},
          {"schema_version", schema.ok() ? *schema : -1},
          {"memory_index", cached_store_ != nullptr ? cached_store_->state() : "none"}}},
        {"nodes", by_state},
        {"coordinator", leader_->self()},
        {"leader", leader_->leader()},
        {"is_leader", leader_->is_leader()},
        {"timestamp", absl::ToUnixSeconds(clock_->Now())}};
  };
  // Health answers on the REST port too, where ZephyrFS serves /health.
  common::AddHealthRoutes(rest_server_.get(), checks, nullptr);

  common::HttpServerOptions metrics_options;
  metrics_options.threads = 4;
  metrics_server_ = std::make_unique<common::HttpServer>("metrics", metrics_options, nullptr);
  common::AddHealthRoutes(metrics_server_.get(), checks, metrics_.get());

  ASSIGN_OR_RETURN(http_port_, rest_server_->Bind(options_.bind_address, options_.http_port));
  ASSIGN_OR_RETURN(metrics_port_,
                   metrics_server_->Bind(options_.bind_address, options_.metrics_port));
  RETURN_IF_ERROR(StartS3());
  rest_server_->Start();
  metrics_server_->Start();
  if (s3_server_ != nullptr) s3_server_->Start();
  return absl::OkStatus();
}

Status Coordinator::StartS3() {
  if (!options_.serve_s3) return absl::OkStatus();
  local_objects_ = std::make_unique<LocalObjectApi>(objects_.get(), files_.get());
  local_s3_keys_ = std::make_unique<LocalS3KeySource>(s3_keys_.get());
  s3::ClusterApis apis;
  apis.objects = local_objects_.get();
  apis.files = local_files_.get();
  apis.upload_files = [this](client::UploadTarget target) -> std::unique_ptr<client::FileApi> {
    return std::make_unique<LocalFileApi>(files_.get(), replicas_.get(), objects_.get(),
                                          std::move(target));
  };
  s3_server_ = std::make_unique<s3::S3ApiServer>(options_.s3, std::move(apis), local_s3_keys_.get(),
                                                 gateway_transport_.get(), clock_,
                                                 metrics_->registry(), options_.tls);
  ASSIGN_OR_RETURN(s3_port_, s3_server_->Bind(options_.bind_address, options_.s3_port));
  return absl::OkStatus();
}

Status Coordinator::StartElection() {
  if (options_.database.type != "postgres") {
    leader_->set_self(CoordinatorName(grpc_port_));
    registry_->SetLeader(true);
    return absl::OkStatus();
  }
  shared_store_ = true;
  const std::string self = CoordinatorName(grpc_port_);
  leader_->set_self(self);
  registry_->SetLeader(false);
  leader_lock_ = std::make_unique<PgSessionLock>(
      WithApplicationName(options_.database.url, StrCat(kSessionPrefix, self)));
  // Try at once, so that a lone coordinator leads from its first second.
  Status first = leader_->RunOnce();
  if (!first.ok()) spdlog::warn("leader election: {}", first.ToString());
  leader_loop_ = std::make_unique<common::PeriodicLoop>("leader", kLeaderCheckInterval,
                                                        [this] { return leader_->RunOnce(); });
  return absl::OkStatus();
}

void Coordinator::OnLeadershipChange(bool leader) {
  registry_->SetLeader(leader);
  if (!leader) return;
  // Start from what the others wrote, then catch up on the loops' work.
  Status refreshed = registry_->Refresh();
  if (!refreshed.ok()) spdlog::warn("registry refresh failed: {}", refreshed.ToString());
  if (replication_loop_ != nullptr) replication_loop_->TriggerNow();
  if (gc_loop_ != nullptr) gc_loop_->TriggerNow();
}

Status Coordinator::WriteInfoFile() const {
  nlohmann::json info = {{"grpc_port", grpc_port_},
                         {"http_port", http_port_},
                         {"metrics_port", metrics_port_},
                         {"pid", ::getpid()},
                         {"cluster_id", cluster_.id}};
  if (s3_server_ != nullptr) info["s3_port"] = s3_port_;
  return common::WriteFileAtomically(options_.info_file, info.dump());
}

Status Coordinator::Ready() const {
  if (!serving_) return absl::UnavailableError("starting up");
  return store_->CheckReady();
}

void Coordinator::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  serving_ = false;
  // Stop accepting requests first, then the loops, then flush and close.
  if (grpc_server_ != nullptr) {
    // New calls may still arrive while draining; they are short, and clients
    // retry whatever the immediate shutdown cancels.
    grpc_service_->WaitUntilIdle(absl::Seconds(5));
    grpc_server_->Shutdown(std::chrono::system_clock::now());
  }
  if (rest_server_ != nullptr) rest_server_->Stop();
  if (s3_server_ != nullptr) s3_server_->Stop();
  if (leader_loop_ != nullptr) leader_loop_->Stop();
  if (liveness_loop_ != nullptr) liveness_loop_->Stop();
  if (gc_loop_ != nullptr) gc_loop_->Stop();
  if (replication_loop_ != nullptr) replication_loop_->Stop();
  if (registry_ != nullptr) {
    Status flushed = registry_->RunOnce();
    if (!flushed.ok()) spdlog::warn("final liveness flush failed: {}", flushed.ToString());
  }
  if (metrics_server_ != nullptr) metrics_server_->Stop();
  if (leader_lock_ != nullptr) leader_lock_->Release();  // another takes over at once
  store_.reset();
}

}  // namespace gale::coordinator
