#include "node/node_metrics.h"

namespace gale::node {
namespace {

prometheus::MetricFamily One(const char* name, const char* help, prometheus::MetricType type,
                             double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return prometheus::MetricFamily{name, help, type, {metric}};
}

}  // namespace

std::vector<prometheus::MetricFamily> NodeMetrics::Collect() const {
  using prometheus::MetricType;
  ChunkStoreStats stats = store_->Stats();
  auto d = [](int64_t v) { return static_cast<double>(v); };
  return {
      One("gale_node_chunks", "Chunks stored on this node", MetricType::Gauge, d(stats.chunks)),
      One("gale_node_bytes_stored", "Bytes of chunk data stored", MetricType::Gauge,
          d(stats.bytes_used)),
      One("gale_node_capacity_bytes", "Bytes this node may hold", MetricType::Gauge,
          d(stats.capacity_bytes)),
      One("gale_node_available_bytes", "Bytes writable within capacity and reserve",
          MetricType::Gauge, d(stats.available_bytes)),
      One("gale_node_bytes_read_total", "Chunk bytes served", MetricType::Counter,
          d(traffic_->bytes_sent.load())),
      One("gale_node_bytes_written_total", "Chunk bytes received for storing", MetricType::Counter,
          d(traffic_->bytes_received.load())),
      One("gale_node_chunks_corrupt_total", "Chunks that failed verification and were quarantined",
          MetricType::Counter, d(store_->corrupt_total())),
      One("gale_node_heartbeat_failures_total", "Failed registrations and heartbeats",
          MetricType::Counter, d(heartbeater_->failures_total())),
      One("gale_node_registered", "1 when registered with a coordinator", MetricType::Gauge,
          heartbeater_->registered() ? 1 : 0),
  };
}

}  // namespace gale::node
