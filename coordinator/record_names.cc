// Names of the enums stored in the metadata database and shown in APIs.

#include "common/strings.h"
#include "coordinator/replica_record.h"
#include "coordinator/task_record.h"

namespace gale::coordinator {
namespace {

// Looks `name` up among the names of `values`; DATA_LOSS otherwise (these
// names only come from the database).
template <typename Enum, size_t N>
Result<Enum> ParseName(std::string_view name, const Enum (&values)[N],
                       std::string_view (*name_of)(Enum), std::string_view what) {
  for (Enum value : values) {
    if (name_of(value) == name) return value;
  }
  return absl::DataLossError(StrCat("unknown ", what, " '", EscapeForMessage(name), "'"));
}

}  // namespace

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
  return ParseName(name, kAll, &ReplicaStateName, "replica state");
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
  return ParseName(name, kAll, &TaskKindName, "task kind");
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
  return ParseName(name, kAll, &TaskStateName, "task state");
}

}  // namespace gale::coordinator
