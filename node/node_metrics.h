#pragma once

#include <vector>

#include "node/chunk_store.h"
#include "node/heartbeater.h"
#include "node/node_stats.h"
#include "node/scrubber.h"
#include "node/task_runner.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace gale::node {

// Where the node's figures come from; everything must outlive the metrics.
struct NodeMetricSources {
  const ChunkStore* store = nullptr;
  const DataTraffic* traffic = nullptr;
  const Heartbeater* heartbeater = nullptr;
  const TaskRunner* tasks = nullptr;
  const Scrubber* scrubber = nullptr;
};

// The node's figures, read at scrape time:
//   gale_node_chunks, gale_node_bytes_stored, gale_node_capacity_bytes,
//   gale_node_available_bytes (gauges); gale_node_bytes_read_total,
//   gale_node_bytes_written_total, gale_node_chunks_corrupt_total,
//   gale_node_heartbeat_failures_total, gale_node_tasks_completed_total,
//   gale_node_replicated_bytes_total, gale_node_scrubbed_bytes_total,
//   gale_node_scrub_passes_total (counters); gale_node_registered.
// Thread-safe.
class NodeMetrics final : public prometheus::Collectable {
 public:
  explicit NodeMetrics(NodeMetricSources sources) : s_(sources) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const NodeMetricSources s_;
};

}  // namespace gale::node
