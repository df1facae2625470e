#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"

namespace gale::coordinator {

// Orders for nodes, pulled in heartbeat responses.
enum class TaskKind { kReplicate, kDelete, kVerify };
// pending -> assigned (sent to the node, with a deadline) -> done | failed;
// an assigned task whose deadline passes, or that fails, is pending again
// after a back-off, until it runs out of attempts.
enum class TaskState { kPending, kAssigned, kDone, kFailed };

std::string_view TaskKindName(TaskKind kind);
Result<TaskKind> ParseTaskKind(std::string_view name);
std::string_view TaskStateName(TaskState state);
Result<TaskState> ParseTaskState(std::string_view name);

struct TaskRecord {
  std::string id;
  TaskKind kind = TaskKind::kDelete;
  std::string chunk_id;
  std::string node_id;               // who carries it out
  std::vector<std::string> sources;  // replicate: node ids holding the chunk
  TaskState state = TaskState::kPending;
  int attempts = 0;
  absl::Time created_at = absl::UnixEpoch();
  absl::Time not_before = absl::UnixEpoch();
  absl::Time deadline = absl::UnixEpoch();
  absl::Time finished_at = absl::UnixEpoch();
  int64_t size = 0;  // replicate: the chunk's bytes
  std::string error;
};

}  // namespace gale::coordinator
