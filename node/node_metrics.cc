#include "node/node_metrics.h"

#include "common/request_metrics.h"

namespace gale::node {
std::vector<prometheus::MetricFamily> NodeMetrics::Collect() const {
  using prometheus::MetricType;
  ChunkStoreStats stats = s_.store->Stats();
  auto d = [](int64_t v) { return static_cast<double>(v); };
  return {
      common::SingleMetric("gale_node_chunks", "Chunks stored on this node", MetricType::Gauge,
                           d(stats.chunks)),
      common::SingleMetric("gale_node_bytes_stored", "Bytes of chunk data stored",
                           MetricType::Gauge, d(stats.bytes_used)),
      common::SingleMetric("gale_node_capacity_bytes", "Bytes this node may hold",
                           MetricType::Gauge, d(stats.capacity_bytes)),
      common::SingleMetric("gale_node_available_bytes",
                           "Bytes writable within capacity and reserve", MetricType::Gauge,
                           d(stats.available_bytes)),
      common::SingleMetric("gale_node_bytes_read_total", "Chunk bytes served", MetricType::Counter,
                           d(s_.traffic->bytes_sent.load())),
      common::SingleMetric("gale_node_bytes_written_total", "Chunk bytes received for storing",
                           MetricType::Counter, d(s_.traffic->bytes_received.load())),
      common::SingleMetric("gale_node_chunks_corrupt_total",
                           "Chunks that failed verification and were quarantined",
                           MetricType::Counter, d(s_.store->corrupt_total())),
      common::SingleMetric("gale_node_heartbeat_failures_total",
                           "Failed registrations and heartbeats", MetricType::Counter,
                           d(s_.heartbeater->failures_total())),
      common::SingleMetric("gale_node_registered", "1 when registered with a coordinator",
                           MetricType::Gauge, s_.heartbeater->registered() ? 1 : 0),
      common::SingleMetric("gale_node_tasks_completed_total",
                           "Orders (replicate, delete, verify) finished", MetricType::Counter,
                           d(s_.tasks->completed_total())),
      common::SingleMetric("gale_node_replicated_bytes_total",
                           "Chunk bytes copied from other nodes", MetricType::Counter,
                           d(s_.tasks->replicated_bytes_total())),
      common::SingleMetric("gale_node_scrubbed_bytes_total",
                           "Chunk bytes re-hashed by the scrubber", MetricType::Counter,
                           d(s_.scrubber->scrubbed_bytes_total())),
      common::SingleMetric("gale_node_scrub_passes_total", "Completed scrub passes over all chunks",
                           MetricType::Counter, d(s_.scrubber->passes_total())),
  };
}

}  // namespace gale::node
