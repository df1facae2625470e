#include "coordinator/grpc_service.h"

#include "absl/time/clock.h"
#include "common/grpc_util.h"
#include "common/strings.h"
#include "coordinator/network_status.h"
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

void ToProto(const NodeRecord& node, v1::NodeInfo* out) {
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
}

}  // namespace

grpc::Status CoordinatorGrpcService::Handle(std::string_view method,
                                            const std::function<Status()>& body) {
  absl::Time start = absl::Now();
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

void CoordinatorGrpcService::WaitUntilIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_ == 0; };
  mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

grpc::Status CoordinatorGrpcService::RegisterNode(grpc::ServerContext*,
                                                  const v1::RegisterNodeRequest* request,
                                                  v1::RegisterNodeResponse* response) {
  return Handle("RegisterNode", [&]() -> Status {
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

grpc::Status CoordinatorGrpcService::UnregisterNode(grpc::ServerContext*,
                                                    const v1::UnregisterNodeRequest* request,
                                                    v1::UnregisterNodeResponse* response) {
  return Handle("UnregisterNode", [&]() -> Status {
    RETURN_IF_ERROR(ctx_.registry->Unregister(request->node_id(), request->reason()));
    response->set_message("node unregistered");
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::NodeHeartbeat(grpc::ServerContext*,
                                                   const v1::NodeHeartbeatRequest* request,
                                                   v1::NodeHeartbeatResponse* response) {
  return Handle("NodeHeartbeat", [&]() -> Status {
    response->set_heartbeat_interval_ms(ctx_.heartbeat_interval_ms);
    auto result = ctx_.registry->Heartbeat(request->node_id(), FromProto(request->stats()));
    if (absl::IsNotFound(result.status())) {
      // An unknown node (say, after the coordinator lost its database) is
      // told to register again rather than failed.
      response->set_needs_reregister(true);
      response->set_state(v1::NODE_STATE_UNSPECIFIED);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(result.status());
    response->set_needs_reregister(result->needs_reregister);
    response->set_state(ToProto(result->state));
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ReportChunks(
    grpc::ServerContext*, grpc::ServerReader<v1::ReportChunksRequest>* reader,
    v1::ReportChunksResponse* response) {
  // Bounds the memory one report may take (about 100 bytes per entry).
  constexpr size_t kMaxEntries = 20'000'000;
  return Handle("ReportChunks", [&]() -> Status {
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
      for (const auto& entry : batch.chunks()) chunks.push_back({entry.chunk_id(), entry.size()});
    }
    if (node_id.empty()) return absl::InvalidArgumentError("field 'node_id' is required");
    const int64_t count = static_cast<int64_t>(chunks.size());
    RETURN_IF_ERROR(ctx_.replicas->ApplyFullReport(node_id, std::move(chunks)));
    response->set_chunks_recorded(count);
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::GetActiveNodes(grpc::ServerContext*,
                                                    const v1::GetActiveNodesRequest* request,
                                                    v1::GetActiveNodesResponse* response) {
  return Handle("GetActiveNodes", [&]() -> Status {
    if (request->limit() < 0) return absl::InvalidArgumentError("field 'limit' must be >= 0");
    std::vector<std::string> exclude(request->exclude().begin(), request->exclude().end());
    std::vector<NodeRecord> nodes = ctx_.registry->Active(request->limit(), exclude);
    for (const auto& node : nodes) ToProto(node, response->add_nodes());
    response->set_total_nodes(static_cast<int32_t>(nodes.size()));
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::GetNode(grpc::ServerContext*,
                                             const v1::GetNodeRequest* request,
                                             v1::GetNodeResponse* response) {
  return Handle("GetNode", [&]() -> Status {
    ASSIGN_OR_RETURN(NodeRecord node, ctx_.registry->Get(request->node_id()));
    ToProto(node, response->mutable_node());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::ListNodes(grpc::ServerContext*, const v1::ListNodesRequest*,
                                               v1::ListNodesResponse* response) {
  return Handle("ListNodes", [&]() -> Status {
    for (const auto& node : ctx_.registry->List()) ToProto(node, response->add_nodes());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::SetNodeMaintenance(
    grpc::ServerContext*, const v1::SetNodeMaintenanceRequest* request,
    v1::SetNodeMaintenanceResponse* response) {
  return Handle("SetNodeMaintenance", [&]() -> Status {
    ASSIGN_OR_RETURN(NodeRecord node,
                     ctx_.registry->SetMaintenance(request->node_id(), request->enabled()));
    ToProto(node, response->mutable_node());
    return absl::OkStatus();
  });
}

grpc::Status CoordinatorGrpcService::GetNetworkStatus(grpc::ServerContext*,
                                                      const v1::GetNetworkStatusRequest*,
                                                      v1::GetNetworkStatusResponse* response) {
  return Handle("GetNetworkStatus", [&]() -> Status {
    NetworkStatus status = ComputeNetworkStatus(*ctx_.registry, *ctx_.cluster, ctx_.clock->Now());
    v1::NetworkStats* stats = response->mutable_network_stats();
    stats->set_total_nodes(status.nodes.total);
    stats->set_active_nodes(status.nodes.by_state[NodeState::kActive]);
    stats->set_total_storage_capacity(status.nodes.active_capacity_bytes);
    stats->set_total_storage_used(status.nodes.active_used_bytes);
    stats->set_total_files(status.total_files);
    stats->set_total_chunks(status.total_chunks);
    stats->set_average_node_uptime(status.nodes.average_active_uptime_seconds);
    stats->set_network_uptime_seconds(status.network_uptime_seconds);
    for (const auto& [state, count] : status.nodes.by_state) {
      (*stats->mutable_nodes_by_state())[std::string(NodeStateName(state))] = count;
    }
    for (const auto& node : status.active_nodes) ToProto(node, response->add_active_nodes());
    response->set_timestamp_ms(absl::ToUnixMillis(status.timestamp));
    response->set_cluster_id(status.cluster_id);
    return absl::OkStatus();
  });
}

}  // namespace gale::coordinator
