#include "coordinator/network_status.h"

#include <algorithm>

namespace gale::coordinator {

NetworkStatus ComputeNetworkStatus(const NodeRegistry& registry, const ClusterInfo& cluster,
                                   absl::Time now) {
  NetworkStatus status;
  status.cluster_id = cluster.id;
  status.nodes = registry.Summarize();
  status.active_nodes = registry.Active(/*limit=*/0, /*exclude=*/{});
  status.network_uptime_seconds =
      std::max<int64_t>(0, absl::ToInt64Seconds(now - cluster.created_at));
  status.timestamp = now;
  return status;
}

}  // namespace gale::coordinator
