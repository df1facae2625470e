#include "bench/load.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "common/strings.h"

namespace gale::bench {

LoadResult RunLoad(const LoadOptions& options, const Operation& op) {
  std::atomic<int64_t> next{0};
  std::mutex mu;
  LoadResult result;
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + options.max_time;
  auto worker = [&](int w) {
    LatencyRecorder latency;
    std::vector<int64_t> per_second;
    int64_t ok = 0, errors = 0;
    std::string first_error;
    for (;;) {
      const absl::Time began = absl::Now();
      if (began >= deadline) break;
      const int64_t index = next.fetch_add(1);
      if (index >= options.max_ops) break;
      Status status = op(w, index);
      const absl::Time ended = absl::Now();
      const size_t second = static_cast<size_t>(absl::ToInt64Seconds(ended - start));
      if (per_second.size() <= second) per_second.resize(second + 1, 0);
      ++per_second[second];
      if (status.ok()) {
        ++ok;
        latency.Add(ended - began);
      } else {
        if (errors++ == 0) first_error = status.ToString();
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    result.ops += ok;
    result.errors += errors;
    if (result.first_error.empty()) result.first_error = first_error;
    result.latency.Merge(latency);
    if (result.per_second.size() < per_second.size()) result.per_second.resize(per_second.size());
    for (size_t s = 0; s < per_second.size(); ++s) result.per_second[s] += per_second[s];
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < options.concurrency; ++w) threads.emplace_back(worker, w);
  for (std::thread& t : threads) t.join();
  result.seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return result;
}

void NoteErrors(Report* report, std::string_view scenario, const std::string& name,
                const LoadResult& load) {
  if (load.errors == 0) return;
  report->Note(scenario, StrCat(name, ": ", load.errors, " errors, first: ", load.first_error));
}

}  // namespace gale::bench
