#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "bench/report.h"
#include "bench/stats.h"
#include "common/status.h"

namespace gale::bench {

// A closed loop: `concurrency` workers each issue one operation at a time
// until `max_ops` operations were started or `max_time` passed, whichever
// comes first. Every load is bounded both ways.
struct LoadOptions {
  int concurrency = 16;
  int64_t max_ops = 100'000;
  absl::Duration max_time = absl::Seconds(10);
};

struct LoadResult {
  int64_t ops = 0;  // completed without error
  int64_t errors = 0;
  std::string first_error;
  double seconds = 0;  // wall time of the whole load
  LatencyRecorder latency;
  // Completions (successful or not) in each whole second since the start.
  std::vector<int64_t> per_second;

  double rate() const { return seconds > 0 ? static_cast<double>(ops) / seconds : 0; }
};

// One operation: `worker` is 0..concurrency-1, `index` counts operations
// from 0 across all workers.
using Operation = std::function<Status(int worker, int64_t index)>;

// Runs the loop on fresh threads and returns when every worker stopped.
LoadResult RunLoad(const LoadOptions& options, const Operation& op);

// Notes "<name>: N errors, first: ..." under the scenario when the load had
// any.
void NoteErrors(Report* report, std::string_view scenario, const std::string& name,
                const LoadResult& load);

}  // namespace gale::bench
