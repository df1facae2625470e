#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"

namespace gale::coordinator {

// Where a node is in its life. active -> suspect (no heartbeat for
// node_timeout) -> dead (no heartbeat for dead_after, or unregistered);
// maintenance, draining and decommissioned are set by operators.
enum class NodeState { kActive, kSuspect, kDead, kMaintenance, kDraining, kDecommissioned };

inline constexpr std::array<NodeState, 6> kAllNodeStates = {
    NodeState::kActive,      NodeState::kSuspect,  NodeState::kDead,
    NodeState::kMaintenance, NodeState::kDraining, NodeState::kDecommissioned};

// "active", "suspect", ... as stored and shown in the `state` field.
std::string_view NodeStateName(NodeState state);
Result<NodeState> ParseNodeState(std::string_view name);
// The ZephyrFS-compatible `status`: "active", "inactive" or "maintenance".
std::string_view CompatStatus(NodeState state);
// States an operator sets; liveness does not change them.
bool IsAdminState(NodeState state);

// What a node reports about itself in heartbeats.
struct NodeStats {
  int64_t storage_used = 0;
  int64_t storage_available = 0;
  int64_t chunks_stored = 0;
  int64_t bandwidth_up = 0;    // bytes per second
  int64_t bandwidth_down = 0;  // bytes per second
  double cpu_usage = 0;        // percent of one core
  double memory_usage = 0;     // resident bytes
  int64_t uptime_seconds = 0;
};

// Field names as in the APIs ("stats.storage_used must be >= 0").
Status ValidateNodeStats(const NodeStats& stats);

// A registered node as the coordinator keeps it.
struct NodeRecord {
  std::string id;
  std::vector<std::string> addresses;  // data API host:port, as advertised
  std::string zone;
  int64_t capacity_bytes = 0;
  std::map<std::string, std::string> capabilities;
  std::string version;
  NodeState state = NodeState::kActive;
  NodeStats stats;
  absl::Time registered_at = absl::UnixEpoch();
  absl::Time last_heartbeat = absl::UnixEpoch();
};

// The cluster's identity, fixed when the metadata database is created.
struct ClusterInfo {
  std::string id;
  absl::Time created_at = absl::UnixEpoch();
};

}  // namespace gale::coordinator
