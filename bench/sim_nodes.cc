#include "bench/sim_nodes.h"

#include <chrono>
#include <random>

#include "absl/synchronization/mutex.h"
#include "bench/rpc.h"
#include "common/strings.h"

namespace gale::bench {

Status SimulatedNodes::Register(int count, int64_t capacity_bytes,
                                const std::vector<std::string>& known_ids) {
  capacity_bytes_ = capacity_bytes;
  for (int i = 0; i < count; ++i) {
    v1::RegisterNodeRequest request;
    if (static_cast<size_t>(i) < known_ids.size()) request.set_node_id(known_ids[i]);
    // A port nothing listens on, unique per node (never dialled: these
    // nodes' chunks are never read).
    request.add_addresses(StrCat("127.0.0.1:", 1 + i % 60000));
    request.set_storage_capacity(capacity_bytes);
    request.set_version("gale-bench");
    request.set_zone(StrCat("sim-", i % 3));
    v1::RegisterNodeResponse response;
    RETURN_IF_ERROR(Call(stub_, &v1::Coordinator::Stub::RegisterNode, request, &response));
    ids_.push_back(response.node_id());
    // As a gale-node does: its stats (free space) come with its first
    // heartbeat, and until then no chunk is placed on it.
    RETURN_IF_ERROR(Heartbeat(static_cast<int>(ids_.size()) - 1));
  }
  return absl::OkStatus();
}

Status SimulatedNodes::Heartbeat(int i) {
  v1::NodeHeartbeatRequest request;
  request.set_node_id(id(i));
  v1::NodeStats* stats = request.mutable_stats();
  stats->set_storage_available(capacity_bytes_);
  stats->set_cpu_usage(1.5);
  stats->set_memory_usage(64 << 20);
  stats->set_uptime_seconds(60);
  v1::NodeHeartbeatResponse response;
  RETURN_IF_ERROR(Call(stub_, &v1::Coordinator::Stub::NodeHeartbeat, request, &response));
  if (response.needs_reregister()) {
    return absl::FailedPreconditionError(StrCat("node ", id(i), " was told to register again"));
  }
  return absl::OkStatus();
}

Status SimulatedNodes::ReportStored(const std::map<std::string, std::vector<std::string>>& stored,
                                    int64_t size) {
  struct Report {
    grpc::ClientContext context;
    v1::ReportChunkChangesRequest request;
    v1::ReportChunkChangesResponse response;
    grpc::Status status;
  };
  std::vector<Report> reports(stored.size());
  absl::Mutex mu;
  size_t pending = stored.size();
  size_t i = 0;
  for (const auto& [node_id, chunks] : stored) {
    Report& report = reports[i++];
    report.context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    report.request.set_node_id(node_id);
    for (const std::string& chunk : chunks) {
      v1::ChunkEntry* entry = report.request.add_received();
      entry->set_chunk_id(chunk);
      entry->set_size(size);
    }
    stub_->async()->ReportChunkChanges(&report.context, &report.request, &report.response,
                                       [&report, &mu, &pending](grpc::Status status) {
                                         absl::MutexLock lock(&mu);
                                         report.status = std::move(status);
                                         --pending;
                                       });
  }
  absl::MutexLock lock(&mu);
  mu.Await(absl::Condition(
      +[](size_t* left) { return *left == 0; }, &pending));
  for (const Report& report : reports) {
    RETURN_IF_ERROR(common::FromGrpcStatus(report.status));
  }
  return absl::OkStatus();
}

void SimulatedNodes::StartKeepAlive(int interval_ms) {
  stop_ = false;
  keep_alive_ = std::thread([this, interval_ms] {
    while (!stop_) {
      const auto next = std::chrono::steady_clock::now() + std::chrono::milliseconds(interval_ms);
      for (int i = 0; i < count() && !stop_; ++i) (void)Heartbeat(i);
      while (!stop_ && std::chrono::steady_clock::now() < next) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  });
}

void SimulatedNodes::StopKeepAlive() {
  stop_ = true;
  if (keep_alive_.joinable()) keep_alive_.join();
}

std::string RandomChunkId() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(64, '0');
  for (size_t i = 0; i < id.size(); i += 16) {
    uint64_t bits = rng();
    for (size_t j = 0; j < 16; ++j) id[i + j] = kHex[(bits >> (4 * j)) & 15];
  }
  return id;
}

}  // namespace gale::bench
