#include "node/heartbeater.h"

#include "common/grpc_util.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::node {

Heartbeater::Heartbeater(client::CoordinatorClient* coordinator, ChunkStore* store,
                         NodeIdentity* identity, StatsSampler* stats, TaskRunner* tasks,
                         ChunkReporter* reporter, common::Clock* clock, HeartbeaterOptions options)
    : coordinator_(coordinator),
      store_(store),
      identity_(identity),
      stats_(stats),
      tasks_(tasks),
      reporter_(reporter),
      clock_(clock),
      options_(std::move(options)) {}

Status Heartbeater::RunOnce() {
  Status status;
  if (!registered_) {
    status = Register();
  } else if (options_.full_report_interval > absl::ZeroDuration() &&
             clock_->Monotonic() - absl::Nanoseconds(last_full_report_ns_.load()) >=
                 options_.full_report_interval) {
    status = ReportChunks();
    if (status.ok()) status = Heartbeat();
  } else {
    status = Heartbeat();
  }
  if (!status.ok()) failures_total_.fetch_add(1);  // the loop logs it
  return status;
}

Status Heartbeater::Register() {
  v1::RegisterNodeRequest request;
  request.set_node_id(identity_->node_id());
  request.set_cluster_id(identity_->cluster_id());
  request.add_addresses(options_.advertise_address);
  request.set_storage_capacity(store_->Stats().capacity_bytes);
  request.set_zone(options_.zone);
  request.set_version(options_.version);
  (*request.mutable_capabilities())["version"] = options_.version;
  (*request.mutable_capabilities())["max_chunk_bytes"] = StrCat(store_->max_chunk_bytes());
  v1::RegisterNodeResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->RegisterNode(context, request, &response); }));

  // The identity is saved before anything else happens, so that a crash
  // right now still brings the node back under the same id and cluster.
  if (identity_->cluster_id().empty()) {
    RETURN_IF_ERROR(identity_->SaveClusterId(response.cluster_id()));
  } else if (identity_->cluster_id() != response.cluster_id()) {
    return absl::FailedPreconditionError(
        StrCat("this data directory belongs to cluster ", identity_->cluster_id(),
               " but the coordinator serves cluster ", response.cluster_id()));
  }
  if (identity_->node_id() != response.node_id()) {
    RETURN_IF_ERROR(identity_->SaveNodeId(response.node_id()));
  }
  registered_ = true;
  spdlog::info("registered with coordinator {} as node {} (cluster {})",
               coordinator_->current_address(), response.node_id(), response.cluster_id());
  Status report = ReportChunks();
  if (!report.ok()) {
    // Without a report the coordinator's view is stale: register again next time.
    registered_ = false;
    return report;
  }
  // Stats at once, so that placement sees this node's free space now rather
  // than a heartbeat interval from now.
  return Heartbeat();
}

Status Heartbeater::ReportChunks() {
  if (reporter_ == nullptr) return SendFullReport();
  return reporter_->Exclusively([this] { return SendFullReport(); });
}

Status Heartbeater::SendFullReport() {
  const absl::Duration started = clock_->Monotonic();
  std::vector<ChunkInfo> chunks = store_->List();
  const std::string node_id = identity_->node_id();
  v1::ReportChunksResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    auto writer = stub->ReportChunks(context, &response);
    size_t next = 0;
    do {  // at least one message, which carries the node id
      v1::ReportChunksRequest batch;
      batch.set_node_id(node_id);
      for (int i = 0; i < options_.report_batch && next < chunks.size(); ++i, ++next) {
        v1::ChunkEntry* entry = batch.add_chunks();
        entry->set_chunk_id(chunks[next].id);
        entry->set_size(chunks[next].size);
      }
      if (!writer->Write(batch)) break;
    } while (next < chunks.size());
    writer->WritesDone();
    return writer->Finish();
  }));
  spdlog::info("reported {} chunks to the coordinator", response.chunks_recorded());
  last_full_report_ns_ = absl::ToInt64Nanoseconds(started);
  return absl::OkStatus();
}

Status Heartbeater::Heartbeat() {
  NodeStatsSample sample = stats_->Sample();
  v1::NodeHeartbeatRequest request;
  request.set_node_id(identity_->node_id());
  v1::NodeStats* stats = request.mutable_stats();
  stats->set_storage_used(sample.storage_used);
  stats->set_storage_available(sample.storage_available);
  stats->set_chunks_stored(sample.chunks_stored);
  stats->set_bandwidth_up(sample.bandwidth_up);
  stats->set_bandwidth_down(sample.bandwidth_down);
  stats->set_cpu_usage(sample.cpu_usage);
  stats->set_memory_usage(sample.memory_usage);
  stats->set_uptime_seconds(sample.uptime_seconds);
  // A result goes out only after the chunk changes its task made, so that a
  // finished copy is already counted when the coordinator hears of it.
  std::vector<v1::TaskResult> results;
  if (reporter_ == nullptr || reporter_->RunOnce().ok()) results = tasks_->TakeResults();
  for (const auto& result : results) *request.add_task_results() = result;
  v1::NodeHeartbeatResponse response;
  Status status = coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->NodeHeartbeat(context, request, &response); });
  if (!status.ok()) tasks_->Restore(std::move(results));  // deliver them next time
  poll_soon_ = status.ok() && response.poll_soon();
  if (status.ok() && response.tasks_size() > 0) {
    tasks_->Submit(std::vector<v1::Task>(response.tasks().begin(), response.tasks().end()));
  }
  if (absl::IsNotFound(status) || (status.ok() && response.needs_reregister())) {
    // The coordinator lost us (a new database) or declared us dead: register
    // again and report what survived.
    spdlog::warn("coordinator asks node {} to register again", identity_->node_id());
    registered_ = false;
    return Register();
  }
  if (!status.ok() || response.coordinator_instance().empty()) return status;
  // A coordinator process this node has not reported to since it
  // registered (restarted, or another one after a failover): whatever the
  // one before held only in memory is gone, so it hears of every chunk.
  // (Remembered once it has the report: a failed one is sent again.)
  if (!coordinator_instance_.empty() && coordinator_instance_ != response.coordinator_instance()) {
    spdlog::info("a new coordinator process answers: sending it a full chunk report");
    RETURN_IF_ERROR(ReportChunks());
  }
  coordinator_instance_ = response.coordinator_instance();
  return absl::OkStatus();
}

}  // namespace gale::node
