#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/cluster/leader_election.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/repair/replication_manager.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/node_record.h"

namespace gale::coordinator {

// Tasks in the ledger by what they are doing.
struct TaskTotals {
  int64_t pending = 0;
  int64_t running = 0;  // assigned to a node
  int64_t failed = 0;   // given up, within the task history
};

// The cluster at a glance, as GET /api/v1/network/status, the gRPC
// GetNetworkStatus and `gale status` report it.
struct NetworkStatus {
  std::string cluster_id;
  NodeSummary nodes;
  std::vector<NodeRecord> active_nodes;
  StoreCounts stored;                  // complete files; referenced chunks and their bytes
  int64_t network_uptime_seconds = 0;  // since the cluster was created
  ReplicationStatus replication;       // as of the replication manager's last run
  TaskTotals tasks;
  std::string coordinator;  // the one answering
  std::string leader;       // the one running the background loops ("" unknown)
  absl::Time timestamp;
};

// The status as of `now`, drawn from the Coordinator's domain objects;
// `leader` may be null (no election: coordinator and leader stay "").
Result<NetworkStatus> ComputeNetworkStatus(MetadataStore* store, NodeRegistry* registry,
                                           const ReplicationManager* replication,
                                           const ClusterInfo& cluster, const LeaderElection* leader,
                                           absl::Time now);

// A node's drain progress, when it is draining and the replication manager
// has measured it.
const DrainProgress* FindDrain(const ReplicationStatus& replication, const NodeRecord& node);

}  // namespace gale::coordinator
