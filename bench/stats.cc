#include "bench/stats.h"

#include <algorithm>
#include <cmath>

namespace gale::bench {

void LatencyRecorder::Merge(const LatencyRecorder& other) {
  micros_.insert(micros_.end(), other.micros_.begin(), other.micros_.end());
  sorted_ = false;
}

double LatencyRecorder::PercentileMs(double p) const {
  if (micros_.empty()) return 0;
  if (!sorted_) {
    std::sort(micros_.begin(), micros_.end());
    sorted_ = true;
  }
  // Nearest rank.
  double rank = std::ceil(p / 100.0 * static_cast<double>(micros_.size()));
  size_t index = static_cast<size_t>(std::clamp(rank, 1.0, static_cast<double>(micros_.size())));
  return micros_[index - 1] / 1000.0;
}

Spread SpreadOf(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  double median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return {values.front(), median, values.back()};
}

}  // namespace gale::bench
