#pragma once

#include <cstdint>
#include <vector>

#include "absl/time/time.h"

namespace gale::bench {

// Bytes per MiB, for the figures in MiB and MiB/s.
inline constexpr double kMiB = 1 << 20;

// Latencies of one load, kept whole (a benchmark's loads are bounded in
// count) so that percentiles are exact. Not thread-safe: one per worker,
// merged at the end.
class LatencyRecorder {
 public:
  void Add(absl::Duration latency) { micros_.push_back(absl::ToDoubleMicroseconds(latency)); }
  void Merge(const LatencyRecorder& other);
  int64_t count() const { return static_cast<int64_t>(micros_.size()); }
  // The `p`-th percentile (0..100) in milliseconds; 0 when empty.
  double PercentileMs(double p) const;

 private:
  mutable std::vector<double> micros_;
  mutable bool sorted_ = false;
};

// Minimum, median and maximum of one figure over the runs.
struct Spread {
  double min = 0;
  double median = 0;
  double max = 0;
};

Spread SpreadOf(std::vector<double> values);

}  // namespace gale::bench
