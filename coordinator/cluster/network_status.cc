#include "coordinator/cluster/network_status.h"

#include <algorithm>

namespace gale::coordinator {

Result<NetworkStatus> ComputeNetworkStatus(MetadataStore* store, NodeRegistry* registry,
                                           const ReplicationManager* replication,
                                           const ClusterInfo& cluster, const LeaderElection* leader,
                                           absl::Time now) {
  NetworkStatus status;
  ASSIGN_OR_RETURN(status.stored, store->Counts());
  ASSIGN_OR_RETURN(auto tasks, store->CountTasks());
  for (const auto& [key, count] : tasks) {
    switch (key.second) {
      case TaskState::kPending:
        status.tasks.pending += count;
        break;
      case TaskState::kAssigned:
        status.tasks.running += count;
        break;
      case TaskState::kFailed:
        status.tasks.failed += count;
        break;
      case TaskState::kDone:
        break;
    }
  }
  status.cluster_id = cluster.id;
  status.nodes = registry->Summarize();
  status.active_nodes = registry->Active(/*limit=*/0, /*exclude=*/{});
  status.network_uptime_seconds =
      std::max<int64_t>(0, absl::ToInt64Seconds(now - cluster.created_at));
  status.replication = replication->status();
  status.timestamp = now;
  if (leader != nullptr) {
    status.coordinator = leader->self();
    status.leader = leader->leader();
  }
  return status;
}

const DrainProgress* FindDrain(const ReplicationStatus& replication, const NodeRecord& node) {
  if (node.state != NodeState::kDraining) return nullptr;
  auto it = replication.drains.find(node.id);
  return it == replication.drains.end() ? nullptr : &it->second;
}

}  // namespace gale::coordinator
