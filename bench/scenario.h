#pragma once

#include <string>

#include "bench/report.h"
#include "common/status.h"

namespace gale::bench {

// What every scenario is told.
struct BenchOptions {
  int runs = 3;             // each figure is measured this many times
  bool short_form = false;  // smaller sizes and shorter loads (make bench)
  std::string work_dir;     // where clusters and baselines write
  // An existing cluster's coordinator (gRPC host:port and REST host:port);
  // empty: each scenario starts the processes it needs on loopback.
  std::string coordinator;
  std::string coordinator_rest;
  std::string source_dir;  // the source tree (scripts/test-postgres.sh)
};

// A scenario measures its figures options.runs times into the report; the
// caller prints it. An error means it could not run at all.
using Scenario = Status (*)(const BenchOptions& options, Report* report);

Status RunControl(const BenchOptions& options, Report* report);
Status RunMetadata(const BenchOptions& options, Report* report);
Status RunMixed(const BenchOptions& options, Report* report);
Status RunData(const BenchOptions& options, Report* report);
Status RunRecovery(const BenchOptions& options, Report* report);
Status RunScale(const BenchOptions& options, Report* report);
Status RunS3(const BenchOptions& options, Report* report);

}  // namespace gale::bench
