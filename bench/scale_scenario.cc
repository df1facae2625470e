// scale: metadata for millions of chunks written straight through the
// SQLite store at full speed, then a coordinator started on it: resident
// memory per million chunks, restart-to-ready time, and allocate and lookup
// latency at that size.

#include <chrono>

#include "absl/time/clock.h"
#include "bench/cluster.h"
#include "bench/load.h"
#include "bench/rpc.h"
#include "bench/scenario.h"
#include "bench/sim_nodes.h"
#include "bench/stats.h"
#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/coordinator_options.h"
#include "coordinator/store/store_factory.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "scale";
constexpr int kChunksPerFile = 1000;
constexpr int64_t kChunkSize = 4 << 20;
constexpr int kNodes = 3;

// A sample of what was written, to look up afterwards.
struct Written {
  std::vector<std::string> node_ids;
  std::vector<std::string> file_names;
  std::vector<std::string> chunk_ids;  // one per file
  double chunks_per_second = 0;
};

// Files of 1000 chunks at factor 3 on three nodes, each file as a client
// would leave it: inserted, chunks attached, replicas reported, committed.
Result<Written> WriteMetadata(const std::string& data_dir, int64_t chunks) {
  coordinator::CoordinatorOptions options;
  options.data_dir = data_dir;
  RETURN_IF_ERROR(options.Finalize());
  ASSIGN_OR_RETURN(auto store, coordinator::OpenMetadataStore(options.database));
  RETURN_IF_ERROR(store->Migrate());
  const absl::Time now = absl::Now();
  RETURN_IF_ERROR(store->GetOrCreateCluster(common::NewUuid(), now).status());
  Written written;
  for (int n = 0; n < kNodes; ++n) {
    coordinator::NodeRecord node;
    node.id = common::NewUuid();
    node.addresses = {StrCat("127.0.0.1:", 1 + n)};
    node.capacity_bytes = int64_t{1} << 50;
    node.registered_at = node.last_heartbeat = now;
    RETURN_IF_ERROR(store->UpsertNode(node));
    written.node_ids.push_back(node.id);
  }
  const absl::Time start = absl::Now();
  const int64_t files = chunks / kChunksPerFile;
  for (int64_t f = 0; f < files; ++f) {
    coordinator::FileRecord file;
    file.id = common::NewUuid();
    file.name = StrCat("scale/", f);
    file.size = kChunksPerFile * kChunkSize;
    file.chunk_size = kChunkSize;
    file.created_at = now;
    file.expires_at = now + absl::Hours(24);
    RETURN_IF_ERROR(store->InsertFile(file));
    std::vector<coordinator::FileChunkRef> refs;
    std::vector<coordinator::ChunkReplica> replicas;
    for (int i = 0; i < kChunksPerFile; ++i) {
      std::string id = RandomChunkId();
      refs.push_back({i, id, kChunkSize});
      replicas.push_back({std::move(id), kChunkSize});
    }
    RETURN_IF_ERROR(store->AttachChunks(file.id, refs, now));
    for (const std::string& node : written.node_ids) {
      RETURN_IF_ERROR(store->ApplyReplicaChanges(node, replicas, {}, {}, now));
    }
    RETURN_IF_ERROR(store->CommitFile(file.id, file.size, RandomChunkId(), now).status());
    written.file_names.push_back(file.name);
    written.chunk_ids.push_back(refs[static_cast<size_t>(f) % refs.size()].chunk_id);
  }
  written.chunks_per_second =
      static_cast<double>(files * kChunksPerFile) / absl::ToDoubleSeconds(absl::Now() - start);
  return written;
}

// Starts coordinator 0 and waits for its /ready; returns the seconds taken.
Result<double> StartToReady(testing::MiniCluster* cluster) {
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(cluster->StartCoordinator(0));
  httplib::Client ops("127.0.0.1", cluster->coordinator_metrics_port(0));
  const absl::Time deadline = start + absl::Minutes(10);
  while (absl::Now() < deadline) {
    auto r = ops.Get("/ready");
    if (r && r->status == 200) return absl::ToDoubleSeconds(absl::Now() - start);
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::DeadlineExceededError("the coordinator was not ready within 10 minutes");
}

// Waits until coordinator 0 serves from its in-memory index (its /health
// says so), or says it keeps none; returns the seconds since `start`.
Result<double> IndexBuilt(testing::MiniCluster* cluster, absl::Time start) {
  httplib::Client ops("127.0.0.1", cluster->coordinator_metrics_port(0));
  const absl::Time deadline = absl::Now() + absl::Minutes(30);
  while (absl::Now() < deadline) {
    auto r = ops.Get("/health");
    if (r && r->status == 200) {
      const auto health = nlohmann::json::parse(r->body, nullptr, false);
      const std::string state =
          health.is_discarded() ? "" : health["database"].value("memory_index", "");
      if (state != "loading" && !state.empty()) {
        return absl::ToDoubleSeconds(absl::Now() - start);
      }
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError("the coordinator's index was not built within 30 minutes");
}

void AddLatency(Report* report, const std::string& name, const LoadResult& load) {
  report->Add(kScenario, name + ".p50", "ms", load.latency.PercentileMs(50));
  report->Add(kScenario, name + ".p99", "ms", load.latency.PercentileMs(99));
  NoteErrors(report, kScenario, name, load);
}

// Lookups and allocations one at a time, as latencies.
void MeasureLatency(v1::Coordinator::Stub* stub, const Written& written, Report* report) {
  LoadOptions serial;
  serial.concurrency = 1;
  serial.max_ops = 2000;
  serial.max_time = absl::Seconds(10);
  AddLatency(report, "chunk_locations", RunLoad(serial, [&](int, int64_t i) {
               v1::GetChunkLocationsRequest request;
               request.set_chunk_id(
                   written.chunk_ids[static_cast<size_t>(i * 7919) % written.chunk_ids.size()]);
               v1::GetChunkLocationsResponse response;
               return Call(stub, &v1::Coordinator::Stub::GetChunkLocations, request, &response);
             }));
  AddLatency(report, "file_info", RunLoad(serial, [&](int, int64_t i) {
               v1::GetFileRequest request;
               request.set_file(
                   written.file_names[static_cast<size_t>(i * 7919) % written.file_names.size()]);
               v1::GetFileResponse response;
               return Call(stub, &v1::Coordinator::Stub::GetFile, request, &response);
             }));
  serial.max_ops = 500;
  AddLatency(report, "allocate_16_chunks", RunLoad(serial, [&](int, int64_t i) -> Status {
               v1::CreateFileRequest create;
               create.set_name(StrCat("scale-alloc/", absl::ToUnixNanos(absl::Now()), "/", i));
               create.set_size(16 * kChunkSize);
               create.set_chunk_size(kChunkSize);
               v1::CreateFileResponse created;
               RETURN_IF_ERROR(Call(stub, &v1::Coordinator::Stub::CreateFile, create, &created));
               v1::AllocateChunksRequest allocate;
               allocate.set_file_id(created.file_id());
               for (int c = 0; c < 16; ++c) {
                 v1::ChunkSpec* spec = allocate.add_chunks();
                 spec->set_index(c);
                 spec->set_chunk_id(RandomChunkId());
                 spec->set_size(kChunkSize);
               }
               v1::AllocateChunksResponse placements;
               return Call(stub, &v1::Coordinator::Stub::AllocateChunks, allocate, &placements);
             }));
}

}  // namespace

Status RunScale(const BenchOptions& options, Report* report) {
  if (!options.coordinator.empty()) {
    return absl::FailedPreconditionError(
        "scale writes a database of its own; run it without "
        "--coordinator");
  }
  const int64_t chunks = options.short_form ? 200'000 : 10'000'000;
  const double millions = static_cast<double>(chunks) / 1e6;
  report->Note(kScenario, StrCat(chunks, " chunks (", kChunksPerFile, " per file, factor ", kNodes,
                                 ") on SQLite, written through the store"));

  // A coordinator with an empty database, for comparison.
  int64_t empty_rss = 0;
  {
    ASSIGN_OR_RETURN(BenchCluster empty, StartCluster(options, ClusterSpec{}));
    SimulatedNodes nodes(empty.stub.get());
    RETURN_IF_ERROR(nodes.Register(kNodes, int64_t{1} << 50));
    empty_rss = ProcessRssBytes(empty.coordinator_pid());
  }

  testing::MiniCluster cluster;
  ASSIGN_OR_RETURN(Written written, WriteMetadata(cluster.root() + "/coordinator", chunks));
  report->Add(kScenario, "store_write", "chunks/s", written.chunks_per_second);
  ASSIGN_OR_RETURN(double first_start, StartToReady(&cluster));
  report->Add(kScenario, "first_start_to_ready", "s", first_start);

  auto channel = common::CreateCoordinatorChannel(cluster.coordinator_grpc_address());
  auto stub = v1::Coordinator::NewStub(channel);
  SimulatedNodes nodes(stub.get());
  RETURN_IF_ERROR(nodes.Register(kNodes, int64_t{1} << 50, written.node_ids));
  nodes.StartKeepAlive(1000);

  for (int run = 0; run < options.runs; ++run) {
    RETURN_IF_ERROR(cluster.StopCoordinator(0));
    const absl::Time restarted = absl::Now();
    ASSIGN_OR_RETURN(double seconds, StartToReady(&cluster));
    report->Add(kScenario, "restart_to_ready", "s", seconds, AtMost(10, "<= 10 s"));
    // Ready serves from the database; the in-memory index is built behind
    // it. Latency and memory are measured once it is.
    ASSIGN_OR_RETURN(double built, IndexBuilt(&cluster, restarted));
    report->Add(kScenario, "restart_to_memory_index", "s", built);
    // The channel saw the old process go: it reconnects before the lookups
    // (else the first calls fail fast while it backs off).
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(30))) {
      return absl::UnavailableError("the coordinator's gRPC port did not accept within 30 s");
    }
    MeasureLatency(stub.get(), written, report);
    const int64_t rss = ProcessRssBytes(cluster.coordinator(0)->pid());
    report->Add(kScenario, "rss", "MiB", static_cast<double>(rss) / kMiB);
    report->Add(kScenario, "rss_empty_database", "MiB", static_cast<double>(empty_rss) / kMiB);
    // What the chunks add: the process without them is not a per-chunk
    // cost (at the full 10 million the two figures nearly agree).
    report->Add(kScenario, "rss_per_million_chunks", "MiB",
                static_cast<double>(rss - empty_rss) / kMiB / millions,
                AtMost(150, "<= 150 MiB (HDFS class)"));
    report->Add(kScenario, "rss_total_per_million_chunks", "MiB",
                static_cast<double>(rss) / kMiB / millions);
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
