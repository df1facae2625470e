#pragma once

#include <cstdint>

#include "bench/cluster.h"

namespace gale::bench {

// CPU seconds (user plus system) per GiB moved, by process.
struct CpuPerGiB {
  double client = 0;       // this process: the benchmark and the client library
  double nodes = 0;        // every node of the cluster
  double coordinator = 0;  // the coordinator
  double gateway = 0;      // the cluster's gale-s3 (0 when none runs)
};

// The CPU time of the benchmark itself and of a mini cluster's processes
// over a stretch of work: read at construction, compared on PerGiB. Not
// thread-safe; the cluster must outlive it and keep its processes
// meanwhile.
class CpuMeter {
 public:
  explicit CpuMeter(BenchCluster* cluster);
  // CPU seconds since construction per GiB of `bytes`.
  CpuPerGiB PerGiB(int64_t bytes) const;

 private:
  CpuPerGiB Read() const;  // seconds so far
  BenchCluster* const cluster_;
  const CpuPerGiB start_;
};

}  // namespace gale::bench
