// Self-healing under injected faults, on real clusters of coordinator and
// nodes on loopback: a crashed node, a paused one, two crashed at once, bit
// rot, a coordinator restarted mid-repair, a full disk, a drain, and deletes
// while a node is away; on PostgreSQL, a crashed node and a leading
// coordinator killed mid-repair with a second one taking over. Timeouts are
// short (dead after 3 s) so that each
// scenario takes seconds. Every scenario ends by reading every file back and
// comparing its SHA-256 with what was uploaded.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "client/grpc_file_api.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "node/chunk_format.h"
#include "node/chunk_paths.h"
#include "tests/mini_cluster/mini_cluster.h"
#include "tests/testing/flip_byte.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/random_data.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait.h"

namespace gale {
namespace {

namespace fs = std::filesystem;
using client::FileInfo;
using nlohmann::json;
using testing::MiniCluster;
using testing::MiniClusterOptions;
using testing::WaitUntil;

constexpr int64_t kChunk = 64 << 10;
constexpr int kDeadAfterMs = 3000;
// How long any repair may take once its cause is known; generous for a
// loaded 2-core machine.
constexpr absl::Duration kRepairBound = absl::Seconds(45);

// A file as uploaded: what it must read back as.
struct Uploaded {
  std::string name;
  std::string sha256;
};

class SelfHealingITest : public ::testing::Test {
 protected:
  // `node_flags` replace the defaults of the same name. With database_ set,
  // the coordinators_ share it; else one coordinator runs on SQLite.
  void StartCluster(int nodes, const std::vector<std::string>& node_flags = {}) {
    MiniClusterOptions options;
    options.num_nodes = nodes;
    options.num_coordinators = coordinators_;
    if (database_ != nullptr) options.database_url = database_->url();
    options.coordinator_flags = {"--heartbeat-interval-ms",
                                 "100",
                                 "--node-timeout-ms",
                                 "1000",
                                 "--dead-after-ms",
                                 "3000",
                                 "--liveness-flush-interval-ms",
                                 "50",
                                 "--replication-interval-ms",
                                 "100",
                                 "--gc-interval-ms",
                                 "100",
                                 "--gc-grace-ms",
                                 "300",
                                 "--task-deadline-ms",
                                 "5000",
                                 "--task-retry-ms",
                                 "200",
                                 "--max-replications-per-node",
                                 "8"};
    options.node_flags = {"--heartbeat-interval-ms", "100", "--scrub-bytes-per-sec", "0"};
    for (size_t i = 0; i + 1 < node_flags.size(); i += 2) {
      auto it = std::find(options.node_flags.begin(), options.node_flags.end(), node_flags[i]);
      if (it != options.node_flags.end()) {
        *(it + 1) = node_flags[i + 1];
      } else {
        options.node_flags.insert(options.node_flags.end(), {node_flags[i], node_flags[i + 1]});
      }
    }
    cluster_ = std::make_unique<MiniCluster>(options);
    ASSERT_OK(cluster_->Start());
    ASSERT_OK_AND_ASSIGN(client_, cluster_->Client());
  }

  // Uploads `files` random files of `chunks` chunks each (the last one
  // partial), with `mode`.
  void Upload(int files, int chunks, const std::string& mode = "sync") {
    for (int f = 0; f < files; ++f) {
      const int n = next_++;
      const std::string bytes = testing::RandomBytes(chunks * kChunk - 1000, 7000 + n);
      const std::string path = cluster_->root() + "/upload-" + std::to_string(n);
      std::ofstream(path, std::ios::binary).write(bytes.data(), bytes.size());
      client::CreateFileArgs args;
      args.name = "file-" + std::to_string(n);
      args.write_mode = mode;
      args.chunk_size = kChunk;
      ASSERT_OK(client_->UploadPath(args, path));
      files_.push_back({args.name, common::Sha256::Hex(bytes)});
      fs::remove(path);
    }
  }

  // Downloads every file (verified by the client) and compares its hash.
  void ExpectAllReadBack(const std::vector<Uploaded>& files) {
    for (const Uploaded& file : files) {
      const std::string path = cluster_->root() + "/download";
      SCOPED_TRACE(file.name);
      ASSERT_OK(client_->DownloadToPath(file.name, path));
      ASSERT_OK_AND_ASSIGN(std::string back, common::ReadFileToString(path));
      EXPECT_EQ(common::Sha256::Hex(back), file.sha256) << file.name;
    }
  }
  void ExpectAllReadBack() { ExpectAllReadBack(files_); }

  // Live replicas of every chunk of `files`, by chunk id.
  Result<std::map<std::string, std::vector<FileInfo::Replica>>> Replicas(
      const std::vector<Uploaded>& files) {
    std::map<std::string, std::vector<FileInfo::Replica>> out;
    for (const Uploaded& file : files) {
      ASSIGN_OR_RETURN(FileInfo info, client_->Stat(file.name));
      for (auto& chunk : info.chunks) out[chunk.id] = std::move(chunk.replicas);
    }
    return out;
  }

  // Every chunk has exactly three replicas, all on active nodes, none on
  // `gone`.
  bool AtFactor(const std::set<std::string>& gone = {}) {
    auto replicas = Replicas(files_);
    if (!replicas.ok()) return false;
    for (const auto& [id, list] : *replicas) {
      if (list.size() != 3) return false;
      for (const auto& r : list) {
        if (r.node_state != "active" || gone.contains(r.node_id)) return false;
      }
    }
    return true;
  }

  v1::ReplicationHealth Health() {
    auto status = client_->ClusterStatus();
    EXPECT_OK(status);
    return status.ok() ? status->replication() : v1::ReplicationHealth{};
  }

  // The replication manager's verdict, from a run after `after`.
  bool HealthyAfter(absl::Time after) {
    v1::ReplicationHealth h = Health();
    return h.as_of_ms() > absl::ToUnixMillis(after) && h.under_replicated() == 0 &&
           h.over_replicated() == 0 && h.lost() == 0 && h.corrupt_replicas() == 0;
  }

  // The sum of coordinator `i`'s metric lines starting with `prefix`.
  double CoordinatorMetric(const std::string& prefix, int i = 0) {
    httplib::Client ops("127.0.0.1", cluster_->coordinator_metrics_port(i));
    auto r = ops.Get("/metrics");
    if (!r) return -1;
    double sum = 0;
    for (std::string_view line : SplitTrimmed(r->body, '\n')) {
      if (!line.starts_with(prefix)) continue;
      sum += std::stod(std::string(line.substr(line.rfind(' ') + 1)));
    }
    return sum;
  }

  std::string NodeState(int i) {
    auto nodes = client_->Nodes();
    if (!nodes.ok()) return "";
    for (const auto& n : nodes->nodes()) {
      if (n.node_id() == cluster_->node(i).node_id) return client::NodeStateText(n.state());
    }
    return "";
  }

  // Chunk ids with a file on node `i`'s disk.
  std::set<std::string> ChunksOnDisk(int i) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(cluster_->node(i).dir + "/chunks", ec)) {
      if (e.is_regular_file()) out.insert(e.path().filename().string());
    }
    return out;
  }

  std::string ChunkFile(int node, const std::string& id) {
    return node::ChunkPaths(cluster_->node(node).dir).ChunkFile(id);
  }

  // Kills node 0 of a five-node cluster holding 200 chunks at factor 3 and
  // waits for the repair: nothing copied before the node is dead, then every
  // chunk back at three copies on live nodes.
  void CrashNodeAndExpectRepair() {
    StartCluster(5);
    Upload(20, 10);
    ASSERT_TRUE(AtFactor());
    ASSERT_FALSE(ChunksOnDisk(0).empty());
    const std::string victim = cluster_->node(0).node_id;

    const absl::Time killed = absl::Now();
    ASSERT_OK(cluster_->KillNode(0));
    ASSERT_TRUE(WaitUntil([&] { return AtFactor({victim}); },
                          absl::Milliseconds(kDeadAfterMs) + kRepairBound));
    const absl::Duration took = absl::Now() - killed;
    RecordProperty("repair_seconds", std::to_string(absl::ToDoubleSeconds(took)));
    EXPECT_GE(took, absl::Milliseconds(kDeadAfterMs))
        << "nothing is copied before the node is dead";
    ASSERT_TRUE(WaitUntil([&] { return HealthyAfter(killed + took); }));
    EXPECT_EQ(NodeState(0), "dead");
    ExpectAllReadBack();
  }

  // Uploads 200 chunks, kills node 0 and waits until the repair (slowed down
  // by the test) has copied some but not all, as `coordinator`'s metrics
  // say.
  void KillNodeAndWaitForRepairUnderWay(int coordinator = 0) {
    Upload(20, 10);
    ASSERT_TRUE(AtFactor());
    ASSERT_OK(cluster_->KillNode(0));
    ASSERT_TRUE(WaitUntil(
        [&] {
          return CoordinatorMetric("gale_tasks{kind=\"replicate\",state=\"done\"}", coordinator) >
                     0 &&
                 Health().under_replicated() > 0;
        },
        absl::Milliseconds(kDeadAfterMs) + kRepairBound));
  }

  std::unique_ptr<testing::TestDatabase> database_;  // PostgreSQL tests only
  int coordinators_ = 1;
  std::unique_ptr<MiniCluster> cluster_;
  std::unique_ptr<client::GaleClient> client_;
  std::vector<Uploaded> files_;
  int next_ = 0;
};

TEST_F(SelfHealingITest, CrashedNodeIsRepairedWithinDeadAfterPlusRepairTime) {
  CrashNodeAndExpectRepair();
}

TEST_F(SelfHealingITest, CrashedNodeIsRepairedOnPostgres) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(database_);
  CrashNodeAndExpectRepair();
}

TEST_F(SelfHealingITest, BriefPauseCausesNoReplicationStorm) {
  StartCluster(5);
  Upload(10, 10);
  ASSERT_TRUE(AtFactor());
  const double before = CoordinatorMetric("gale_tasks{kind=\"replicate\"");

  ASSERT_OK(cluster_->PauseNode(2));
  ASSERT_TRUE(WaitUntil([&] { return NodeState(2) == "suspect"; }));
  // Well short of dead_after in all: suspect after 1 s, resumed before 3 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_OK(cluster_->ResumeNode(2));
  ASSERT_TRUE(WaitUntil([&] { return NodeState(2) == "active"; }));
  const absl::Time resumed = absl::Now();

  ASSERT_TRUE(WaitUntil([&] { return HealthyAfter(resumed + absl::Milliseconds(300)); }));
  EXPECT_LE(CoordinatorMetric("gale_tasks{kind=\"replicate\"") - before, 3) << "no storm";
  EXPECT_EQ(CoordinatorMetric("gale_tasks{kind=\"delete\""), 0) << "no surplus to trim";
  EXPECT_TRUE(AtFactor());
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, TwoNodesCrashingAtOnceLoseNothing) {
  StartCluster(5);
  Upload(20, 10);
  ASSERT_TRUE(AtFactor());
  const std::set<std::string> gone = {cluster_->node(0).node_id, cluster_->node(1).node_id};
  ASSERT_OK(cluster_->KillNode(0));
  ASSERT_OK(cluster_->KillNode(1));
  ASSERT_TRUE(
      WaitUntil([&] { return AtFactor(gone); }, absl::Milliseconds(kDeadAfterMs) + kRepairBound));
  const absl::Time repaired = absl::Now();
  ASSERT_TRUE(WaitUntil([&] { return HealthyAfter(repaired); }));
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, BitRotIsFoundByScrubAndReadsAndReplaced) {
  // Scrub passes back to back, so that rot is found within a second or so.
  StartCluster(5, {"--scrub-bytes-per-sec", "64MiB", "--scrub-pass-interval-ms", "200"});
  Upload(10, 10);
  ASSERT_TRUE(AtFactor());
  ASSERT_OK_AND_ASSIGN(auto replicas, Replicas(files_));

  // Rot in six chunks, each copy on a different node where possible.
  struct Rot {
    int node;
    std::string chunk;
  };
  std::vector<Rot> rots;
  int k = 0;
  for (const auto& [id, list] : replicas) {
    if (rots.size() == 6) break;
    const int node = cluster_->NodeIndex(list[k++ % list.size()].node_id);
    ASSERT_TRUE(testing::FlipByte(ChunkFile(node, id), 1000 + k));
    rots.push_back({node, id});
  }

  // Half are read straight from their node: it checks before it sends, so
  // no bad byte leaves it (it cuts the response, or has quarantined the copy
  // already and answers 404).
  for (size_t i = 0; i < 3; ++i) {
    httplib::Client direct("127.0.0.1", cluster_->node(rots[i].node).port);
    auto r = direct.Get(StrCat("/v1/chunks/", rots[i].chunk));
    if (r && r->status == 200) {
      EXPECT_EQ(common::Sha256::Hex(r->body), rots[i].chunk) << "bad bytes were served";
    }
  }
  // Clients read correct bytes throughout, from the good replicas.
  ExpectAllReadBack();

  // Every bad copy is quarantined and the chunk is back at three good copies
  // (possibly a fresh one on the same node).
  auto healed = [&](const Rot& rot) {
    std::error_code ec;
    bool quarantined = false;
    for (const auto& e : fs::directory_iterator(cluster_->node(rot.node).dir + "/quarantine", ec)) {
      quarantined |= e.path().filename().string().starts_with(rot.chunk);
    }
    auto copy = common::ReadFileToString(ChunkFile(rot.node, rot.chunk));
    if (!copy.ok()) return quarantined;
    auto length = node::DataLengthForFileSize(static_cast<int64_t>(copy->size()));
    const bool clean = length.ok() && common::Sha256::Hex(copy->substr(0, *length)) == rot.chunk;
    return quarantined && clean;
  };
  ASSERT_TRUE(WaitUntil([&] { return std::all_of(rots.begin(), rots.end(), healed) && AtFactor(); },
                        kRepairBound));
  EXPECT_GE(CoordinatorMetric("gale_chunks_corrupt_total"), 6);
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, CoordinatorRestartMidRepairEndsAtExactlyTheFactor) {
  // Slow copies, so that the restart lands in the middle of the repair.
  StartCluster(5, {"--replication-bandwidth-bytes-per-sec", "512KiB"});
  const std::string victim = cluster_->node(0).node_id;
  ASSERT_NO_FATAL_FAILURE(KillNodeAndWaitForRepairUnderWay(0));

  ASSERT_OK(cluster_->KillCoordinator());  // a crash, not a clean stop
  ASSERT_OK(cluster_->StartCoordinator());
  ASSERT_OK_AND_ASSIGN(client_, cluster_->Client());
  ASSERT_TRUE(WaitUntil([&] { return AtFactor({victim}); },
                        absl::Milliseconds(kDeadAfterMs) + kRepairBound));
  const absl::Time repaired = absl::Now();
  ASSERT_TRUE(WaitUntil([&] { return HealthyAfter(repaired); }));
  // No copy beyond the factor on any disk either, once ordered deletes ran.
  ASSERT_OK_AND_ASSIGN(auto replicas, Replicas(files_));
  auto exactly_three_on_disk = [&] {
    std::map<std::string, int> on_disk;
    for (int i = 1; i < 5; ++i) {
      for (const auto& id : ChunksOnDisk(i)) ++on_disk[id];
    }
    for (const auto& [id, list] : replicas) {
      if (on_disk[id] != 3) return false;
    }
    return true;
  };
  EXPECT_TRUE(WaitUntil(exactly_three_on_disk));
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, LeaderKilledMidRepairOnPostgresHandsOverAndRepairCompletes) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(database_);
  coordinators_ = 2;  // nodes and the client know both addresses
  StartCluster(5, {"--replication-bandwidth-bytes-per-sec", "512KiB"});
  const int leader = cluster_->LeaderIndex();
  ASSERT_GE(leader, 0) << "one of the two leads";
  const int follower = 1 - leader;
  const std::string victim = cluster_->node(0).node_id;
  ASSERT_NO_FATAL_FAILURE(KillNodeAndWaitForRepairUnderWay(leader));

  const absl::Time crashed = absl::Now();
  ASSERT_OK(cluster_->KillCoordinator(leader));
  // Its session ends with the process, and with it the advisory lock; the
  // follower tries for it every second.
  ASSERT_TRUE(WaitUntil([&] { return cluster_->LeaderIndex() == follower; }, absl::Seconds(10)));
  RecordProperty("takeover_seconds", std::to_string(absl::ToDoubleSeconds(absl::Now() - crashed)));
  ASSERT_TRUE(WaitUntil([&] { return AtFactor({victim}); }, kRepairBound));
  const absl::Time repaired = absl::Now();
  ASSERT_TRUE(WaitUntil([&] { return HealthyAfter(repaired); }));
  EXPECT_GT(CoordinatorMetric("gale_tasks{kind=\"replicate\",state=\"done\"}", follower), 0);

  // The old leader comes back as a follower.
  ASSERT_OK(cluster_->StartCoordinator(leader));
  EXPECT_EQ(cluster_->LeaderIndex(), follower);
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, FullDiskGetsNoPlacementsAndUploadsSucceed) {
  StartCluster(4);
  Upload(5, 5);
  ASSERT_FALSE(ChunksOnDisk(3).empty());
  // Node 3's disk fills up: it comes back with room for nothing more.
  ASSERT_OK(cluster_->StopNode(3));
  ASSERT_OK(cluster_->StartNode(3, {"--capacity-bytes", "1"}));
  const std::set<std::string> held = ChunksOnDisk(3);
  ASSERT_TRUE(WaitUntil([&] {
    auto nodes = client_->Nodes();
    if (!nodes.ok()) return false;
    for (const auto& n : nodes->nodes()) {
      if (n.node_id() == cluster_->node(3).node_id) {
        return n.state() == v1::NODE_STATE_ACTIVE && n.stats().storage_available() == 0;
      }
    }
    return false;
  }));
  httplib::Client direct("127.0.0.1", cluster_->node(3).port);
  const std::string extra = testing::RandomBytes(1000, 99);
  auto refused = direct.Put(StrCat("/v1/chunks/", common::Sha256::Hex(extra)), extra,
                            "application/octet-stream");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 507) << refused->body;

  const size_t first_new = files_.size();
  Upload(10, 5);  // sync: three copies each, on the three nodes with room
  EXPECT_EQ(ChunksOnDisk(3), held);
  ASSERT_OK_AND_ASSIGN(auto fresh,
                       Replicas(std::vector<Uploaded>(files_.begin() + first_new, files_.end())));
  for (const auto& [id, list] : fresh) {
    EXPECT_EQ(list.size(), 3u);
    for (const auto& r : list) EXPECT_NE(r.node_id, cluster_->node(3).node_id);
  }
  EXPECT_TRUE(AtFactor()) << "what it held still counts";
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, DrainedNodeEndsDecommissionedAndEmpty) {
  StartCluster(5);
  Upload(10, 10, "quorum");  // two copies written, the third added by repair
  ASSERT_TRUE(WaitUntil([&] { return AtFactor(); }, kRepairBound));
  ASSERT_FALSE(ChunksOnDisk(0).empty());
  const std::string drained = cluster_->node(0).node_id;

  httplib::Client rest("127.0.0.1", cluster_->coordinator_http_port());
  auto bad = rest.Post("/api/v1/nodes/no-such-node/drain", "", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 404);
  auto r = rest.Post(StrCat("/api/v1/nodes/", drained, "/drain"), "", "application/json");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body)["node"]["state"], "draining");

  ASSERT_TRUE(WaitUntil([&] { return NodeState(0) == "decommissioned" && ChunksOnDisk(0).empty(); },
                        kRepairBound));
  EXPECT_TRUE(AtFactor({drained}));
  std::string out;
  ASSERT_EQ(cluster_->RunGale({"drain", drained}, &out), 0);
  EXPECT_NE(out.find("decommissioned"), std::string::npos) << out;
  const absl::Time drained_at = absl::Now();
  ASSERT_TRUE(WaitUntil([&] { return HealthyAfter(drained_at); }));
  ASSERT_EQ(cluster_->RunGale({"status"}, &out), 0);
  EXPECT_NE(out.find("every chunk at its replication factor"), std::string::npos) << out;
  EXPECT_NE(out.find("decommissioned 1"), std::string::npos) << out;
  ExpectAllReadBack();
}

TEST_F(SelfHealingITest, DeletedFilesLeaveEveryDiskEvenOneThatWasAway) {
  StartCluster(5);
  Upload(10, 5);
  ASSERT_TRUE(AtFactor());
  std::set<std::string> doomed;
  std::vector<Uploaded> kept;
  for (size_t i = 0; i < files_.size(); ++i) {
    if (i % 2 == 1) {
      kept.push_back(files_[i]);
      continue;
    }
    ASSERT_OK_AND_ASSIGN(FileInfo info, client_->Stat(files_[i].name));
    for (const auto& chunk : info.chunks) doomed.insert(chunk.id);
  }
  ASSERT_OK(cluster_->KillNode(4));  // its copies stay on its disk
  ASSERT_TRUE(WaitUntil([&] { return NodeState(4) == "dead"; }));
  for (size_t i = 0; i < files_.size(); i += 2) ASSERT_OK(client_->Delete(files_[i].name));
  files_ = kept;

  auto clean = [&](int node) {
    for (const auto& id : ChunksOnDisk(node)) {
      if (doomed.contains(id)) return false;
    }
    return true;
  };
  ASSERT_TRUE(
      WaitUntil([&] { return clean(0) && clean(1) && clean(2) && clean(3); }, kRepairBound));
  EXPECT_FALSE(clean(4));
  ASSERT_OK(cluster_->StartNode(4));  // back, with stale copies
  ASSERT_TRUE(WaitUntil([&] { return clean(4) && AtFactor(); },
                        absl::Milliseconds(kDeadAfterMs) + kRepairBound));
  ExpectAllReadBack();
}

}  // namespace
}  // namespace gale
