#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "node/chunk_store.h"

namespace gale::node {

// Bytes moved by the data API, counted as they go. Thread-safe.
struct DataTraffic {
  std::atomic<int64_t> bytes_received{0};  // chunk bodies stored
  std::atomic<int64_t> bytes_sent{0};      // chunk bytes served
};

// What a node reports in its heartbeat.
struct NodeStatsSample {
  int64_t storage_used = 0;
  int64_t storage_available = 0;
  int64_t chunks_stored = 0;
  int64_t bandwidth_up = 0;    // bytes per second sent since the last sample
  int64_t bandwidth_down = 0;  // bytes per second received since the last sample
  double cpu_usage = 0;        // percent of one core used by this process since the last sample
  double memory_usage = 0;     // resident bytes
  int64_t uptime_seconds = 0;
};

// The process's CPU time and resident memory, from /proc/self.
struct ProcessUsage {
  absl::Duration cpu_time;
  int64_t resident_bytes = 0;
};
ProcessUsage ReadProcessUsage();

// Turns counters into the rates and figures of a heartbeat. Each Sample()
// covers the time since the previous one. Thread-safe.
class StatsSampler {
 public:
  // Everything must outlive the sampler. `usage` reads the process's CPU and
  // memory (ReadProcessUsage; tests inject their own).
  StatsSampler(const ChunkStore* store, const DataTraffic* traffic, common::Clock* clock,
               std::function<ProcessUsage()> usage = ReadProcessUsage);

  NodeStatsSample Sample();

 private:
  const ChunkStore* const store_;
  const DataTraffic* const traffic_;
  common::Clock* const clock_;
  const std::function<ProcessUsage()> usage_;
  const absl::Duration started_;

  absl::Mutex mu_;
  absl::Duration last_at_ ABSL_GUARDED_BY(mu_);
  int64_t last_sent_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_received_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration last_cpu_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::node
