#include "coordinator/cluster/network_status.h"

#include <algorithm>

namespace gale::coordinator {

Result<NetworkStatus> ComputeNetworkStatus(const ServiceContext& ctx) {
  const absl::Time now = ctx.clock->Now();
  NetworkStatus status;
  ASSIGN_OR_RETURN(status.stored, ctx.store->Counts());
  ASSIGN_OR_RETURN(auto tasks, ctx.store->CountTasks());
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
  status.cluster_id = ctx.cluster->id;
  status.nodes = ctx.registry->Summarize();
  status.active_nodes = ctx.registry->Active(/*limit=*/0, /*exclude=*/{});
  status.network_uptime_seconds =
      std::max<int64_t>(0, absl::ToInt64Seconds(now - ctx.cluster->created_at));
  status.replication = ctx.replication->status();
  status.timestamp = now;
  if (ctx.leader != nullptr) {
    status.coordinator = ctx.leader->self();
    status.leader = ctx.leader->leader();
  }
  return status;
}

const DrainProgress* FindDrain(const ReplicationStatus& replication, const NodeRecord& node) {
  if (node.state != NodeState::kDraining) return nullptr;
  auto it = replication.drains.find(node.id);
  return it == replication.drains.end() ? nullptr : &it->second;
}

}  // namespace gale::coordinator
