#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/task_record.h"

namespace gale::coordinator {

struct TaskLedgerOptions {
  absl::Duration task_deadline = absl::Seconds(60);  // an assigned task retries after this
  absl::Duration retry_after = absl::Seconds(5);     // back-off before a retry
  int max_attempts = 5;
  int max_tasks_per_heartbeat = 64;
};

// What a node says about a task it ran.
struct TaskOutcome {
  std::string task_id;
  bool ok = false;
  std::string error;
};

// The orders for nodes, kept in the metadata store so that a coordinator
// restart loses none: handed out in heartbeat responses, finished by the
// results in later heartbeats, retried with back-off when they fail or their
// deadline passes. Thread-safe.
class TaskLedger {
 public:
  TaskLedger(MetadataStore* store, common::Clock* clock, TaskLedgerOptions options)
      : store_(store), clock_(clock), options_(options) {}

  // Called (from the recording thread) for each task a result finishes, done
  // or failed for good. Set before serving.
  void SetOnFinished(std::function<void(const TaskRecord&)> on_finished) {
    on_finished_ = std::move(on_finished);
  }

  // Records a node's results (idempotent).
  Status Record(std::string_view node_id, const std::vector<TaskOutcome>& results);
  // Hands a node its next tasks; they are assigned until their deadline.
  Result<std::vector<TaskRecord>> Assign(std::string_view node_id);
  // Retries assigned tasks whose deadline passed.
  Status ExpireLate();
  Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> Counts() const;
  // Bytes of replicate tasks this coordinator saw finish.
  int64_t replicated_bytes_total() const { return replicated_bytes_total_.load(); }

 private:
  MetadataStore* const store_;
  common::Clock* const clock_;
  const TaskLedgerOptions options_;
  std::atomic<int64_t> replicated_bytes_total_{0};
  std::function<void(const TaskRecord&)> on_finished_;
};

}  // namespace gale::coordinator
