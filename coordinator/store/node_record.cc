#include "coordinator/store/node_record.h"

#include <cmath>

#include "common/strings.h"
#include "coordinator/store/enum_names.h"

namespace gale::coordinator {

std::string_view NodeStateName(NodeState state) {
  switch (state) {
    case NodeState::kActive:
      return "active";
    case NodeState::kSuspect:
      return "suspect";
    case NodeState::kDead:
      return "dead";
    case NodeState::kMaintenance:
      return "maintenance";
    case NodeState::kDraining:
      return "draining";
    case NodeState::kDecommissioned:
      return "decommissioned";
  }
  return "unknown";
}

Result<NodeState> ParseNodeState(std::string_view name) {
  return ParseEnumName(name, kAllNodeStates, &NodeStateName, "node state",
                       absl::StatusCode::kInvalidArgument);
}

std::string_view CompatStatus(NodeState state) {
  switch (state) {
    case NodeState::kActive:
      return "active";
    case NodeState::kMaintenance:
      return "maintenance";
    default:
      return "inactive";
  }
}

bool IsAdminState(NodeState state) {
  return state == NodeState::kMaintenance || state == NodeState::kDraining ||
         state == NodeState::kDecommissioned;
}

Status ValidateNodeStats(const NodeStats& stats) {
  const std::pair<const char*, int64_t> counters[] = {
      {"storage_used", stats.storage_used},     {"storage_available", stats.storage_available},
      {"chunks_stored", stats.chunks_stored},   {"bandwidth_up", stats.bandwidth_up},
      {"bandwidth_down", stats.bandwidth_down}, {"uptime_seconds", stats.uptime_seconds}};
  for (const auto& [name, value] : counters) {
    if (value < 0) {
      return absl::InvalidArgumentError(StrCat("field 'stats.", name, "' must be >= 0"));
    }
  }
  if (!std::isfinite(stats.cpu_usage) || stats.cpu_usage < 0) {
    return absl::InvalidArgumentError("field 'stats.cpu_usage' must be a finite number >= 0");
  }
  if (!std::isfinite(stats.memory_usage) || stats.memory_usage < 0) {
    return absl::InvalidArgumentError("field 'stats.memory_usage' must be a finite number >= 0");
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
