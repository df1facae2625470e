#include "node/chunk_reporter.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace gale::node {

ChunkReporter::ChunkReporter(client::CoordinatorClient* coordinator, const NodeIdentity* identity,
                             std::function<bool()> registered, std::function<void()> on_change,
                             std::function<void()> on_overflow, size_t max_queue)
    : coordinator_(coordinator),
      identity_(identity),
      registered_(std::move(registered)),
      on_change_(std::move(on_change)),
      on_overflow_(std::move(on_overflow)),
      max_queue_(max_queue) {}

void ChunkReporter::OnStored(const std::string& id, int64_t size) {
  Queue({Change::kStored, id, size});
}
void ChunkReporter::OnDeleted(const std::string& id) { Queue({Change::kDeleted, id, 0}); }
void ChunkReporter::OnCorrupt(const std::string& id) { Queue({Change::kCorrupt, id, 0}); }

void ChunkReporter::Queue(Change change) {
  bool overflow = false;
  {
    absl::MutexLock lock(&mu_);
    if (queue_.size() >= max_queue_) {
      // The coordinator has been out of reach for long: a full report after
      // it answers again says everything these changes would.
      queue_.clear();
      delivered_seq_ = queued_seq_;  // nobody waits for dropped changes
      overflow = true;
    } else {
      queue_.push_back(std::move(change));
      ++queued_seq_;
    }
  }
  if (overflow) {
    spdlog::warn("chunk change queue full; asking for a full chunk report instead");
    on_overflow_();
  }
  on_change_();
}

size_t ChunkReporter::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

bool ChunkReporter::WaitDelivered(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  const uint64_t target = queued_seq_;
  auto delivered = [this, target]()
                       ABSL_SHARED_LOCKS_REQUIRED(mu_) { return delivered_seq_ >= target; };
  return mu_.AwaitWithTimeout(absl::Condition(&delivered), timeout);
}

Status ChunkReporter::Exclusively(const std::function<Status()>& full_report) {
  absl::MutexLock lock(&send_mu_);
  return full_report();
}

Status ChunkReporter::RunOnce() {
  if (!registered_()) return absl::OkStatus();  // the full report will cover it
  absl::MutexLock send_lock(&send_mu_);
  std::vector<Change> batch;
  uint64_t batch_end = 0;  // the sequence number of the batch's last change
  {
    absl::MutexLock lock(&mu_);
    batch.swap(queue_);
    batch_end = queued_seq_;
  }
  if (batch.empty()) return absl::OkStatus();
  v1::ReportChunkChangesRequest request;
  request.set_node_id(identity_->node_id());
  for (const Change& change : batch) {
    switch (change.kind) {
      case Change::kStored: {
        v1::ChunkEntry* entry = request.add_received();
        entry->set_chunk_id(change.id);
        entry->set_size(change.size);
        break;
      }
      case Change::kDeleted:
        request.add_deleted(change.id);
        break;
      case Change::kCorrupt:
        request.add_corrupt(change.id);
        break;
    }
  }
  v1::ReportChunkChangesResponse response;
  Status status = coordinator_->Run([&](auto* stub, auto* context) {
    return stub->ReportChunkChanges(context, request, &response);
  });
  if (!status.ok()) {
    // Keep order: what failed goes before what arrived meanwhile.
    absl::MutexLock lock(&mu_);
    batch.insert(batch.end(), std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.end()));
    queue_.swap(batch);
  } else {
    absl::MutexLock lock(&mu_);
    delivered_seq_ = std::max(delivered_seq_, batch_end);
  }
  return status;
}

}  // namespace gale::node
