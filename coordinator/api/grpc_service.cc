#include "coordinator/api/grpc_service.h"

#include "absl/container/flat_hash_map.h"
#include "absl/time/clock.h"
#include "common/grpc_util.h"
#include "common/strings.h"
#include "coordinator/api/access_policy.h"
#include "coordinator/api/chunk_report_decoder.h"
#include "coordinator/cluster/network_status.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

v1::NodeState ToProto(NodeState state) {
  switch (state) {
    case NodeState::kActive:
      return v1::NODE_STATE_ACTIVE;
    case NodeState::kSuspect:
      return v1::NODE_STATE_SUSPECT;
    case NodeState::kDead:
      return v1::NODE_STATE_DEAD;
    case NodeState::kMaintenance:
      return v1::NODE_STATE_MAINTENANCE;
    case NodeState::kDraining:
      return v1::NODE_STATE_DRAINING;
    case NodeState::kDecommissioned:
      return v1::NODE_STATE_DECOMMISSIONED;
  }
  return v1::NODE_STATE_UNSPECIFIED;
}

void ToProto(const NodeStats& stats, v1::NodeStats* out) {
  out->set_storage_used(stats.storage_used);
  out->set_storage_available(stats.storage_available);
  out->set_chunks_stored(stats.chunks_stored);
  out->set_bandwidth_up(stats.bandwidth_up);
  out->set_bandwidth_down(stats.bandwidth_down);
  out->set_cpu_usage(stats.cpu_usage);
  out->set_memory_usage(stats.memory_usage);
  out->set_uptime_seconds(stats.uptime_seconds);
}

NodeStats FromProto(const v1::NodeStats& stats) {
  NodeStats out;
  out.storage_used = stats.storage_used();
  out.storage_available = stats.storage_available();
  out.chunks_stored = stats.chunks_stored();
  out.bandwidth_up = stats.bandwidth_up();
  out.bandwidth_down = stats.bandwidth_down();
  out.cpu_usage = stats.cpu_usage();
  out.memory_usage = stats.memory_usage();
  out.uptime_seconds = stats.uptime_seconds();
  return out;
}

void ToProto(const NodeRecord& node, v1::NodeInfo* out, const DrainProgress* drain = nullptr) {
  out->set_node_id(node.id);
  for (const auto& address : node.addresses) out->add_addresses(address);
  out->set_zone(node.zone);
  out->set_storage_capacity(node.capacity_bytes);
  out->mutable_capabilities()->insert(node.capabilities.begin(), node.capabilities.end());
  out->set_version(node.version);
  out->set_state(ToProto(node.state));
  ToProto(node.stats, out->mutable_stats());
  out->set_registered_at_ms(absl::ToUnixMillis(node.registered_at));
  out->set_last_heartbeat_ms(absl::ToUnixMillis(node.last_heartbeat));
  if (drain != nullptr) {
    out->mutable_drain()->set_chunks_left(drain->chunks_left);
    out->mutable_drain()->set_bytes_left(drain->bytes_left);
    out->mutable_drain()->set_eta_seconds(drain->eta_seconds);
  }
}

v1::WriteMode ToProto(WriteMode mode) {
  switch (mode) {
    case WriteMode::kSync:
      return v1::WRITE_MODE_SYNC;
    case WriteMode::kQuorum:
      return v1::WRITE_MODE_QUORUM;
    case WriteMode::kAsync:
      return v1::WRITE_MODE_ASYNC;
  }
  return v1::WRITE_MODE_UNSPECIFIED;
}

Result<std::optional<WriteMode>> FromProto(v1::WriteMode mode) {
  switch (mode) {
    case v1::WRITE_MODE_UNSPECIFIED:
      return std::optional<WriteMode>();
    case v1::WRITE_MODE_SYNC:
      return std::optional<WriteMode>(WriteMode::kSync);
    case v1::WRITE_MODE_QUORUM:
      return std::optional<WriteMode>(WriteMode::kQuorum);
    case v1::WRITE_MODE_ASYNC:
      return std::optional<WriteMode>(WriteMode::kAsync);
    default:
      return absl::InvalidArgumentError("field 'write_mode' is not a known write mode");
  }
}

void ToProto(LiveReplica&& replica, v1::Replica* out) {
  out->set_node_id(std::move(replica.node_id));
  out->set_address(std::move(replica.address));
  out->set_node_state(ToProto(replica.node_state));
}

void ToProto(const FileRecord& file, v1::FileInfo* out) {
  out->set_file_id(file.id);
  out->set_name(file.name);
  out->set_size(file.size);
  out->set_sha256(file.sha256);
  out->set_chunk_size(file.chunk_size);
  out->set_replication_factor(file.replication_factor);
  out->set_write_mode(ToProto(file.write_mode));
  out->set_state(std::string(FileStateName(file.state)));
  out->set_owner(file.owner);
  out->set_created_at_ms(absl::ToUnixMillis(file.created_at));
  out->set_last_accessed_ms(absl::ToUnixMillis(file.last_accessed));
  out->set_chunk_count(file.chunk_count);
}

// Moves the view's strings into the message (a file's chunks and their
// replicas are most of the answer). With `node_table`, each node's id and
// address go into `nodes` once and replicas refer to them by index.
void ToProto(FileView&& view, v1::FileInfo* out, bool node_table = false) {
  ToProto(view.file, out);
  absl::flat_hash_map<std::string, int> node_index;
  out->mutable_chunks()->Reserve(static_cast<int>(view.chunks.size()));
  for (auto& chunk : view.chunks) {
    v1::FileChunk* c = out->add_chunks();
    c->set_index(chunk.ref.index);
    c->set_chunk_id(std::move(chunk.ref.chunk_id));
    c->set_size(chunk.ref.size);
    c->mutable_replicas()->Reserve(static_cast<int>(chunk.replicas.size()));
    for (auto& replica : chunk.replicas) {
      if (!node_table) {
        ToProto(std::move(replica), c->add_replicas());
        continue;
      }
      auto [at, added] = node_index.try_emplace(replica.node_id, out->nodes_size());
      if (added) {
        v1::ReplicaNode* node = out->add_nodes();
        node->set_node_id(std::move(replica.node_id));
        node->set_address(std::move(replica.address));
      }
      v1::Replica* r = c->add_replicas();
      r->set_node(at->second);
      r->set_node_state(ToProto(replica.node_state));
    }
  }
}

void ToProto(const std::vector<ChunkPlacement>& placements,
             google::protobuf::RepeatedPtrField<v1::ChunkPlacement>* out) {
  for (const ChunkPlacement& placement : placements) {
    v1::ChunkPlacement* p = out->Add();
    p->set_index(placement.index);
    p->set_chunk_id(placement.chunk_id);
    p->set_already_stored(placement.already_stored);
    p->set_write_grant(placement.write_grant);
    for (const auto& target : placement.targets) {
      v1::Target* t = p->add_targets();
      t->set_node_id(target.node_id);
      t->set_address(target.address);
    }
  }
}

std::vector<FileChunkRef> ChunkRefs(
    const google::protobuf::RepeatedPtrField<v1::ChunkSpec>& specs) {
  std::vector<FileChunkRef> chunks;
  chunks.reserve(specs.size());
  for (const v1::ChunkSpec& c : specs) chunks.push_back({c.index(), c.chunk_id(), c.size()});
  return chunks;
}

void ToProto(const BucketRecord& bucket, v1::Bucket* out) {
  out->set_name(bucket.name);
  out->set_owner(bucket.owner);
  out->set_created_at_ms(absl::ToUnixMillis(bucket.created_at));
}

void ToProto(const ObjectRecord& object, v1::ObjectInfo* out) {
  v1::ObjectAttributes* a = out->mutable_attributes();
  a->set_bucket(object.bucket);
  a->set_key(object.key);
  a->set_etag(object.etag);
  a->set_content_type(object.content_type);
  a->mutable_metadata()->insert(object.metadata.begin(), object.metadata.end());
  a->mutable_tags()->insert(object.tags.begin(), object.tags.end());
  out->set_file_id(object.file_id);
  out->set_size(object.size);
  out->set_modified_at_ms(absl::ToUnixMillis(object.modified_at));
}

ObjectRecord FromProto(const v1::ObjectAttributes& a) {
  ObjectRecord object;
  object.bucket = a.bucket();
  object.key = a.key();
  object.etag = a.etag();
  object.content_type = a.content_type();
  object.metadata.insert(a.metadata().begin(), a.metadata().end());
  object.tags.insert(a.tags().begin(), a.tags().end());
  return object;
}

void ToProto(const MultipartUploadRecord& upload, v1::MultipartUpload* out) {
  out->set_upload_id(upload.id);
  v1::ObjectAttributes* a = out->mutable_attributes();
  a->set_bucket(upload.bucket);
  a->set_key(upload.key);
  a->set_content_type(upload.content_type);
  a->mutable_metadata()->insert(upload.metadata.begin(), upload.metadata.end());
  a->mutable_tags()->insert(upload.tags.begin(), upload.tags.end());
  out->set_owner(upload.owner);
  out->set_created_at_ms(absl::ToUnixMillis(upload.created_at));
}

void ToProto(const PartRecord& part, v1::Part* out) {
  out->set_part_number(part.part_number);
  out->set_file_id(part.file_id);
  out->set_size(part.size);
  out->set_etag(part.etag);
  out->set_modified_at_ms(absl::ToUnixMillis(part.modified_at));
}

v1::TaskKind ToProto(TaskKind kind) {
  switch (kind) {
    case TaskKind::kReplicate:
      return v1::TASK_KIND_REPLICATE;
    case TaskKind::kDelete:
      return v1::TASK_KIND_DELETE;
    case TaskKind::kVerify:
      return v1::TASK_KIND_VERIFY;
  }
  return v1::TASK_KIND_UNSPECIFIED;
}

}  // namespace

grpc::Status CoordinatorGrpcService::Handle(std::string_view method, grpc::ServerContext* context,
                                            const std::function<Status()>& body) {
  absl::Time start = absl::Now();
  if (Status allowed = Authorize(method, context); !allowed.ok()) {
    if (metrics_ != nullptr) {
      metrics_->Record(method, absl::StatusCodeToString(allowed.code()), absl::Now() - start);
    }
    return common::ToGrpcStatus(allowed);
  }
  {
    absl::MutexLock lock(&mu_);
    ++in_flight_;
  }
  Status status;
  try {
    status = body();
  } catch (const std::exception& e) {
    spdlog::error("gRPC {} failed: {}", method, e.what());
    status = absl::InternalError(StrCat(method, ": ", e.what()));
  }
  {
    absl::MutexLock lock(&mu_);
    --in_flight_;
  }
  if (metrics_ != nullptr) {
    metrics_->Record(method, absl::StatusCodeToString(status.code()), absl::Now() - start);
  }
  return common::ToGrpcStatus(status);
}

Status CoordinatorGrpcService::Authorize(std::string_view method,
                                         const grpc::ServerContext* context) const {
  if (ctx_.auth == nullptr) return absl::OkStatus();
  const common::Access access = GrpcAccess(method);
  const auto& metadata = context->client_metadata();
  auto value = [&](std::string_view key) -> std::optional<std::string_view> {
    auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
    if (it == metadata.end()) return std::nullopt;
    return std::string_view(it->second.data(), it->second.size());
  };
  std::optional<std::string_view> token;
  if (access == common::Access::kNode) token = value(common::kJoinTokenHeader);
  if (!token) {
    if (auto authorization = value("authorization")) token = common::BearerToken(*authorization);
  }
  return ctx_.auth->Check(access, token);
}

void CoordinatorGrpcService::WaitUntilIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

grpc::Status CoordinatorGrpcService::RegisterNode(grpc::ServerContext* context,
                                                  const v1::RegisterNodeRequest* request,
                                                  v1::RegisterNodeResponse* response) {
  return Handle("RegisterNode", context, [&]() -> Status {
    NodeRegistration registration;
    registration.node_id = request->node_id();
    registration.addresses.assign(request->addresses().begin(), request->addresses().end());
    registration.capacity_bytes = request->storage_capacity();
    registration.zone = request->zone();
    registration.version = request->version();
    registration.capabilities.insert(request->capabilities().begin(),
                                     request->capabilities().end());
    registration.cluster_id = request->cluster_id();
    ASSIGN_OR_RETURN(RegisterResult result, ctx_.registry->Register(std::move(registration)));
    response->set_node_id(result.node.id);
    response->set_cluster_id(ctx_.cluster->id);
    for (const auto& peer : result.bootstrap_peers) response->add_bootstrap_peers(peer);
    response->set_heartbeat_interval_ms(ctx_.heartbeat_interval_ms);
    response->set_message(result.created ? "node registered" : "node re-registered");
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::UnregisterNode(grpc::ServerContext* context,
                                                    const v1::UnregisterNodeRequest* request,
                                                    v1::UnregisterNodeResponse* response) {
  return Handle("UnregisterNode", context, [&]() -> Status {
    RETURN_IF_ERROR(ctx_.registry->Unregister(request->node_id(), request->reason()));
    response->set_message("node unregistered");
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::NodeHeartbeat(grpc::ServerContext* context,
                                                   const v1::NodeHeartbeatRequest* request,
                                                   v1::NodeHeartbeatResponse* response) {
  return Handle("NodeHeartbeat", context, [&]() -> Status {
    response->set_heartbeat_interval_ms(ctx_.heartbeat_interval_ms);
    response->set_coordinator_instance(ctx_.instance_id);
    std::vector<TaskOutcome> results;
    for (const auto& r : request->task_results()) {
      results.push_back({r.task_id(), r.ok(), r.error()});
    }
    auto reply = ctx_.heartbeats->Handle(request->node_id(), FromProto(request->stats()), results);
    if (absl::IsNotFound(reply.status())) {
      // An unknown node (say, after the coordinator lost its database) is
      // told to register again rather than failed.
      response->set_needs_reregister(true);
      response->set_state(v1::NODE_STATE_UNSPECIFIED);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(reply.status());
    response->set_needs_reregister(reply->liveness.needs_reregister);
    response->set_state(ToProto(reply->liveness.state));
    response->set_poll_soon(reply->poll_soon);
    for (const NodeOrder& order : reply->orders) {
      v1::Task* task = response->add_tasks();
      task->set_task_id(order.task.id);
      task->set_kind(ToProto(order.task.kind));
      task->set_chunk_id(order.task.chunk_id);
      for (const auto& source : order.source_addresses) task->add_sources(source);
      task->set_deadline_ms(absl::ToUnixMillis(order.task.deadline));
      task->set_size(order.task.size);
    }
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ReportChunks(
    grpc::ServerContext* context, grpc::ServerReader<v1::ReportChunksRequest>* reader,
    v1::ReportChunksResponse* response) {
  // Bounds the memory one report may take (about 100 bytes per entry).
  constexpr size_t kMaxEntries = 20'000'000;
  return Handle("ReportChunks", context, [&]() -> Status {
    std::string node_id;
    std::vector<ChunkReplica> chunks;
    v1::ReportChunksRequest batch;
    while (reader->Read(&batch)) {
      if (node_id.empty()) node_id = batch.node_id();
      if (!batch.node_id().empty() && batch.node_id() != node_id) {
        return absl::InvalidArgumentError("field 'node_id' changed within one report");
      }
      if (chunks.size() + batch.chunks_size() > kMaxEntries) {
        return absl::ResourceExhaustedError(
            StrCat("a chunk report may list at most ", kMaxEntries, " chunks"));
      }
      AppendReportBatch(batch, &chunks);
    }
    if (node_id.empty()) return absl::InvalidArgumentError("field 'node_id' is required");
    const int64_t count = static_cast<int64_t>(chunks.size());
    RETURN_IF_ERROR(ctx_.replicas->ApplyFullReport(node_id, std::move(chunks)));
    response->set_chunks_recorded(count);
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ReportChunkChanges(
    grpc::ServerContext* context, const v1::ReportChunkChangesRequest* request,
    v1::ReportChunkChangesResponse*) {
  return Handle("ReportChunkChanges", context, [&]() -> Status {
    ChunkChanges changes = DecodeChunkChanges(*request);
    return ctx_.replicas->ApplyChanges(changes.node_id, changes.received, changes.deleted,
                                       changes.corrupt);
  });
}

grpc::Status CoordinatorGrpcService::CreateFile(grpc::ServerContext* context,
                                                const v1::CreateFileRequest* request,
                                                v1::CreateFileResponse* response) {
  return Handle("CreateFile", context, [&]() -> Status {
    CreateFileArgs args;
    args.name = request->name();
    args.size = request->size();
    args.replication_factor = request->replication_factor();
    ASSIGN_OR_RETURN(args.write_mode, FromProto(request->write_mode()));
    args.chunk_size = request->chunk_size();
    args.overwrite = request->overwrite();
    args.owner = request->owner();
    FileRecord file;
    if (request->has_object() && request->has_part()) {
      return absl::InvalidArgumentError("a file is an object's upload or a part, not both");
    }
    if (request->has_object()) {
      ASSIGN_OR_RETURN(file, ctx_.objects->BeginObject(request->object().bucket(),
                                                       request->object().key(), std::move(args)));
    } else if (request->has_part()) {
      ASSIGN_OR_RETURN(
          file, ctx_.objects->BeginPart(request->part().upload_id(), request->part().part_number(),
                                        std::move(args)));
    } else {
      ASSIGN_OR_RETURN(file, ctx_.files->CreateFile(std::move(args)));
    }
    if (!request->chunks().empty()) {
      ASSIGN_OR_RETURN(std::vector<ChunkPlacement> placements,
                       ctx_.files->AllocateFirstChunks(file.id, ChunkRefs(request->chunks())));
      ToProto(placements, response->mutable_placements());
    }
    response->set_file_id(file.id);
    response->set_replication_factor(file.replication_factor);
    response->set_write_mode(ToProto(file.write_mode));
    response->set_expires_at_ms(absl::ToUnixMillis(file.expires_at));
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::AllocateChunks(grpc::ServerContext* context,
                                                    const v1::AllocateChunksRequest* request,
                                                    v1::AllocateChunksResponse* response) {
  return Handle("AllocateChunks", context, [&]() -> Status {
    std::set<std::string> exclude(request->exclude_nodes().begin(), request->exclude_nodes().end());
    std::set<std::string> stored_on(request->stored_on().begin(), request->stored_on().end());
    ASSIGN_OR_RETURN(std::vector<ChunkPlacement> placements,
                     ctx_.files->AllocateChunks(request->file_id(), ChunkRefs(request->chunks()),
                                                exclude, stored_on));
    ToProto(placements, response->mutable_placements());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::CommitFile(grpc::ServerContext* context,
                                                const v1::CommitFileRequest* request,
                                                v1::CommitFileResponse* response) {
  return Handle("CommitFile", context, [&]() -> Status {
    if (request->has_object() && request->has_part()) {
      return absl::InvalidArgumentError("a file commits as an object or a part, not both");
    }
    Result<FileRecord> committed = absl::UnknownError("");
    if (request->has_object()) {
      committed = ctx_.objects->CommitObject(request->file_id(), request->size(), request->sha256(),
                                             FromProto(request->object()));
    } else if (request->has_part()) {
      const v1::PartCommit& part = request->part();
      committed = ctx_.objects->CommitPart(
          request->file_id(), request->size(), request->sha256(),
          PartRecord{part.upload_id(), part.part_number(), "", 0, part.etag()});
    } else {
      committed = ctx_.files->CommitFile(request->file_id(), request->size(), request->sha256());
    }
    RETURN_IF_ERROR(committed.status());
    FileView view{*std::move(committed), {}};
    if (!request->without_chunks()) {
      ASSIGN_OR_RETURN(view, ctx_.files->GetFile(view.file.id, /*with_chunks=*/true));
    }
    ToProto(std::move(view), response->mutable_file());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::AbortFile(grpc::ServerContext* context,
                                               const v1::AbortFileRequest* request,
                                               v1::AbortFileResponse*) {
  return Handle("AbortFile", context, [&]() { return ctx_.files->AbortFile(request->file_id()); });
}

grpc::Status CoordinatorGrpcService::GetFile(grpc::ServerContext* context,
                                             const v1::GetFileRequest* request,
                                             v1::GetFileResponse* response) {
  return Handle("GetFile", context, [&]() -> Status {
    ASSIGN_OR_RETURN(FileView view, ctx_.files->GetFile(request->file(), request->with_chunks()));
    ToProto(std::move(view), response->mutable_file(), request->node_table());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListFiles(grpc::ServerContext* context,
                                               const v1::ListFilesRequest* request,
                                               v1::ListFilesResponse* response) {
  return Handle("ListFiles", context, [&]() -> Status {
    ASSIGN_OR_RETURN(FilePage page, ctx_.files->ListFiles(request->prefix(), request->limit(),
                                                          request->cursor(), request->sort()));
    for (const auto& file : page.files) ToProto(file, response->add_files());
    response->set_next_cursor(page.next_cursor);
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::DeleteFile(grpc::ServerContext* context,
                                                const v1::DeleteFileRequest* request,
                                                v1::DeleteFileResponse*) {
  return Handle("DeleteFile", context, [&]() { return ctx_.files->DeleteFile(request->file()); });
}

grpc::Status CoordinatorGrpcService::GetChunkLocations(grpc::ServerContext* context,
                                                       const v1::GetChunkLocationsRequest* request,
                                                       v1::GetChunkLocationsResponse* response) {
  return Handle("GetChunkLocations", context, [&]() -> Status {
    ASSIGN_OR_RETURN(auto locations,
                     ctx_.files->GetChunkLocations(request->chunk_id(), /*with_files=*/false));
    response->set_size(locations.chunk.size);
    for (auto& replica : locations.replicas) ToProto(std::move(replica), response->add_replicas());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ReportBadReplica(grpc::ServerContext* context,
                                                      const v1::ReportBadReplicaRequest* request,
                                                      v1::ReportBadReplicaResponse*) {
  return Handle("ReportBadReplica", context, [&]() {
    return ctx_.replicas->ReportBad(request->chunk_id(), request->node_id(), request->reason());
  });
}

grpc::Status CoordinatorGrpcService::GetActiveNodes(grpc::ServerContext* context,
                                                    const v1::GetActiveNodesRequest* request,
                                                    v1::GetActiveNodesResponse* response) {
  return Handle("GetActiveNodes", context, [&]() -> Status {
    if (request->limit() < 0) return absl::InvalidArgumentError("field 'limit' must be >= 0");
    std::vector<std::string> exclude(request->exclude().begin(), request->exclude().end());
    std::vector<NodeRecord> nodes = ctx_.registry->Active(request->limit(), exclude);
    for (const auto& node : nodes) ToProto(node, response->add_nodes());
    response->set_total_nodes(static_cast<int32_t>(nodes.size()));
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::GetNode(grpc::ServerContext* context,
                                             const v1::GetNodeRequest* request,
                                             v1::GetNodeResponse* response) {
  return Handle("GetNode", context, [&]() -> Status {
    ASSIGN_OR_RETURN(NodeRecord node, ctx_.registry->Get(request->node_id()));
    ToProto(node, response->mutable_node(), FindDrain(ctx_.replication->status(), node));
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListNodes(grpc::ServerContext* context,
                                               const v1::ListNodesRequest*,
                                               v1::ListNodesResponse* response) {
  return Handle("ListNodes", context, [&]() -> Status {
    const ReplicationStatus replication = ctx_.replication->status();
    for (const auto& node : ctx_.registry->List()) {
      ToProto(node, response->add_nodes(), FindDrain(replication, node));
    }
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::SetNodeMaintenance(
    grpc::ServerContext* context, const v1::SetNodeMaintenanceRequest* request,
    v1::SetNodeMaintenanceResponse* response) {
  return Handle("SetNodeMaintenance", context, [&]() -> Status {
    ASSIGN_OR_RETURN(NodeRecord node,
                     ctx_.registry->SetMaintenance(request->node_id(), request->enabled()));
    ToProto(node, response->mutable_node());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::DrainNode(grpc::ServerContext* context,
                                               const v1::DrainNodeRequest* request,
                                               v1::DrainNodeResponse* response) {
  return Handle("DrainNode", context, [&]() -> Status {
    ASSIGN_OR_RETURN(NodeRecord node, ctx_.registry->Drain(request->node_id()));
    ToProto(node, response->mutable_node(), FindDrain(ctx_.replication->status(), node));
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::GetNetworkStatus(grpc::ServerContext* context,
                                                      const v1::GetNetworkStatusRequest*,
                                                      v1::GetNetworkStatusResponse* response) {
  return Handle("GetNetworkStatus", context, [&]() -> Status {
    ASSIGN_OR_RETURN(NetworkStatus status,
                     ComputeNetworkStatus(ctx_.store, ctx_.registry, ctx_.replication,
                                          *ctx_.cluster, ctx_.leader, ctx_.clock->Now()));
    v1::NetworkStats* stats = response->mutable_network_stats();
    stats->set_total_nodes(status.nodes.total);
    stats->set_active_nodes(status.nodes.by_state[NodeState::kActive]);
    stats->set_total_storage_capacity(status.nodes.active_capacity_bytes);
    stats->set_total_storage_used(status.nodes.active_used_bytes);
    stats->set_total_files(status.stored.files);
    stats->set_total_chunks(status.stored.chunks);
    stats->set_average_node_uptime(status.nodes.average_active_uptime_seconds);
    stats->set_network_uptime_seconds(status.network_uptime_seconds);
    for (const auto& [state, count] : status.nodes.by_state) {
      (*stats->mutable_nodes_by_state())[std::string(NodeStateName(state))] = count;
    }
    for (const auto& node : status.active_nodes) ToProto(node, response->add_active_nodes());
    response->set_timestamp_ms(absl::ToUnixMillis(status.timestamp));
    response->set_cluster_id(status.cluster_id);
    response->set_coordinator(status.coordinator);
    response->set_leader(status.leader);
    v1::ReplicationHealth* health = response->mutable_replication();
    const ReplicationStatus& replication = status.replication;
    health->set_under_replicated(replication.health.under_replicated);
    health->set_over_replicated(replication.health.over_replicated);
    health->set_lost(replication.health.lost);
    health->set_corrupt_replicas(replication.health.corrupt_replicas);
    health->set_missing_bytes(replication.health.missing_bytes);
    health->set_tasks_pending(status.tasks.pending);
    health->set_tasks_running(status.tasks.running);
    health->set_tasks_failed(status.tasks.failed);
    health->set_repair_bytes_per_second(replication.repair_bytes_per_second);
    health->set_seconds_to_redundancy(replication.seconds_to_redundancy);
    health->set_as_of_ms(absl::ToUnixMillis(replication.as_of));
    for (const auto& [node_id, drain] : replication.drains) {
      v1::DrainProgress& out = (*health->mutable_drains())[node_id];
      out.set_chunks_left(drain.chunks_left);
      out.set_bytes_left(drain.bytes_left);
      out.set_eta_seconds(drain.eta_seconds);
    }
    return absl::OkStatus();
  });
}

// ---- buckets and objects ----------------------------------------------------

grpc::Status CoordinatorGrpcService::CreateBucket(grpc::ServerContext* context,
                                                  const v1::CreateBucketRequest* request,
                                                  v1::CreateBucketResponse*) {
  return Handle("CreateBucket", context,
                [&]() { return ctx_.objects->CreateBucket(request->name(), request->owner()); });
}

grpc::Status CoordinatorGrpcService::GetBucket(grpc::ServerContext* context,
                                               const v1::GetBucketRequest* request,
                                               v1::GetBucketResponse* response) {
  return Handle("GetBucket", context, [&]() -> Status {
    ASSIGN_OR_RETURN(BucketRecord bucket, ctx_.objects->GetBucket(request->name()));
    ToProto(bucket, response->mutable_bucket());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListBuckets(grpc::ServerContext* context,
                                                 const v1::ListBucketsRequest*,
                                                 v1::ListBucketsResponse* response) {
  return Handle("ListBuckets", context, [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, ctx_.objects->ListBuckets());
    for (const auto& bucket : buckets) ToProto(bucket, response->add_buckets());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::DeleteBucket(grpc::ServerContext* context,
                                                  const v1::DeleteBucketRequest* request,
                                                  v1::DeleteBucketResponse*) {
  return Handle("DeleteBucket", context,
                [&]() { return ctx_.objects->DeleteBucket(request->name()); });
}

grpc::Status CoordinatorGrpcService::GetObject(grpc::ServerContext* context,
                                               const v1::GetObjectRequest* request,
                                               v1::GetObjectResponse* response) {
  return Handle("GetObject", context, [&]() -> Status {
    ASSIGN_OR_RETURN(ObjectRecord object,
                     ctx_.objects->GetObject(request->bucket(), request->key()));
    ToProto(object, response->mutable_object());
    if (request->with_chunks()) {
      ASSIGN_OR_RETURN(FileView file, ctx_.files->GetFile(object.file_id, /*with_chunks=*/true));
      ToProto(std::move(file), response->mutable_file());
    }
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListObjects(grpc::ServerContext* context,
                                                 const v1::ListObjectsRequest* request,
                                                 v1::ListObjectsResponse* response) {
  return Handle("ListObjects", context, [&]() -> Status {
    ObjectListRequest list{request->bucket(),      request->prefix(),   request->delimiter(),
                           request->start_after(), request->max_keys(), request->summaries()};
    ASSIGN_OR_RETURN(ObjectListing listing, ctx_.objects->ListObjects(list));
    for (const auto& object : listing.objects) ToProto(object, response->add_objects());
    for (const auto& prefix : listing.common_prefixes) response->add_common_prefixes(prefix);
    response->set_truncated(listing.truncated);
    response->set_last(listing.last);
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::DeleteObject(grpc::ServerContext* context,
                                                  const v1::DeleteObjectRequest* request,
                                                  v1::DeleteObjectResponse*) {
  return Handle("DeleteObject", context,
                [&]() { return ctx_.objects->DeleteObject(request->bucket(), request->key()); });
}

grpc::Status CoordinatorGrpcService::SetObjectTags(grpc::ServerContext* context,
                                                   const v1::SetObjectTagsRequest* request,
                                                   v1::SetObjectTagsResponse*) {
  return Handle("SetObjectTags", context, [&]() {
    std::map<std::string, std::string> tags(request->tags().begin(), request->tags().end());
    return ctx_.objects->SetObjectTags(request->bucket(), request->key(), tags);
  });
}

grpc::Status CoordinatorGrpcService::CopyObject(grpc::ServerContext* context,
                                                const v1::CopyObjectRequest* request,
                                                v1::CopyObjectResponse* response) {
  return Handle("CopyObject", context, [&]() -> Status {
    ASSIGN_OR_RETURN(
        ObjectRecord object,
        ctx_.objects->CopyObject(request->source_bucket(), request->source_key(),
                                 request->source_file_id(), FromProto(request->target())));
    ToProto(object, response->mutable_object());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::CreateMultipartUpload(
    grpc::ServerContext* context, const v1::CreateMultipartUploadRequest* request,
    v1::CreateMultipartUploadResponse* response) {
  return Handle("CreateMultipartUpload", context, [&]() -> Status {
    const ObjectRecord attributes = FromProto(request->attributes());
    MultipartUploadRecord upload;
    upload.bucket = attributes.bucket;
    upload.key = attributes.key;
    upload.owner = request->owner();
    upload.content_type = attributes.content_type;
    upload.metadata = attributes.metadata;
    upload.tags = attributes.tags;
    ASSIGN_OR_RETURN(upload, ctx_.objects->CreateMultipartUpload(std::move(upload)));
    ToProto(upload, response->mutable_upload());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::GetMultipartUpload(
    grpc::ServerContext* context, const v1::GetMultipartUploadRequest* request,
    v1::GetMultipartUploadResponse* response) {
  return Handle("GetMultipartUpload", context, [&]() -> Status {
    ASSIGN_OR_RETURN(MultipartUploadRecord upload,
                     ctx_.objects->GetMultipartUpload(request->upload_id()));
    ToProto(upload, response->mutable_upload());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListMultipartUploads(
    grpc::ServerContext* context, const v1::ListMultipartUploadsRequest* request,
    v1::ListMultipartUploadsResponse* response) {
  return Handle("ListMultipartUploads", context, [&]() -> Status {
    MultipartUploadQuery query{request->bucket(), request->prefix(), request->after_key(),
                               request->after_upload_id(), request->max_uploads()};
    ASSIGN_OR_RETURN(std::vector<MultipartUploadRecord> uploads,
                     ctx_.objects->ListMultipartUploads(query));
    for (const auto& upload : uploads) ToProto(upload, response->add_uploads());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListParts(grpc::ServerContext* context,
                                               const v1::ListPartsRequest* request,
                                               v1::ListPartsResponse* response) {
  return Handle("ListParts", context, [&]() -> Status {
    ASSIGN_OR_RETURN(std::vector<PartRecord> parts, ctx_.objects->ListParts(request->upload_id()));
    for (const auto& part : parts) ToProto(part, response->add_parts());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::AbortMultipartUpload(
    grpc::ServerContext* context, const v1::AbortMultipartUploadRequest* request,
    v1::AbortMultipartUploadResponse*) {
  return Handle("AbortMultipartUpload", context,
                [&]() { return ctx_.objects->AbortMultipartUpload(request->upload_id()); });
}

grpc::Status CoordinatorGrpcService::CompleteMultipartUpload(
    grpc::ServerContext* context, const v1::CompleteMultipartUploadRequest* request,
    v1::CompleteMultipartUploadResponse* response) {
  return Handle("CompleteMultipartUpload", context, [&]() -> Status {
    std::vector<PartRecord> parts;
    for (const v1::Part& part : request->parts()) {
      parts.push_back(PartRecord{request->upload_id(), part.part_number(), part.file_id()});
    }
    ASSIGN_OR_RETURN(ObjectRecord object, ctx_.objects->CompleteMultipartUpload(
                                              request->upload_id(), parts, request->etag()));
    ToProto(object, response->mutable_object());
    return absl::OkStatus();
  });
}

// ---- S3 keys ------------------------------------------------------------------

namespace {

// Without the secret unless `secret` is given.
void ToProto(const S3KeyRecord& key, const std::string* secret, v1::S3Key* out) {
  out->set_access_key(key.access_key_id);
  if (secret != nullptr) out->set_secret_key(*secret);
  out->set_owner(key.owner);
  out->set_read_only(key.read_only);
  for (const std::string& bucket : key.buckets) out->add_buckets(bucket);
  out->set_created_at_ms(absl::ToUnixMillis(key.created_at));
}

Status NoS3Keys() {
  return absl::FailedPreconditionError("this coordinator does not keep S3 keys");
}

}  // namespace

grpc::Status CoordinatorGrpcService::CreateS3Key(grpc::ServerContext* context,
                                                 const v1::CreateS3KeyRequest* request,
                                                 v1::CreateS3KeyResponse* response) {
  return Handle("CreateS3Key", context, [&]() -> Status {
    if (ctx_.s3_keys == nullptr) return NoS3Keys();
    S3KeySpec spec;
    spec.owner = request->owner();
    spec.read_only = request->read_only();
    spec.buckets.assign(request->buckets().begin(), request->buckets().end());
    ASSIGN_OR_RETURN(S3KeySecret created, ctx_.s3_keys->Create(std::move(spec)));
    ToProto(created.key, &created.secret, response->mutable_key());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListS3Keys(grpc::ServerContext* context,
                                                const v1::ListS3KeysRequest*,
                                                v1::ListS3KeysResponse* response) {
  return Handle("ListS3Keys", context, [&]() -> Status {
    if (ctx_.s3_keys == nullptr) return NoS3Keys();
    ASSIGN_OR_RETURN(std::vector<S3KeyRecord> keys, ctx_.s3_keys->List());
    for (const auto& key : keys) ToProto(key, nullptr, response->add_keys());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::DeleteS3Key(grpc::ServerContext* context,
                                                 const v1::DeleteS3KeyRequest* request,
                                                 v1::DeleteS3KeyResponse*) {
  return Handle("DeleteS3Key", context, [&]() -> Status {
    if (ctx_.s3_keys == nullptr) return NoS3Keys();
    return ctx_.s3_keys->Delete(request->access_key());
  });
}

grpc::Status CoordinatorGrpcService::GetS3Key(grpc::ServerContext* context,
                                              const v1::GetS3KeyRequest* request,
                                              v1::GetS3KeyResponse* response) {
  return Handle("GetS3Key", context, [&]() -> Status {
    if (ctx_.s3_keys == nullptr) return NoS3Keys();
    ASSIGN_OR_RETURN(S3KeySecret found, ctx_.s3_keys->Resolve(request->access_key()));
    ToProto(found.key, &found.secret, response->mutable_key());
    return absl::OkStatus();
  });
}

}  // namespace gale::coordinator
