#include "coordinator/repair/replication_metrics.h"

#include <string>

#include "common/request_metrics.h"

namespace gale::coordinator {
std::vector<prometheus::MetricFamily> ReplicationMetrics::Collect() const {
  using prometheus::MetricType;
  const ReplicationStatus status = manager_->status();
  std::vector<prometheus::MetricFamily> out;
  out.push_back(
      common::SingleMetric("gale_chunks_under_replicated",
                           "Chunks of complete files with fewer replicas than their factor",
                           MetricType::Gauge, static_cast<double>(status.health.under_replicated)));
  out.push_back(common::SingleMetric("gale_chunks_lost",
                                     "Chunks of complete files with no readable replica",
                                     MetricType::Gauge, static_cast<double>(status.health.lost)));
  out.push_back(common::SingleMetric(
      "gale_chunks_corrupt_total", "Bad replicas reported by nodes (quarantined) and by readers",
      MetricType::Counter, static_cast<double>(replicas_->corrupt_total())));
  out.push_back(common::SingleMetric(
      "gale_replication_bytes_total", "Bytes copied by finished replicate tasks",
      MetricType::Counter, static_cast<double>(tasks_->replicated_bytes_total())));
  out.push_back(common::SingleMetric("gale_replication_bytes_per_second",
                                     "Repair rate over the last minute", MetricType::Gauge,
                                     status.repair_bytes_per_second));
  out.push_back(
      common::SingleMetric("gale_time_to_redundancy_seconds",
                           "Estimated time until every chunk is at its factor (-1: nothing moves)",
                           MetricType::Gauge, status.seconds_to_redundancy));

  prometheus::MetricFamily tasks{
      "gale_tasks", "Tasks in the ledger, by kind and state", MetricType::Gauge, {}};
  auto counts = tasks_->Counts();
  if (counts.ok()) {
    for (const auto& [key, count] : *counts) {
      prometheus::ClientMetric metric;
      metric.label.push_back({"kind", std::string(TaskKindName(key.first))});
      metric.label.push_back({"state", std::string(TaskStateName(key.second))});
      metric.gauge.value = static_cast<double>(count);
      tasks.metric.push_back(std::move(metric));
    }
  }
  out.push_back(std::move(tasks));
  return out;
}

}  // namespace gale::coordinator
