// metadata: files of 16 chunks allocated and committed (simulated nodes
// report the replicas), then file-info and chunk-location reads, on SQLite
// and on PostgreSQL.

#include <mutex>

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

constexpr char kScenario[] = "metadata";
constexpr int kChunksPerFile = 16;
constexpr int64_t kChunkSize = 4 << 20;
constexpr int kStorageNodes = 3;  // the default factor

void AddLoad(Report* report, const std::string& name, const std::string& unit,
             const LoadResult& load, Goal goal) {
  report->Add(kScenario, name, unit, load.rate(), std::move(goal));
  report->Add(kScenario, name + ".p99", "ms", load.latency.PercentileMs(99));
  NoteErrors(report, kScenario, name, load);
}

// One backend's figures; `goals` only on SQLite (PostgreSQL: reported).
Status Measure(const BenchOptions& options, const std::string& backend,
               const std::string& database_url, bool goals, Report* report) {
  ClusterSpec spec;
  spec.database_url = database_url;
  ASSIGN_OR_RETURN(BenchCluster cluster, StartCluster(options, spec));
  SimulatedNodes nodes(cluster.stub.get());
  RETURN_IF_ERROR(nodes.Register(kStorageNodes, int64_t{1} << 50));
  nodes.StartKeepAlive(1000);

  LoadOptions writes;
  writes.concurrency = 16;
  writes.max_ops = options.short_form ? 4'000 : 20'000;
  writes.max_time = options.short_form ? absl::Seconds(5) : absl::Seconds(20);
  LoadOptions reads = writes;
  reads.max_ops = options.short_form ? 100'000 : 400'000;
  const std::string run_tag = StrCat(absl::ToUnixMillis(absl::Now()));

  for (int run = 0; run < options.runs; ++run) {
    std::vector<std::string> file_ids(static_cast<size_t>(writes.max_ops));
    std::vector<std::string> chunk_ids(static_cast<size_t>(writes.max_ops));  // one per file
    LoadResult commits = RunLoad(writes, [&](int, int64_t i) -> Status {
      std::vector<std::string> chunks;
      RETURN_IF_ERROR(CommitSyntheticFile(
          cluster.stub.get(), &nodes, StrCat("bench/", run_tag, "/", run, "/", i), kChunksPerFile,
          kChunkSize, &file_ids[static_cast<size_t>(i)], &chunks));
      chunk_ids[static_cast<size_t>(i)] = chunks[static_cast<size_t>(i) % chunks.size()];
      return absl::OkStatus();
    });
    AddLoad(report, backend + ".commit_16_chunks", "files/s", commits,
            goals ? AtLeast(2000, ">= 2000 files/s") : Goal{});
    const int64_t committed = commits.ops;
    if (committed == 0) return absl::InternalError("no file committed: " + commits.first_error);
    // The committed ones (a failed commit leaves its slot empty).
    std::erase(file_ids, "");
    std::erase(chunk_ids, "");

    LoadResult infos = RunLoad(reads, [&](int, int64_t i) {
      v1::GetFileRequest request;
      request.set_file(file_ids[static_cast<size_t>(i) % file_ids.size()]);
      request.set_with_chunks(true);
      v1::GetFileResponse response;
      return Call(cluster.stub.get(), &v1::Coordinator::Stub::GetFile, request, &response);
    });
    AddLoad(report, backend + ".file_info", "/s", infos,
            goals ? AtLeast(20000, ">= 20000/s") : Goal{});

    LoadResult locations = RunLoad(reads, [&](int, int64_t i) -> Status {
      v1::GetChunkLocationsRequest request;
      request.set_chunk_id(chunk_ids[static_cast<size_t>(i) % chunk_ids.size()]);
      v1::GetChunkLocationsResponse response;
      RETURN_IF_ERROR(
          Call(cluster.stub.get(), &v1::Coordinator::Stub::GetChunkLocations, request, &response));
      if (response.replicas_size() != kStorageNodes) {
        return absl::InternalError(
            StrCat("chunk ", request.chunk_id(), " has ", response.replicas_size(), " replicas"));
      }
      return absl::OkStatus();
    });
    AddLoad(report, backend + ".chunk_locations", "/s", locations,
            goals ? AtLeast(20000, ">= 20000/s") : Goal{});
  }
  return absl::OkStatus();
}

}  // namespace

Status RunMetadata(const BenchOptions& options, Report* report) {
  report->Note(kScenario, StrCat(kChunksPerFile, " chunks per file at factor ", kStorageNodes,
                                 " on simulated nodes, concurrency 16"));
  RETURN_IF_ERROR(Measure(options, options.coordinator.empty() ? "sqlite" : "given", "",
                          /*goals=*/true, report));
  if (!options.coordinator.empty()) return absl::OkStatus();  // its database is its own
  auto postgres = BenchPostgres::Start(options);
  if (!postgres.ok()) {
    report->Note(kScenario, "PostgreSQL not measured: " + postgres.status().ToString());
    return absl::OkStatus();
  }
  return Measure(options, "postgres", (*postgres)->url(), /*goals=*/false, report);
}

}  // namespace gale::bench
