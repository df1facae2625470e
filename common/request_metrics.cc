#include "common/request_metrics.h"

#include "common/strings.h"
#include "prometheus/text_serializer.h"

#ifndef GALE_VERSION
#define GALE_VERSION "dev"
#endif

namespace gale::common {

std::string_view GaleVersion() { return GALE_VERSION; }

prometheus::MetricFamily SingleMetric(std::string name, std::string help,
                                      prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return {std::move(name), std::move(help), type, {std::move(metric)}};
}

RequestMetrics::RequestMetrics(prometheus::Registry* registry, std::string_view prefix,
                               std::string_view what, std::string label_name)
    : label_name_(std::move(label_name)),
      requests_(prometheus::BuildCounter()
                    .Name(StrCat(prefix, "_requests_total"))
                    .Help(StrCat(what, " handled, by ", label_name_, " and result code"))
                    .Register(*registry)),
      latency_(prometheus::BuildHistogram()
                   .Name(StrCat(prefix, "_request_duration_seconds"))
                   .Help(StrCat("Time spent handling ", what, ", by ", label_name_))
                   .Register(*registry)) {}

void RequestMetrics::Record(std::string_view label, std::string_view code, absl::Duration latency) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  requests_.Add({{label_name_, std::string(label)}, {"code", std::string(code)}}).Increment();
  latency_.Add({{label_name_, std::string(label)}}, kBuckets)
      .Observe(absl::ToDoubleSeconds(latency));
}

MetricsRegistry::MetricsRegistry(std::string_view binary)
    : registry_(std::make_shared<prometheus::Registry>()) {
  prometheus::BuildGauge()
      .Name("gale_build_info")
      .Help("Build information; always 1")
      .Register(*registry_)
      .Add({{"version", std::string(GaleVersion())}, {"binary", std::string(binary)}})
      .Set(1);
}

void MetricsRegistry::AddCollector(const prometheus::Collectable* collector) {
  collectors_.push_back(collector);
}

std::string MetricsRegistry::Serialize() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  for (const auto* collector : collectors_) {
    auto more = collector->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace gale::common
