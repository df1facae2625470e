#pragma once

#include <vector>

#include "node/chunk_store.h"
#include "node/heartbeater.h"
#include "node/node_stats.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace gale::node {

// The node's figures, read at scrape time:
//   gale_node_chunks, gale_node_bytes_stored, gale_node_capacity_bytes,
//   gale_node_available_bytes (gauges); gale_node_bytes_read_total,
//   gale_node_bytes_written_total, gale_node_chunks_corrupt_total,
//   gale_node_heartbeat_failures_total (counters); gale_node_registered.
// Thread-safe; the sources must outlive it.
class NodeMetrics final : public prometheus::Collectable {
 public:
  NodeMetrics(const ChunkStore* store, const DataTraffic* traffic, const Heartbeater* heartbeater)
      : store_(store), traffic_(traffic), heartbeater_(heartbeater) {}

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const ChunkStore* const store_;
  const DataTraffic* const traffic_;
  const Heartbeater* const heartbeater_;
};

}  // namespace gale::node
