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
  std::vector<std::pair<const ReportQueue*, uint64_t>> waits;  // until delivered_seq >= this
  std::vector<std::string> to_send;
  {
    absl::MutexLock lock(&reports_->mu);
    for (const auto& [node_id, chunks] : stored) {
      ReportQueue& queue = reports_->queues[node_id];
      for (const std::string& chunk : chunks) queue.queued.emplace_back(chunk, size);
      queue.queued_seq += chunks.size();
      waits.emplace_back(&queue, queue.queued_seq);
      if (!queue.sending) {
        queue.sending = true;
        to_send.push_back(node_id);
      }
    }
  }
  for (const std::string& node_id : to_send) SendReports(stub_, reports_, node_id);
  absl::MutexLock lock(&reports_->mu);
  Status status;
  for (auto& wait : waits) {
    reports_->mu.Await(absl::Condition(
        +[](std::pair<const ReportQueue*, uint64_t>* w) {
          return w->first->delivered_seq >= w->second;
        },
        &wait));
    if (!wait.first->error.ok()) status = wait.first->error;
  }
  return status;
}

void SimulatedNodes::SendReports(v1::Coordinator::Stub* stub, std::shared_ptr<Reports> reports,
                                 const std::string& node_id) {
  struct Report {
    grpc::ClientContext context;
    v1::ReportChunkChangesRequest request;
    v1::ReportChunkChangesResponse response;
    uint64_t end = 0;  // the queue's sequence number after this report
  };
  auto report = std::make_unique<Report>();
  {
    absl::MutexLock lock(&reports->mu);
    ReportQueue& queue = reports->queues[node_id];
    if (queue.queued.empty()) {
      queue.sending = false;
      return;
    }
    report->request.set_node_id(node_id);
    for (const auto& [chunk, size] : queue.queued) {
      v1::ChunkEntry* entry = report->request.add_received();
      entry->set_chunk_id(chunk);
      entry->set_size(size);
    }
    queue.queued.clear();
    report->end = queue.queued_seq;
  }
  report->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  Report* r = report.release();
  stub->async()->ReportChunkChanges(&r->context, &r->request, &r->response,
                                    [stub, reports, r, node_id](grpc::Status status) {
                                      {
                                        absl::MutexLock lock(&reports->mu);
                                        ReportQueue& queue = reports->queues[node_id];
                                        queue.delivered_seq = r->end;
                                        if (!status.ok())
                                          queue.error = common::FromGrpcStatus(status);
                                      }
                                      delete r;
                                      SendReports(stub, reports, node_id);
                                    });
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
