// Names of the enums stored in the metadata database and shown in APIs.

#include "coordinator/store/enum_names.h"
#include "coordinator/store/replica_record.h"
#include "coordinator/store/task_record.h"

namespace gale::coordinator {

std::string_view ReplicaStateName(ReplicaState state) {
  switch (state) {
    case ReplicaState::kStored:
      return "stored";
    case ReplicaState::kDeleting:
      return "deleting";
    case ReplicaState::kCorrupt:
      return "corrupt";
  }
  return "stored";
}

Result<ReplicaState> ParseReplicaState(std::string_view name) {
  static constexpr ReplicaState kAll[] = {ReplicaState::kStored, ReplicaState::kDeleting,
                                          ReplicaState::kCorrupt};
  return ParseEnumName(name, kAll, &ReplicaStateName, "replica state", absl::StatusCode::kDataLoss);
}

std::string_view TaskKindName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kReplicate:
      return "replicate";
    case TaskKind::kDelete:
      return "delete";
    case TaskKind::kVerify:
      return "verify";
  }
  return "delete";
}

Result<TaskKind> ParseTaskKind(std::string_view name) {
  static constexpr TaskKind kAll[] = {TaskKind::kReplicate, TaskKind::kDelete, TaskKind::kVerify};
  return ParseEnumName(name, kAll, &TaskKindName, "task kind", absl::StatusCode::kDataLoss);
}

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kPending:
      return "pending";
    case TaskState::kAssigned:
      return "assigned";
    case TaskState::kDone:
      return "done";
    case TaskState::kFailed:
      return "failed";
  }
  return "pending";
}

Result<TaskState> ParseTaskState(std::string_view name) {
  static constexpr TaskState kAll[] = {TaskState::kPending, TaskState::kAssigned, TaskState::kDone,
                                       TaskState::kFailed};
  return ParseEnumName(name, kAll, &TaskStateName, "task state", absl::StatusCode::kDataLoss);
}

}  // namespace gale::coordinator
