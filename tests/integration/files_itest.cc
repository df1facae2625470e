// Files end to end on a real cluster (coordinator + nodes on loopback): round
// trips of every size, dedup, delete and garbage collection down to the
// disks, a target killed mid-upload, corrupt replicas, the REST gateway, the
// ZephyrFS register flow, and the gale CLI. Every check is on the bytes read
// back.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "common/file_util.h"
#include "common/net_address.h"
#include "common/sha256.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "node/chunk_format.h"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "spdlog/spdlog.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

namespace fs = std::filesystem;
using client::FileInfo;
using nlohmann::json;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::RandomBytes;
using testing::WaitUntil;

constexpr int64_t kMiB = 1 << 20;
constexpr int64_t kChunk = 4 * kMiB;  // the client's default

class FilesITest : public ::testing::Test {
 protected:
  // `database_url`: PostgreSQL instead of the coordinator's SQLite file.
  void StartCluster(int nodes, const std::string& database_url = "",
                    const std::vector<std::string>& node_flags = {}) {
    MiniClusterOptions options;
    options.num_nodes = nodes;
    options.num_coordinators = coordinators_;
    options.database_url = database_url;
    options.coordinator_flags = {"--database-staleness-bound-ms",
                                 StrCat(absl::ToInt64Milliseconds(kStalenessBound)),
                                 "--heartbeat-interval-ms",
                                 "100",
                                 "--node-timeout-ms",
                                 "1000",
                                 "--dead-after-ms",
                                 "5000",
                                 "--gc-interval-ms",
                                 "50",
                                 "--gc-grace-ms",
                                 StrCat(gc_grace_ms_),
                                 "--liveness-flush-interval-ms",
                                 "50"};
    options.coordinator_flags.insert(options.coordinator_flags.end(), coordinator_flags_.begin(),
                                     coordinator_flags_.end());
    options.node_flags = {"--heartbeat-interval-ms", "100"};
    options.node_flags.insert(options.node_flags.end(), node_flags.begin(), node_flags.end());
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    ASSERT_OK_AND_ASSIGN(client_, cluster_->Client());
  }

  // Writes `bytes` to a local file and returns its path.
  std::string LocalFile(const std::string& name, const std::string& bytes) {
    std::string path = cluster_->root() + "/" + name;
    std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
    return path;
  }

  Result<FileInfo> Put(const std::string& name, const std::string& bytes,
                       const std::string& mode = "", int64_t chunk_size = kChunk) {
    client::CreateFileArgs args;
    args.name = name;
    args.write_mode = mode;
    args.chunk_size = chunk_size;
    return client_->UploadPath(args, LocalFile("upload-" + std::to_string(next_++), bytes));
  }

  // The file's bytes as downloaded (verified) to a local path.
  Result<std::string> Get(const std::string& file) {
    std::string path = cluster_->root() + "/download-" + std::to_string(next_++);
    RETURN_IF_ERROR(client_->DownloadToPath(file, path).status());
    return common::ReadFileToString(path);
  }

  // Chunk files on node `i`'s disk.
  size_t ChunkFilesOn(int i) {
    size_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(cluster_->node(i).dir + "/chunks", ec)) {
      n += e.is_regular_file() ? 1 : 0;
    }
    return n;
  }

  std::string ChunkPath(int node, const std::string& id) {
    return StrCat(cluster_->node(node).dir, "/chunks/", id.substr(0, 2), "/", id.substr(2, 2), "/",
                  id);
  }

  int64_t BytesWrittenOnNodes() {
    int64_t total = 0;
    for (int i = 0; i < cluster_->num_nodes(); ++i) {
      httplib::Client ops("127.0.0.1", cluster_->node(i).metrics_port);
      auto r = ops.Get("/metrics");
      if (!r) continue;
      const std::string key = "\ngale_node_bytes_written_total ";
      size_t at = r->body.find(key);
      if (at != std::string::npos) {
        total += static_cast<int64_t>(std::stod(r->body.substr(at + key.size())));
      }
    }
    return total;
  }

  // Successful gRPC calls of `method` the coordinator has answered.
  int64_t GrpcCalls(const std::string& method) {
    httplib::Client ops("127.0.0.1", cluster_->coordinator_metrics_port());
    auto r = ops.Get("/metrics");
    if (!r) return -1;
    const std::string key =
        StrCat("gale_grpc_requests_total{code=\"OK\",method=\"", method, "\"} ");
    const size_t at = r->body.find(key);
    return at == std::string::npos ? 0 : std::stoll(r->body.substr(at + key.size()));
  }

  // Puts and gets files of every interesting size up to `largest`.
  void ExpectRoundTripsForEverySize(int64_t largest) {
    for (int64_t size : {int64_t{0}, int64_t{1}, kChunk, kChunk + 1, largest}) {
      SCOPED_TRACE(size);
      const std::string bytes = RandomBytes(static_cast<size_t>(size), static_cast<uint64_t>(size));
      const std::string name = StrCat("size-", size, ".bin");
      ASSERT_OK_AND_ASSIGN(FileInfo info, Put(name, bytes));
      EXPECT_EQ(info.size, size);
      EXPECT_EQ(info.sha256, common::Sha256::Hex(bytes));
      EXPECT_EQ(info.chunk_count, (size + kChunk - 1) / kChunk);
      ASSERT_OK_AND_ASSIGN(std::string back, Get(name));
      EXPECT_EQ(common::Sha256::Hex(back), common::Sha256::Hex(bytes));
      EXPECT_EQ(back.size(), bytes.size());
    }
  }

  // A coordinator's /health "database.memory_index": "serving" once the
  // hot reads come from memory.
  std::string MemoryIndexState(int coordinator) {
    auto rest = cluster_->RestClient(cluster_->coordinator_http_port(coordinator));
    auto r = rest->Get("/health");
    if (!r || r->status != 200) return "";
    return json::parse(r->body)["database"].value("memory_index", "");
  }

  static constexpr absl::Duration kStalenessBound = absl::Milliseconds(500);
  void ExpectACrashLosesOnlyTheUploadInProgress(const std::string& database_url,
                                                int64_t full_reports_ms);

  // On PostgreSQL, uploads stay in memory only for a quarter of the grace,
  // and only when that is at least the staleness bound: 2,000 ms keeps
  // them there, as the default (60 s) does.
  static constexpr int64_t kGraceForUploadsInMemory = 2000;
  int64_t gc_grace_ms_ = 100;
  std::vector<std::string> coordinator_flags_;  // added to StartCluster's
  int coordinators_ = 1;
  std::unique_ptr<testing::TestDatabase> database_;  // PostgreSQL tests only
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::GaleClient> client_;
  int next_ = 0;
};

TEST_F(FilesITest, RoundTripsAreByteIdenticalForEverySize) {
  StartCluster(3);
  ExpectRoundTripsForEverySize(64 * kMiB);

  // A sync write puts every replica in place before the commit.
  const std::string bytes = RandomBytes(3 * kMiB, 99);
  ASSERT_OK_AND_ASSIGN(FileInfo synced, Put("synced", bytes, "sync", kMiB));
  ASSERT_OK_AND_ASSIGN(FileInfo stat, client_->Stat("synced"));
  ASSERT_EQ(stat.chunks.size(), 3u);
  for (const auto& chunk : stat.chunks) EXPECT_EQ(chunk.replicas.size(), 3u);
  ASSERT_OK_AND_ASSIGN(std::string back, Get(synced.id));
  EXPECT_EQ(back, bytes);
}

TEST_F(FilesITest, AFileOfOneChunkIsCreatedWithItsPlacementInOneCall) {
  StartCluster(3);
  const int64_t creates = GrpcCalls("CreateFile");
  const int64_t allocations = GrpcCalls("AllocateChunks");
  for (int64_t size : {int64_t{0}, int64_t{1000}, kChunk}) {
    SCOPED_TRACE(size);
    const std::string bytes = RandomBytes(static_cast<size_t>(size), 7 + size);
    ASSERT_OK_AND_ASSIGN(FileInfo info, Put(StrCat("small-", size), bytes));
    ASSERT_OK_AND_ASSIGN(std::string back, Get(info.id));
    EXPECT_EQ(back, bytes);
  }
  EXPECT_EQ(GrpcCalls("CreateFile") - creates, 3);
  EXPECT_EQ(GrpcCalls("AllocateChunks") - allocations, 0) << "placed by the create";
  // A file of two chunks still allocates them as they come.
  ASSERT_OK(Put("two-chunks", RandomBytes(static_cast<size_t>(kChunk) + 1, 8)).status());
  EXPECT_EQ(GrpcCalls("AllocateChunks") - allocations, 2);
}

TEST_F(FilesITest, EndToEndOnPostgres) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(database_);
  gc_grace_ms_ = kGraceForUploadsInMemory;
  StartCluster(3, database_->url());
  ExpectRoundTripsForEverySize(9 * kMiB);
  // Dedup, listing and delete go through the same store.
  const std::string bytes = RandomBytes(5 * kMiB, 5);
  ASSERT_OK(Put("a", bytes));
  const int64_t written = BytesWrittenOnNodes();
  ASSERT_OK(Put("b", bytes));
  EXPECT_EQ(BytesWrittenOnNodes(), written) << "dedup: no chunk sent again";
  ASSERT_OK_AND_ASSIGN(auto listed, client_->List("", 100, "", "name"));
  EXPECT_EQ(listed.files_size(), 7);
  ASSERT_OK(client_->Delete("a"));
  EXPECT_STATUS(client_->Stat("a"), absl::StatusCode::kNotFound, "");
  ASSERT_OK_AND_ASSIGN(std::string back, Get("b"));
  EXPECT_EQ(common::Sha256::Hex(back), common::Sha256::Hex(bytes));
}

TEST_F(FilesITest, TwoCoordinatorsOnPostgresSeeEachOthersChangesWithinTheBound) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(database_);
  gc_grace_ms_ = kGraceForUploadsInMemory;
  coordinators_ = 2;
  StartCluster(3, database_->url());
  for (int c : {0, 1}) {
    ASSERT_TRUE(WaitUntil([&] { return MemoryIndexState(c) == "serving"; })) << "coordinator " << c;
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    // Written sync: every copy is in place at the commit, so that no
    // replication runs between the answers compared below (a quorum write's
    // last copy comes from the replication manager, at a moment of its own).
    ASSERT_OK_AND_ASSIGN(FileInfo info,
                         Put(StrCat("shared-", i), RandomBytes(kMiB + i, 40 + i), "sync"));
    ids.push_back(info.id);
  }
  // What one coordinator wrote, both answer alike within the bound (the
  // copies the nodes reported reach the other coordinator through the
  // feed, like any change).
  const absl::Time written = absl::Now();
  std::map<std::string, std::string> answers;  // file id -> coordinator 1's JSON
  auto rest0 = cluster_->RestClient(cluster_->coordinator_http_port(0));
  auto rest1 = cluster_->RestClient(cluster_->coordinator_http_port(1));
  for (const std::string& id : ids) {
    std::string a_body, b_body;
    const bool alike = WaitUntil([&] {
      const absl::Time asked = absl::Now();
      auto a = rest0->Get(StrCat("/api/v1/files/", id));
      auto b = rest1->Get(StrCat("/api/v1/files/", id));
      if (a && b && b->status == 200) {
        a_body = a->body;
        b_body = b->body;
        if (json::parse(a_body, nullptr, false) == json::parse(b_body, nullptr, false)) return true;
      }
      EXPECT_LT(asked - written, kStalenessBound) << "the coordinators disagree beyond the bound";
      return false;
    });
    EXPECT_TRUE(alike) << a_body << "\n" << b_body;
    answers[id] = b_body;
  }

  // Deleted through coordinator 0: from a bound after the delete on, no
  // answer of coordinator 1 resolves it.
  auto deleted = rest0->Delete(StrCat("/api/v1/files/", ids[0]));
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->status, 200) << deleted->body;
  const absl::Time at = absl::Now();
  absl::Duration resolved;
  ASSERT_TRUE(WaitUntil([&] {
    const absl::Time asked = absl::Now();
    auto r = rest1->Get(StrCat("/api/v1/files/", ids[0]));
    if (r && r->status == 404) {
      resolved = asked - at;
      return true;
    }
    EXPECT_LT(asked - at, kStalenessBound) << "a deleted file resolved beyond the bound";
    return false;
  }));
  RecordProperty("deleted_file_resolved_ms", std::to_string(absl::ToInt64Milliseconds(resolved)));
  answers.erase(ids[0]);
  std::string out;
  EXPECT_NE(cluster_->RunGale({"get", ids[0], cluster_->root() + "/gone"}, &out), 0);

  // Restarted on the populated database, coordinator 1 answers as before
  // (its copies' nodes are live to it once they have heartbeated: on a
  // loaded machine a node can be a moment late, so each answer is awaited).
  ASSERT_OK(cluster_->RestartCoordinator(1));
  ASSERT_TRUE(WaitUntil([&] { return MemoryIndexState(1) == "serving"; }));
  rest1 = cluster_->RestClient(cluster_->coordinator_http_port(1));
  for (const auto& [id, before] : answers) {
    std::string now;
    WaitUntil([&] {
      auto r = rest1->Get(StrCat("/api/v1/files/", id));
      now = r ? r->body : "no answer";
      return json::parse(now, nullptr, false) == json::parse(before);
    });
    EXPECT_EQ(json::parse(now, nullptr, false), json::parse(before)) << id;
  }
  auto gone = rest1->Get(StrCat("/api/v1/files/", ids[0]));
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  ASSERT_OK_AND_ASSIGN(std::string back, Get(ids[2]));
  EXPECT_EQ(back, RandomBytes(kMiB + 2, 42));
}

TEST_F(FilesITest, TheSameBytesTwiceStoreNoNewChunkBytes) {
  StartCluster(3);
  const std::string bytes = RandomBytes(10 * kMiB, 7);
  ASSERT_OK(Put("original", bytes));
  const int64_t written = BytesWrittenOnNodes();
  EXPECT_EQ(written, 2 * static_cast<int64_t>(bytes.size())) << "quorum: two replicas";
  ASSERT_OK(Put("copy", bytes));
  EXPECT_EQ(BytesWrittenOnNodes(), written) << "dedup: no chunk sent again";
  ASSERT_OK_AND_ASSIGN(std::string a, Get("original"));
  ASSERT_OK_AND_ASSIGN(std::string b, Get("copy"));
  EXPECT_EQ(a, bytes);
  EXPECT_EQ(b, bytes);
}

TEST_F(FilesITest, RmFreesTheDisksAfterGarbageCollection) {
  StartCluster(3);
  const std::string shared = RandomBytes(2 * kMiB, 11);
  ASSERT_OK(Put("one", shared));
  ASSERT_OK(Put("two", shared + RandomBytes(5 * kMiB, 12)));
  size_t before = 0;
  for (int i = 0; i < 3; ++i) before += ChunkFilesOn(i);
  EXPECT_GT(before, 0u);

  ASSERT_OK(client_->Delete("one"));
  ASSERT_OK_AND_ASSIGN(std::string two, Get("two"));  // the shared chunk is still needed
  EXPECT_EQ(two.substr(0, shared.size()), shared);
  ASSERT_OK(client_->Delete("two"));
  EXPECT_STATUS(client_->Stat("two"), absl::StatusCode::kNotFound, "");
  ASSERT_TRUE(WaitUntil([&] { return ChunkFilesOn(0) + ChunkFilesOn(1) + ChunkFilesOn(2) == 0; },
                        absl::Seconds(20)))
      << "chunk files left: " << ChunkFilesOn(0) + ChunkFilesOn(1) + ChunkFilesOn(2);
  httplib::Client rest("127.0.0.1", cluster_->coordinator_http_port());
  ASSERT_TRUE(WaitUntil([&] {
    auto r = rest.Get("/api/v1/network/status");
    return r && json::parse(r->body)["network_stats"]["total_chunks"] == 0;
  }));
}

TEST_F(FilesITest, QuorumUploadSurvivesATargetKilledMidway) {
  StartCluster(3);
  const std::string bytes = RandomBytes(32 * kMiB, 13);
  ASSERT_OK_AND_ASSIGN(auto client, cluster_->Client(/*parallelism=*/1));
  client::CreateFileArgs args;
  args.name = "survivor";
  std::atomic<bool> killed{false};
  std::string path = LocalFile("survivor", bytes);
  // The client logs each replacement it asks for; keep its log to check.
  auto log = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
  spdlog::default_logger()->sinks().push_back(log);
  // With three nodes every quorum chunk goes to two of them: after the kill
  // most chunks name the dead node until the coordinator notices.
  auto info = client->UploadPath(args, path, [&](int64_t done) {
    if (done >= kChunk && !killed.exchange(true)) (void)cluster_->KillNode(2);
  });
  spdlog::default_logger()->sinks().pop_back();
  ASSERT_TRUE(killed.load());
  ASSERT_OK(info);
  int replacements = 0;
  for (const auto& line : log->last_formatted()) {
    replacements += line.find("asking for a replacement") != std::string::npos;
  }
  EXPECT_GT(replacements, 0) << "no chunk was sent to the dead node; the test proved nothing";
  ASSERT_OK_AND_ASSIGN(std::string back, Get("survivor"));
  EXPECT_EQ(common::Sha256::Hex(back), common::Sha256::Hex(bytes));
}

// An upload's metadata stays in the coordinator's memory until its commit:
// a coordinator killed mid-upload loses that upload only. Its commit is
// refused, the client uploads again, and the copies already on the nodes
// come back in the nodes' full reports as orphans and are collected.
// A coordinator killed mid-upload: the upload (in its memory) is lost, the
// file committed before is not; the lost upload's copies are collected as
// orphans after the grace period, and the client uploads again.
// A copy's age as an orphan counts from its node's last full report:
// `full_reports_ms` apart, longer than the grace period.
void FilesITest::ExpectACrashLosesOnlyTheUploadInProgress(const std::string& database_url,
                                                          int64_t full_reports_ms) {
  StartCluster(3, database_url, {"--chunk-report-interval-ms", StrCat(full_reports_ms)});
  const std::string kept = RandomBytes(kChunk + 17, 20);
  ASSERT_OK(Put("kept", kept));
  const std::string lost = RandomBytes(6 * kChunk, 21);
  ASSERT_OK_AND_ASSIGN(auto client, cluster_->Client(/*parallelism=*/1));
  client::CreateFileArgs args;
  args.name = "lost";
  std::atomic<bool> killed{false};
  auto upload = client->UploadPath(args, LocalFile("lost", lost), [&](int64_t done) {
    if (done >= kChunk && !killed.exchange(true)) (void)cluster_->KillCoordinator();
  });
  ASSERT_TRUE(killed.load());
  EXPECT_FALSE(upload.ok()) << "the coordinator died before the commit";
  const std::string first = common::Sha256::Hex(lost.substr(0, kChunk));
  auto copies_of_first = [&] {
    int copies = 0;
    for (int i = 0; i < 3; ++i) copies += fs::exists(ChunkPath(i, first)) ? 1 : 0;
    return copies;
  };
  ASSERT_GT(copies_of_first(), 0) << "no chunk of the lost upload reached a node";

  ASSERT_OK(cluster_->StartCoordinator());
  EXPECT_STATUS(client_->Stat("lost"), absl::StatusCode::kNotFound, "");
  ASSERT_OK_AND_ASSIGN(std::string back, Get("kept"));
  EXPECT_EQ(back, kept) << "committed before the crash";
  // The nodes' next full reports name the lost upload's copies: orphans,
  // deleted after the grace period.
  ASSERT_TRUE(WaitUntil([&] { return copies_of_first() == 0; }, absl::Seconds(30)))
      << copies_of_first() << " copies of the lost upload's first chunk left";

  ASSERT_OK_AND_ASSIGN(FileInfo again, Put("lost", lost));
  EXPECT_EQ(again.sha256, common::Sha256::Hex(lost));
  ASSERT_OK_AND_ASSIGN(back, Get("lost"));
  EXPECT_EQ(common::Sha256::Hex(back), common::Sha256::Hex(lost));
}

TEST_F(FilesITest, ACoordinatorCrashLosesOnlyTheUploadInProgress) {
  ExpectACrashLosesOnlyTheUploadInProgress("", 300);
}

TEST_F(FilesITest, ACoordinatorCrashOnPostgresLosesOnlyTheUploadInProgress) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(database_);
  gc_grace_ms_ = kGraceForUploadsInMemory;
  // An upload held in memory longer than a quarter of the grace (500 ms;
  // a 4 MiB chunk's copies can take that on a loaded machine) moves to the
  // database as a pending file: the crash then loses it when it expires,
  // and its copies go with its chunks. A short time to live has both ways
  // end within the wait below.
  coordinator_flags_ = {"--pending-upload-ttl-ms", "8000"};
  ExpectACrashLosesOnlyTheUploadInProgress(database_->url(), 3 * kGraceForUploadsInMemory);
}

TEST_F(FilesITest, CorruptReplicasAreNeverReturnedAndAreReported) {
  StartCluster(3);
  const std::string bytes = RandomBytes(2 * kMiB, 17);
  ASSERT_OK_AND_ASSIGN(FileInfo info, Put("fragile", bytes, "sync", kMiB));
  ASSERT_OK_AND_ASSIGN(FileInfo stat, client_->Stat("fragile"));
  ASSERT_EQ(stat.chunks.size(), 2u);

  // Chunk 0: bit rot on the replica readers try first. Its node notices
  // (block CRCs) and cuts the response; the reader moves on.
  const auto& c0 = stat.chunks[0];
  const int rotten = cluster_->NodeIndex(c0.replicas[0].node_id);
  {
    std::fstream f(ChunkPath(rotten, c0.id), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(12345);
    f.put('\x5a');
  }
  // Chunk 1: bytes replaced wholesale with a valid checksum trailer, so the
  // node serves them; only the client's SHA-256 check can catch them.
  const auto& c1 = stat.chunks[1];
  const int forged = cluster_->NodeIndex(c1.replicas[0].node_id);
  {
    std::string fake = RandomBytes(static_cast<size_t>(c1.size), 18);
    node::BlockChecksummer checksummer;
    checksummer.Update(fake);
    std::ofstream(ChunkPath(forged, c1.id), std::ios::binary | std::ios::trunc)
        << fake << checksummer.Trailer();
  }

  ASSERT_OK_AND_ASSIGN(std::string back, Get("fragile"));
  EXPECT_EQ(back, bytes) << "correct bytes from the other replicas";

  // Both bad copies are caught (the first by its node, the second by the
  // client and then the node's own verification), quarantined, and replaced:
  // with three nodes and factor 3, by a good copy on the same node.
  auto good_copy = [&](int node, const FileInfo::Chunk& chunk) {
    auto data = common::ReadFileToString(ChunkPath(node, chunk.id));
    return data.ok() && static_cast<int64_t>(data->size()) > chunk.size &&
           common::Sha256::Hex(data->substr(0, static_cast<size_t>(chunk.size))) == chunk.id;
  };
  auto quarantined = [&](int node) {
    std::error_code ec;
    return !fs::is_empty(cluster_->node(node).dir + "/quarantine", ec);
  };
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto now = client_->Stat("fragile");
        return now.ok() && now->chunks[0].replicas.size() == 3 &&
               now->chunks[1].replicas.size() == 3 && quarantined(rotten) && quarantined(forged) &&
               good_copy(rotten, c0) && good_copy(forged, c1);
      },
      absl::Seconds(30)));
  ASSERT_OK_AND_ASSIGN(back, Get("fragile"));
  EXPECT_EQ(back, bytes);
}

TEST_F(FilesITest, RestGatewayStreamsChunkedUploadsAndServesRanges) {
  StartCluster(3);
  const std::string bytes = RandomBytes(9 * kMiB + 123, 19);
  httplib::Client rest("127.0.0.1", cluster_->coordinator_http_port());
  // No Content-Length: the body arrives with chunked transfer encoding.
  auto up = rest.Post(
      "/api/v1/files/upload?name=gateway.bin&chunk_size=2MiB&mode=quorum",
      [&](size_t offset, httplib::DataSink& sink) {
        size_t n = std::min<size_t>(300000, bytes.size() - offset);
        sink.write(bytes.data() + offset, n);
        if (offset + n == bytes.size()) sink.done();
        return true;
      },
      "application/octet-stream");
  ASSERT_TRUE(up);
  ASSERT_EQ(up->status, 201) << up->body;
  json info = json::parse(up->body)["file_info"];
  EXPECT_EQ(info["file_size"], bytes.size());
  EXPECT_EQ(info["file_hash"], common::Sha256::Hex(bytes));
  EXPECT_EQ(info["chunk_count"], 5);
  const std::string id = info["file_id"];

  auto whole = rest.Get(("/api/v1/files/" + id + "/content").c_str());
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, bytes);
  EXPECT_EQ(whole->get_header_value("ETag"), "\"" + common::Sha256::Hex(bytes) + "\"");
  for (auto [from, to] : std::vector<std::pair<int64_t, int64_t>>{
           {0, 0}, {2 * kMiB - 10, 2 * kMiB + 10}, {100, 7 * kMiB}, {9 * kMiB, 9 * kMiB + 122}}) {
    auto part = rest.Get(("/api/v1/files/gateway.bin/content"),
                         {{"Range", StrCat("bytes=", from, "-", to)}});
    ASSERT_TRUE(part);
    EXPECT_EQ(part->status, 206);
    EXPECT_EQ(part->body,
              bytes.substr(static_cast<size_t>(from), static_cast<size_t>(to - from + 1)));
  }
  auto beyond =
      rest.Get(("/api/v1/files/" + id + "/content").c_str(), {{"Range", "bytes=99999999-"}});
  EXPECT_EQ(beyond->status, 416);
  auto missing = rest.Post("/api/v1/files/upload", "x", "application/octet-stream");
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->body.find("'name'"), std::string::npos);
}

TEST_F(FilesITest, ZephyrFsRegisterLocationsFileInfoFlow) {
  StartCluster(3);
  const std::string a = RandomBytes(3000, 21), b = RandomBytes(1000, 22);
  const std::string ida = common::Sha256::Hex(a), idb = common::Sha256::Hex(b);
  httplib::Client rest("127.0.0.1", cluster_->coordinator_http_port());
  json body = {{"file_name", "zephyr.dat"},
               {"file_size", 4000},
               {"file_hash", common::Sha256::Hex(a + b)},
               {"owner_node_id", "client-1"},
               {"chunks",
                {{{"chunk_id", ida}, {"hash", ida}, {"size", 3000}, {"index", 0}},
                 {{"chunk_id", idb}, {"hash", idb}, {"size", 1000}, {"index", 1}}}}};
  auto reg = rest.Post("/api/v1/files/register", body.dump(), "application/json");
  ASSERT_TRUE(reg);
  ASSERT_EQ(reg->status, 201) << reg->body;
  json answer = json::parse(reg->body);
  EXPECT_EQ(answer["success"], true);
  const std::string file_id = answer["file_id"];
  ASSERT_EQ(answer["chunk_placements"].size(), 2u);

  // Not visible before its chunks exist.
  EXPECT_EQ(json::parse(rest.Get(("/api/v1/files/" + file_id).c_str())->body)["file_info"]["state"],
            "pending");
  // Store each chunk on its targets, then tell the coordinator, as ZephyrFS
  // clients do.
  std::map<std::string, std::set<std::string>> targets;
  for (const auto& p : answer["chunk_placements"]) {
    const std::string& bytes = p["chunk_id"] == ida ? a : b;
    for (size_t i = 0; i < p["target_addresses"].size(); ++i) {
      auto address = common::ParseHostPort(p["target_addresses"][i].get<std::string>());
      ASSERT_OK(address);
      httplib::Client node_client(address->host, address->port);
      auto put = node_client.Put(("/v1/chunks/" + p["chunk_id"].get<std::string>()).c_str(), bytes,
                                 "application/octet-stream");
      ASSERT_TRUE(put && put->status == 201);
      targets[p["chunk_id"]].insert(p["target_nodes"][i].get<std::string>());
    }
    json update = {{"node_ids", p["target_nodes"]}, {"operation", "add"}};
    ASSERT_TRUE(WaitUntil([&] {
      auto r =
          rest.Put(("/api/v1/chunks/" + p["chunk_id"].get<std::string>() + "/locations").c_str(),
                   update.dump(), "application/json");
      return r && r->status == 200 && json::parse(r->body)["unconfirmed_node_ids"].empty();
    }));
  }
  json file_info = json::parse(rest.Get(("/api/v1/files/" + file_id).c_str())->body)["file_info"];
  EXPECT_EQ(file_info["state"], "complete");
  EXPECT_EQ(file_info["file_name"], "zephyr.dat");
  EXPECT_EQ(file_info["owner_node_id"], "client-1");
  for (const auto& c : file_info["chunks"]) {
    std::set<std::string> stored(c["stored_at_nodes"].begin(), c["stored_at_nodes"].end());
    EXPECT_EQ(stored, targets[c["chunk_id"]]) << "the live truth, from node reports";
    EXPECT_EQ(c["replication_count"], stored.size());
  }
  auto locations = json::parse(
      rest.Get(("/api/v1/chunks/" + ida + "/locations?preferred_count=1").c_str())->body);
  EXPECT_EQ(locations["node_ids"].size(), 1u);
  auto chunk = json::parse(rest.Get(("/api/v1/chunks/" + idb).c_str())->body)["chunk_info"];
  EXPECT_EQ(chunk["size"], 1000);
  EXPECT_EQ(chunk["file_id"], file_id);
  auto listed = json::parse(rest.Get("/api/v1/files?prefix=zeph")->body);
  ASSERT_EQ(listed["files"].size(), 1u);
  // And the content is readable through the gateway, verified.
  EXPECT_EQ(rest.Get(("/api/v1/files/" + file_id + "/content").c_str())->body, a + b);
  EXPECT_EQ(rest.Delete(("/api/v1/files/" + file_id).c_str())->status, 200);
  EXPECT_EQ(rest.Get(("/api/v1/files/" + file_id).c_str())->status, 404);
}

// Runs the gale CLI; returns its exit code, with stdout in `out`.
TEST_F(FilesITest, CliPutLsStatGetRm) {
  StartCluster(3);
  const std::string bytes = RandomBytes(5 * kMiB + 17, 23);
  const std::string src = LocalFile("notes.txt", bytes);
  std::string out, err;
  ASSERT_EQ(
      cluster_->RunGale({"put", src, "--name", "docs/notes.txt", "--chunk-size", "1MiB"}, &out), 0);
  const std::string id(TrimWhitespace(out));
  EXPECT_EQ(id.size(), 36u);
  ASSERT_EQ(cluster_->RunGale({"ls", "docs/", "--json"}, &out), 0);
  json listed = json::parse(out);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0]["file_id"], id);
  ASSERT_EQ(cluster_->RunGale({"stat", "docs/notes.txt", "--json"}, &out), 0);
  EXPECT_EQ(json::parse(out)["chunks"].size(), 6u);
  const std::string dst = cluster_->root() + "/notes.copy";
  ASSERT_EQ(cluster_->RunGale({"get", id, "-o", dst}, &out), 0);
  EXPECT_EQ(common::ReadFileToString(dst).value_or(""), bytes);
  ASSERT_EQ(cluster_->RunGale({"get", "docs/notes.txt", "-o", "-"}, &out), 0);
  EXPECT_EQ(out, bytes);
  EXPECT_EQ(cluster_->RunGale({"put", src, "--name", "docs/notes.txt"}, &out, &err), 1);
  EXPECT_NE(err.find("--overwrite"), std::string::npos) << err;
  ASSERT_EQ(cluster_->RunGale({"rm", "docs/notes.txt"}, &out), 0);
  EXPECT_EQ(cluster_->RunGale({"get", id}, &out, &err), 1);
  EXPECT_NE(err.find("gale ls"), std::string::npos) << err;
  EXPECT_EQ(cluster_->RunGale({"put"}, &out), 2) << "usage error";
  EXPECT_EQ(cluster_->RunGale({"frobnicate"}, &out), 2);
  ASSERT_EQ(cluster_->RunGale({"nodes", "--json"}, &out), 0);
  EXPECT_EQ(json::parse(out).size(), 3u);
  ASSERT_EQ(cluster_->RunGale({"status"}, &out), 0);
  EXPECT_NE(out.find("3 active of 3"), std::string::npos) << out;
}

}  // namespace
}  // namespace gale
