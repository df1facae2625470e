#include "coordinator/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "migrations/migrations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

NodeRecord SampleNode(const std::string& id) {
  NodeRecord n;
  n.id = id;
  n.addresses = {"127.0.0.1:9080", "[::1]:9080"};
  n.zone = "rack-1";
  n.capacity_bytes = int64_t{1} << 40;
  n.capabilities = {{"version", "1.0.0"}, {"quote", "a\"b"}};
  n.version = "1.0.0";
  n.state = NodeState::kSuspect;
  n.stats.storage_used = 1;
  n.stats.storage_available = 2;
  n.stats.chunks_stored = 3;
  n.stats.bandwidth_up = 4;
  n.stats.bandwidth_down = 5;
  n.stats.cpu_usage = 6.5;
  n.stats.memory_usage = 7.5;
  n.stats.uptime_seconds = 8;
  n.registered_at = absl::FromUnixMillis(1'700'000'000'123);
  n.last_heartbeat = absl::FromUnixMillis(1'700'000'100'456);
  return n;
}

void ExpectSameNode(const NodeRecord& a, const NodeRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.addresses, b.addresses);
  EXPECT_EQ(a.zone, b.zone);
  EXPECT_EQ(a.capacity_bytes, b.capacity_bytes);
  EXPECT_EQ(a.capabilities, b.capabilities);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.state, b.state);
  EXPECT_EQ(a.stats.storage_used, b.stats.storage_used);
  EXPECT_EQ(a.stats.storage_available, b.stats.storage_available);
  EXPECT_EQ(a.stats.chunks_stored, b.stats.chunks_stored);
  EXPECT_EQ(a.stats.bandwidth_up, b.stats.bandwidth_up);
  EXPECT_EQ(a.stats.bandwidth_down, b.stats.bandwidth_down);
  EXPECT_DOUBLE_EQ(a.stats.cpu_usage, b.stats.cpu_usage);
  EXPECT_DOUBLE_EQ(a.stats.memory_usage, b.stats.memory_usage);
  EXPECT_EQ(a.stats.uptime_seconds, b.stats.uptime_seconds);
  EXPECT_EQ(a.registered_at, b.registered_at);
  EXPECT_EQ(a.last_heartbeat, b.last_heartbeat);
}

// Runs raw SQL against the file, as an operator or another tool would.
void RawExec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SqliteStore> OpenStore() {
    auto store = SqliteStore::Open(path_);
    EXPECT_OK(store);
    return store.ok() ? *std::move(store) : nullptr;
  }

  testing::TempDir dir_;
  std::string path_ = dir_.Join("gale.db");
};

TEST_F(SqliteStoreTest, MigrationsApplyOnceAndAreRecorded) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_STATUS(store->CheckReady(), absl::StatusCode::kUnavailable, "schema version 0");
  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->Migrate());  // idempotent
  const int latest = migrations::SqliteMigrations().back().version;
  EXPECT_EQ(*store->SchemaVersion(), latest);
  EXPECT_OK(store->CheckReady());
  EXPECT_EQ(store->backend(), "sqlite");
}

TEST_F(SqliteStoreTest, DataSurvivesReopen) {
  std::string cluster_id;
  {
    auto store = OpenStore();
    ASSERT_OK(store->Migrate());
    ASSERT_OK_AND_ASSIGN(ClusterInfo cluster,
                         store->GetOrCreateCluster("cluster-1", absl::FromUnixSeconds(100)));
    cluster_id = cluster.id;
    ASSERT_OK(store->UpsertNode(SampleNode("n1")));
  }
  auto store = OpenStore();
  ASSERT_OK(store->Migrate());
  ASSERT_OK_AND_ASSIGN(ClusterInfo cluster,
                       store->GetOrCreateCluster("cluster-2", absl::FromUnixSeconds(200)));
  EXPECT_EQ(cluster.id, "cluster-1") << "the cluster id is fixed at creation";
  EXPECT_EQ(cluster.created_at, absl::FromUnixSeconds(100));
  ASSERT_OK_AND_ASSIGN(auto nodes, store->ListNodes());
  ASSERT_EQ(nodes.size(), 1u);
  ExpectSameNode(nodes[0], SampleNode("n1"));
}

TEST_F(SqliteStoreTest, SecondOpenIsRefused) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_STATUS(SqliteStore::Open(path_), absl::StatusCode::kFailedPrecondition,
                "in use by another coordinator");
  store.reset();
  EXPECT_OK(SqliteStore::Open(path_));
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefused) {
  {
    auto store = OpenStore();
    ASSERT_OK(store->Migrate());
  }
  RawExec(path_, "INSERT INTO schema_migrations VALUES (9999, 'future', 0)");
  auto store = OpenStore();
  EXPECT_STATUS(store->Migrate(), absl::StatusCode::kFailedPrecondition, "newer than this binary");
}

TEST_F(SqliteStoreTest, UpsertReplacesAndLivenessUpdatesOnlyLiveness) {
  auto store = OpenStore();
  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->UpsertNode(SampleNode("b")));
  ASSERT_OK(store->UpsertNode(SampleNode("a")));
  NodeRecord changed = SampleNode("a");
  changed.addresses = {"10.0.0.1:1"};
  ASSERT_OK(store->UpsertNode(changed));

  NodeRecord live = SampleNode("a");
  live.addresses = {"ignored:1"};
  live.state = NodeState::kActive;
  live.stats.storage_available = 999;
  live.last_heartbeat = absl::FromUnixMillis(1'800'000'000'000);
  NodeRecord live_b = SampleNode("b");
  live_b.state = NodeState::kDead;
  ASSERT_OK(store->UpdateNodeLiveness({live, live_b}));

  ASSERT_OK_AND_ASSIGN(auto nodes, store->ListNodes());
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0].id, "a");  // ordered by id
  EXPECT_EQ(nodes[0].addresses, std::vector<std::string>{"10.0.0.1:1"});
  EXPECT_EQ(nodes[0].state, NodeState::kActive);
  EXPECT_EQ(nodes[0].stats.storage_available, 999);
  EXPECT_EQ(nodes[0].last_heartbeat, absl::FromUnixMillis(1'800'000'000'000));
  EXPECT_EQ(nodes[1].state, NodeState::kDead);
}

TEST_F(SqliteStoreTest, CorruptRowIsReportedNotCrashed) {
  {
    auto store = OpenStore();
    ASSERT_OK(store->Migrate());
    ASSERT_OK(store->UpsertNode(SampleNode("n1")));
  }
  RawExec(path_, "UPDATE nodes SET addresses = 'not json'");
  auto store = OpenStore();
  EXPECT_STATUS(store->ListNodes(), absl::StatusCode::kDataLoss, "malformed");
  RawExec(path_, "UPDATE nodes SET addresses = '[]', state = 'exploded'");
  EXPECT_STATUS(store->ListNodes(), absl::StatusCode::kInvalidArgument, "exploded");
}

TEST_F(SqliteStoreTest, UnwritableLocationFails) {
  auto store = SqliteStore::Open(dir_.Join("missing-dir/gale.db"));
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace gale::coordinator
