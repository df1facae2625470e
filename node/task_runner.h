#pragma once

#include <deque>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "node/chunk_store.h"
#include "proto/coordinator.pb.h"

namespace gale::node {

// Runs the orders a node pulls in heartbeat responses on a few worker
// threads, and keeps their outcomes for the next heartbeat. A task id already
// running or done is not run twice (heartbeats may repeat an order after a
// lost response). Thread-safe.
class TaskRunner {
 public:
  TaskRunner(ChunkStore* store, int workers);
  ~TaskRunner();

  void Submit(const std::vector<v1::Task>& tasks);
  // Outcomes finished since the last call.
  std::vector<v1::TaskResult> TakeResults();
  // Gives back outcomes a failed heartbeat could not deliver.
  void Restore(std::vector<v1::TaskResult> results);
  // Stops the workers after the tasks they are running.
  void Stop();

  int64_t completed_total() const;

 private:
  void Work();
  Status Run(const v1::Task& task);

  ChunkStore* const store_;
  mutable absl::Mutex mu_;
  std::deque<v1::Task> queue_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::TaskResult> results_ ABSL_GUARDED_BY(mu_);
  // Recent task ids: a set to look up, a queue to forget the oldest.
  std::unordered_set<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::deque<std::string> seen_order_ ABSL_GUARDED_BY(mu_);
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> workers_;
};

}  // namespace gale::node
