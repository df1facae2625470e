#include "coordinator/repair/replication_manager.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "coordinator/repair/task_ledger.h"
#include "coordinator/store/forwarding_store.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

std::string Id(int i) { return common::Sha256::Hex("chunk " + std::to_string(i)); }

constexpr int64_t kChunkSize = 1000;

// The replication manager over a real SQLite store with five nodes n0..n4,
// time from a FakeClock. Nodes' reports and task results are simulated
// through the catalog and the ledger, as the gRPC adapter applies them.
class ReplicationManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(dir_.Join("gale.db")));
    ASSERT_OK(store_->Migrate());
    registry_ = std::make_unique<NodeRegistry>(
        store_.get(), &clock_, NodeRegistryOptions{absl::Seconds(15), absl::Seconds(60), ""});
    replicas_ = std::make_unique<ReplicaCatalog>(store_.get(), registry_.get(), &clock_);
    tasks_ = std::make_unique<TaskLedger>(
        store_.get(), &clock_, TaskLedgerOptions{absl::Seconds(30), absl::Seconds(5), 3, 100});
    RegisterAll();
    MakeManager();
  }

  // (Re-)registers n0..n4 in zones_, and they heartbeat.
  void RegisterAll() {
    for (int i = 0; i < 5; ++i) {
      NodeRegistration r;
      r.node_id = Node(i);
      r.addresses = {"127.0.0.1:" + std::to_string(9000 + i)};
      r.zone = zones_[i];
      ASSERT_OK(registry_->Register(r));
    }
    Beat();
  }

  void MakeManager() {
    manager_ = std::make_unique<ReplicationManager>(store_.get(), registry_.get(), replicas_.get(),
                                                    &clock_, options_);
  }

  static std::string Node(int i) { return "n" + std::to_string(i); }

  // Every node but `silent` heartbeats; node i reports (10 - i) GB free.
  void Beat(const std::set<int>& silent = {}) {
    for (int i = 0; i < 5; ++i) {
      if (silent.contains(i)) continue;
      NodeStats stats;
      stats.storage_available = (int64_t{10} - i) << 30;
      ASSERT_OK(registry_->Heartbeat(Node(i), stats));
    }
  }

  // Moves time on in 5 s steps while all but `silent` heartbeat.
  void Advance(absl::Duration d, const std::set<int>& silent = {}) {
    for (; d > absl::ZeroDuration(); d -= absl::Seconds(5)) {
      clock_.Advance(std::min(d, absl::Seconds(5)));
      Beat(silent);
    }
    ASSERT_OK(registry_->RunOnce());
  }

  // A complete file of factor `factor` with one chunk, Id(chunk), stored on
  // the given nodes.
  void AddChunk(int chunk, int factor, const std::vector<int>& on) {
    FileRecord file;
    file.id = "file-" + std::to_string(chunk);
    file.name = file.id;
    file.chunk_size = kChunkSize;
    file.replication_factor = factor;
    file.created_at = clock_.Now();
    file.expires_at = clock_.Now() + absl::Hours(1);
    file.last_accessed = clock_.Now();
    ASSERT_OK(store_->InsertFile(file));
    ASSERT_OK(store_->AttachChunks(file.id, {{0, Id(chunk), kChunkSize}}, clock_.Now()));
    for (int i : on) Store(i, chunk);
    ASSERT_OK(store_->CommitFile(file.id, kChunkSize, "", clock_.Now()));
  }

  void Store(int node, int chunk) {
    ASSERT_OK(replicas_->ApplyChanges(Node(node), {{Id(chunk), kChunkSize}}, {}, {}));
  }

  std::vector<TaskRecord> Open(TaskKind kind) {
    std::vector<TaskRecord> out;
    auto recent = store_->RecentTasks(clock_.Now());
    EXPECT_OK(recent);
    for (auto& task : *recent) {
      if (task.kind == kind && task.state != TaskState::kFailed) out.push_back(task);
    }
    return out;
  }

  // The node runs the task: it reports the result (and, for a successful
  // replication, the new copy first, as real nodes do).
  void Finish(const TaskRecord& task, bool ok) {
    ASSERT_OK(tasks_->Assign(task.node_id));  // this and any other pending ones
    if (ok && task.kind == TaskKind::kReplicate) {
      ASSERT_OK(replicas_->ApplyChanges(task.node_id, {{task.chunk_id, kChunkSize}}, {}, {}));
    }
    if (ok && task.kind == TaskKind::kDelete) {
      ASSERT_OK(replicas_->ApplyChanges(task.node_id, {}, {task.chunk_id}, {}));
    }
    ASSERT_OK(tasks_->Record(task.node_id, {{task.id, ok, ok ? "" : "injected"}}));
  }

  int Live(int chunk) {
    auto live = replicas_->LiveReplicas({Id(chunk)});
    EXPECT_OK(live);
    int n = 0;
    for (const auto& r : (*live)[Id(chunk)]) n += r.node_state == NodeState::kActive;
    return n;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::vector<std::string> zones_ = {"", "", "", "", ""};
  ReplicationOptions options_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<ReplicaCatalog> replicas_;
  std::unique_ptr<TaskLedger> tasks_;
  std::unique_ptr<ReplicationManager> manager_;
};

TEST_F(ReplicationManagerTest, BalancedClusterGetsNoTasks) {
  AddChunk(0, 3, {0, 1, 2});
  AddChunk(1, 2, {3, 4});
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty());
  EXPECT_TRUE(Open(TaskKind::kDelete).empty());
  ReplicationStatus status = manager_->status();
  EXPECT_EQ(status.health.under_replicated, 0);
  EXPECT_EQ(status.health.lost, 0);
  EXPECT_EQ(status.seconds_to_redundancy, 0);
  EXPECT_EQ(status.as_of, clock_.Now());
}

TEST_F(ReplicationManagerTest, MostEndangeredFirstWithinTheClusterLimit) {
  options_.max_replications_total = 2;
  MakeManager();
  AddChunk(1, 3, {0, 1});  // one copy missing
  AddChunk(2, 3, {2});     // two missing: first
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 2u);
  for (const auto& task : copies) {
    EXPECT_EQ(task.chunk_id, Id(2));
    EXPECT_EQ(task.sources, std::vector<std::string>{"n2"});
    EXPECT_NE(task.node_id, "n2");
    EXPECT_EQ(task.size, kChunkSize);
  }
  EXPECT_NE(copies[0].node_id, copies[1].node_id);
  EXPECT_EQ(manager_->status().health.under_replicated, 2);
  EXPECT_EQ(manager_->status().health.missing_bytes, 3 * kChunkSize);

  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(Open(TaskKind::kReplicate).size(), 2u) << "no duplicates while tasks are open";

  for (const auto& task : copies) Finish(task, true);
  EXPECT_EQ(Live(2), 3);
  ASSERT_OK(manager_->RunOnce());
  copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_EQ(copies[0].chunk_id, Id(1));
  EXPECT_GT(manager_->status().repair_bytes_per_second, 0);
  EXPECT_GT(manager_->status().seconds_to_redundancy, 0);
}

TEST_F(ReplicationManagerTest, SuspectNodesCountDeadOnesDoNot) {
  AddChunk(0, 3, {0, 1, 2});
  Advance(absl::Seconds(20), {0});
  ASSERT_EQ(registry_->Get("n0")->state, NodeState::kSuspect);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty()) << "a brief silence is no reason to copy";

  Advance(absl::Seconds(45), {0});
  ASSERT_EQ(registry_->Get("n0")->state, NodeState::kDead);
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_TRUE(copies[0].node_id == "n3" || copies[0].node_id == "n4") << copies[0].node_id;
  EXPECT_TRUE(copies[0].sources.front() == "n1" || copies[0].sources.front() == "n2");
  EXPECT_EQ(manager_->status().health.under_replicated, 1);
  EXPECT_EQ(manager_->status().health.lost, 0);

  Finish(copies[0], true);
  // n0 comes back with its copy: four now, and the surplus goes.
  NodeRegistration back;
  back.node_id = "n0";
  back.addresses = {"127.0.0.1:9000"};
  ASSERT_OK(registry_->Register(back));
  ASSERT_OK(replicas_->ApplyFullReport("n0", {{Id(0), kChunkSize}}));
  Beat();
  ASSERT_OK(manager_->RunOnce());
  auto deletes = Open(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(manager_->status().health.over_replicated, 0) << "deleting copies do not count";
  Finish(deletes[0], true);
  EXPECT_EQ(Live(0), 3);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kDelete).empty());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty());
}

TEST_F(ReplicationManagerTest, MaintenanceHoldsReplicationBack) {
  AddChunk(0, 3, {0, 1, 2});
  ASSERT_OK(registry_->SetMaintenance("n0", true));
  Advance(absl::Seconds(120), {0});
  ASSERT_EQ(registry_->Get("n0")->state, NodeState::kMaintenance);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty());
}

TEST_F(ReplicationManagerTest, LostChunksAreReportedNotCopied) {
  AddChunk(0, 2, {0});
  Advance(absl::Seconds(65), {0});
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty());
  ReplicationStatus status = manager_->status();
  EXPECT_EQ(status.health.lost, 1);
  EXPECT_EQ(status.health.under_replicated, 1);
  EXPECT_EQ(status.seconds_to_redundancy, -1) << "nothing moves";
}

TEST_F(ReplicationManagerTest, SurplusGoesFromASharedZoneThenTheFullestNode) {
  zones_ = {"a", "b", "b", "c", "d"};
  RegisterAll();
  AddChunk(0, 3, {0, 1, 2, 3});
  ASSERT_OK(manager_->RunOnce());
  auto deletes = Open(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 1u);
  // n1 and n2 share zone b; n2 has less free space.
  EXPECT_EQ(deletes[0].node_id, "n2");

  AddChunk(1, 3, {0, 1, 3, 4});  // distinct zones: the fullest, n4, goes
  ASSERT_OK(manager_->RunOnce());
  deletes = Open(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 2u);
  EXPECT_TRUE(deletes[0].node_id == "n4" || deletes[1].node_id == "n4");
}

// A store that runs `late` when the manager asks for unbalanced chunks:
// after the run took its view of the nodes.
class LateStore final : public ForwardingStore {
 public:
  LateStore(MetadataStore* inner, std::function<void()> late)
      : ForwardingStore(inner), late_(std::move(late)) {}
  Result<std::vector<ChunkBalance>> UnbalancedChunks(const std::vector<std::string>& counting,
                                                     int limit) override {
    late_();
    return inner_->UnbalancedChunks(counting, limit);
  }

 private:
  std::function<void()> late_;
};

TEST_F(ReplicationManagerTest, ANodeThatRegistersDuringARunIsLeftForTheNext) {
  AddChunk(0, 3, {0});        // short
  AddChunk(1, 1, {0, 1, 2});  // surplus
  LateStore late(store_.get(), [&] {
    NodeRegistration r;
    r.node_id = "n5";
    r.addresses = {"127.0.0.1:9005"};
    ASSERT_OK(registry_->Register(r));
    Store(5, 0);
    Store(5, 1);
  });
  manager_ = std::make_unique<ReplicationManager>(&late, registry_.get(), replicas_.get(), &clock_,
                                                  options_);
  ASSERT_OK(manager_->RunOnce());  // its copies are live, but not in the run's view
  EXPECT_EQ(Open(TaskKind::kReplicate).size(), 2u) << "chunk 0 has one copy in the run's view";
  const std::vector<TaskRecord> deletes = Open(TaskKind::kDelete);
  EXPECT_FALSE(deletes.empty());
  for (const TaskRecord& task : deletes) {
    EXPECT_NE(task.node_id, "n5") << "n5's copy of chunk 1 is not trimmed now";
  }
}

TEST_F(ReplicationManagerTest, NoTrimWhileACopyIsOnlyOnASuspectNode) {
  AddChunk(0, 3, {0, 1, 2, 3});
  Advance(absl::Seconds(20), {0, 1});  // two suspect: two active copies
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kDelete).empty());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty());
}

TEST_F(ReplicationManagerTest, FailedCopiesBackOffAndGoElsewhere) {
  AddChunk(0, 3, {0, 1});
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  const std::string first = copies[0].node_id;
  Finish(copies[0], false);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty()) << "backing off";
  Advance(absl::Seconds(5));
  ASSERT_OK(manager_->RunOnce());
  copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_NE(copies[0].node_id, first) << "another target";
  Finish(copies[0], false);
  Advance(absl::Seconds(5));
  ASSERT_OK(manager_->RunOnce());
  EXPECT_TRUE(Open(TaskKind::kReplicate).empty()) << "the back-off doubled";
  Advance(absl::Seconds(5));
  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(Open(TaskKind::kReplicate).size(), 1u);
}

TEST_F(ReplicationManagerTest, PendingCopyToALostTargetIsPlannedAgain) {
  AddChunk(0, 3, {0, 1});
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  const int target = copies[0].node_id[1] - '0';
  Advance(absl::Seconds(20), {target});  // suspect before it picked the task up
  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(manager_->last_run().cancelled, 1);
  copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_NE(copies[0].node_id, Node(target));
}

TEST_F(ReplicationManagerTest, TransfersPerNodeAreLimited) {
  options_.max_replications_per_node = 2;
  MakeManager();
  for (int c = 0; c < 4; ++c) AddChunk(c, 2, {0});  // n0 is every chunk's only source
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 2u);
  for (const auto& task : copies) EXPECT_EQ(task.sources.front(), "n0");
  Finish(copies[0], true);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(Open(TaskKind::kReplicate).size(), 2u) << "room for one more";
}

TEST_F(ReplicationManagerTest, DrainCopiesEverythingThenDecommissionsAndEmpties) {
  AddChunk(0, 3, {0, 1, 2});
  AddChunk(1, 2, {0, 3});
  ASSERT_OK(registry_->Drain("n0"));
  EXPECT_STATUS(registry_->Decommission("n1"), absl::StatusCode::kFailedPrecondition,
                "not draining");
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 2u);
  for (const auto& task : copies) EXPECT_NE(task.node_id, "n0") << "no placements on it";
  ReplicationStatus status = manager_->status();
  ASSERT_TRUE(status.drains.contains("n0"));
  EXPECT_EQ(status.drains["n0"].chunks_left, 2);
  EXPECT_EQ(status.drains["n0"].bytes_left, 2 * kChunkSize);
  EXPECT_EQ(status.health.lost, 0) << "a draining node's copies are readable";

  Finish(copies[0], true);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(manager_->status().drains["n0"].chunks_left, 1);
  EXPECT_EQ(registry_->Get("n0")->state, NodeState::kDraining);
  Finish(copies[1], true);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(registry_->Get("n0")->state, NodeState::kDecommissioned);
  EXPECT_FALSE(manager_->status().drains.contains("n0"));
  ASSERT_OK(manager_->RunOnce());
  auto deletes = Open(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 2u);
  for (const auto& task : deletes) {
    EXPECT_EQ(task.node_id, "n0");
    Finish(task, true);
  }
  EXPECT_EQ(replicas_->TotalsOn("n0")->chunks, 0);
  EXPECT_EQ(Live(0), 3);
  EXPECT_EQ(Live(1), 2);
  EXPECT_OK(registry_->Drain("n0"));  // idempotent
}

TEST_F(ReplicationManagerTest, DeadNodesCannotBeDrained) {
  Advance(absl::Seconds(65), {4});
  EXPECT_STATUS(registry_->Drain("n4"), absl::StatusCode::kFailedPrecondition, "dead");
  EXPECT_STATUS(registry_->Drain("nope"), absl::StatusCode::kNotFound, "nope");
}

TEST_F(ReplicationManagerTest, BadCopyIsReplacedAndVerified) {
  AddChunk(0, 3, {0, 1, 2});
  ASSERT_OK(replicas_->ReportBad(Id(0), "n1", "sha256 mismatch"));
  ASSERT_OK(manager_->RunOnce());
  auto copies = Open(TaskKind::kReplicate);
  ASSERT_EQ(copies.size(), 1u);
  EXPECT_NE(copies[0].node_id, "n1") << "never back onto the bad copy's node";
  for (const auto& source : copies[0].sources) EXPECT_NE(source, "n1");
  auto verifies = Open(TaskKind::kVerify);
  ASSERT_EQ(verifies.size(), 1u);
  EXPECT_EQ(verifies[0].node_id, "n1");
  Finish(copies[0], true);
  // The node finds its copy fine after all: it counts again, one is surplus.
  Finish(verifies[0], true);
  ASSERT_OK(manager_->RunOnce());
  EXPECT_EQ(Open(TaskKind::kDelete).size(), 1u);
}

}  // namespace
}  // namespace gale::coordinator
