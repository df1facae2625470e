#include "coordinator/cluster/node_registry.h"

#include <gtest/gtest.h>

#include "coordinator/store/sqlite/sqlite_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/faulty_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

using testing::FakeClock;

constexpr absl::Duration kTimeout = absl::Seconds(15);
constexpr absl::Duration kDeadAfter = absl::Seconds(60);

NodeRegistration Registration(std::string id = "", std::string address = "127.0.0.1:9080") {
  NodeRegistration r;
  r.node_id = std::move(id);
  r.addresses = {std::move(address)};
  r.capacity_bytes = 1'000'000'000;
  r.zone = "z1";
  r.version = "1.0.0";
  r.capabilities = {{"disk", "ssd"}};
  return r;
}

NodeStats Stats(int64_t available) {
  NodeStats s;
  s.storage_used = 100;
  s.storage_available = available;
  s.chunks_stored = 3;
  s.cpu_usage = 12.5;
  s.memory_usage = 1e6;
  s.uptime_seconds = 42;
  return s;
}

class NodeRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sqlite = SqliteStore::Open(dir_.Join("gale.db"));
    ASSERT_OK(sqlite);
    sqlite_ = *std::move(sqlite);
    ASSERT_OK(sqlite_->Migrate());
    store_ = std::make_unique<testing::FaultyStore>(sqlite_.get());
    registry_ = NewRegistry();
  }

  std::unique_ptr<NodeRegistry> NewRegistry() {
    return std::make_unique<NodeRegistry>(store_.get(), &clock_,
                                          NodeRegistryOptions{kTimeout, kDeadAfter});
  }

  NodeRecord Stored(const std::string& id) {
    auto nodes = sqlite_->ListNodes();
    EXPECT_OK(nodes);
    for (const auto& n : *nodes) {
      if (n.id == id) return n;
    }
    ADD_FAILURE() << "node " << id << " not in the store";
    return {};
  }

  NodeState StateOf(const std::string& id) { return registry_->Get(id)->state; }

  testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<testing::FaultyStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
};

TEST_F(NodeRegistryTest, RegisterAssignsUuidAndIsDurable) {
  ASSERT_OK_AND_ASSIGN(RegisterResult result, registry_->Register(Registration()));
  EXPECT_TRUE(result.created);
  EXPECT_EQ(result.node.id.size(), 36u);
  EXPECT_EQ(result.node.state, NodeState::kActive);
  EXPECT_EQ(store_->upserts.load(), 1);

  NodeRecord stored = Stored(result.node.id);
  EXPECT_EQ(stored.addresses, std::vector<std::string>{"127.0.0.1:9080"});
  EXPECT_EQ(stored.capacity_bytes, 1'000'000'000);
  EXPECT_EQ(stored.zone, "z1");
  EXPECT_EQ(stored.capabilities.at("disk"), "ssd");
  EXPECT_EQ(stored.registered_at, clock_.Now());

  auto reloaded = NewRegistry();
  ASSERT_OK(reloaded->Load());
  ASSERT_OK_AND_ASSIGN(NodeRecord again, reloaded->Get(result.node.id));
  EXPECT_EQ(again.version, "1.0.0");
  EXPECT_EQ(again.state, NodeState::kActive);
}

TEST_F(NodeRegistryTest, ReRegisterKeepsIdentityAndUpdatesFields) {
  ASSERT_OK_AND_ASSIGN(RegisterResult first, registry_->Register(Registration("node-a")));
  absl::Time registered_at = first.node.registered_at;
  clock_.Advance(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(RegisterResult second,
                       registry_->Register(Registration("node-a", "10.0.0.1:9999")));
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.node.id, "node-a");
  EXPECT_EQ(second.node.registered_at, registered_at);
  EXPECT_EQ(second.node.addresses, std::vector<std::string>{"10.0.0.1:9999"});
  EXPECT_EQ(registry_->List().size(), 1u);
}

TEST_F(NodeRegistryTest, BadRegistrationsChangeNothing) {
  NodeRegistration no_address = Registration();
  no_address.addresses.clear();
  EXPECT_STATUS(registry_->Register(no_address), absl::StatusCode::kInvalidArgument,
                "field 'addresses'");
  EXPECT_STATUS(registry_->Register(Registration("", "nonsense")),
                absl::StatusCode::kInvalidArgument, "addresses[0]");
  NodeRegistration negative = Registration();
  negative.capacity_bytes = -1;
  EXPECT_STATUS(registry_->Register(negative), absl::StatusCode::kInvalidArgument,
                "storage_capacity");
  EXPECT_STATUS(registry_->Register(Registration("../etc")), absl::StatusCode::kInvalidArgument,
                "node_id");
  NodeRegistration long_zone = Registration();
  long_zone.zone = std::string(1000, 'z');
  EXPECT_STATUS(registry_->Register(long_zone), absl::StatusCode::kInvalidArgument, "zone");
  EXPECT_TRUE(registry_->List().empty());
  EXPECT_EQ(store_->upserts.load(), 0);
}

TEST_F(NodeRegistryTest, LivenessStateMachine) {
  ASSERT_OK(registry_->Register(Registration("n1")));
  clock_.Advance(kTimeout - absl::Milliseconds(1));
  EXPECT_EQ(StateOf("n1"), NodeState::kActive);
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(StateOf("n1"), NodeState::kSuspect);
  EXPECT_TRUE(registry_->Active(0, {}).empty());

  ASSERT_OK_AND_ASSIGN(HeartbeatResult hb, registry_->Heartbeat("n1", Stats(10)));
  EXPECT_EQ(hb.state, NodeState::kActive);
  EXPECT_FALSE(hb.needs_reregister);
  EXPECT_EQ(StateOf("n1"), NodeState::kActive);

  clock_.Advance(kDeadAfter);
  EXPECT_EQ(StateOf("n1"), NodeState::kDead);
  ASSERT_OK_AND_ASSIGN(hb, registry_->Heartbeat("n1", Stats(10)));
  EXPECT_TRUE(hb.needs_reregister);
  EXPECT_EQ(hb.state, NodeState::kDead);
  EXPECT_EQ(StateOf("n1"), NodeState::kDead) << "a dead node stays dead until it re-registers";

  ASSERT_OK(registry_->Register(Registration("n1")));
  EXPECT_EQ(StateOf("n1"), NodeState::kActive);
}

TEST_F(NodeRegistryTest, HeartbeatsCostNoWriteUntilTheBatchedFlush) {
  ASSERT_OK(registry_->Register(Registration("n1")));
  ASSERT_OK(registry_->Register(Registration("n2")));
  int upserts = store_->upserts.load();
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK(registry_->Heartbeat(i % 2 ? "n1" : "n2", Stats(1000 + i)));
    clock_.Advance(absl::Milliseconds(10));
  }
  EXPECT_EQ(store_->upserts.load(), upserts);
  EXPECT_EQ(store_->liveness_batches.load(), 0);
  EXPECT_EQ(Stored("n1").stats.storage_available, 0) << "not flushed yet";
  EXPECT_EQ(registry_->heartbeats_total(), 100);

  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(store_->liveness_batches.load(), 1) << "both nodes in one transaction";
  EXPECT_EQ(Stored("n1").stats.storage_available, 1099);
  EXPECT_EQ(Stored("n2").stats.storage_available, 1098);
  EXPECT_EQ(Stored("n1").last_heartbeat, registry_->Get("n1")->last_heartbeat);

  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(store_->liveness_batches.load(), 1) << "nothing dirty, nothing written";
}

TEST_F(NodeRegistryTest, RunOnceRecordsTransitions) {
  ASSERT_OK(registry_->Register(Registration("n1")));
  clock_.Advance(kTimeout);
  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(Stored("n1").state, NodeState::kSuspect);
  clock_.Advance(kDeadAfter);
  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(Stored("n1").state, NodeState::kDead);
}

TEST_F(NodeRegistryTest, FailedFlushKeepsNodesDirty) {
  ASSERT_OK(registry_->Register(Registration("n1")));
  ASSERT_OK(registry_->Heartbeat("n1", Stats(777)));
  store_->fail_writes = true;
  EXPECT_STATUS(registry_->RunOnce(), absl::StatusCode::kUnavailable, "injected");
  store_->fail_writes = false;
  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(Stored("n1").stats.storage_available, 777);
}

TEST_F(NodeRegistryTest, FailedRegistrationLeavesNoNode) {
  store_->fail_writes = true;
  EXPECT_STATUS(registry_->Register(Registration("n1")), absl::StatusCode::kUnavailable, "");
  EXPECT_STATUS(registry_->Get("n1"), absl::StatusCode::kNotFound, "n1");
}

TEST_F(NodeRegistryTest, HeartbeatValidation) {
  EXPECT_STATUS(registry_->Heartbeat("ghost", Stats(1)), absl::StatusCode::kNotFound, "ghost");
  ASSERT_OK(registry_->Register(Registration("n1")));
  NodeStats bad = Stats(1);
  bad.storage_used = -5;
  EXPECT_STATUS(registry_->Heartbeat("n1", bad), absl::StatusCode::kInvalidArgument,
                "stats.storage_used");
  bad = Stats(1);
  bad.cpu_usage = std::numeric_limits<double>::quiet_NaN();
  EXPECT_STATUS(registry_->Heartbeat("n1", bad), absl::StatusCode::kInvalidArgument,
                "stats.cpu_usage");
  EXPECT_EQ(registry_->Get("n1")->stats.storage_available, 0) << "rejected stats not applied";
}

TEST_F(NodeRegistryTest, UnregisterMarksDead) {
  EXPECT_STATUS(registry_->Unregister("ghost", ""), absl::StatusCode::kNotFound, "ghost");
  ASSERT_OK(registry_->Register(Registration("n1")));
  ASSERT_OK(registry_->Unregister("n1", "retired"));
  EXPECT_EQ(StateOf("n1"), NodeState::kDead);
  EXPECT_EQ(Stored("n1").state, NodeState::kDead);
  ASSERT_OK_AND_ASSIGN(HeartbeatResult hb, registry_->Heartbeat("n1", Stats(1)));
  EXPECT_TRUE(hb.needs_reregister);
}

TEST_F(NodeRegistryTest, MaintenanceOverridesLiveness) {
  ASSERT_OK(registry_->Register(Registration("n1")));
  ASSERT_OK_AND_ASSIGN(NodeRecord node, registry_->SetMaintenance("n1", true));
  EXPECT_EQ(node.state, NodeState::kMaintenance);
  EXPECT_EQ(Stored("n1").state, NodeState::kMaintenance);
  clock_.Advance(kDeadAfter * 2);
  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(StateOf("n1"), NodeState::kMaintenance) << "silence during maintenance is fine";
  EXPECT_TRUE(registry_->Active(0, {}).empty());
  ASSERT_OK_AND_ASSIGN(HeartbeatResult hb, registry_->Heartbeat("n1", Stats(1)));
  EXPECT_EQ(hb.state, NodeState::kMaintenance);

  clock_.Advance(kDeadAfter);
  ASSERT_OK_AND_ASSIGN(node, registry_->SetMaintenance("n1", false));
  EXPECT_EQ(node.state, NodeState::kDead) << "back under liveness, and silent too long";
  EXPECT_STATUS(registry_->SetMaintenance("ghost", true), absl::StatusCode::kNotFound, "ghost");
}

TEST_F(NodeRegistryTest, ActiveOrderLimitAndExclude) {
  for (int i = 0; i < 4; ++i) {
    std::string id = "n" + std::to_string(i);
    ASSERT_OK(registry_->Register(Registration(id)));
    ASSERT_OK(registry_->Heartbeat(id, Stats(100 * (i % 3))));
  }
  auto ids = [](const std::vector<NodeRecord>& nodes) {
    std::vector<std::string> out;
    for (const auto& n : nodes) out.push_back(n.id);
    return out;
  };
  EXPECT_EQ(ids(registry_->Active(0, {})), (std::vector<std::string>{"n2", "n1", "n0", "n3"}));
  EXPECT_EQ(ids(registry_->Active(2, {})), (std::vector<std::string>{"n2", "n1"}));
  EXPECT_EQ(ids(registry_->Active(0, {"n2", "n0"})), (std::vector<std::string>{"n1", "n3"}));
}

TEST_F(NodeRegistryTest, LoadGivesLiveNodesAFreshWindowAndKeepsOthers) {
  for (const char* id : {"alive", "suspect", "dead", "maint"}) {
    ASSERT_OK(registry_->Register(Registration(id)));
  }
  ASSERT_OK(registry_->SetMaintenance("maint", true));
  ASSERT_OK(registry_->Unregister("dead", "test"));
  clock_.Advance(kTimeout);  // "alive" and "suspect" go suspect
  ASSERT_OK(registry_->Heartbeat("alive", Stats(1)));
  ASSERT_OK(registry_->RunOnce());

  // The coordinator is down for an hour, then restarts.
  clock_.Advance(absl::Hours(1));
  auto restarted = NewRegistry();
  ASSERT_OK(restarted->Load());
  EXPECT_EQ(restarted->Get("alive")->state, NodeState::kActive);
  EXPECT_EQ(restarted->Get("suspect")->state, NodeState::kSuspect);
  EXPECT_EQ(restarted->Get("dead")->state, NodeState::kDead);
  EXPECT_EQ(restarted->Get("maint")->state, NodeState::kMaintenance);

  // A live node gets a full node_timeout; a suspect one keeps its suspicion
  // and dies dead_after - node_timeout later.
  clock_.Advance(kTimeout - absl::Milliseconds(1));
  EXPECT_EQ(restarted->Get("alive")->state, NodeState::kActive);
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(restarted->Get("alive")->state, NodeState::kSuspect);
  clock_.Advance(kDeadAfter - 2 * kTimeout - absl::Milliseconds(1));
  EXPECT_EQ(restarted->Get("suspect")->state, NodeState::kSuspect);
  clock_.Advance(absl::Milliseconds(1));
  EXPECT_EQ(restarted->Get("suspect")->state, NodeState::kDead);
}

TEST_F(NodeRegistryTest, SummaryCountsStatesAndActiveCapacity) {
  ASSERT_OK(registry_->Register(Registration("a")));
  ASSERT_OK(registry_->Register(Registration("b")));
  ASSERT_OK(registry_->Register(Registration("c")));
  ASSERT_OK(registry_->SetMaintenance("c", true));
  ASSERT_OK(registry_->Heartbeat("a", Stats(5)));
  NodeSummary summary = registry_->Summarize();
  EXPECT_EQ(summary.total, 3);
  EXPECT_EQ(summary.by_state[NodeState::kActive], 2);
  EXPECT_EQ(summary.by_state[NodeState::kMaintenance], 1);
  EXPECT_EQ(summary.by_state[NodeState::kDead], 0);
  EXPECT_EQ(summary.active_capacity_bytes, 2'000'000'000);
  EXPECT_EQ(summary.active_used_bytes, 100);
  EXPECT_DOUBLE_EQ(summary.average_active_uptime_seconds, 21.0);
}

TEST_F(NodeRegistryTest, RefreshMergesWhatAnotherCoordinatorWrote) {
  // Two coordinators on one store: registry_ leads, `follower` does not.
  auto follower = NewRegistry();
  follower->SetLeader(false);
  ASSERT_OK(follower->Load());
  ASSERT_OK(registry_->Register(Registration("n1")));
  EXPECT_STATUS(follower->Get("n1"), absl::StatusCode::kNotFound, "");
  ASSERT_OK(follower->Refresh());
  ASSERT_OK_AND_ASSIGN(NodeRecord seen, follower->Get("n1"));
  EXPECT_EQ(seen.state, NodeState::kActive);
  EXPECT_EQ(seen.zone, "z1");

  // The node heartbeats to the follower alone; the leader learns of it
  // through the follower's batched flush, and does not suspect it.
  clock_.Advance(kTimeout - absl::Seconds(1));
  ASSERT_OK(follower->Heartbeat("n1", Stats(555)));
  ASSERT_OK(follower->RunOnce());
  clock_.Advance(absl::Seconds(2));
  ASSERT_OK(registry_->Refresh());
  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(StateOf("n1"), NodeState::kActive);
  EXPECT_EQ(registry_->Get("n1")->stats.storage_available, 555);

  // Operator states set on one coordinator, and lifted, reach the other.
  ASSERT_OK(follower->SetMaintenance("n1", true));
  ASSERT_OK(registry_->Refresh());
  EXPECT_EQ(StateOf("n1"), NodeState::kMaintenance);
  ASSERT_OK(follower->SetMaintenance("n1", false));
  ASSERT_OK(registry_->Refresh());
  EXPECT_EQ(StateOf("n1"), NodeState::kActive);

  // A follower never records a death of its own reckoning...
  clock_.Advance(kDeadAfter);
  ASSERT_OK(follower->RunOnce());
  EXPECT_EQ(Stored("n1").state, NodeState::kActive);
  // ...it takes the leader's.
  ASSERT_OK(registry_->RunOnce());
  EXPECT_EQ(Stored("n1").state, NodeState::kDead);
  ASSERT_OK(follower->Refresh());
  EXPECT_EQ(follower->Get("n1")->state, NodeState::kDead);

  // Forgotten by a clean-up: forgotten by every registry.
  ASSERT_OK_AND_ASSIGN(int deleted, sqlite_->DeleteDeadNodes(clock_.Now()));
  EXPECT_EQ(deleted, 1);
  ASSERT_OK(follower->Refresh());
  EXPECT_STATUS(follower->Get("n1"), absl::StatusCode::kNotFound, "");
}

TEST_F(NodeRegistryTest, BootstrapPeersAreOtherActiveNodes) {
  ASSERT_OK(registry_->Register(Registration("a", "10.0.0.1:1")));
  ASSERT_OK(registry_->Register(Registration("b", "10.0.0.2:1")));
  ASSERT_OK_AND_ASSIGN(RegisterResult c, registry_->Register(Registration("c", "10.0.0.3:1")));
  EXPECT_EQ(c.bootstrap_peers, (std::vector<std::string>{"10.0.0.1:1", "10.0.0.2:1"}));
}

}  // namespace
}  // namespace gale::coordinator
