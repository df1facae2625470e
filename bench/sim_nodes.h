#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "proto/coordinator.grpc.pb.h"

namespace gale::bench {

// Storage nodes that exist only as gRPC calls: they register with made-up
// data addresses (nothing listens there), heartbeat, and report the chunks
// the benchmark says they stored. They let the control-plane scenarios load
// the coordinator with a thousand nodes, and commit files without moving
// bytes. Thread-safe after Register.
class SimulatedNodes {
 public:
  // `stub` must outlive this.
  explicit SimulatedNodes(v1::Coordinator::Stub* stub) : stub_(stub) {}
  ~SimulatedNodes() { StopKeepAlive(); }

  // Registers `count` nodes of `capacity_bytes` each, under the ids in
  // `known_ids` where given (nodes the store already holds), else new ones.
  Status Register(int count, int64_t capacity_bytes,
                  const std::vector<std::string>& known_ids = {});
  int count() const { return static_cast<int>(ids_.size()); }
  const std::string& id(int i) const { return ids_.at(static_cast<size_t>(i)); }

  // One heartbeat of node `i`, with stats.
  Status Heartbeat(int i);
  // Each node (by id) stored its chunks, of `size` bytes each; returns once
  // every node's report of them has been answered. As a gale-node's
  // ChunkReporter does, each node has one report in flight at a time and
  // sends what queued meanwhile (other uploads' chunks too) in its next
  // one; the nodes report independently, at once.
  Status ReportStored(const std::map<std::string, std::vector<std::string>>& stored, int64_t size);

  // Heartbeats every node every `interval_ms` on a thread of its own, so
  // that they stay active while a scenario loads something else.
  void StartKeepAlive(int interval_ms);
  void StopKeepAlive();

 private:
  // One node's chunk receipts not yet answered.
  struct ReportQueue {
    std::vector<std::pair<std::string, int64_t>> queued;  // chunk id, size
    uint64_t queued_seq = 0;                              // receipts ever queued
    uint64_t delivered_seq = 0;                           // receipts answered (OK or not)
    bool sending = false;
    Status error;  // the last failed report's
  };
  // Every node's queue; shared with the reports in flight, whose callbacks
  // may run their last step after this object is gone.
  struct Reports {
    absl::Mutex mu;
    std::map<std::string, ReportQueue> queues ABSL_GUARDED_BY(mu);
  };
  // Sends `node_id`'s queued receipts, and again when they are answered,
  // until none are left. Its caller set `sending`.
  static void SendReports(v1::Coordinator::Stub* stub, std::shared_ptr<Reports> reports,
                          const std::string& node_id);

  v1::Coordinator::Stub* const stub_;
  const std::shared_ptr<Reports> reports_ = std::make_shared<Reports>();
  std::vector<std::string> ids_;
  int64_t capacity_bytes_ = 0;
  std::atomic<bool> stop_{false};
  std::thread keep_alive_;
};

// A random lowercase hex SHA-256-shaped chunk id (never a real hash).
std::string RandomChunkId();

}  // namespace gale::bench
