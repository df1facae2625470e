#include "coordinator/cluster/heartbeat_handler.h"

namespace gale::coordinator {

Result<HeartbeatReply> HeartbeatHandler::Handle(std::string_view node_id, const NodeStats& stats,
                                                const std::vector<TaskOutcome>& results) {
  HeartbeatReply reply;
  ASSIGN_OR_RETURN(reply.liveness, registry_->Heartbeat(node_id, stats));
  RETURN_IF_ERROR(tasks_->Record(node_id, results));
  // A node that must re-register gets no orders until it has reported what
  // it holds.
  if (reply.liveness.needs_reregister) return reply;
  ASSIGN_OR_RETURN(std::vector<TaskRecord> tasks, tasks_->Assign(node_id));
  std::vector<std::string> source_ids;
  for (const auto& task : tasks) {
    source_ids.insert(source_ids.end(), task.sources.begin(), task.sources.end());
  }
  const auto sources = registry_->Briefs(source_ids);
  for (TaskRecord& task : tasks) {
    NodeOrder order;
    for (const auto& id : task.sources) {
      auto it = sources.find(id);
      if (it != sources.end() && !it->second.address.empty()) {
        order.source_addresses.push_back(it->second.address);
      }
    }
    order.task = std::move(task);
    reply.orders.push_back(std::move(order));
  }
  reply.poll_soon =
      !reply.orders.empty() || (replication_ != nullptr && replication_->status().open_tasks > 0);
  return reply;
}

}  // namespace gale::coordinator
