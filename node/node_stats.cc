#include "node/node_stats.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

namespace gale::node {

ProcessUsage ReadProcessUsage() {
  ProcessUsage usage;
  // /proc/self/stat: "pid (comm) state ..." with utime and stime the 14th and
  // 15th fields; comm may contain spaces, so count from the closing paren.
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    size_t paren = line.rfind(')');
    if (paren != std::string::npos) {
      std::istringstream fields(line.substr(paren + 2));
      std::string field;
      int64_t utime = 0, stime = 0;
      for (int i = 3; i <= 15 && (fields >> field); ++i) {
        if (i == 14) utime = std::stoll(field);
        if (i == 15) stime = std::stoll(field);
      }
      const long ticks = ::sysconf(_SC_CLK_TCK);
      if (ticks > 0) usage.cpu_time = absl::Seconds(static_cast<double>(utime + stime) / ticks);
    }
  }
  std::ifstream statm("/proc/self/statm");
  int64_t size_pages = 0, resident_pages = 0;
  if (statm >> size_pages >> resident_pages) {
    usage.resident_bytes = resident_pages * ::sysconf(_SC_PAGESIZE);
  }
  return usage;
}

StatsSampler::StatsSampler(const ChunkStore* store, const DataTraffic* traffic,
                           common::Clock* clock, std::function<ProcessUsage()> usage)
    : store_(store),
      traffic_(traffic),
      clock_(clock),
      usage_(std::move(usage)),
      started_(clock->Monotonic()) {
  absl::MutexLock lock(&mu_);
  last_at_ = started_;
  last_cpu_ = usage_().cpu_time;
}

NodeStatsSample StatsSampler::Sample() {
  NodeStatsSample sample;
  ChunkStoreStats stats = store_->Stats();
  sample.storage_used = stats.bytes_used;
  sample.storage_available = stats.available_bytes;
  sample.chunks_stored = stats.chunks;

  const ProcessUsage usage = usage_();
  sample.memory_usage = static_cast<double>(usage.resident_bytes);
  const absl::Duration now = clock_->Monotonic();
  sample.uptime_seconds = absl::ToInt64Seconds(now - started_);
  const int64_t sent = traffic_->bytes_sent.load();
  const int64_t received = traffic_->bytes_received.load();

  absl::MutexLock lock(&mu_);
  const double seconds = absl::ToDoubleSeconds(now - last_at_);
  if (seconds > 0) {
    sample.bandwidth_up = static_cast<int64_t>(static_cast<double>(sent - last_sent_) / seconds);
    sample.bandwidth_down =
        static_cast<int64_t>(static_cast<double>(received - last_received_) / seconds);
    sample.cpu_usage = 100.0 * absl::ToDoubleSeconds(usage.cpu_time - last_cpu_) / seconds;
  }
  last_at_ = now;
  last_sent_ = sent;
  last_received_ = received;
  last_cpu_ = usage.cpu_time;
  return sample;
}

}  // namespace gale::node
