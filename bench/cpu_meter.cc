#include "bench/cpu_meter.h"

#include <sys/resource.h>

namespace gale::bench {
namespace {

double SelfCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

CpuMeter::CpuMeter(BenchCluster* cluster) : cluster_(cluster), start_(Read()) {}

CpuPerGiB CpuMeter::Read() const {
  CpuPerGiB out;
  out.client = SelfCpuSeconds();
  testing::MiniCluster* mini = cluster_->cluster.get();
  for (int i = 0; i < mini->num_nodes(); ++i) {
    out.nodes += ProcessCpuSeconds(mini->node(i).process->pid());
  }
  out.coordinator = ProcessCpuSeconds(cluster_->coordinator_pid());
  if (mini->gateway().process != nullptr) {
    out.gateway = ProcessCpuSeconds(mini->gateway().process->pid());
  }
  return out;
}

CpuPerGiB CpuMeter::PerGiB(int64_t bytes) const {
  const CpuPerGiB now = Read();
  const double gib = static_cast<double>(bytes) / (1 << 30);
  return {(now.client - start_.client) / gib, (now.nodes - start_.nodes) / gib,
          (now.coordinator - start_.coordinator) / gib, (now.gateway - start_.gateway) / gib};
}

}  // namespace gale::bench
