// control: a thousand simulated nodes heartbeating at concurrency 16, over
// gRPC and over REST, against a no-op gRPC call on the same server.

#include "bench/baselines.h"
#include "bench/cluster.h"
#include "bench/rest_heartbeats.h"
#include "bench/scenario.h"
#include "bench/sim_nodes.h"
#include "common/strings.h"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "control";
constexpr int kNodes = 1000;
constexpr int kConcurrency = 16;

void AddLoad(Report* report, const std::string& name, const LoadResult& load, double noop_rate,
             Goal rate_goal, Goal ratio_goal) {
  report->Add(kScenario, name, "/s", load.rate(), std::move(rate_goal));
  report->Add(kScenario, name + ".vs_noop", "x", load.rate() / noop_rate, std::move(ratio_goal));
  report->Add(kScenario, name + ".p50", "ms", load.latency.PercentileMs(50));
  report->Add(kScenario, name + ".p99", "ms", load.latency.PercentileMs(99));
  NoteErrors(report, kScenario, name, load);
}

}  // namespace

Status RunControl(const BenchOptions& options, Report* report) {
  ASSIGN_OR_RETURN(BenchCluster cluster, StartCluster(options, ClusterSpec{}));
  SimulatedNodes nodes(cluster.stub.get());
  RETURN_IF_ERROR(nodes.Register(kNodes, int64_t{1} << 40));
  LoadOptions load;
  load.concurrency = kConcurrency;
  load.max_ops = options.short_form ? 100'000 : 500'000;
  load.max_time = options.short_form ? absl::Seconds(4) : absl::Seconds(15);
  report->Note(kScenario,
               StrCat(kNodes, " simulated nodes, concurrency ", kConcurrency, ", each load up to ",
                      load.max_ops, " calls or ", absl::FormatDuration(load.max_time)));

  for (int run = 0; run < options.runs; ++run) {
    LoadResult noop = NoopGrpcCalls(cluster.channel, load);
    if (noop.ops == 0) return absl::UnavailableError("no-op gRPC calls fail: " + noop.first_error);
    report->Add(kScenario, "baseline.noop_grpc", "/s", noop.rate());
    report->Add(kScenario, "baseline.noop_grpc.p99", "ms", noop.latency.PercentileMs(99));

    LoadResult grpc = RunLoad(load, [&](int, int64_t i) { return nodes.Heartbeat(i % kNodes); });
    AddLoad(report, "heartbeats.grpc", grpc, noop.rate(), AtLeast(20000, ">= 20000/s"),
            AtLeast(0.5, ">= 0.50 x no-op"));

    LoadResult rest = RestHeartbeats(cluster.rest_host, cluster.rest_port, nodes, load);
    AddLoad(report, "heartbeats.rest", rest, noop.rate(), Goal{}, Goal{});
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
