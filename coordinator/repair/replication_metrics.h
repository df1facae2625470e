#pragma once

#include <vector>

#include "coordinator/files/replica_catalog.h"
#include "coordinator/repair/replication_manager.h"
#include "coordinator/repair/task_ledger.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace gale::coordinator {

// Exports the replication picture at scrape time:
//   gale_chunks_under_replicated      chunks below their factor (gauge)
//   gale_chunks_lost                  chunks with no readable replica (gauge)
//   gale_chunks_corrupt_total         bad replicas reported by nodes and readers
//   gale_tasks{kind,state}            tasks in the ledger (gauge)
//   gale_replication_bytes_total      bytes copied by finished replicate tasks
//   gale_replication_bytes_per_second repair rate over the last minute (gauge)
//   gale_time_to_redundancy_seconds   estimate; -1 while nothing moves (gauge)
// The chunk gauges are as of the replication manager's last run. Thread-safe;
// everything must outlive it.
class ReplicationMetrics final : public prometheus::Collectable {
 public:
  ReplicationMetrics(const ReplicationManager* manager, const ReplicaCatalog* replicas,
                     const TaskLedger* tasks)
      : manager_(manager), replicas_(replicas), tasks_(tasks) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const ReplicationManager* const manager_;
  const ReplicaCatalog* const replicas_;
  const TaskLedger* const tasks_;
};

}  // namespace gale::coordinator
