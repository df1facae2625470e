#include "coordinator/network_status.h"

#include <algorithm>

namespace gale::coordinator {

Result<NetworkStatus> ComputeNetworkStatus(const NodeRegistry& registry, MetadataStore* store,
                                           const ClusterInfo& cluster, absl::Time now) {
  NetworkStatus status;
  ASSIGN_OR_RETURN(status.stored, store->Counts());
  status.cluster_id = cluster.id;
  status.nodes = registry.Summarize();
  status.active_nodes = registry.Active(/*limit=*/0, /*exclude=*/{});
  status.network_uptime_seconds =
      std::max<int64_t>(0, absl::ToInt64Seconds(now - cluster.created_at));
  status.timestamp = now;
  return status;
}

}  // namespace gale::coordinator
