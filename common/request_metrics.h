#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace gale::common {

// Counters and latency histograms for requests, one set per server kind:
//   <prefix>_requests_total{<label>, code}
//   <prefix>_request_duration_seconds{<label>}
// e.g. prefix "gale_grpc" labelled by method, "gale_http" labelled by route.
// Thread-safe (prometheus-cpp's families are).
class RequestMetrics {
 public:
  RequestMetrics(prometheus::Registry* registry, std::string_view prefix, std::string_view what,
                 std::string label_name);

  // Records one request: `label` is the method or route, `code` the result
  // (a gRPC code name or an HTTP status).
  void Record(std::string_view label, std::string_view code, absl::Duration latency);

 private:
  const std::string label_name_;
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& latency_;
};

// Process-wide registry plus the build info gauge every binary exports:
// gale_build_info{version, binary} 1.
class MetricsRegistry {
 public:
  explicit MetricsRegistry(std::string_view binary);

  prometheus::Registry* registry() { return registry_.get(); }

  // Adds a collector whose families are computed at scrape time (for values
  // read from domain objects, e.g. node counts by state). Not owned; must
  // outlive this registry's use.
  void AddCollector(const prometheus::Collectable* collector);

  // The Prometheus text exposition of every metric.
  std::string Serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<const prometheus::Collectable*> collectors_;
};

// A family of one unlabeled counter or gauge, for collectors that read their
// values at scrape time.
prometheus::MetricFamily SingleMetric(std::string name, std::string help,
                                      prometheus::MetricType type, double value);

// The version string baked in at build time.
std::string_view GaleVersion();

}  // namespace gale::common
