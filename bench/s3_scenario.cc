// s3: the S3 gateway (gale-s3) on three real nodes. 64 MiB objects PUT and
// GET on 1 and 4 streams, against the same transfers through the client
// library directly (what the gateway itself does per object); 4 KiB objects
// PUT, GET and HEAD on 8 streams, and ListObjectsV2 pages of 1,000 keys,
// against REST heartbeats at the same concurrency: what a small REST request
// costs on this machine. HEADs and listings also against the S3 API the
// coordinator serves itself (--serve-s3), without the gateway's gRPC hop.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/cluster.h"
#include "bench/cpu_meter.h"
#include "bench/load.h"
#include "bench/rest_heartbeats.h"
#include "bench/s3_client.h"
#include "bench/scenario.h"
#include "bench/sim_nodes.h"
#include "bench/stats.h"
#include "bench/transfers.h"
#include "common/http_server.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "httplib.h"

namespace gale::bench {
namespace {

constexpr char kScenario[] = "s3";
constexpr char kAccessKey[] = "GALEBENCH";
constexpr char kSecretKey[] = "gale-bench-secret";
constexpr char kRegion[] = "us-east-1";
constexpr int kNodes = 3;
constexpr int kFactor = 3;
constexpr int64_t kChunk = int64_t{8} << 20;  // gale-s3's default chunk size
constexpr int64_t kLargeObject = int64_t{64} << 20;
// Each timed set of 64 MiB transfers stops short after this (every request
// also has its own timeouts).
constexpr absl::Duration kTransferLimit = absl::Minutes(10);
constexpr int64_t kSmallObject = 4 << 10;
constexpr int kSmallStreams = 8;
constexpr int kListPage = 1000;
constexpr int kHeartbeatNodes = 1000;
constexpr char kLargeBucket[] = "large";
constexpr char kSmallBucket[] = "small";
constexpr char kListBucket[] = "list";
// The floors of HEADs and listings through gale-s3 (set from the first
// measurement; the metadata engine's bar of 0.5 x REST heartbeats is for the
// S3 API served by the coordinator, without the gateway's hop).
constexpr double kGatewayHeadFloor = 0.15;
constexpr double kGatewayListFloor = 0.004;

// The sizes of one form (full or short).
struct Sizes {
  int64_t large_bytes;  // per measurement: objects of 64 MiB spread over the streams
  int list_keys;
  LoadOptions rest, small, list;
  absl::Duration populate_limit;  // for writing the listing's keys
};

Sizes SizesFor(bool short_form) {
  Sizes s;
  s.large_bytes = short_form ? int64_t{256} << 20 : int64_t{1} << 30;
  s.list_keys = short_form ? 10'000 : 100'000;
  s.rest = {kSmallStreams, short_form ? 50'000 : 200'000,
            short_form ? absl::Seconds(3) : absl::Seconds(10)};
  s.small = {kSmallStreams, short_form ? 3'000 : 20'000,
             short_form ? absl::Seconds(6) : absl::Seconds(20)};
  s.list = {kSmallStreams, short_form ? 500 : 3'000,
            short_form ? absl::Seconds(6) : absl::Seconds(20)};
  s.populate_limit = short_form ? absl::Minutes(3) : absl::Minutes(20);
  return s;
}

// Key `i` of the listing's bucket: fixed width, so that key order is index
// order.
std::string ListKey(int64_t i) {
  char key[32];
  std::snprintf(key, sizeof(key), "k%07lld", static_cast<long long>(i));
  return key;
}

// Small object `i` of `generation`: 4 KiB of `data` with both stamped at the
// start, so that no two objects share a chunk (a repeated chunk would be
// "already stored" and move no bytes).
std::string SmallBody(std::string_view data, uint64_t generation, int64_t i) {
  std::string body(data.substr(static_cast<size_t>(i % 1024) * kSmallObject, kSmallObject));
  const uint64_t words[2] = {generation, static_cast<uint64_t>(i)};
  std::memcpy(body.data(), words, sizeof(words));
  return body;
}

// Throughput of one transfer direction, with the CPU it took.
struct Transfer {
  double mib_per_second = 0;
  CpuPerGiB cpu;
};

struct LargeFigures {
  Transfer put, get;
};

// Runs `op(stream, object)` for objects 0..count-1, stream s taking s,
// s + streams, ...; MiB/s of `bytes` and CPU per GiB. DEADLINE_EXCEEDED
// when the objects take longer than kTransferLimit in all.
Result<Transfer> TimeTransfer(BenchCluster* cluster, int streams, int count, int64_t bytes,
                              const std::function<Status(int, int)>& op) {
  CpuMeter cpu(cluster);
  const absl::Time start = absl::Now();
  RETURN_IF_ERROR(OnStreams(streams, [&](int s) -> Status {
    for (int i = s; i < count; i += streams) {
      if (absl::Now() - start > kTransferLimit) {
        return absl::DeadlineExceededError(
            StrCat("64 MiB transfers took longer than ", absl::FormatDuration(kTransferLimit)));
      }
      RETURN_IF_ERROR(op(s, i));
    }
    return absl::OkStatus();
  }));
  Transfer out;
  out.mib_per_second =
      static_cast<double>(bytes) / kMiB / absl::ToDoubleSeconds(absl::Now() - start);
  out.cpu = cpu.PerGiB(bytes);
  return out;
}

// The objects of `data` (64 MiB each) PUT and then GET through gale-s3,
// every GET checked for its size and CRC32C; deleted afterwards.
Result<LargeFigures> LargeThroughS3(BenchCluster* cluster,
                                    const std::vector<std::unique_ptr<S3BenchClient>>& clients,
                                    std::string_view data, int streams, const std::string& prefix) {
  const int count = static_cast<int>(static_cast<int64_t>(data.size()) / kLargeObject);
  auto object = [&](int i) {
    return data.substr(static_cast<size_t>(i * kLargeObject), kLargeObject);
  };
  std::vector<std::string> expected;
  for (int i = 0; i < count; ++i) expected.push_back(BodyChecksum(object(i)));
  LargeFigures out;
  ASSIGN_OR_RETURN(out.put, TimeTransfer(cluster, streams, count, data.size(), [&](int s, int i) {
                     return clients[s]->PutObject(kLargeBucket, StrCat(prefix, i), object(i));
                   }));
  ASSIGN_OR_RETURN(
      out.get, TimeTransfer(cluster, streams, count, data.size(), [&](int s, int i) -> Status {
        ASSIGN_OR_RETURN(ObjectDigest got, clients[s]->GetObject(kLargeBucket, StrCat(prefix, i)));
        if (got.size != kLargeObject || got.crc32c != expected[static_cast<size_t>(i)]) {
          return absl::DataLossError(StrCat("object ", prefix, i, " read back as ", got.size,
                                            " bytes with another CRC32C"));
        }
        return absl::OkStatus();
      }));
  for (int i = 0; i < count; ++i) {
    RETURN_IF_ERROR(clients[0]->DeleteObject(kLargeBucket, StrCat(prefix, i)));
  }
  return out;
}

// The same objects uploaded and downloaded through the client library, at
// the gateway's factor, write mode and chunk size, with its parallelism.
Result<LargeFigures> LargeDirect(BenchCluster* cluster, client::GaleClient* client,
                                 std::string_view data, int streams, const std::string& prefix) {
  const int count = static_cast<int>(static_cast<int64_t>(data.size()) / kLargeObject);
  auto object = [&](int i) {
    return data.substr(static_cast<size_t>(i * kLargeObject), kLargeObject);
  };
  std::vector<std::string> expected;
  for (int i = 0; i < count; ++i) expected.push_back(common::Sha256::Hex(object(i)));
  LargeFigures out;
  ASSIGN_OR_RETURN(out.put, TimeTransfer(cluster, streams, count, data.size(), [&](int, int i) {
                     return UploadOne(client, object(i), kFactor, kChunk, StrCat(prefix, i));
                   }));
  ASSIGN_OR_RETURN(out.get, TimeTransfer(cluster, streams, count, data.size(), [&](int, int i) {
                     return DownloadOne(client, StrCat(prefix, i),
                                        expected[static_cast<size_t>(i)]);
                   }));
  for (int i = 0; i < count; ++i) RETURN_IF_ERROR(client->Delete(StrCat(prefix, i)));
  return out;
}

void AddTransfer(Report* report, const std::string& name, const Transfer& s3,
                 const Transfer& direct, bool with_cpu) {
  report->Add(kScenario, name + ".direct", "MiB/s", direct.mib_per_second);
  report->Add(kScenario, name, "MiB/s", s3.mib_per_second);
  report->Add(kScenario, name + ".vs_direct", "x", s3.mib_per_second / direct.mib_per_second,
              AtLeast(0.8, ">= 0.80 x client library"));
  if (!with_cpu) return;
  report->Add(kScenario, name + ".cpu.bench", "s/GiB", s3.cpu.client);
  report->Add(kScenario, name + ".cpu.gateway", "s/GiB", s3.cpu.gateway);
  report->Add(kScenario, name + ".cpu.nodes", "s/GiB", s3.cpu.nodes);
  report->Add(kScenario, name + ".direct.cpu.client", "s/GiB", direct.cpu.client);
  report->Add(kScenario, name + ".direct.cpu.nodes", "s/GiB", direct.cpu.nodes);
}

// A request rate against the REST heartbeat rate of the same run, with the
// floor of that ratio (bench/README.md says what sets each).
void AddRate(Report* report, const std::string& name, const std::string& unit,
             const LoadResult& load, double rest_rate, double floor) {
  report->Add(kScenario, name, unit, load.rate());
  report->Add(kScenario, name + ".vs_rest", "x", load.rate() / rest_rate,
              AtLeast(floor, StrCat(">= ", floor, " x REST heartbeats")));
  report->Add(kScenario, name + ".p50", "ms", load.latency.PercentileMs(50));
  report->Add(kScenario, name + ".p99", "ms", load.latency.PercentileMs(99));
  NoteErrors(report, kScenario, name, load);
}

// Writes the listing's `keys` empty objects on every stream; objects/s.
Result<double> PopulateListBucket(const std::vector<std::unique_ptr<S3BenchClient>>& clients,
                                  int keys, absl::Duration limit) {
  const int streams = static_cast<int>(clients.size());
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + limit;
  RETURN_IF_ERROR(OnStreams(streams, [&](int s) -> Status {
    for (int i = s; i < keys; i += streams) {
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            StrCat("writing ", keys, " keys took longer than ", absl::FormatDuration(limit)));
      }
      RETURN_IF_ERROR(clients[static_cast<size_t>(s)]->PutObject(kListBucket, ListKey(i), ""));
    }
    return absl::OkStatus();
  }));
  return keys / absl::ToDoubleSeconds(absl::Now() - start);
}

// Where one stream's walk through the listing is.
struct ListWalk {
  std::string token;  // "" at the start
  int64_t first = 0;  // index of the page's first key
};

// The next page of `walk`, checked against the keys the bucket holds.
Status ListNextPage(S3BenchClient* client, int keys, ListWalk* walk) {
  ASSIGN_OR_RETURN(ListPage page, client->ListObjectsV2(kListBucket, kListPage, walk->token));
  const int64_t expected = std::min<int64_t>(kListPage, keys - walk->first);
  const bool more = walk->first + expected < keys;
  if (static_cast<int64_t>(page.keys.size()) != expected || page.truncated != more ||
      page.keys.front() != ListKey(walk->first) ||
      page.keys.back() != ListKey(walk->first + expected - 1)) {
    return absl::DataLossError(StrCat("the page from key ", walk->first, " has ", page.keys.size(),
                                      " keys (expected ", expected, ")"));
  }
  if (more) {
    walk->token = std::move(page.next_continuation_token);
    walk->first += expected;
  } else {
    *walk = ListWalk{};
  }
  return absl::OkStatus();
}

// The transport's part of a listing: a real first page of 1,000 keys,
// captured, then served as it is by the gateway's HTTP server class in this
// process (no signature check, no backend, no XML writing) to the same number of keep-alive
// clients, which read it as the listing load does. Pages per second: the ceiling a gateway could
// reach if answering a listing cost nothing.
Result<LoadResult> StaticPages(const LoadOptions& load, S3BenchClient* client) {
  ASSIGN_OR_RETURN(const std::string page, client->ListObjectsV2Xml(kListBucket, kListPage, ""));
  // The gateway's own server class: the same listen backlog (a raw
  // cpp-httplib server listens with 5: eight clients connecting at once lost
  // SYNs, and a retried SYN waits a second, which made this ceiling ~490
  // pages/s in some runs), keep-alive settings and worker threads.
  common::HttpServer server("static-page", common::HttpServerOptions{}, nullptr);
  server.Get("/page", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(page, "application/xml");
  });
  ASSIGN_OR_RETURN(const int port, server.Bind("127.0.0.1", 0));
  server.Start();
  std::vector<std::unique_ptr<httplib::Client>> readers;
  for (int w = 0; w < load.concurrency; ++w) {
    readers.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    readers.back()->set_keep_alive(true);
    readers.back()->set_tcp_nodelay(true);
  }
  const LoadResult served = RunLoad(load, [&](int w, int64_t) -> Status {
    auto got = readers[static_cast<size_t>(w)]->Get("/page");
    if (!got || got->status != 200) return absl::UnavailableError("the static page did not come");
    ASSIGN_OR_RETURN(ListPage parsed, S3BenchClient::ParseListPage(got->body));
    if (static_cast<int>(parsed.keys.size()) != kListPage) {
      return absl::DataLossError("the static page lost keys");
    }
    return absl::OkStatus();
  });
  server.Stop();
  return served;
}

}  // namespace

Status RunS3(const BenchOptions& options, Report* report) {
  const Sizes sizes = SizesFor(options.short_form);
  ClusterSpec spec;
  spec.nodes = kNodes;
  spec.given_ok = false;  // it starts a gateway and reads the processes' CPU time
  // The coordinator serves S3 too (--serve-s3), configured as the gateway.
  const std::vector<std::pair<std::string, std::string>> s3_flags = {
      {"access-key", kAccessKey},
      {"secret-key", kSecretKey},
      {"region", kRegion},
      {"chunk-size-bytes", StrCat(kChunk)},
      {"replication-factor", StrCat(kFactor)},
      {"write-mode", "sync"}};
  spec.coordinator_flags = {"--heartbeat-interval-ms", "1000", "--gc-interval-ms", "1000",
                            "--gc-grace-ms",           "1000", "--serve-s3",       "true"};
  std::vector<std::string> gateway_flags;
  for (const auto& [flag, value] : s3_flags) {
    spec.coordinator_flags.insert(spec.coordinator_flags.end(), {"--s3-" + flag, value});
    gateway_flags.insert(gateway_flags.end(), {"--" + flag, value});
  }
  spec.node_flags = {"--scrub-bytes-per-sec", "0"};
  ASSIGN_OR_RETURN(BenchCluster cluster, StartCluster(options, spec));
  RETURN_IF_ERROR(cluster.cluster->StartGateway(gateway_flags));
  ASSIGN_OR_RETURN(auto client, cluster.cluster->Client());

  // The REST baseline runs on a coordinator of its own: its simulated nodes
  // (made-up data addresses) must not be chosen for the objects' chunks.
  ClusterSpec rest_spec;
  rest_spec.given_ok = false;
  ASSIGN_OR_RETURN(BenchCluster rest_cluster, StartCluster(options, rest_spec));
  SimulatedNodes heartbeating(rest_cluster.stub.get());
  RETURN_IF_ERROR(heartbeating.Register(kHeartbeatNodes, int64_t{1} << 40));

  s3::SigV4Signer signer(kAccessKey, kSecretKey, kRegion);
  // `clients` talk to gale-s3, `served_clients` to the coordinator's S3.
  std::vector<std::unique_ptr<S3BenchClient>> clients, served_clients;
  for (int s = 0; s < kSmallStreams; ++s) {
    clients.push_back(
        std::make_unique<S3BenchClient>("127.0.0.1", cluster.cluster->gateway().port, &signer));
    served_clients.push_back(std::make_unique<S3BenchClient>(
        "127.0.0.1", cluster.cluster->coordinator_info().s3_port, &signer));
  }
  for (const char* bucket : {kLargeBucket, kSmallBucket, kListBucket}) {
    RETURN_IF_ERROR(clients[0]->CreateBucket(bucket));
  }
  ASSIGN_OR_RETURN(const double populated,
                   PopulateListBucket(clients, sizes.list_keys, sizes.populate_limit));
  report->Add(kScenario, "list.populate", "objects/s", populated);

  std::string data = RandomBytes(static_cast<size_t>(sizes.large_bytes));
  report->Note(
      kScenario,
      StrCat(kNodes, " nodes, factor ", kFactor, ", write mode sync, chunks of ", kChunk >> 20,
             " MiB, 4 chunks in flight per object (gateway and client library alike); ",
             sizes.large_bytes >> 20, " MiB in 64 MiB objects per transfer; 4 KiB objects on ",
             kSmallStreams, " streams, up to ", sizes.small.max_ops, " requests or ",
             absl::FormatDuration(sizes.small.max_time), " per load; ListObjectsV2 pages of ",
             kListPage, " over ", sizes.list_keys, " empty objects; REST heartbeats of ",
             kHeartbeatNodes, " simulated nodes on a coordinator of their own, concurrency ",
             kSmallStreams));
  uint64_t generation = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));

  for (int run = 0; run < options.runs; ++run) {
    const LoadResult rest =
        RestHeartbeats(rest_cluster.rest_host, rest_cluster.rest_port, heartbeating, sizes.rest);
    if (rest.ops == 0) return absl::UnavailableError("REST heartbeats fail: " + rest.first_error);
    report->Add(kScenario, "baseline.rest_heartbeats", "/s", rest.rate());
    report->Add(kScenario, "baseline.rest_heartbeats.p99", "ms", rest.latency.PercentileMs(99));
    NoteErrors(report, kScenario, "baseline.rest_heartbeats", rest);

    for (int streams : {1, 4}) {
      // New content for each path: a chunk the cluster already holds would
      // move no bytes. Which path goes first alternates between runs.
      // A transfer that fails (a node PUT failing on a 3-node cluster at
      // factor 3 leaves no replacement) is noted and leaves this run
      // without the pair's figures; wrong bytes stop the scenario.
      const std::string s = StrCat(".s", streams);
      LargeFigures through_s3, direct;
      Status failed;
      for (int path = 0; path < 2 && failed.ok(); ++path) {
        Restamp(&data, ++generation);
        const std::string prefix = StrCat(generation, "/");
        const bool is_direct = (path + run) % 2 == 0;
        Result<LargeFigures> figures =
            is_direct ? LargeDirect(&cluster, client.get(), data, streams, "large/" + prefix)
                      : LargeThroughS3(&cluster, clients, data, streams, prefix);
        if (absl::IsDataLoss(figures.status())) return figures.status();
        if (!figures.ok()) {
          failed = figures.status();
          report->Note(kScenario, StrCat("run ", run + 1, ": 64 MiB", s, " through ",
                                         is_direct ? "the client library" : "gale-s3",
                                         " failed, no figures: ", failed.ToString()));
        } else {
          (is_direct ? direct : through_s3) = *std::move(figures);
        }
      }
      if (!failed.ok()) continue;
      AddTransfer(report, "put.64m" + s, through_s3.put, direct.put, streams == 1);
      AddTransfer(report, "get.64m" + s, through_s3.get, direct.get, streams == 1);
    }

    ++generation;
    std::vector<uint8_t> stored(static_cast<size_t>(sizes.small.max_ops), 0);
    const LoadResult put = RunLoad(sizes.small, [&](int w, int64_t i) -> Status {
      RETURN_IF_ERROR(clients[static_cast<size_t>(w)]->PutObject(
          kSmallBucket, StrCat(generation, "/", i), SmallBody(data, generation, i)));
      stored[static_cast<size_t>(i)] = 1;  // each index is one worker's
      return absl::OkStatus();
    });
    AddRate(report, "put.4k", "/s", put, rest.rate(), 0.003);
    std::vector<int64_t> keys;
    for (size_t i = 0; i < stored.size(); ++i) {
      if (stored[i]) keys.push_back(static_cast<int64_t>(i));
    }
    if (keys.empty()) return absl::UnavailableError("4 KiB PUTs fail: " + put.first_error);
    const LoadResult get = RunLoad(sizes.small, [&](int w, int64_t i) -> Status {
      const int64_t k = keys[static_cast<size_t>(i) % keys.size()];
      ASSIGN_OR_RETURN(ObjectDigest got, clients[static_cast<size_t>(w)]->GetObject(
                                             kSmallBucket, StrCat(generation, "/", k)));
      if (got.size != kSmallObject || got.crc32c != BodyChecksum(SmallBody(data, generation, k))) {
        return absl::DataLossError(
            StrCat("4 KiB object ", k, " read back as ", got.size, " bytes with another CRC32C"));
      }
      return absl::OkStatus();
    });
    AddRate(report, "get.4k", "/s", get, rest.rate(), 0.05);
    // HEADs and listings, the metadata reads: through gale-s3 (a gRPC call
    // to the coordinator each) and served by the coordinator itself.
    auto heads = [&](const std::vector<std::unique_ptr<S3BenchClient>>& on) {
      return RunLoad(sizes.small, [&](int w, int64_t i) -> Status {
        const int64_t k = keys[static_cast<size_t>(i) % keys.size()];
        ASSIGN_OR_RETURN(int64_t size, on[static_cast<size_t>(w)]->HeadObject(
                                           kSmallBucket, StrCat(generation, "/", k)));
        if (size != kSmallObject) {
          return absl::DataLossError(StrCat("4 KiB object ", k, " has size ", size));
        }
        return absl::OkStatus();
      });
    };
    auto listings = [&](const std::vector<std::unique_ptr<S3BenchClient>>& on) {
      std::vector<ListWalk> walks(kSmallStreams);
      return RunLoad(sizes.list, [&](int w, int64_t) {
        return ListNextPage(on[static_cast<size_t>(w)].get(), sizes.list_keys,
                            &walks[static_cast<size_t>(w)]);
      });
    };
    AddRate(report, "head.4k", "/s", heads(clients), rest.rate(), kGatewayHeadFloor);
    AddRate(report, "head.4k.coordinator", "/s", heads(served_clients), rest.rate(), 0.5);
    const LoadResult list = listings(clients);
    AddRate(report, "list.1000", "pages/s", list, rest.rate(), kGatewayListFloor);
    const LoadResult served_list = listings(served_clients);
    AddRate(report, "list.1000.coordinator", "pages/s", served_list, rest.rate(), 0.5);
    ASSIGN_OR_RETURN(const LoadResult served, StaticPages(sizes.list, clients[0].get()));
    report->Add(kScenario, "list.1000.static_page", "pages/s", served.rate());
    report->Add(kScenario, "list.1000.vs_static_page", "x", list.rate() / served.rate());
    report->Add(kScenario, "list.1000.coordinator.vs_static_page", "x",
                served_list.rate() / served.rate());
    NoteErrors(report, kScenario, "list.1000.static_page", served);
  }
  return absl::OkStatus();
}

}  // namespace gale::bench
