// control: a thousand simulated nodes heartbeating at concurrency 16, over
// gRPC and over REST, against a no-op gRPC call on the same server.

#include <memory>

#include "bench/baselines.h"
#include "bench/cluster.h"
#include "bench/scenario.h"
#include "bench/sim_nodes.h"
#include "common/strings.h"
#include "httplib.h"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "control";
constexpr int kNodes = 1000;
constexpr int kConcurrency = 16;

// The body a ZephyrFS node sends.
constexpr char kRestHeartbeat[] =
    R"({"stats":{"storage_used":0,"storage_available":1099511627776,"chunks_stored":0,)"
    R"("bandwidth_up":0,"bandwidth_down":0,"cpu_usage":1.5,"memory_usage":67108864,)"
    R"("uptime_seconds":60}})";

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

    std::vector<std::unique_ptr<httplib::Client>> clients;
    for (int w = 0; w < kConcurrency; ++w) {
      clients.push_back(std::make_unique<httplib::Client>(cluster.rest_host, cluster.rest_port));
      clients.back()->set_keep_alive(true);
      clients.back()->set_tcp_nodelay(true);
    }
    LoadResult rest = RunLoad(load, [&](int w, int64_t i) -> Status {
      auto r = clients[static_cast<size_t>(w)]->Post(
          StrCat("/api/v1/nodes/", nodes.id(static_cast<int>(i % kNodes)), "/heartbeat"),
          kRestHeartbeat, "application/json");
      if (!r) return absl::UnavailableError(httplib::to_string(r.error()));
      if (r->status != 200) return absl::InternalError(StrCat("HTTP ", r->status, ": ", r->body));
      return absl::OkStatus();
    });
    AddLoad(report, "heartbeats.rest", rest, noop.rate(), Goal{}, Goal{});
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
