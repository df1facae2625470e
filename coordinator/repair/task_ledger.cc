#include "coordinator/repair/task_ledger.h"

#include "spdlog/spdlog.h"

namespace gale::coordinator {

Status TaskLedger::Record(std::string_view node_id, const std::vector<TaskOutcome>& results) {
  const absl::Time now = clock_->Now();
  for (const TaskOutcome& result : results) {
    if (!result.ok) {
      spdlog::warn("node {}: task {} failed: {}", node_id, result.task_id, result.error);
    }
    ASSIGN_OR_RETURN(std::optional<TaskRecord> finished,
                     store_->FinishTask(node_id, result.task_id, result.ok, result.error, now,
                                        options_.retry_after, options_.max_attempts));
    if (!finished) continue;  // a repeated or stale result
    if (finished->kind == TaskKind::kReplicate && finished->state == TaskState::kDone) {
      replicated_bytes_total_.fetch_add(finished->size);
    }
    const bool ended = finished->state == TaskState::kDone || finished->state == TaskState::kFailed;
    if (ended && on_finished_) on_finished_(*finished);
  }
  return absl::OkStatus();
}

Result<std::vector<TaskRecord>> TaskLedger::Assign(std::string_view node_id) {
  const absl::Time now = clock_->Now();
  return store_->AssignTasks(node_id, options_.max_tasks_per_heartbeat, now,
                             now + options_.task_deadline);
}

Status TaskLedger::ExpireLate() {
  ASSIGN_OR_RETURN(int expired,
                   store_->ExpireTasks(clock_->Now(), options_.retry_after, options_.max_attempts));
  if (expired > 0) spdlog::warn("{} tasks passed their deadline and will be retried", expired);
  return absl::OkStatus();
}

Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> TaskLedger::Counts() const {
  return store_->CountTasks();
}

}  // namespace gale::coordinator
