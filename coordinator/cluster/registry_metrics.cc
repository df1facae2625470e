#include "coordinator/cluster/registry_metrics.h"

#include <string>

namespace gale::coordinator {

std::vector<prometheus::MetricFamily> RegistryMetrics::Collect() const {
  NodeSummary summary = registry_->Summarize();
  prometheus::MetricFamily nodes{
      "gale_nodes", "Nodes known to the coordinator, by state", prometheus::MetricType::Gauge, {}};
  for (const auto& [state, count] : summary.by_state) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"state", std::string(NodeStateName(state))});
    metric.gauge.value = count;
    nodes.metric.push_back(std::move(metric));
  }
  prometheus::MetricFamily heartbeats{
      "gale_heartbeats_total", "Node heartbeats accepted", prometheus::MetricType::Counter, {}};
  prometheus::ClientMetric total;
  total.counter.value = static_cast<double>(registry_->heartbeats_total());
  heartbeats.metric.push_back(std::move(total));
  prometheus::MetricFamily leader{"gale_coordinator_leader",
                                  "1 while this coordinator runs the background loops",
                                  prometheus::MetricType::Gauge,
                                  {}};
  prometheus::ClientMetric leads;
  leads.gauge.value = leader_->is_leader() ? 1 : 0;
  leader.metric.push_back(std::move(leads));
  return {std::move(nodes), std::move(heartbeats), std::move(leader)};
}

}  // namespace gale::coordinator
