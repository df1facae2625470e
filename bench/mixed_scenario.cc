// mixed: heartbeats, file registrations, status reads and listings at once,
// for a minute (short form: 10 s). No request class may stall: each must
// complete requests in every second.

#include <thread>

#include "absl/time/clock.h"
#include "bench/cluster.h"
#include "bench/file_ops.h"
#include "bench/load.h"
#include "bench/rpc.h"
#include "bench/scenario.h"
#include "bench/sim_nodes.h"
#include "common/strings.h"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "mixed";
constexpr int kNodes = 1000;

struct RequestClass {
  std::string name;
  int concurrency;
  Operation op;
  LoadResult result;
};

// Whole seconds of the load in which the class completed nothing (the last,
// partial second is not counted).
int StalledSeconds(const LoadResult& result, absl::Duration duration) {
  const int64_t seconds = absl::ToInt64Seconds(duration);
  int stalled = 0;
  for (int64_t s = 0; s < seconds; ++s) {
    if (static_cast<size_t>(s) >= result.per_second.size() || result.per_second[s] == 0) ++stalled;
  }
  return stalled;
}

}  // namespace

Status RunMixed(const BenchOptions& options, Report* report) {
  ASSIGN_OR_RETURN(BenchCluster cluster, StartCluster(options, ClusterSpec{}));
  v1::Coordinator::Stub* stub = cluster.stub.get();
  SimulatedNodes nodes(stub);
  RETURN_IF_ERROR(nodes.Register(kNodes, int64_t{1} << 40));
  const absl::Duration duration = options.short_form ? absl::Seconds(10) : absl::Seconds(60);
  const std::string run_tag = StrCat(absl::ToUnixMillis(absl::Now()));
  report->Note(kScenario,
               StrCat(absl::FormatDuration(duration), "; concurrency: heartbeats 8 (", kNodes,
                      " nodes), registrations 4 (16 chunks), status 2, listings 2"));

  for (int run = 0; run < options.runs; ++run) {
    std::vector<RequestClass> classes;
    classes.push_back(
        {"heartbeats",
         8,
         [&](int, int64_t i) { return nodes.Heartbeat(static_cast<int>(i % kNodes)); },
         {}});
    classes.push_back({"registrations",
                       4,
                       [&](int, int64_t i) {
                         return CommitSyntheticFile(stub, &nodes,
                                                    StrCat("mixed/", run_tag, "/", run, "/", i), 16,
                                                    4 << 20, nullptr, nullptr);
                       },
                       {}});
    classes.push_back({"status",
                       2,
                       [&](int, int64_t) {
                         v1::GetNetworkStatusResponse response;
                         return Call(stub, &v1::Coordinator::Stub::GetNetworkStatus,
                                     v1::GetNetworkStatusRequest(), &response);
                       },
                       {}});
    classes.push_back({"listings",
                       2,
                       [&](int, int64_t) {
                         v1::ListFilesRequest request;
                         request.set_prefix(StrCat("mixed/", run_tag, "/"));
                         request.set_limit(100);
                         request.set_sort("time");
                         v1::ListFilesResponse response;
                         return Call(stub, &v1::Coordinator::Stub::ListFiles, request, &response);
                       },
                       {}});
    std::vector<std::thread> threads;
    for (RequestClass& c : classes) {
      threads.emplace_back([&c, duration] {
        LoadOptions load;
        load.concurrency = c.concurrency;
        load.max_ops = 100'000 * absl::ToInt64Seconds(duration);  // never the bound that ends it
        load.max_time = duration;
        c.result = RunLoad(load, c.op);
      });
    }
    for (std::thread& t : threads) t.join();

    int stalled = 0;
    for (const RequestClass& c : classes) {
      const int class_stalled = StalledSeconds(c.result, duration);
      stalled += class_stalled;
      report->Add(kScenario, c.name, "/s", c.result.rate());
      report->Add(kScenario, c.name + ".p99", "ms", c.result.latency.PercentileMs(99),
                  c.name == "heartbeats" ? AtMost(20, "<= 20 ms") : Goal{});
      report->Add(kScenario, c.name + ".stalled_seconds", "s", class_stalled);
      NoteErrors(report, kScenario, c.name, c.result);
    }
    report->Add(kScenario, "stalled_seconds", "s", stalled, AtMost(0, "0 (no stall)"));
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
