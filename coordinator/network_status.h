#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "coordinator/metadata_store.h"
#include "coordinator/node_record.h"
#include "coordinator/node_registry.h"

namespace gale::coordinator {

// The cluster at a glance, as GET /api/v1/network/status and the gRPC
// GetNetworkStatus report it.
struct NetworkStatus {
  std::string cluster_id;
  NodeSummary nodes;
  std::vector<NodeRecord> active_nodes;
  StoreCounts stored;                  // complete files; referenced chunks and their bytes
  int64_t network_uptime_seconds = 0;  // since the cluster was created
  absl::Time timestamp;
};

Result<NetworkStatus> ComputeNetworkStatus(const NodeRegistry& registry, MetadataStore* store,
                                           const ClusterInfo& cluster, absl::Time now);

}  // namespace gale::coordinator
