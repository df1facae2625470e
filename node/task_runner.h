#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "client/chunk_transport.h"
#include "common/rate_limiter.h"
#include "common/status.h"
#include "node/chunk_store.h"
#include "proto/coordinator.pb.h"

namespace gale::node {

// Runs the orders a node pulls in heartbeat responses on a few worker
// threads, and keeps their outcomes for the next heartbeat:
//  - replicate: stream the chunk from the first source that serves it,
//    paced by the replication bandwidth limit, into the store (which checks
//    its SHA-256 before the copy exists);
//  - delete: remove the chunk (absent counts as done);
//  - verify: re-hash the chunk; a bad one is quarantined and fails the task.
// A task id already running or done is not run twice (heartbeats may repeat
// an order after a lost response). Thread-safe.
class TaskRunner {
 public:
  // Everything must outlive the runner. `on_finished` (may be empty) is
  // called from a worker after each task, with its outcome queued.
  TaskRunner(ChunkStore* store, client::ChunkTransport* transport, common::RateLimiter* bandwidth,
             int workers, std::function<void()> on_finished = nullptr);
  ~TaskRunner();

  void Submit(const std::vector<v1::Task>& tasks);
  // Outcomes finished since the last call.
  std::vector<v1::TaskResult> TakeResults();
  // Gives back outcomes a failed heartbeat could not deliver.
  void Restore(std::vector<v1::TaskResult> results);
  // Stops the workers after the tasks they are running.
  void Stop();

  int64_t completed_total() const;
  // Whether tasks are queued or running.
  bool busy() const;
  int64_t replicated_bytes_total() const { return replicated_bytes_.load(); }

 private:
  void Work();
  Status Run(const v1::Task& task);
  Status Replicate(const v1::Task& task);
  Status CopyFrom(const std::string& source, const v1::Task& task);
  // Waits out the bandwidth limit for `bytes`; CANCELLED when stopping.
  Status Pace(int64_t bytes);

  ChunkStore* const store_;
  client::ChunkTransport* const transport_;
  common::RateLimiter* const bandwidth_;
  const std::function<void()> on_finished_;
  std::atomic<int64_t> replicated_bytes_{0};
  mutable absl::Mutex mu_;
  std::deque<v1::Task> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::TaskResult> results_ ABSL_GUARDED_BY(mu_);
  // Recent task ids: a set to look up, a queue to forget the oldest.
  std::unordered_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> seen_order_ ABSL_GUARDED_BY(mu_);
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace gale::node
