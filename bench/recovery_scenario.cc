// recovery: five real nodes holding data at factor 3; one is killed with
// SIGKILL while a client keeps uploading. Measures the time to detection
// and to full redundancy, the repair rate against a plain disk copy of the
// same bytes, and the client's throughput before and during the repair.

#include <signal.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "bench/baselines.h"
#include "bench/cluster.h"
#include "bench/scenario.h"
#include "bench/stats.h"
#include "bench/transfers.h"
#include "common/strings.h"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "recovery";
constexpr int kNodes = 5;
constexpr int kFileStreams = 4;

// The coordinator settles liveness quickly here: a node is suspect after
// 1 s of silence and dead after 3 s (the defaults are 15 s and 60 s).
const std::vector<std::string> kCoordinatorFlags = {"--heartbeat-interval-ms",
                                                    "100",
                                                    "--node-timeout-ms",
                                                    "1000",
                                                    "--dead-after-ms",
                                                    "3000",
                                                    "--liveness-flush-interval-ms",
                                                    "100",
                                                    "--replication-interval-ms",
                                                    "100",
                                                    "--task-retry-ms",
                                                    "200",
                                                    "--max-replications-per-node",
                                                    "8"};

// A client uploading small files in a loop on its own thread (bounded in
// count and time), recording when each finished.
class Traffic {
 public:
  Traffic(client::GaleClient* client, std::string data) : client_(client), data_(std::move(data)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Traffic() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  // MiB/s completed between `from` and `to`.
  double Rate(absl::Time from, absl::Time to) {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t bytes = 0;
    for (absl::Time t : done_) {
      if (t >= from && t < to) bytes += static_cast<int64_t>(data_.size());
    }
    return static_cast<double>(bytes) / kMiB / std::max(1e-3, absl::ToDoubleSeconds(to - from));
  }
  int errors() const { return errors_; }

 private:
  void Loop() {
    const absl::Time deadline = absl::Now() + absl::Minutes(10);
    for (int i = 0; i < 100'000 && !stop_ && absl::Now() < deadline; ++i) {
      Restamp(&data_, static_cast<uint64_t>(absl::ToUnixNanos(absl::Now())));
      auto up = Upload(client_, data_, 1, 3, 4 << 20, StrCat("traffic/", i, "/"));
      std::lock_guard<std::mutex> lock(mu_);
      if (up.ok()) {
        done_.push_back(absl::Now());
      } else {
        ++errors_;
      }
    }
  }

  client::GaleClient* const client_;
  std::string data_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<absl::Time> done_;
  std::atomic<int> errors_{0};
  std::thread thread_;
};

struct Timeline {
  absl::Duration detect, redundant;
  int64_t repaired_bytes = 0;  // the most bytes seen missing
};

// Polls the cluster's replication health after a kill: detected once
// chunks are under-replicated, redundant once none is (nor lost) again.
Result<Timeline> WatchRepair(client::GaleClient* client, absl::Time killed) {
  Timeline timeline;
  bool detected = false;
  const absl::Time deadline = killed + absl::Minutes(5);
  while (absl::Now() < deadline) {
    auto status = client->ClusterStatus();
    const absl::Time now = absl::Now();
    if (status.ok()) {
      const v1::ReplicationHealth& health = status->replication();
      timeline.repaired_bytes = std::max(timeline.repaired_bytes, health.missing_bytes());
      if (!detected && health.under_replicated() > 0) {
        detected = true;
        timeline.detect = now - killed;
      } else if (detected && health.under_replicated() == 0 && health.lost() == 0) {
        timeline.redundant = now - killed;
        return timeline;
      }
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(detected ? "no full redundancy within 5 minutes of the kill"
                                              : "the kill was not noticed within 5 minutes");
}

Status OneRun(const BenchOptions& options, std::string* data, uint64_t generation, Report* report) {
  ClusterSpec spec;
  spec.nodes = kNodes;
  spec.given_ok = false;
  spec.coordinator_flags = kCoordinatorFlags;
  spec.node_flags = {"--heartbeat-interval-ms", "100", "--scrub-bytes-per-sec", "0"};
  ASSIGN_OR_RETURN(BenchCluster cluster, StartCluster(options, spec));
  ASSIGN_OR_RETURN(auto client, cluster.cluster->Client());

  Restamp(data, generation);
  const std::vector<std::string> hashes = SliceHashes(*data, kFileStreams);
  RETURN_IF_ERROR(Upload(client.get(), *data, kFileStreams, 3, 4 << 20, "held/").status());

  // The same bytes copied once with write + fdatasync: what one repair copy
  // costs the disk.
  ASSIGN_OR_RETURN(
      DiskFigures disk,
      DiskBaseline(std::string_view(*data).substr(0, std::min(data->size(), size_t{512} << 20)),
                   4 << 20, 1, 4, StrCat(options.work_dir, "/gale-bench-disk-", ::getpid())));
  report->Add(kScenario, "baseline.disk_write_1copy.s4", "MiB/s", disk.write_mib_per_second);

  Traffic traffic(client.get(), RandomBytes(8 << 20));
  const absl::Time traffic_start = absl::Now();
  absl::SleepFor(absl::Seconds(3));  // the client's throughput before the kill

  const int victim = 0;
  const absl::Time killed = absl::Now();
  RETURN_IF_ERROR(cluster.cluster->KillNode(victim));
  ASSIGN_OR_RETURN(Timeline timeline, WatchRepair(client.get(), killed));
  const absl::Time repaired = killed + timeline.redundant;
  traffic.Stop();

  // Every file of the killed node reads back whole.
  RETURN_IF_ERROR(
      Download(client.get(), kFileStreams, "held/", hashes, static_cast<int64_t>(data->size()))
          .status());

  const double repair_seconds = absl::ToDoubleSeconds(timeline.redundant - timeline.detect);
  const double repaired_mib = static_cast<double>(timeline.repaired_bytes) / kMiB;
  const double rate = repaired_mib / std::max(repair_seconds, 1e-3);
  report->Add(kScenario, "detect_seconds", "s", absl::ToDoubleSeconds(timeline.detect));
  report->Add(kScenario, "redundancy_seconds", "s", absl::ToDoubleSeconds(timeline.redundant));
  report->Add(kScenario, "repaired_mib", "MiB", repaired_mib);
  report->Add(kScenario, "repair_mibps", "MiB/s", rate);
  report->Add(kScenario, "repair.vs_disk", "x", rate / disk.write_mib_per_second,
              AtLeast(0.5, ">= 0.50 x disk copy"));
  const double before = traffic.Rate(traffic_start, killed);
  const double during = traffic.Rate(killed + timeline.detect, repaired);
  report->Add(kScenario, "client_mibps.before", "MiB/s", before);
  report->Add(kScenario, "client_mibps.during_repair", "MiB/s", during);
  report->Add(kScenario, "client_drop", "x", before > 0 ? 1 - during / before : 0);
  if (traffic.errors() > 0) {
    report->Note(kScenario, StrCat(traffic.errors(), " client uploads failed around the kill"));
  }
  return absl::OkStatus();
}

}  // namespace

Status RunRecovery(const BenchOptions& options, Report* report) {
  const int64_t total = options.short_form ? int64_t{512} << 20 : int64_t{2} << 30;
  report->Note(kScenario,
               StrCat(total >> 20, " MiB at factor 3 on ", kNodes,
                      " nodes, one killed (SIGKILL); dead after 3 s of silence (default 60 s); "
                      "a client uploads 8 MiB files meanwhile"));
  std::string data = RandomBytes(static_cast<size_t>(total));
  for (int run = 0; run < options.runs; ++run) {
    RETURN_IF_ERROR(
        OneRun(options, &data, static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())), report));
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
