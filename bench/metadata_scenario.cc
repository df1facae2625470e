// metadata: files of 16 chunks allocated and committed (simulated nodes
// report the replicas), then file-info and chunk-location reads over gRPC
// (against a no-op gRPC call) and over REST (against REST heartbeats), on
// SQLite and on PostgreSQL.

#include <mutex>

#include "absl/time/clock.h"
#include "bench/baselines.h"
#include "bench/cluster.h"
#include "bench/file_ops.h"
#include "bench/load.h"
#include "bench/rest_heartbeats.h"
#include "bench/rpc.h"
#include "bench/scenario.h"
#include "bench/sim_nodes.h"
#include "common/strings.h"
#include "google/protobuf/arena.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

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

// A read and its ratio to the baseline of the same run.
void AddRead(Report* report, const std::string& name, const LoadResult& load,
             const std::string& baseline_name, double baseline, Goal ratio_goal) {
  AddLoad(report, name, "/s", load, Goal{});
  report->Add(kScenario, StrCat(name, ".vs_", baseline_name), "x",
              baseline > 0 ? load.rate() / baseline : 0, std::move(ratio_goal));
}

// GET `path` on the worker's keep-alive connection; INTERNAL unless 200 with
// `expect` in the body.
Status RestGet(httplib::Client& client, const std::string& path, std::string_view expect) {
  auto r = client.Get(path);
  if (!r) return absl::UnavailableError(httplib::to_string(r.error()));
  if (r->status != 200) return absl::InternalError(StrCat("HTTP ", r->status, ": ", r->body));
  if (r->body.find(expect) == std::string::npos) {
    return absl::InternalError(StrCat("GET ", path, " does not name ", expect));
  }
  return absl::OkStatus();
}

// What the coordinator's database has written so far ("commits",
// "wal_bytes", ...; see GET /api/v1/admin/database/stats).
Result<std::map<std::string, int64_t>> DatabaseActivity(const BenchCluster& cluster) {
  httplib::Client client(cluster.rest_host, cluster.rest_port);
  auto r = client.Get("/api/v1/admin/database/stats");
  if (!r || r->status != 200) return absl::UnavailableError("GET /api/v1/admin/database/stats");
  auto stats = nlohmann::json::parse(r->body, nullptr, false);
  if (!stats.is_object() || !stats["activity"].is_object()) {
    return absl::InternalError("the database stats carry no activity");
  }
  return stats["activity"].get<std::map<std::string, int64_t>>();
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
    ASSIGN_OR_RETURN(auto activity_before, DatabaseActivity(cluster));
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
    // What each file cost the database: its transactions (background
    // loops' included) and the WAL they wrote.
    ASSIGN_OR_RETURN(auto activity_after, DatabaseActivity(cluster));
    auto per_file = [&](const std::string& figure, const std::string& key, const char* unit,
                        double scale) {
      if (!activity_after.contains(key)) return;  // not counted by this backend
      report->Add(kScenario, StrCat(backend, ".commit_16_chunks.", figure), unit,
                  static_cast<double>(activity_after[key] - activity_before[key]) / scale /
                      static_cast<double>(committed));
    };
    per_file("db_commits_per_file", "commits", "", 1);
    per_file("wal_kib_per_file", "wal_bytes", "KiB", 1024);
    // The committed ones (a failed commit leaves its slot empty).
    std::erase(file_ids, "");
    std::erase(chunk_ids, "");

    // The baselines of this run: what the transports cost on their own.
    const LoadResult noop = NoopGrpcCalls(cluster.channel, reads);
    if (noop.ops == 0) return absl::UnavailableError("no-op gRPC calls fail: " + noop.first_error);
    report->Add(kScenario, backend + ".baseline.noop_grpc", "/s", noop.rate());
    const LoadResult heartbeats =
        RestHeartbeats(cluster.rest_host, cluster.rest_port, nodes, reads);
    if (heartbeats.ops == 0) {
      return absl::UnavailableError("REST heartbeats fail: " + heartbeats.first_error);
    }
    report->Add(kScenario, backend + ".baseline.rest_heartbeats", "/s", heartbeats.rate());

    LoadResult infos = RunLoad(reads, [&](int, int64_t i) -> Status {
      v1::GetFileRequest request;
      request.set_file(file_ids[static_cast<size_t>(i) % file_ids.size()]);
      request.set_with_chunks(true);
      request.set_node_table(true);  // as the client library asks
      // Parsed into an arena, as a client that reads many answers would:
      // the answer's strings in one block instead of a heap node each.
      alignas(8) char first_block[8192];
      google::protobuf::ArenaOptions arena_options;
      arena_options.initial_block = first_block;
      arena_options.initial_block_size = sizeof first_block;
      google::protobuf::Arena arena(arena_options);
      auto* response = google::protobuf::Arena::CreateMessage<v1::GetFileResponse>(&arena);
      RETURN_IF_ERROR(Call(cluster.stub.get(), &v1::Coordinator::Stub::GetFile, request, response));
      if (response->file().chunks_size() != kChunksPerFile ||
          response->file().nodes_size() != kStorageNodes) {
        return absl::InternalError(StrCat("file ", request.file(), " has ",
                                          response->file().chunks_size(), " chunks on ",
                                          response->file().nodes_size(), " nodes"));
      }
      return absl::OkStatus();
    });
    AddRead(report, backend + ".file_info", infos, "noop", noop.rate(),
            goals ? AtLeast(0.5, ">= 0.50 x no-op") : Goal{});

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
    AddRead(report, backend + ".chunk_locations", locations, "noop", noop.rate(),
            goals ? AtLeast(0.5, ">= 0.50 x no-op") : Goal{});

    // The same reads through the ZephyrFS-compatible REST API, one
    // keep-alive connection per worker.
    std::vector<std::unique_ptr<httplib::Client>> clients;
    for (int w = 0; w < reads.concurrency; ++w) {
      clients.push_back(std::make_unique<httplib::Client>(cluster.rest_host, cluster.rest_port));
      clients.back()->set_keep_alive(true);
      clients.back()->set_tcp_nodelay(true);
    }
    LoadResult rest_infos = RunLoad(reads, [&](int w, int64_t i) {
      const std::string& id = file_ids[static_cast<size_t>(i) % file_ids.size()];
      return RestGet(*clients[static_cast<size_t>(w)], StrCat("/api/v1/files/", id), id);
    });
    AddRead(report, backend + ".rest_file_info", rest_infos, "rest_heartbeats", heartbeats.rate(),
            goals ? AtLeast(0.7, ">= 0.70 x REST heartbeats") : Goal{});
    LoadResult rest_locations = RunLoad(reads, [&](int w, int64_t i) {
      const std::string& id = chunk_ids[static_cast<size_t>(i) % chunk_ids.size()];
      return RestGet(*clients[static_cast<size_t>(w)], StrCat("/api/v1/chunks/", id, "/locations"),
                     "node_addresses");
    });
    AddRead(report, backend + ".rest_chunk_locations", rest_locations, "rest_heartbeats",
            heartbeats.rate(), goals ? AtLeast(0.7, ">= 0.70 x REST heartbeats") : Goal{});
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
