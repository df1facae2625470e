#pragma once

#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/repair/replication_manager.h"
#include "coordinator/repair/task_ledger.h"

namespace gale::coordinator {

// An order as sent to a node: a task with its sources resolved to addresses.
struct NodeOrder {
  TaskRecord task;
  std::vector<std::string> source_addresses;
};

struct HeartbeatReply {
  HeartbeatResult liveness;
  std::vector<NodeOrder> orders;  // empty when the node must re-register
  // Tasks are open in the cluster: the node should poll again soon, so that
  // repairs move at the nodes' pace rather than the heartbeat interval's.
  bool poll_soon = false;
};

// One node heartbeat, whichever API it came through: liveness and stats to
// the registry, task results to the ledger, new tasks back. Thread-safe.
class HeartbeatHandler {
 public:
  // `replication` (may be null) tells whether work is under way.
  HeartbeatHandler(NodeRegistry* registry, TaskLedger* tasks, const ReplicationManager* replication)
      : registry_(registry), tasks_(tasks), replication_(replication) {}

  // NOT_FOUND for an unknown node; INVALID_ARGUMENT for bad stats.
  Result<HeartbeatReply> Handle(std::string_view node_id, const NodeStats& stats,
                                const std::vector<TaskOutcome>& results);

 private:
  NodeRegistry* const registry_;
  TaskLedger* const tasks_;
  const ReplicationManager* const replication_;
};

}  // namespace gale::coordinator
