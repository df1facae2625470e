#pragma once

#include <vector>

#include "coordinator/cluster/leader_election.h"
#include "coordinator/cluster/node_registry.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace gale::coordinator {

// Exports the registry's figures at scrape time, so they are never stale:
//   gale_nodes{state}       nodes by state (gauge)
//   gale_heartbeats_total   heartbeats accepted (counter)
//   gale_coordinator_leader 1 while this coordinator runs the background
//                           loops, else 0 (gauge; summed over coordinators,
//                           exactly 1 in a healthy cluster)
// Thread-safe; the registry and the election must outlive it.
class RegistryMetrics final : public prometheus::Collectable {
 public:
  RegistryMetrics(const NodeRegistry* registry, const LeaderElection* leader)
      : registry_(registry), leader_(leader) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const NodeRegistry* const registry_;
  const LeaderElection* const leader_;
};

}  // namespace gale::coordinator
