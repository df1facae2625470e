#pragma once

#include <vector>

#include "coordinator/node_registry.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace gale::coordinator {

// Exports the registry's figures at scrape time, so they are never stale:
//   gale_nodes{state}       nodes by state (gauge)
//   gale_heartbeats_total   heartbeats accepted (counter)
// Thread-safe; the registry must outlive it.
class RegistryMetrics final : public prometheus::Collectable {
 public:
  explicit RegistryMetrics(const NodeRegistry* registry) : registry_(registry) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const NodeRegistry* const registry_;
};

}  // namespace gale::coordinator
