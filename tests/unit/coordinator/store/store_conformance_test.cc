// The conformance suite of MetadataStore: every implementation must pass
// every case, with the same results, orders and error codes. Instantiated for
// SQLite (a temp file) and PostgreSQL (a fresh database on the test server
// that scripts/test-postgres.sh starts; skipped without one, failed under CI).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <thread>

#include "common/sha256.h"
#include "coordinator/store/memory/cached_store.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "migrations/migrations.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

using absl::StatusCode;

// ---- backends ---------------------------------------------------------------

// One SQLite file in a temp dir.
class SqliteBackend {
 public:
  Status Init() { return absl::OkStatus(); }
  Result<std::unique_ptr<MetadataStore>> Open() {
    ASSIGN_OR_RETURN(auto store, SqliteStore::Open(path_));
    return std::unique_ptr<MetadataStore>(std::move(store));
  }
  // Raw SQL, as an operator or another tool would run it.
  Status Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open(path_.c_str(), &db);
    char* error = nullptr;
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    Status status = rc == SQLITE_OK ? absl::OkStatus()
                                    : absl::InternalError(error != nullptr ? error : "sqlite");
    sqlite3_free(error);
    sqlite3_close(db);
    return status;
  }

 private:
  testing::TempDir dir_;
  std::string path_ = dir_.Join("gale.db");
};

// A fresh database on the test PostgreSQL server.
class PostgresBackend {
 public:
  Status Init() {
    ASSIGN_OR_RETURN(db_, testing::TestDatabase::Create());
    return absl::OkStatus();
  }
  Result<std::unique_ptr<MetadataStore>> Open() {
    ASSIGN_OR_RETURN(auto store, PostgresStore::Open(db_->url(), 4));
    return std::unique_ptr<MetadataStore>(std::move(store));
  }
  Status Exec(const std::string& sql) { return db_->Exec(sql); }

 private:
  std::unique_ptr<testing::TestDatabase> db_;
};

// Either backend behind the in-memory index, as the coordinator runs it:
// every case must read the same through it. The index is built by Migrate
// (SetUp and Reopen call it). Over SQLite it is authoritative (the
// coordinator owns the file); over PostgreSQL it asks the database on a miss.
template <typename Inner, bool kAuthoritative>
class CachedBackend : public Inner {
 public:
  Result<std::unique_ptr<MetadataStore>> Open() {
    ASSIGN_OR_RETURN(std::unique_ptr<MetadataStore> inner, Inner::Open());
    return std::unique_ptr<MetadataStore>(std::make_unique<CachedStore>(
        std::move(inner), CachedStore::Options{.authoritative = kAuthoritative}));
  }
};
using CachedSqliteBackend = CachedBackend<SqliteBackend, true>;
using CachedPostgresBackend = CachedBackend<PostgresBackend, false>;

// Whether a backend is SQLite underneath.
template <typename Backend>
constexpr bool IsSqlite = std::is_base_of_v<SqliteBackend, Backend>;

// ---- fixture and helpers -----------------------------------------------------

// OK when `count_query` (SELECT count(*) ...) yields `expected` in the raw
// database of `backend`: a CHECK constraint makes the comparison fail the
// statement, in either dialect.
template <typename Backend>
Status ExpectCount(Backend& backend, const std::string& count_query, int64_t expected) {
  return backend.Exec(StrCat("CREATE TEMP TABLE gale_expect (n BIGINT CHECK (n = ", expected,
                             ")); INSERT INTO gale_expect (n) ", count_query, ";"));
}

const absl::Time kT0 = absl::FromUnixMillis(1'700'000'000'000);
absl::Time At(int seconds) { return kT0 + absl::Seconds(seconds); }

std::string Id(int i) { return common::Sha256::Hex("chunk " + std::to_string(i)); }

NodeRecord SampleNode(const std::string& id) {
  NodeRecord n;
  n.id = id;
  n.addresses = {"127.0.0.1:9080", "[::1]:9080", "odd \"quoted\\\" {,}"};
  n.zone = "rack-1";
  n.capacity_bytes = int64_t{1} << 40;
  n.capabilities = {{"version", "1.0.0"}, {"quote", "a\"b"}, {"ünï", "名前"}};
  n.version = "1.0.0";
  n.state = NodeState::kActive;
  n.stats.storage_used = 1;
  n.stats.storage_available = int64_t{3} << 50;
  n.stats.chunks_stored = 3;
  n.stats.bandwidth_up = 4;
  n.stats.bandwidth_down = 5;
  n.stats.cpu_usage = 0.1 + 0.2;  // not exactly representable in decimal
  n.stats.memory_usage = 7.5e9;
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
  EXPECT_EQ(a.stats.cpu_usage, b.stats.cpu_usage);  // exactly
  EXPECT_EQ(a.stats.memory_usage, b.stats.memory_usage);
  EXPECT_EQ(a.stats.uptime_seconds, b.stats.uptime_seconds);
  EXPECT_EQ(a.registered_at, b.registered_at);
  EXPECT_EQ(a.last_heartbeat, b.last_heartbeat);
}

FileRecord SampleFile(const std::string& id, const std::string& name, int factor = 3) {
  FileRecord f;
  f.id = id;
  f.name = name;
  f.size = -1;
  f.chunk_size = 100;
  f.replication_factor = factor;
  f.write_mode = WriteMode::kQuorum;
  f.owner = "owner-1";
  f.created_at = kT0;
  f.expires_at = At(3600);
  f.last_accessed = kT0;
  return f;
}

// A migrated store on a fresh database of `Backend` (SqliteBackend or
// PostgresBackend), with helpers that build and read back state through the
// MetadataStore interface only. Not thread-safe.
template <typename Backend>
class StoreConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status init = backend_.Init();
    if (absl::IsNotFound(init)) {
      if (testing::PostgresRequired()) FAIL() << testing::NoPostgresMessage(init);
      GTEST_SKIP() << testing::NoPostgresMessage(init);
    }
    ASSERT_OK(init);
    ASSERT_OK_AND_ASSIGN(store_, backend_.Open());
    ASSERT_OK(store_->Migrate());
  }

  // Closes the store and opens the same database again, as a restart does.
  void Reopen() {
    store_.reset();
    ASSERT_OK_AND_ASSIGN(store_, backend_.Open());
    ASSERT_OK(store_->Migrate());
  }

  // A complete file `id` named `name` whose chunks are Id(chunks[i]) of 100
  // bytes, each stored on `on`, committed at `when`.
  void AddFile(const std::string& id, const std::string& name, const std::vector<int>& chunks,
               const std::vector<std::string>& on = {}, int factor = 3, absl::Time when = kT0) {
    ASSERT_OK(store_->InsertFile(SampleFile(id, name, factor)));
    std::vector<FileChunkRef> refs;
    for (size_t i = 0; i < chunks.size(); ++i) {
      refs.push_back({static_cast<int64_t>(i), Id(chunks[i]), 100});
    }
    ASSERT_OK(store_->AttachChunks(id, refs, when));
    for (const std::string& node : on) {
      std::vector<ChunkReplica> held;
      for (int c : chunks) held.push_back({Id(c), 100});
      ASSERT_OK(store_->ApplyReplicaChanges(node, held, {}, {}, when));
    }
    ASSERT_OK(store_->CommitFile(id, 100 * static_cast<int64_t>(chunks.size()), "", when));
  }

  int64_t Refcount(int chunk) {
    auto record = store_->GetChunk(Id(chunk));
    return record.ok() ? record->refcount : -1;
  }

  // Every replica of Id(chunk) as "node:state", in node order.
  std::vector<std::string> Replicas(int chunk) {
    std::vector<std::string> out;
    auto replicas = store_->GetReplicas({Id(chunk)});
    EXPECT_OK(replicas);
    if (!replicas.ok()) return out;
    for (const auto& r : *replicas) {
      out.push_back(StrCat(r.node_id, ":", ReplicaStateName(r.state)));
    }
    return out;
  }

  // Open and recently failed tasks of `kind`, ordered by node then chunk.
  std::vector<TaskRecord> Tasks(TaskKind kind) {
    auto recent = store_->RecentTasks(absl::InfinitePast());
    EXPECT_OK(recent);
    std::vector<TaskRecord> out;
    if (!recent.ok()) return out;
    for (auto& t : *recent) {
      if (t.kind == kind) out.push_back(t);
    }
    std::sort(out.begin(), out.end(), [](const TaskRecord& a, const TaskRecord& b) {
      return std::tie(a.node_id, a.chunk_id) < std::tie(b.node_id, b.chunk_id);
    });
    return out;
  }

  Backend backend_;
  std::unique_ptr<MetadataStore> store_;
};

using Backends =
    ::testing::Types<SqliteBackend, PostgresBackend, CachedSqliteBackend, CachedPostgresBackend>;

// Names the instantiations in test names.
class BackendNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if constexpr (std::is_same_v<T, SqliteBackend>) return "Sqlite";
    if constexpr (std::is_same_v<T, PostgresBackend>) return "Postgres";
    if constexpr (std::is_same_v<T, CachedSqliteBackend>) return "CachedSqlite";
    return "CachedPostgres";
  }
};
TYPED_TEST_SUITE(StoreConformanceTest, Backends, BackendNames);

// ---- schema ------------------------------------------------------------------

TEST(StoreMigrationsTest, BothBackendsHaveTheSameVersionsAndNames) {
  const auto& sqlite = migrations::SqliteMigrations();
  const auto& postgres = migrations::PostgresMigrations();
  ASSERT_EQ(sqlite.size(), postgres.size());
  for (size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, postgres[i].version);
    EXPECT_EQ(sqlite[i].name, postgres[i].name);
    if (i > 0) {
      EXPECT_LT(sqlite[i - 1].version, sqlite[i].version) << "versions ascend";
    }
  }
  // Gaps are allowed (a branch adding the next migration may merge later),
  // and the runner applies a migration missing below the highest applied.
}

TYPED_TEST(StoreConformanceTest, MigrationsApplyOnceAndAreRecorded) {
  TypeParam fresh;
  ASSERT_OK(fresh.Init());
  ASSERT_OK_AND_ASSIGN(auto store, fresh.Open());
  EXPECT_EQ(*store->SchemaVersion(), 0);
  EXPECT_STATUS(store->CheckReady(), StatusCode::kUnavailable, "schema version 0");
  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->Migrate());  // idempotent
  const int latest = migrations::SqliteMigrations().back().version;
  EXPECT_EQ(*store->SchemaVersion(), latest);
  EXPECT_OK(store->CheckReady());
  ASSERT_OK_AND_ASSIGN(DatabaseStats stats, store->Stats());
  EXPECT_EQ(stats.rows["schema_migrations"],
            static_cast<int64_t>(migrations::SqliteMigrations().size()))
      << "one row per migration";
  // Each version recorded once: recording one again is refused.
  EXPECT_FALSE(fresh
                   .Exec("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES "
                         "(1, 'again', 0)")
                   .ok());
  for (const auto& migration : migrations::SqliteMigrations()) {
    EXPECT_OK(ExpectCount(
        fresh,
        StrCat("SELECT count(*) FROM schema_migrations WHERE version = ", migration.version,
               " AND name = '", migration.name, "' AND applied_at_ms > 0"),
        1));
  }
  constexpr bool kSqlite = IsSqlite<TypeParam>;
  EXPECT_EQ(store->backend(), kSqlite ? "sqlite" : "postgres");
}

TYPED_TEST(StoreConformanceTest, NewerSchemaIsRefused) {
  ASSERT_OK(this->backend_.Exec(
      "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (9999, 'future', 0)"));
  this->store_.reset();
  ASSERT_OK_AND_ASSIGN(this->store_, this->backend_.Open());
  EXPECT_STATUS(this->store_->Migrate(), StatusCode::kFailedPrecondition, "newer than this binary");
  EXPECT_STATUS(this->store_->CheckReady(), StatusCode::kUnavailable, "schema version 9999");
}

TYPED_TEST(StoreConformanceTest, AMigrationMissingBelowTheHighestIsApplied) {
  // A database that lacks migration 5 but has later ones (two changes that
  // each added a migration, merged in either order): 5 is applied too.
  ASSERT_OK(this->backend_.Exec(
      "DROP TABLE objects; DROP TABLE buckets; DELETE FROM schema_migrations WHERE version = 5"));
  this->Reopen();
  ASSERT_OK(this->store_->CheckReady());
  ASSERT_OK_AND_ASSIGN(DatabaseStats stats, this->store_->Stats());
  EXPECT_EQ(stats.rows["schema_migrations"],
            static_cast<int64_t>(migrations::SqliteMigrations().size()));
  ASSERT_OK(this->store_->InsertBucket({"back", "", At(1)}));
}

TYPED_TEST(StoreConformanceTest, DataSurvivesReopen) {
  auto& store = this->store_;
  ASSERT_OK_AND_ASSIGN(ClusterInfo cluster, store->GetOrCreateCluster("cluster-1", At(100)));
  EXPECT_EQ(cluster.id, "cluster-1");
  ASSERT_OK(store->UpsertNode(SampleNode("n1")));
  this->AddFile("f1", "kept.txt", {1, 2}, {"n1"});
  TaskRecord task;
  task.id = "t1";
  task.kind = TaskKind::kReplicate;
  task.chunk_id = Id(1);
  task.node_id = "n2";
  task.sources = {"n1"};
  task.created_at = At(1);
  ASSERT_OK(store->InsertTask(task));

  this->Reopen();
  ASSERT_OK_AND_ASSIGN(cluster, store->GetOrCreateCluster("cluster-2", At(200)));
  EXPECT_EQ(cluster.id, "cluster-1") << "the cluster id is fixed at creation";
  EXPECT_EQ(cluster.created_at, At(100));
  ASSERT_OK_AND_ASSIGN(auto nodes, store->ListNodes());
  ASSERT_EQ(nodes.size(), 1u);
  ExpectSameNode(nodes[0], SampleNode("n1"));
  ASSERT_OK_AND_ASSIGN(FileRecord file, store->GetFileByName("kept.txt"));
  EXPECT_EQ(file.id, "f1");
  EXPECT_EQ(file.chunk_count, 2);
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{"n1:stored"});
  ASSERT_EQ(this->Tasks(TaskKind::kReplicate).size(), 1u);
  EXPECT_EQ(this->Tasks(TaskKind::kReplicate)[0].sources, std::vector<std::string>{"n1"});
  ASSERT_OK_AND_ASSIGN(auto stats, store->Stats());
  EXPECT_EQ(stats.rows["schema_migrations"],
            static_cast<int64_t>(migrations::SqliteMigrations().size()))
      << "reopening applies nothing again";
}

// ---- nodes -------------------------------------------------------------------

TYPED_TEST(StoreConformanceTest, NodesRoundTripEveryFieldInIdOrder) {
  auto& store = this->store_;
  for (const char* id : {"b", "a", "B", "a-2"}) ASSERT_OK(store->UpsertNode(SampleNode(id)));
  NodeRecord changed = SampleNode("a");
  changed.addresses = {"10.0.0.1:1"};
  changed.zone = "";
  changed.capabilities = {};
  changed.state = NodeState::kDraining;
  changed.stats.cpu_usage = 123.456;
  changed.registered_at = At(5);
  changed.last_heartbeat = At(6);
  ASSERT_OK(store->UpsertNode(changed));  // replaces every field

  ASSERT_OK_AND_ASSIGN(auto nodes, store->ListNodes());
  std::vector<std::string> ids;
  for (const auto& n : nodes) ids.push_back(n.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"B", "a", "a-2", "b"})) << "byte order of ids";
  ExpectSameNode(nodes[1], changed);
  ExpectSameNode(nodes[3], SampleNode("b"));
}

TYPED_TEST(StoreConformanceTest, UpdateNodeLivenessWritesOnlyNewerLivenessFields) {
  auto& store = this->store_;
  struct Case {
    std::string id;
    NodeState stored;
    NodeState given;
    int heartbeat_delta_ms;  // given minus stored
    bool written;
    NodeState expected;
  };
  const std::vector<Case> cases = {
      {"active-suspect", NodeState::kActive, NodeState::kSuspect, 1000, true, NodeState::kSuspect},
      {"suspect-active", NodeState::kSuspect, NodeState::kActive, 1000, true, NodeState::kActive},
      {"active-dead", NodeState::kActive, NodeState::kDead, 1000, true, NodeState::kDead},
      {"suspect-dead", NodeState::kSuspect, NodeState::kDead, 0, true, NodeState::kDead},
      {"dead-active", NodeState::kDead, NodeState::kActive, 1000, true, NodeState::kDead},
      {"maint-active", NodeState::kMaintenance, NodeState::kActive, 1000, true,
       NodeState::kMaintenance},
      {"drain-dead", NodeState::kDraining, NodeState::kDead, 1000, true, NodeState::kDraining},
      {"active-drain", NodeState::kActive, NodeState::kDraining, 1000, true, NodeState::kActive},
      {"older", NodeState::kActive, NodeState::kSuspect, -1, false, NodeState::kActive},
  };
  std::vector<NodeRecord> flush;
  for (const Case& c : cases) {
    NodeRecord stored = SampleNode(c.id);
    stored.state = c.stored;
    ASSERT_OK(store->UpsertNode(stored));
    NodeRecord given = stored;
    given.state = c.given;
    given.addresses = {"ignored:1"};
    given.zone = "ignored";
    given.version = "ignored";
    given.capacity_bytes = 1;
    given.registered_at = At(9999);
    given.last_heartbeat = stored.last_heartbeat + absl::Milliseconds(c.heartbeat_delta_ms);
    given.stats.storage_used = 111;
    given.stats.storage_available = 222;
    given.stats.chunks_stored = 333;
    given.stats.bandwidth_up = 444;
    given.stats.bandwidth_down = 555;
    given.stats.cpu_usage = 6.25;
    given.stats.memory_usage = 7.125;
    given.stats.uptime_seconds = 888;
    flush.push_back(given);
  }
  NodeRecord unknown = SampleNode("never-registered");
  flush.push_back(unknown);
  ASSERT_OK(store->UpdateNodeLiveness(flush));
  ASSERT_OK(store->UpdateNodeLiveness({}));

  ASSERT_OK_AND_ASSIGN(auto nodes, store->ListNodes());
  ASSERT_EQ(nodes.size(), cases.size()) << "only existing nodes are written";
  std::map<std::string, NodeRecord> by_id;
  for (const auto& n : nodes) by_id[n.id] = n;
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].id);
    const NodeRecord& got = by_id[cases[i].id];
    NodeRecord expected = SampleNode(cases[i].id);
    expected.state = cases[i].expected;
    if (cases[i].written) {
      expected.last_heartbeat = flush[i].last_heartbeat;
      expected.stats = flush[i].stats;
    }
    ExpectSameNode(got, expected);
  }
}

TYPED_TEST(StoreConformanceTest, DeleteDeadNodesForgetsOnlyIdleOldDeadNodes) {
  auto& store = this->store_;
  auto add = [&](const std::string& id, NodeState state, absl::Time heard) {
    NodeRecord n = SampleNode(id);
    n.state = state;
    n.last_heartbeat = heard;
    ASSERT_OK(store->UpsertNode(n));
  };
  add("dead-old", NodeState::kDead, At(0));
  add("decommissioned-old", NodeState::kDecommissioned, At(0));
  add("dead-recent", NodeState::kDead, At(100));
  add("active-old", NodeState::kActive, At(0));
  add("suspect-old", NodeState::kSuspect, At(0));
  add("dead-with-replica", NodeState::kDead, At(0));
  add("dead-with-open-task", NodeState::kDead, At(0));
  add("dead-with-done-task", NodeState::kDead, At(0));
  ASSERT_OK(store->ApplyReplicaChanges("dead-with-replica", {{Id(1), 10}}, {}, {}, At(0)));
  for (const char* node : {"dead-with-open-task", "dead-with-done-task"}) {
    TaskRecord t;
    t.id = StrCat("task-", node);
    t.kind = TaskKind::kDelete;
    t.chunk_id = Id(2);
    t.node_id = node;
    t.created_at = At(0);
    ASSERT_OK(store->InsertTask(t));
  }
  ASSERT_OK(store->AssignTasks("dead-with-done-task", 10, At(1), At(60)));
  ASSERT_OK(store->FinishTask("dead-with-done-task", "task-dead-with-done-task", true, "", At(2),
                              absl::Seconds(5), 3));

  ASSERT_OK_AND_ASSIGN(int deleted, store->DeleteDeadNodes(At(50)));
  EXPECT_EQ(deleted, 3);
  ASSERT_OK_AND_ASSIGN(auto nodes, store->ListNodes());
  std::vector<std::string> ids;
  for (const auto& n : nodes) ids.push_back(n.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"active-old", "dead-recent", "dead-with-open-task",
                                           "dead-with-replica", "suspect-old"}));
  EXPECT_EQ(*store->DeleteDeadNodes(At(50)), 0);
}

// ---- replica reports -----------------------------------------------------------

TYPED_TEST(StoreConformanceTest, FullReportsReplaceWhatANodeHoldsAndPage) {
  auto& store = this->store_;
  ASSERT_OK(store->ReplaceNodeReplicas("n1", {{Id(1), 10}, {Id(2), 20}, {Id(2), 25}}, At(1)));
  ASSERT_OK(store->ReplaceNodeReplicas("n2", {{Id(1), 10}}, At(1)));
  ASSERT_OK_AND_ASSIGN(ReplicaTotals totals, store->CountNodeReplicas("n1"));
  EXPECT_EQ(totals.chunks, 2) << "a chunk reported twice is one replica";
  EXPECT_EQ(totals.bytes, 35) << "with its last size";

  // A corrupt and a deleting verdict survive a report that still lists them.
  ASSERT_OK(store->FlagReplica(Id(1), "n1", At(2)));
  ASSERT_OK(store->OrderReplicaDelete(Id(2), "n1", At(2)));
  ASSERT_OK(store->ReplaceNodeReplicas("n1", {{Id(1), 10}, {Id(2), 20}, {Id(3), 30}}, At(3)));
  EXPECT_EQ(this->Replicas(1), (std::vector<std::string>{"n1:corrupt", "n2:stored"}));
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{"n1:deleting"});
  EXPECT_EQ(this->Replicas(3), std::vector<std::string>{"n1:stored"});

  ASSERT_OK(store->ReplaceNodeReplicas("n1", {{Id(3), 30}}, At(4)));
  EXPECT_EQ(this->Replicas(1), std::vector<std::string>{"n2:stored"}) << "no longer held";
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{});
  EXPECT_EQ(store->CountNodeReplicas("n2")->chunks, 1) << "other nodes untouched";
  ASSERT_OK(store->ReplaceNodeReplicas("n1", {}, At(5)));
  EXPECT_EQ(store->CountNodeReplicas("n1")->chunks, 0);
  EXPECT_EQ(store->CountNodeReplicas("nobody")->bytes, 0);

  std::vector<ChunkReplica> many;
  for (int i = 0; i < 25; ++i) many.push_back({Id(100 + i), i});
  ASSERT_OK(store->ReplaceNodeReplicas("n3", many, At(6)));
  std::vector<std::string> expected;
  for (const auto& c : many) expected.push_back(c.chunk_id);
  std::sort(expected.begin(), expected.end());
  std::vector<std::string> seen;
  std::string after;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto page, store->ListNodeReplicas("n3", after, 10));
    for (const auto& c : page) seen.push_back(c.chunk_id);
    if (page.size() < 10) break;
    after = page.back().chunk_id;
  }
  EXPECT_EQ(seen, expected);
  ASSERT_OK_AND_ASSIGN(auto all, store->ListNodeReplicas("n3", "", -1));
  EXPECT_EQ(all.size(), 25u) << "a negative limit is no limit";
  ASSERT_OK_AND_ASSIGN(auto none, store->ListNodeReplicas("n3", "", 0));
  EXPECT_TRUE(none.empty());
}

TYPED_TEST(StoreConformanceTest, IncrementalReportsStoreAndForget) {
  auto& store = this->store_;
  ASSERT_OK(
      store->ApplyReplicaChanges("n1", {{Id(1), 10}, {Id(2), 20}, {Id(3), 30}}, {}, {}, At(1)));
  ASSERT_OK(store->FlagReplica(Id(1), "n1", At(2)));
  ASSERT_OK(store->OrderReplicaDelete(Id(2), "n1", At(2)));
  // Received again: a corrupt copy is stored again, a deleting one stays so.
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(1), 11}, {Id(2), 20}}, {}, {}, At(3)));
  EXPECT_EQ(this->Replicas(1), std::vector<std::string>{"n1:stored"});
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{"n1:deleting"});
  EXPECT_EQ(store->CountNodeReplicas("n1")->bytes, 61);
  ASSERT_OK(store->ApplyReplicaChanges("n1", {}, {Id(2), Id(9)}, {Id(3)}, At(4)));
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{});
  EXPECT_EQ(this->Replicas(3), std::vector<std::string>{}) << "quarantined: gone";
  EXPECT_EQ(this->Replicas(1), std::vector<std::string>{"n1:stored"});
}

// ---- files -------------------------------------------------------------------

TYPED_TEST(StoreConformanceTest, FilesRoundTripAndIdsAreUnique) {
  auto& store = this->store_;
  FileRecord f = SampleFile("f1", "dir/ünïcode 名前.txt", 2);
  f.size = 12345;
  f.sha256 = Id(0);
  f.write_mode = WriteMode::kSync;
  f.overwrite = true;
  f.auto_commit = true;
  f.created_at = At(1);
  f.expires_at = At(2);
  f.committed_at = At(3);
  f.last_accessed = At(4);
  ASSERT_OK(store->InsertFile(f));
  EXPECT_STATUS(store->InsertFile(SampleFile("f1", "other")), StatusCode::kAlreadyExists, "f1");
  ASSERT_OK(store->AttachChunks("f1", {{0, Id(1), 100}, {1, Id(2), 100}}, At(5)));

  ASSERT_OK_AND_ASSIGN(FileRecord got, store->GetFile("f1"));
  EXPECT_EQ(got.id, "f1");
  EXPECT_EQ(got.name, f.name);
  EXPECT_EQ(got.size, 12345);
  EXPECT_EQ(got.sha256, Id(0));
  EXPECT_EQ(got.chunk_size, 100);
  EXPECT_EQ(got.replication_factor, 2);
  EXPECT_EQ(got.write_mode, WriteMode::kSync);
  EXPECT_EQ(got.state, FileState::kPending);
  EXPECT_TRUE(got.overwrite);
  EXPECT_TRUE(got.auto_commit);
  EXPECT_EQ(got.owner, "owner-1");
  EXPECT_EQ(got.created_at, At(1));
  EXPECT_EQ(got.expires_at, At(2));
  EXPECT_EQ(got.committed_at, At(3));
  EXPECT_EQ(got.last_accessed, At(4));
  EXPECT_EQ(got.chunk_count, 2);

  // Pending files have no name yet.
  EXPECT_STATUS(store->GetFileByName(f.name), StatusCode::kNotFound, "no file named");
  EXPECT_STATUS(store->GetFile("nope"), StatusCode::kNotFound, "no file with id nope");
  EXPECT_STATUS(store->GetFile("bad\xff\x01"), StatusCode::kNotFound, "no file with id");
  EXPECT_STATUS(store->GetFileByName(std::string("nul\0name", 8)), StatusCode::kNotFound, "");
  EXPECT_STATUS(store->GetFileByName("bad\xc3("), StatusCode::kNotFound, "");
}

TYPED_TEST(StoreConformanceTest, ListFilesByNameAndTimeWithPrefixesAndCursors) {
  auto& store = this->store_;
  // Committed at different times, out of name order; one stays pending.
  const std::vector<std::pair<std::string, int>> files = {
      {"b", 5}, {"a", 3}, {"ab", 3}, {"B", 1}, {"é", 2}, {"éa", 4}, {"a\xf4\x8f\xbf\xbf", 6}};
  for (size_t i = 0; i < files.size(); ++i) {
    this->AddFile(StrCat("id-", i), files[i].first, {}, {}, 3, At(files[i].second));
  }
  ASSERT_OK(store->InsertFile(SampleFile("pending", "a-pending")));

  auto names = [&](const FileListQuery& q) {
    std::vector<std::string> out;
    auto page = store->ListFiles(q);
    EXPECT_OK(page);
    if (page.ok()) {
      for (const auto& f : *page) out.push_back(f.name);
    }
    return out;
  };
  FileListQuery q;
  EXPECT_EQ(names(q),
            (std::vector<std::string>{"B", "a", "ab", "a\xf4\x8f\xbf\xbf", "b", "é", "éa"}))
      << "byte order, complete files only";
  q.prefix = "a";
  EXPECT_EQ(names(q), (std::vector<std::string>{"a", "ab", "a\xf4\x8f\xbf\xbf"}));
  q.after_name = "a";
  q.limit = 1;
  EXPECT_EQ(names(q), std::vector<std::string>{"ab"});
  q = {};
  q.prefix = "é";
  EXPECT_EQ(names(q), (std::vector<std::string>{"é", "éa"}));
  q.prefix = "\xc3";  // the first byte of é: a byte prefix, not a character
  EXPECT_EQ(names(q), (std::vector<std::string>{"é", "éa"}));
  q.after_name = "\xc3\xa9";
  EXPECT_EQ(names(q), std::vector<std::string>{"éa"});
  q = {};
  q.prefix = "\xff";
  EXPECT_EQ(names(q), std::vector<std::string>{});
  q.prefix = "zzz";
  EXPECT_EQ(names(q), std::vector<std::string>{});
  q.prefix = "a\xf4\x8f\xbf\xbf";  // U+10FFFF: no character after it
  EXPECT_EQ(names(q), std::vector<std::string>{"a\xf4\x8f\xbf\xbf"});

  q = {};
  q.by_time = true;
  EXPECT_EQ(names(q),
            (std::vector<std::string>{"B", "é", "a", "ab", "éa", "b", "a\xf4\x8f\xbf\xbf"}))
      << "by commit time, then id";
  q.after_time_ms = absl::ToUnixMillis(At(3));
  q.after_id = "id-1";  // "a" committed at 3: the next is "ab" (id-2), same time
  q.limit = 2;
  EXPECT_EQ(names(q), (std::vector<std::string>{"ab", "éa"}));
  q.prefix = "é";
  q.after_time_ms = -1;
  q.after_id = "";
  q.limit = 1000;
  EXPECT_EQ(names(q), (std::vector<std::string>{"é", "éa"}));
  q.prefix = "\xc3";
  q.after_time_ms = absl::ToUnixMillis(At(2));
  q.after_id = "\xff";  // after every id at that time
  EXPECT_EQ(names(q), std::vector<std::string>{"éa"});
  ASSERT_OK_AND_ASSIGN(auto page, store->ListFiles(FileListQuery{}));
  ASSERT_FALSE(page.empty());
  EXPECT_EQ(page[0].state, FileState::kComplete);
  EXPECT_EQ(page[0].committed_at, At(1));
}

TYPED_TEST(StoreConformanceTest, AttachChunksKeepsReferenceCounts) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertFile(SampleFile("f1", "one", 2)));
  ASSERT_OK(store->InsertFile(SampleFile("f2", "two", 5)));
  ASSERT_OK(store->AttachChunks("f1", {{0, Id(1), 100}, {1, Id(1), 100}, {2, Id(2), 50}}, At(1)));
  EXPECT_EQ(this->Refcount(1), 2) << "one reference per index";
  ASSERT_OK(store->AttachChunks("f1", {{0, Id(1), 100}}, At(2)));
  EXPECT_EQ(this->Refcount(1), 2) << "a retried allocation changes nothing";
  ASSERT_OK(store->AttachChunks("f1", {{1, Id(3), 100}}, At(3)));
  EXPECT_EQ(this->Refcount(1), 1) << "the replaced chunk is released";
  EXPECT_EQ(this->Refcount(3), 1);
  ASSERT_OK(store->AttachChunks("f2", {{0, Id(1), 100}}, At(4)));
  EXPECT_EQ(this->Refcount(1), 2);
  EXPECT_STATUS(store->AttachChunks("f2", {{1, Id(2), 51}}, At(4)), StatusCode::kInvalidArgument,
                "is 50 bytes, not 51");
  EXPECT_STATUS(store->AttachChunks("ghost", {{0, Id(2), 50}}, At(4)), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(2), 1) << "a failed attach changes nothing";

  ASSERT_OK_AND_ASSIGN(auto chunks, store->GetFileChunks("f1"));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0].chunk_id, Id(1));
  EXPECT_EQ(chunks[1].chunk_id, Id(3));
  EXPECT_EQ(chunks[2].index, 2);
  EXPECT_EQ(chunks[2].chunk_id, Id(2));
  EXPECT_EQ(chunks[2].size, 50);
  EXPECT_TRUE(store->GetFileChunks("ghost")->empty());

  ASSERT_OK_AND_ASSIGN(ChunkRecord chunk, store->GetChunk(Id(1)));
  EXPECT_EQ(chunk.id, Id(1));
  EXPECT_EQ(chunk.size, 100);
  EXPECT_EQ(chunk.created_at, At(1));
  EXPECT_EQ(chunk.file_ids, (std::vector<std::string>{"f1", "f2"})) << "distinct, ordered";
  EXPECT_STATUS(store->GetChunk(Id(99)), StatusCode::kNotFound, "no chunk");
  EXPECT_STATUS(store->GetChunk("\xff"), StatusCode::kNotFound, "no chunk");

  // The factor is the highest of the referencing files'.
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(1), 100}}, {}, {}, At(5)));
  ASSERT_OK(store->CommitFile("f1", 250, "", At(5)));
  ASSERT_OK_AND_ASSIGN(auto unbalanced, store->UnbalancedChunks({"n1"}, 10));
  ASSERT_FALSE(unbalanced.empty());
  EXPECT_EQ(unbalanced.back().chunk_id, Id(1));
  EXPECT_EQ(unbalanced.back().factor, 5);
  EXPECT_STATUS(store->AttachChunks("f1", {{3, Id(4), 1}}, At(6)), StatusCode::kFailedPrecondition,
                "already committed");
}

TYPED_TEST(StoreConformanceTest, CommitMakesFilesVisibleAndOverwriteReplaces) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertFile(SampleFile("old", "name")));
  ASSERT_OK(store->AttachChunks("old", {{0, Id(1), 100}, {1, Id(1), 100}}, At(1)));
  ASSERT_OK_AND_ASSIGN(std::string replaced, store->CommitFile("old", 200, Id(0), At(10)));
  EXPECT_EQ(replaced, "");
  ASSERT_OK_AND_ASSIGN(FileRecord old, store->GetFileByName("name"));
  EXPECT_EQ(old.id, "old");
  EXPECT_EQ(old.state, FileState::kComplete);
  EXPECT_EQ(old.size, 200);
  EXPECT_EQ(old.sha256, Id(0));
  EXPECT_EQ(old.committed_at, At(10));
  EXPECT_EQ(old.last_accessed, At(10));
  EXPECT_STATUS(store->CommitFile("old", 200, "", At(11)), StatusCode::kFailedPrecondition,
                "already committed");
  EXPECT_STATUS(store->CommitFile("ghost", 0, "", At(11)), StatusCode::kNotFound, "");

  ASSERT_OK(store->InsertFile(SampleFile("plain", "name")));
  EXPECT_STATUS(store->CommitFile("plain", 0, "", At(12)), StatusCode::kAlreadyExists,
                "upload with overwrite");
  EXPECT_EQ(store->GetFile("plain")->state, FileState::kPending) << "left pending";

  FileRecord newer = SampleFile("new", "name");
  newer.overwrite = true;
  ASSERT_OK(store->InsertFile(newer));
  ASSERT_OK(store->AttachChunks("new", {{0, Id(2), 100}}, At(13)));
  ASSERT_OK_AND_ASSIGN(replaced, store->CommitFile("new", 100, "", At(14)));
  EXPECT_EQ(replaced, "old");
  EXPECT_EQ(store->GetFileByName("name")->id, "new");
  EXPECT_STATUS(store->GetFile("old"), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(1), 0) << "the replaced file's references are released";
  ASSERT_OK_AND_ASSIGN(auto collectable, store->CollectableChunks(At(14), 10));
  EXPECT_EQ(collectable, std::vector<std::string>{Id(1)}) << "unreferenced since the commit";
  ASSERT_OK_AND_ASSIGN(collectable, store->CollectableChunks(At(13), 10));
  EXPECT_TRUE(collectable.empty());
}

// ---- buckets and objects ------------------------------------------------------

// A pending, nameless file `id` holding Id(chunk) of 100 bytes: an object's
// upload before its commit.
void AddObjectUpload(MetadataStore* store, const std::string& id, int chunk) {
  ASSERT_OK(store->InsertFile(SampleFile(id, "")));
  ASSERT_OK(store->AttachChunks(id, {{0, Id(chunk), 100}}, At(1)));
}

ObjectRecord SampleObject(const std::string& bucket, const std::string& key,
                          const std::string& file_id) {
  ObjectRecord o;
  o.bucket = bucket;
  o.key = key;
  o.file_id = file_id;
  o.size = 100;
  o.etag = "etag-" + file_id;
  o.content_type = "text/plain";
  o.metadata = {{"color", "blue"}, {"content-disposition", "attachment; filename=\"a b\""}};
  o.tags = {{"team", "storage"}};
  return o;
}

TYPED_TEST(StoreConformanceTest, WriteUploadWritesAFileItsChunksAndCopiesAtOnce) {
  auto& store = this->store_;
  auto upload_of = [](const std::string& id, const std::string& name, std::vector<int> chunks) {
    UploadRecord upload;
    upload.file = SampleFile(id, name);
    for (size_t i = 0; i < chunks.size(); ++i) {
      upload.chunks.push_back({static_cast<int64_t>(i), Id(chunks[i]), 100});
    }
    upload.size = 100 * static_cast<int64_t>(chunks.size());
    upload.sha256 = Id(0);
    return upload;
  };
  UploadRecord first = upload_of("u1", "name", {1, 2});
  first.receipts = {{"n1", {Id(1), 100}}, {"n2", {Id(1), 100}}, {"n1", {Id(2), 100}}};
  ASSERT_OK_AND_ASSIGN(std::string replaced, store->WriteUpload(first, At(5)));
  EXPECT_EQ(replaced, "");
  ASSERT_OK_AND_ASSIGN(FileRecord file, store->GetFileByName("name"));
  EXPECT_EQ(file.id, "u1");
  EXPECT_EQ(file.state, FileState::kComplete);
  EXPECT_EQ(file.size, 200);
  EXPECT_EQ(file.sha256, Id(0));
  EXPECT_EQ(file.committed_at, At(5));
  ASSERT_OK_AND_ASSIGN(auto chunks, store->GetFileChunks("u1"));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].chunk_id, Id(2));
  EXPECT_EQ(this->Replicas(1), (std::vector<std::string>{"n1:stored", "n2:stored"}));
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{"n1:stored"});
  EXPECT_EQ(this->Refcount(1), 1);

  // Overwrite replaces the named file; a shared chunk keeps its count.
  UploadRecord second = upload_of("u2", "name", {2, 3});
  second.file.overwrite = true;
  ASSERT_OK_AND_ASSIGN(replaced, store->WriteUpload(second, At(6)));
  EXPECT_EQ(replaced, "u1");
  EXPECT_EQ(this->Refcount(1), 0);
  EXPECT_EQ(this->Refcount(2), 1);
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{"n1:stored"});

  // Errors change nothing: a taken name, a taken id, a chunk of another size.
  EXPECT_STATUS(store->WriteUpload(upload_of("u3", "name", {4}), At(7)), StatusCode::kAlreadyExists,
                "upload with overwrite");
  EXPECT_STATUS(store->WriteUpload(upload_of("u2", "other", {4}), At(7)),
                StatusCode::kAlreadyExists, "taken");
  UploadRecord odd = upload_of("u4", "odd", {4, 3});
  odd.chunks[1].size = 7;
  EXPECT_STATUS(store->WriteUpload(odd, At(7)), StatusCode::kInvalidArgument, "bytes");
  for (const char* id : {"u3", "u4"}) EXPECT_STATUS(store->GetFile(id), StatusCode::kNotFound, "");
  EXPECT_STATUS(store->GetChunk(Id(4)), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(3), 1);

  // A chunk known only from a node's report, named twice by a file: its
  // row starts with both references, its copy stays.
  ASSERT_OK(store->ApplyReplicaChanges("n3", {{Id(6), 100}}, {}, {}, At(7)));
  ASSERT_OK(store->WriteUpload(upload_of("u6", "twice", {6, 6}), At(7)));
  EXPECT_EQ(this->Refcount(6), 2);
  EXPECT_EQ(this->Replicas(6), std::vector<std::string>{"n3:stored"});
  ASSERT_OK_AND_ASSIGN(chunks, store->GetFileChunks("u6"));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].chunk_id, Id(6));

  // Written still pending, it commits later like any pending file.
  UploadRecord pending = upload_of("u5", "later", {5});
  pending.commit = false;
  pending.receipts = {{"n2", {Id(5), 100}}};
  ASSERT_OK_AND_ASSIGN(replaced, store->WriteUpload(pending, At(8)));
  EXPECT_EQ(store->GetFile("u5")->state, FileState::kPending);
  EXPECT_EQ(this->Replicas(5), std::vector<std::string>{"n2:stored"});
  ASSERT_OK(store->CommitFile("u5", 100, "", At(9)));

  // Bound to an object, and to a part of a multipart upload.
  ASSERT_OK(store->InsertBucket({"b", "", At(0)}));
  UploadRecord object = upload_of("o1", "", {6});
  object.binding = SampleObject("b", "k", "ignored");
  ASSERT_OK(store->WriteUpload(object, At(10)));
  ASSERT_OK_AND_ASSIGN(ObjectRecord bound, store->GetObject("b", "k"));
  EXPECT_EQ(bound.file_id, "o1");
  EXPECT_EQ(bound.size, 100);
  EXPECT_EQ(store->GetFile("o1")->state, FileState::kComplete);
  MultipartUploadRecord multipart;
  multipart.id = "mp";
  multipart.bucket = "b";
  multipart.key = "big";
  multipart.expires_at = At(3600);
  ASSERT_OK(store->InsertMultipartUpload(multipart));
  UploadRecord part = upload_of("p1", "", {7, 8});
  part.binding = PartRecord{"mp", 3, "ignored", 0, "etag-3", At(11)};
  ASSERT_OK(store->WriteUpload(part, At(11)));
  ASSERT_OK_AND_ASSIGN(auto parts, store->ListParts("mp"));
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].file_id, "p1");
  EXPECT_EQ(parts[0].size, 200);
  UploadRecord unbound = upload_of("o2", "", {9});
  unbound.binding = SampleObject("nobucket", "k", "o2");
  EXPECT_STATUS(store->WriteUpload(unbound, At(12)), StatusCode::kNotFound, "no bucket");
  EXPECT_STATUS(store->GetFile("o2"), StatusCode::kNotFound, "");

  // A chunk twice in one file and a chunk known so far only from a node's
  // report: recorded as if written one by one.
  ASSERT_OK(store->ApplyReplicaChanges("n3", {{Id(11), 100}}, {}, {}, At(12)));
  UploadRecord mixed = upload_of("m1", "mixed", {10, 11, 10});
  mixed.receipts = {{"n1", {Id(10), 100}}, {"n2", {Id(11), 100}}};
  ASSERT_OK(store->WriteUpload(mixed, At(13)));
  EXPECT_EQ(this->Refcount(10), 2);
  EXPECT_EQ(this->Refcount(11), 1);
  EXPECT_EQ(this->Replicas(10), std::vector<std::string>{"n1:stored"});
  EXPECT_EQ(this->Replicas(11), (std::vector<std::string>{"n2:stored", "n3:stored"}));
  ASSERT_OK_AND_ASSIGN(chunks, store->GetFileChunks("m1"));
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[2].chunk_id, Id(10));
  EXPECT_EQ(chunks[1].chunk_id, Id(11));

  this->Reopen();
  EXPECT_EQ(this->store_->GetFileByName("name")->id, "u2");
  EXPECT_EQ(this->Replicas(1), (std::vector<std::string>{"n1:stored", "n2:stored"}));
  EXPECT_EQ(this->store_->GetObject("b", "k")->file_id, "o1");
}

TYPED_TEST(StoreConformanceTest, BucketsAreCreatedListedAndDeletedWhenEmpty) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertBucket({"photos", "alice", At(1)}));
  ASSERT_OK(store->InsertBucket({"archive", "", At(2)}));
  EXPECT_STATUS(store->InsertBucket({"photos", "bob", At(3)}), StatusCode::kAlreadyExists,
                "already exists");
  ASSERT_OK_AND_ASSIGN(BucketRecord photos, store->GetBucket("photos"));
  EXPECT_EQ(photos.owner, "alice") << "the first creation stands";
  EXPECT_EQ(photos.created_at, At(1));
  EXPECT_STATUS(store->GetBucket("nope"), StatusCode::kNotFound, "no bucket");
  EXPECT_STATUS(store->GetBucket("\xff"), StatusCode::kNotFound, "no bucket");
  ASSERT_OK_AND_ASSIGN(auto buckets, store->ListBuckets());
  ASSERT_EQ(buckets.size(), 2u);
  EXPECT_EQ(buckets[0].name, "archive");
  EXPECT_EQ(buckets[1].name, "photos");

  AddObjectUpload(store.get(), "o1", 1);
  ASSERT_OK(store->CommitObject(SampleObject("photos", "a.jpg", "o1"), "", At(4)));
  EXPECT_STATUS(store->DeleteBucket("photos", At(6)), StatusCode::kFailedPrecondition, "not empty");
  ASSERT_OK(store->DeleteObject("photos", "a.jpg", At(5)));
  ASSERT_OK(store->DeleteBucket("photos", At(6)));
  EXPECT_STATUS(store->DeleteBucket("photos", At(6)), StatusCode::kNotFound, "no bucket");
  this->Reopen();
  ASSERT_OK_AND_ASSIGN(buckets, this->store_->ListBuckets());
  ASSERT_EQ(buckets.size(), 1u);
  EXPECT_EQ(buckets[0].name, "archive");
}

TYPED_TEST(StoreConformanceTest, CommitObjectBindsItsFileAndReplacesAtomically) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertBucket({"b", "", At(0)}));
  AddObjectUpload(store.get(), "o1", 1);
  ASSERT_OK_AND_ASSIGN(std::string replaced,
                       store->CommitObject(SampleObject("b", "k", "o1"), Id(9), At(10)));
  EXPECT_EQ(replaced, "");
  ASSERT_OK_AND_ASSIGN(ObjectRecord object, store->GetObject("b", "k"));
  EXPECT_EQ(object.file_id, "o1");
  EXPECT_EQ(object.size, 100);
  EXPECT_EQ(object.etag, "etag-o1");
  EXPECT_EQ(object.content_type, "text/plain");
  EXPECT_EQ(object.metadata, SampleObject("b", "k", "o1").metadata) << "round trip, quotes too";
  EXPECT_EQ(object.tags, (std::map<std::string, std::string>{{"team", "storage"}}));
  EXPECT_EQ(object.modified_at, At(10));
  ASSERT_OK_AND_ASSIGN(FileRecord file, store->GetFile("o1"));
  EXPECT_EQ(file.state, FileState::kComplete);
  EXPECT_EQ(file.size, 100);
  EXPECT_EQ(file.sha256, Id(9));

  // Object files stay out of the file namespace.
  this->AddFile("named", "k", {2});
  ASSERT_OK_AND_ASSIGN(auto files, store->ListFiles(FileListQuery{}));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].id, "named");
  FileListQuery by_time;
  by_time.by_time = true;
  ASSERT_OK_AND_ASSIGN(files, store->ListFiles(by_time));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_STATUS(store->GetFileByName(""), StatusCode::kNotFound, "");

  // A second nameless file replaces no file, but the object it is bound to.
  AddObjectUpload(store.get(), "o2", 3);
  ASSERT_OK_AND_ASSIGN(replaced, store->CommitObject(SampleObject("b", "k", "o2"), "", At(11)));
  EXPECT_EQ(replaced, "o1");
  EXPECT_EQ(store->GetObject("b", "k")->file_id, "o2");
  EXPECT_STATUS(store->GetFile("o1"), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(1), 0) << "the replaced object's chunks go to the GC";
  EXPECT_EQ(this->Refcount(3), 1);
  EXPECT_EQ(store->GetFileByName("k")->id, "named") << "untouched";

  // Errors change nothing.
  AddObjectUpload(store.get(), "o3", 4);
  EXPECT_STATUS(store->CommitObject(SampleObject("nobucket", "k", "o3"), "", At(12)),
                StatusCode::kNotFound, "no bucket");
  EXPECT_STATUS(store->CommitObject(SampleObject("b", "k", "o2"), "", At(12)),
                StatusCode::kFailedPrecondition, "already committed");
  EXPECT_STATUS(store->CommitObject(SampleObject("b", "k", "named"), "", At(12)),
                StatusCode::kFailedPrecondition, "");
  EXPECT_STATUS(store->CommitObject(SampleObject("b", "k", "ghost"), "", At(12)),
                StatusCode::kNotFound, "");
  EXPECT_EQ(store->GetObject("b", "k")->file_id, "o2");
  EXPECT_EQ(store->GetFile("o3")->state, FileState::kPending);

  ASSERT_OK(store->SetObjectTags("b", "k", {{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(store->GetObject("b", "k")->tags.size(), 2u);
  EXPECT_STATUS(store->SetObjectTags("b", "nope", {}), StatusCode::kNotFound, "no object");

  ASSERT_OK(store->DeleteObject("b", "k", At(13)));
  EXPECT_STATUS(store->GetObject("b", "k"), StatusCode::kNotFound, "no object");
  EXPECT_STATUS(store->GetFile("o2"), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(3), 0);
  EXPECT_STATUS(store->DeleteObject("b", "k", At(14)), StatusCode::kNotFound, "no object");
  EXPECT_STATUS(store->GetObject("b", "\xff"), StatusCode::kNotFound, "no object");
}

TYPED_TEST(StoreConformanceTest, ObjectsListInByteOrderByPrefixFromAStart) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertBucket({"b", "", At(0)}));
  ASSERT_OK(store->InsertBucket({"other", "", At(0)}));
  // Byte order: upper case before lower case, '/' before letters, and
  // multi-byte UTF-8 after ASCII.
  const std::vector<std::string> keys = {"a/1",       "a/2",          "a/b/c", "B",
                                         "a\xc3\xa9", "\xe2\x82\xac", "a",     "ab"};
  int n = 0;
  for (const std::string& key : keys) {
    const std::string id = StrCat("o", n);
    AddObjectUpload(store.get(), id, n + 1);
    ASSERT_OK(store->CommitObject(SampleObject("b", key, id), "", At(n)));
    ++n;
  }
  AddObjectUpload(store.get(), "elsewhere", 50);
  ASSERT_OK(store->CommitObject(SampleObject("other", "a/1", "elsewhere"), "", At(n)));

  auto list = [&](std::string prefix, std::string start, int limit) {
    std::vector<std::string> out;
    auto page = store->ListObjects({"b", prefix, start, limit});
    EXPECT_OK(page);
    if (page.ok()) {
      for (const auto& o : *page) out.push_back(o.key);
    }
    return out;
  };
  using Keys = std::vector<std::string>;
  EXPECT_EQ(list("", "", 100),
            (Keys{"B", "a", "a/1", "a/2", "a/b/c", "ab", "a\xc3\xa9", "\xe2\x82\xac"}));
  EXPECT_EQ(list("a/", "", 100), (Keys{"a/1", "a/2", "a/b/c"}));
  EXPECT_EQ(list("a/", "a/2", 100), (Keys{"a/2", "a/b/c"})) << "start is inclusive";
  EXPECT_EQ(list("a", "a/3", 2), (Keys{"a/b/c", "ab"}));
  EXPECT_EQ(list("a\xc3\xa9", "", 100), (Keys{"a\xc3\xa9"}));
  EXPECT_EQ(list("zzz", "", 100), Keys{});
  EXPECT_EQ(list("", "\xe2\x82\xac", 100), (Keys{"\xe2\x82\xac"}));
  EXPECT_TRUE(store->ListObjects({"nobucket", "", "", 10})->empty());
}

TYPED_TEST(StoreConformanceTest, DeleteFileReleasesItsChunks) {
  auto& store = this->store_;
  this->AddFile("f1", "one", {1, 1, 2});
  this->AddFile("f2", "two", {2});
  ASSERT_OK(store->InsertFile(SampleFile("p", "pending")));
  ASSERT_OK(store->AttachChunks("p", {{0, Id(3), 100}}, At(1)));
  ASSERT_OK_AND_ASSIGN(StoreCounts counts, store->Counts());
  EXPECT_EQ(counts.files, 2);
  EXPECT_EQ(counts.chunks, 3);
  EXPECT_EQ(counts.bytes, 300) << "each chunk once";

  ASSERT_OK(store->DeleteFile("f1", At(20)));
  EXPECT_EQ(this->Refcount(1), 0);
  EXPECT_EQ(this->Refcount(2), 1);
  EXPECT_STATUS(store->GetFile("f1"), StatusCode::kNotFound, "");
  EXPECT_TRUE(store->GetFileChunks("f1")->empty());
  EXPECT_STATUS(store->DeleteFile("f1", At(21)), StatusCode::kNotFound, "no file with id f1");
  ASSERT_OK(store->DeleteFile("p", At(22)));
  EXPECT_EQ(this->Refcount(3), 0);
  ASSERT_OK_AND_ASSIGN(counts, store->Counts());
  EXPECT_EQ(counts.files, 1);
  EXPECT_EQ(counts.chunks, 1);
  EXPECT_EQ(counts.bytes, 100);
  ASSERT_OK_AND_ASSIGN(auto collectable, store->CollectableChunks(At(30), 10));
  EXPECT_EQ(collectable, (std::vector<std::string>{Id(1), Id(3)})) << "oldest unreferenced first";
  ASSERT_OK_AND_ASSIGN(collectable, store->CollectableChunks(At(30), 1));
  EXPECT_EQ(collectable, std::vector<std::string>{Id(1)});
}

TYPED_TEST(StoreConformanceTest, TouchAndExpiredUploads) {
  auto& store = this->store_;
  this->AddFile("done", "done", {});
  ASSERT_OK(store->TouchFile("done", At(500)));
  EXPECT_EQ(store->GetFile("done")->last_accessed, At(500));
  ASSERT_OK(store->TouchFile("ghost", At(500)));
  ASSERT_OK(store->TouchFile("\xff", At(500)));
  for (int i = 0; i < 4; ++i) {
    FileRecord f = SampleFile(StrCat("up-", i), StrCat("up-", i));
    f.expires_at = At(100 - 10 * i);
    ASSERT_OK(store->InsertFile(f));
  }
  ASSERT_OK_AND_ASSIGN(auto expired, store->ExpiredUploads(At(90), 10));
  std::vector<std::string> ids;
  for (const auto& f : expired) ids.push_back(f.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"up-3", "up-2"})) << "soonest first, before now";
  ASSERT_OK_AND_ASSIGN(expired, store->ExpiredUploads(At(1000), 3));
  ASSERT_EQ(expired.size(), 3u);
  EXPECT_EQ(expired[0].id, "up-3");
  EXPECT_EQ(expired[0].state, FileState::kPending);
}

// ---- multipart uploads --------------------------------------------------------

MultipartUploadRecord SampleUpload(const std::string& id, const std::string& bucket,
                                   const std::string& key) {
  MultipartUploadRecord u;
  u.id = id;
  u.bucket = bucket;
  u.key = key;
  u.owner = "alice";
  u.content_type = "video/mp4";
  u.metadata = {{"x-amz-meta-take", "2"}};
  u.tags = {{"team", "video"}};
  u.created_at = At(1);
  u.expires_at = At(100);
  return u;
}

TYPED_TEST(StoreConformanceTest, MultipartUploadsAreListedByKeyThenId) {
  auto& store = this->store_;
  EXPECT_STATUS(store->InsertMultipartUpload(SampleUpload("u1", "b", "k")), StatusCode::kNotFound,
                "no bucket");
  ASSERT_OK(store->InsertBucket({"b", "", At(0)}));
  ASSERT_OK(store->InsertBucket({"c", "", At(0)}));
  for (const auto& [id, key] :
       std::vector<std::pair<std::string, std::string>>{{"u3", "photos/b"},
                                                        {"u1", "photos/a"},
                                                        {"u2", "photos/a"},
                                                        {"u4", "zz"},
                                                        {"u5", "photos/\xc3\xa9"}}) {
    ASSERT_OK(store->InsertMultipartUpload(SampleUpload(id, "b", key)));
  }
  ASSERT_OK(store->InsertMultipartUpload(SampleUpload("u6", "c", "photos/a")));
  ASSERT_OK_AND_ASSIGN(MultipartUploadRecord got, store->GetMultipartUpload("u1"));
  EXPECT_EQ(got.bucket, "b");
  EXPECT_EQ(got.key, "photos/a");
  EXPECT_EQ(got.owner, "alice");
  EXPECT_EQ(got.content_type, "video/mp4");
  EXPECT_EQ(got.metadata, SampleUpload("", "", "").metadata);
  EXPECT_EQ(got.tags, SampleUpload("", "", "").tags);
  EXPECT_EQ(got.created_at, At(1));
  EXPECT_EQ(got.expires_at, At(100));
  EXPECT_STATUS(store->GetMultipartUpload("nope"), StatusCode::kNotFound, "no upload");
  EXPECT_STATUS(store->GetMultipartUpload("\xff"), StatusCode::kNotFound, "no upload");

  auto ids = [&](MultipartUploadQuery q) {
    std::vector<std::string> out;
    auto uploads = store->ListMultipartUploads(q);
    EXPECT_OK(uploads.status());
    for (const auto& u : uploads.value_or(std::vector<MultipartUploadRecord>{})) {
      out.push_back(u.id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({"b", "", "", "", 10}), (V{"u1", "u2", "u3", "u5", "u4"})) << "bytes order";
  EXPECT_EQ(ids({"b", "photos/", "", "", 10}), (V{"u1", "u2", "u3", "u5"}));
  EXPECT_EQ(ids({"b", "photos/", "photos/a", "u1", 10}), (V{"u2", "u3", "u5"}));
  EXPECT_EQ(ids({"b", "", "photos/a", "u2", 2}), (V{"u3", "u5"}));
  EXPECT_EQ(ids({"b", "", "photos/b", "", 10}), (V{"u3", "u5", "u4"})) << "the key's own ids";
  EXPECT_EQ(ids({"c", "", "", "", 10}), (V{"u6"}));
  EXPECT_EQ(ids({"b", "\xff", "", "", 10}), V{});
}

TYPED_TEST(StoreConformanceTest, PartsCommitReplaceAndGoWithTheirUpload) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertBucket({"b", "", At(0)}));
  ASSERT_OK(store->InsertMultipartUpload(SampleUpload("u1", "b", "k")));
  AddObjectUpload(store.get(), "p1", 1);
  AddObjectUpload(store.get(), "p2", 2);
  AddObjectUpload(store.get(), "p2b", 3);
  auto part = [](const std::string& file, int number, const std::string& etag) {
    return PartRecord{"u1", number, file, 100, etag, absl::UnixEpoch()};
  };
  EXPECT_STATUS(store->CommitPart(PartRecord{"nope", 1, "p1", 100, "e"}, "", At(2)),
                StatusCode::kNotFound, "no upload");
  ASSERT_OK_AND_ASSIGN(std::string replaced, store->CommitPart(part("p2", 2, "e2"), "", At(2)));
  EXPECT_EQ(replaced, "");
  ASSERT_OK(store->CommitPart(part("p1", 1, "e1"), Id(7), At(3)).status());
  EXPECT_STATUS(store->CommitPart(part("p1", 3, "e3"), "", At(3)), StatusCode::kFailedPrecondition,
                "already committed");
  ASSERT_OK_AND_ASSIGN(FileRecord file, store->GetFile("p1"));
  EXPECT_EQ(file.state, FileState::kComplete);
  EXPECT_EQ(file.sha256, Id(7));
  ASSERT_OK_AND_ASSIGN(auto files, store->ListFiles(FileListQuery{}));
  EXPECT_TRUE(files.empty()) << "parts stay out of the file namespace";

  ASSERT_OK_AND_ASSIGN(replaced, store->CommitPart(part("p2b", 2, "e2b"), "", At(4)));
  EXPECT_EQ(replaced, "p2");
  EXPECT_STATUS(store->GetFile("p2"), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(2), 0) << "the replaced part's chunks go to the GC";

  ASSERT_OK_AND_ASSIGN(std::vector<PartRecord> parts, store->ListParts("u1"));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts[0].part_number, 1);
  EXPECT_EQ(parts[0].file_id, "p1");
  EXPECT_EQ(parts[0].etag, "e1");
  EXPECT_EQ(parts[0].size, 100);
  EXPECT_EQ(parts[0].modified_at, At(3));
  EXPECT_EQ(parts[1].part_number, 2);
  EXPECT_EQ(parts[1].file_id, "p2b");
  EXPECT_STATUS(store->ListParts("nope"), StatusCode::kNotFound, "no upload");
  this->Reopen();
  auto& reopened = this->store_;
  ASSERT_OK_AND_ASSIGN(parts, reopened->ListParts("u1"));
  EXPECT_EQ(parts.size(), 2u);

  ASSERT_OK(reopened->DeleteMultipartUpload("u1", At(5)));
  EXPECT_STATUS(reopened->GetMultipartUpload("u1"), StatusCode::kNotFound, "no upload");
  EXPECT_STATUS(reopened->GetFile("p1"), StatusCode::kNotFound, "");
  EXPECT_STATUS(reopened->GetFile("p2b"), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(1), 0);
  EXPECT_EQ(this->Refcount(3), 0);
  EXPECT_STATUS(reopened->DeleteMultipartUpload("u1", At(5)), StatusCode::kNotFound, "no upload");
}

TYPED_TEST(StoreConformanceTest, ExpiredUploadsAndDeletedBucketsTakeTheirParts) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertBucket({"b", "", At(0)}));
  MultipartUploadRecord early = SampleUpload("u1", "b", "k1");
  early.expires_at = At(10);
  MultipartUploadRecord late = SampleUpload("u2", "b", "k2");
  late.expires_at = At(20);
  ASSERT_OK(store->InsertMultipartUpload(late));
  ASSERT_OK(store->InsertMultipartUpload(early));
  ASSERT_OK_AND_ASSIGN(auto expired, store->ExpiredMultipartUploads(At(15), 10));
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].id, "u1");
  ASSERT_OK_AND_ASSIGN(expired, store->ExpiredMultipartUploads(At(25), 1));
  ASSERT_EQ(expired.size(), 1u) << "the limit holds";
  EXPECT_EQ(expired[0].id, "u1") << "oldest first";

  AddObjectUpload(store.get(), "p1", 1);
  ASSERT_OK(store->CommitPart(PartRecord{"u2", 1, "p1", 100, "e"}, "", At(2)).status());
  ASSERT_OK(store->DeleteBucket("b", At(30)));
  EXPECT_STATUS(store->GetMultipartUpload("u2"), StatusCode::kNotFound, "no upload");
  EXPECT_STATUS(store->GetFile("p1"), StatusCode::kNotFound, "");
  EXPECT_EQ(this->Refcount(1), 0);
}

// ---- chunks and replicas -------------------------------------------------------

TYPED_TEST(StoreConformanceTest, FlaggedReplicasAreVerified) {
  auto& store = this->store_;
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(1), 10}, {Id(2), 10}}, {}, {}, At(1)));
  ASSERT_OK(store->FlagReplica(Id(1), "n1", At(2)));
  ASSERT_OK(store->FlagReplica(Id(1), "n1", At(3)));  // already flagged
  EXPECT_STATUS(store->FlagReplica(Id(1), "n2", At(3)), StatusCode::kNotFound,
                "node n2 holds no replica of");
  ASSERT_OK(store->OrderReplicaDelete(Id(2), "n1", At(3)));
  ASSERT_OK(store->FlagReplica(Id(2), "n1", At(4)));  // being deleted: left alone
  EXPECT_EQ(this->Replicas(1), std::vector<std::string>{"n1:corrupt"});
  EXPECT_EQ(this->Replicas(2), std::vector<std::string>{"n1:deleting"});
  auto verifies = this->Tasks(TaskKind::kVerify);
  ASSERT_EQ(verifies.size(), 1u) << "one verify order";
  EXPECT_EQ(verifies[0].chunk_id, Id(1));
  EXPECT_EQ(verifies[0].node_id, "n1");
  EXPECT_EQ(verifies[0].state, TaskState::kPending);
  EXPECT_EQ(verifies[0].created_at, At(2));
  EXPECT_FALSE(verifies[0].id.empty());
  ASSERT_OK_AND_ASSIGN(ReplicationHealth health, store->Health({"n1"}, {"n1"}));
  EXPECT_EQ(health.corrupt_replicas, 1);

  // Chunks with a row (refcount, size), not those known only from reports.
  this->AddFile("f", "sized", {3, 4});
  ASSERT_OK_AND_ASSIGN(auto sizes, store->GetChunkSizes({Id(4), Id(1), Id(3), Id(9), "nothex"}));
  EXPECT_EQ(sizes, (std::map<std::string, int64_t>{{Id(3), 100}, {Id(4), 100}}));
  EXPECT_TRUE(store->GetChunkSizes({})->empty());
  // Whether the database knows any of them: a chunk row or a copy.
  EXPECT_FALSE(*store->KnowsAnyChunk({Id(8), Id(9), "nothex"}));
  EXPECT_TRUE(*store->KnowsAnyChunk({Id(9), Id(3)}));  // a row
  EXPECT_TRUE(*store->KnowsAnyChunk({Id(1), Id(9)}));  // known only from a report
  EXPECT_FALSE(*store->KnowsAnyChunk({}));

  ASSERT_OK_AND_ASSIGN(auto all, store->GetReplicas({Id(2), Id(1), Id(7)}));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].chunk_id, std::min(Id(1), Id(2))) << "ordered by chunk";
  EXPECT_TRUE(store->GetReplicas({})->empty());
}

TYPED_TEST(StoreConformanceTest, UnbalancedChunksAndHealthCountOnlyCountingNodes) {
  auto& store = this->store_;
  const std::vector<std::string> all = {"n1", "n2", "n3", "n4"};
  this->AddFile("f1", "one-copy", {1}, {"n1"});
  this->AddFile("f2", "two-copies", {2}, {"n1", "n2"});
  this->AddFile("f3", "three-copies", {3}, {"n1", "n2", "n3"});
  this->AddFile("f4", "four-copies", {4}, all);
  this->AddFile("f5", "none", {5});
  this->AddFile("f6", "also-one", {6}, {"n4"});
  ASSERT_OK(store->InsertFile(SampleFile("p", "pending")));  // not counted
  ASSERT_OK(store->AttachChunks("p", {{0, Id(7), 100}}, At(1)));
  ASSERT_OK(store->FlagReplica(Id(3), "n3", At(2)));  // corrupt: not counted

  ASSERT_OK_AND_ASSIGN(auto unbalanced, store->UnbalancedChunks(all, 100));
  std::vector<std::pair<std::string, int>> got;
  for (const auto& b : unbalanced) {
    EXPECT_EQ(b.factor, 3);
    EXPECT_EQ(b.size, 100);
    got.emplace_back(b.chunk_id, b.live);
  }
  std::vector<std::pair<int, std::string>> order = {{0, Id(5)}, {1, Id(1)}, {1, Id(6)},
                                                    {2, Id(2)}, {2, Id(3)}, {4, Id(4)}};
  std::sort(order.begin(), order.end());
  std::vector<std::pair<std::string, int>> expected;
  for (const auto& [live, id] : order) expected.emplace_back(id, live);
  EXPECT_EQ(got, expected) << "fewest first, then by id";
  ASSERT_OK_AND_ASSIGN(unbalanced, store->UnbalancedChunks(all, 2));
  EXPECT_EQ(unbalanced.size(), 2u);
  ASSERT_OK_AND_ASSIGN(unbalanced, store->UnbalancedChunks({"n1", "n2", "n3"}, 100));
  std::set<std::string> ids;
  for (const auto& b : unbalanced) ids.insert(b.chunk_id);
  EXPECT_FALSE(ids.contains(Id(4))) << "three counted copies of four";

  ASSERT_OK_AND_ASSIGN(ReplicationHealth health, store->Health(all, {"n1", "n4"}));
  EXPECT_EQ(health.under_replicated, 5);  // 5, 1, 6, 2, 3
  EXPECT_EQ(health.over_replicated, 1);   // 4
  EXPECT_EQ(health.lost, 1);              // 5 has no readable copy
  EXPECT_EQ(health.missing_bytes, (3 + 2 + 2 + 1 + 1) * 100);
  EXPECT_EQ(health.corrupt_replicas, 1);
  ASSERT_OK_AND_ASSIGN(health, store->Health(all, {"n2"}));
  EXPECT_EQ(health.lost, 3) << "5, 1 and 6 have no copy on n2";
  ASSERT_OK_AND_ASSIGN(health, store->Health({}, {}));
  EXPECT_EQ(health.under_replicated, 6);
  EXPECT_EQ(health.lost, 6);
}

// A chunk's factor is the highest of the files naming it now: deleting the
// file that asked for more copies lowers it (and a chunk no file names keeps
// its last, until a file names it again).
TYPED_TEST(StoreConformanceTest, AChunksFactorFollowsTheFilesThatNameIt) {
  auto& store = this->store_;
  const std::vector<std::string> nodes = {"n1", "n2", "n3"};
  this->AddFile("low", "low", {1}, {"n1"}, /*factor=*/1);
  this->AddFile("high", "high", {1, 2}, {"n1"}, /*factor=*/3);
  ASSERT_OK_AND_ASSIGN(ReplicationHealth health, store->Health(nodes, nodes));
  EXPECT_EQ(health.under_replicated, 2) << "1 and 2 at factor 3, one copy each";
  ASSERT_OK(store->DeleteFile("high", At(5)));
  ASSERT_OK_AND_ASSIGN(health, store->Health(nodes, nodes));
  EXPECT_EQ(health.under_replicated, 0) << "1 is at the low file's factor";
  ASSERT_OK_AND_ASSIGN(auto unbalanced, store->UnbalancedChunks(nodes, 10));
  EXPECT_TRUE(unbalanced.empty());

  // Replaced at its index, a chunk is released the same way.
  ASSERT_OK(store->InsertFile(SampleFile("p", "pending", /*factor=*/2)));
  ASSERT_OK(store->AttachChunks("p", {{0, Id(1), 100}}, At(6)));
  ASSERT_OK(store->AttachChunks("p", {{0, Id(3), 100}}, At(7)));
  ASSERT_OK(store->CommitFile("p", 100, "", At(8)));
  ASSERT_OK_AND_ASSIGN(health, store->Health(nodes, nodes));
  EXPECT_EQ(health.under_replicated, 1) << "3 at factor 2; 1 back at 1";
}

// Migration 0011 sets right the factors an older version left raised by
// files since deleted.
TYPED_TEST(StoreConformanceTest, TheFactorMigrationLowersFactorsOfDeletedFiles) {
  auto& store = this->store_;
  const std::vector<std::string> nodes = {"n1", "n2", "n3"};
  this->AddFile("low", "low", {1}, {"n1"}, /*factor=*/1);
  // As an older version left it: raised by a file deleted since.
  ASSERT_OK(this->backend_.Exec("UPDATE chunks SET replication_factor = 3"));
  ASSERT_OK(this->backend_.Exec("DELETE FROM schema_migrations WHERE version = 11"));
  ASSERT_OK(store->Migrate());  // applies the missing migration
  ASSERT_OK_AND_ASSIGN(auto unbalanced, store->UnbalancedChunks(nodes, 10));
  EXPECT_TRUE(unbalanced.empty()) << "chunk 1 is at the low file's factor";
}

TYPED_TEST(StoreConformanceTest, DrainRemainingAndCoveredReplicas) {
  auto& store = this->store_;
  this->AddFile("f1", "covered", {1}, {"d", "n1", "n2", "n3"});
  this->AddFile("f2", "short", {2}, {"d", "n1"});
  this->AddFile("f3", "exact", {3}, {"d", "n1", "n2"});
  ASSERT_OK(store->ApplyReplicaChanges("d", {{Id(9), 100}}, {}, {}, At(1)));  // unknown chunk
  ASSERT_OK_AND_ASSIGN(ReplicaTotals remaining, store->DrainRemaining("d", {"n1", "n2", "n3"}));
  EXPECT_EQ(remaining.chunks, 2);  // 2 and 3
  EXPECT_EQ(remaining.bytes, 200);
  ASSERT_OK_AND_ASSIGN(remaining, store->DrainRemaining("d", {"n1"}));
  EXPECT_EQ(remaining.chunks, 3);

  ASSERT_OK_AND_ASSIGN(auto covered, store->CoveredReplicasOn("d", {"d", "n1", "n2", "n3"}, 10));
  EXPECT_EQ(covered, std::vector<std::string>{Id(1)}) << "its own copy does not count";
  ASSERT_OK_AND_ASSIGN(covered, store->CoveredReplicasOn("n3", {"d", "n1", "n2", "n3"}, 10));
  EXPECT_EQ(covered, std::vector<std::string>{Id(1)});
  ASSERT_OK_AND_ASSIGN(covered, store->CoveredReplicasOn("n1", {"d", "n1", "n2", "n3"}, 0));
  EXPECT_TRUE(covered.empty());
}

TYPED_TEST(StoreConformanceTest, OrderReplicaDeleteMarksAndOrders) {
  auto& store = this->store_;
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(1), 10}}, {}, {}, At(1)));
  ASSERT_OK(store->OrderReplicaDelete(Id(1), "n1", At(2)));
  EXPECT_EQ(this->Replicas(1), std::vector<std::string>{"n1:deleting"});
  EXPECT_STATUS(store->OrderReplicaDelete(Id(1), "n1", At(3)), StatusCode::kFailedPrecondition,
                "not being deleted");
  EXPECT_STATUS(store->OrderReplicaDelete(Id(2), "n1", At(3)), StatusCode::kFailedPrecondition,
                "holds no replica");
  auto deletes = this->Tasks(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].chunk_id, Id(1));
  EXPECT_EQ(deletes[0].node_id, "n1");
  EXPECT_EQ(deletes[0].created_at, At(2));
  EXPECT_TRUE(deletes[0].sources.empty());
}

TYPED_TEST(StoreConformanceTest, GarbageCollectionOfChunksAndOrphans) {
  auto& store = this->store_;
  this->AddFile("f1", "gone", {1, 2}, {"n1", "n2"});
  ASSERT_OK(store->FlagReplica(Id(1), "n2", At(1)));
  ASSERT_OK(store->DeleteFile("f1", At(10)));
  EXPECT_TRUE(store->CollectableChunks(At(9), 10)->empty()) << "within the grace";
  ASSERT_OK_AND_ASSIGN(auto collectable, store->CollectableChunks(At(10), 10));
  EXPECT_EQ(collectable.size(), 2u);

  ASSERT_OK_AND_ASSIGN(int created, store->CollectChunk(Id(1), At(11)));
  EXPECT_EQ(created, 2) << "stored and corrupt copies alike";
  EXPECT_EQ(this->Replicas(1), (std::vector<std::string>{"n1:deleting", "n2:deleting"}));
  ASSERT_OK_AND_ASSIGN(created, store->CollectChunk(Id(1), At(12)));
  EXPECT_EQ(created, 0) << "already ordered";
  ASSERT_OK_AND_ASSIGN(collectable, store->CollectableChunks(At(20), 10));
  EXPECT_EQ(collectable, std::vector<std::string>{Id(2)}) << "nothing left to order for 1";

  // The nodes delete their copies: then the chunk row goes.
  ASSERT_OK(store->ApplyReplicaChanges("n1", {}, {Id(1)}, {}, At(13)));
  ASSERT_OK(store->ApplyReplicaChanges("n2", {}, {Id(1)}, {}, At(13)));
  ASSERT_OK_AND_ASSIGN(collectable, store->CollectableChunks(At(20), 10));
  EXPECT_EQ(collectable.size(), 2u) << "no replica left at all";
  ASSERT_OK(store->CollectChunk(Id(1), At(14)));
  EXPECT_STATUS(store->GetChunk(Id(1)), StatusCode::kNotFound, "");
  EXPECT_EQ(*store->CollectChunk(Id(1), At(15)), 0) << "gone";

  this->AddFile("f2", "kept", {3}, {"n1"});
  EXPECT_EQ(*store->CollectChunk(Id(3), At(16)), 0) << "referenced";
  EXPECT_EQ(this->Replicas(3), std::vector<std::string>{"n1:stored"});

  // Copies of chunks the coordinator does not know, reported long enough ago.
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(8), 1}}, {}, {}, At(1)));
  ASSERT_OK(store->ApplyReplicaChanges("n2", {{Id(8), 1}, {Id(9), 1}}, {}, {}, At(30)));
  ASSERT_OK_AND_ASSIGN(int orphans, store->CollectOrphanReplicas(At(20), At(31), 10));
  EXPECT_EQ(orphans, 1);
  EXPECT_EQ(this->Replicas(8), (std::vector<std::string>{"n1:deleting", "n2:stored"}));
  ASSERT_OK_AND_ASSIGN(orphans, store->CollectOrphanReplicas(At(40), At(41), 1));
  EXPECT_EQ(orphans, 1) << "limited";
  ASSERT_OK_AND_ASSIGN(orphans, store->CollectOrphanReplicas(At(40), At(41), 10));
  EXPECT_EQ(orphans, 1);
  EXPECT_EQ(*store->CollectOrphanReplicas(At(40), At(41), 10), 0);
  EXPECT_EQ(this->Replicas(3), std::vector<std::string>{"n1:stored"}) << "known chunks stay";
}

TYPED_TEST(StoreConformanceTest, ReferencedAgainCancelsDeletesNotYetHandedOut) {
  auto& store = this->store_;
  this->AddFile("f1", "first", {1}, {"n1", "n2"}, 2);
  ASSERT_OK(store->DeleteFile("f1", At(10)));
  ASSERT_EQ(*store->CollectChunk(Id(1), At(11)), 2);
  ASSERT_OK_AND_ASSIGN(auto sent, store->AssignTasks("n1", 10, At(12), At(100)));
  ASSERT_EQ(sent.size(), 1u);

  this->AddFile("f2", "second", {1}, {}, 4, At(13));
  EXPECT_EQ(this->Refcount(1), 1);
  EXPECT_EQ(this->Replicas(1), (std::vector<std::string>{"n1:deleting", "n2:stored"}))
      << "n2's order was not sent: cancelled; n1's will still happen";
  auto deletes = this->Tasks(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].node_id, "n1");
  EXPECT_EQ(deletes[0].state, TaskState::kAssigned);
  ASSERT_OK_AND_ASSIGN(auto unbalanced, store->UnbalancedChunks({"n1", "n2"}, 10));
  ASSERT_EQ(unbalanced.size(), 1u);
  EXPECT_EQ(unbalanced[0].factor, 4) << "the new file's factor, not the old maximum";
  EXPECT_EQ(unbalanced[0].live, 1);
  EXPECT_TRUE(store->CollectableChunks(At(100), 10)->empty());
}

// ---- tasks -------------------------------------------------------------------

TYPED_TEST(StoreConformanceTest, TasksAreAssignedInOrderAndFinished) {
  auto& store = this->store_;
  auto task = [](const std::string& id, TaskKind kind, int chunk, const std::string& node,
                 int created) {
    TaskRecord t;
    t.id = id;
    t.kind = kind;
    t.chunk_id = Id(chunk);
    t.node_id = node;
    t.created_at = At(created);
    return t;
  };
  TaskRecord copy = task("copy", TaskKind::kReplicate, 1, "n1", 3);
  copy.sources = {"n2", "n\"3\\", "名前"};
  copy.size = 4096;
  ASSERT_OK(store->InsertTask(copy));
  ASSERT_OK(store->InsertTask(task("del", TaskKind::kDelete, 2, "n1", 1)));
  TaskRecord later = task("later", TaskKind::kDelete, 3, "n1", 0);
  later.not_before = At(50);
  ASSERT_OK(store->InsertTask(later));
  ASSERT_OK(store->InsertTask(task("verify", TaskKind::kVerify, 4, "n1", 2)));
  ASSERT_OK(store->InsertTask(task("other", TaskKind::kDelete, 5, "n2", 0)));
  TaskRecord unnamed = task("", TaskKind::kDelete, 6, "n3", 0);
  ASSERT_OK(store->InsertTask(unnamed));
  ASSERT_EQ(this->Tasks(TaskKind::kDelete).size(), 4u);
  EXPECT_FALSE(this->Tasks(TaskKind::kDelete).back().id.empty()) << "an id is assigned";

  ASSERT_OK_AND_ASSIGN(auto assigned, store->AssignTasks("n1", 2, At(10), At(40)));
  ASSERT_EQ(assigned.size(), 2u);
  EXPECT_EQ(assigned[0].id, "del") << "oldest first; not before its back-off";
  EXPECT_EQ(assigned[1].id, "verify");
  EXPECT_EQ(assigned[0].state, TaskState::kAssigned);
  EXPECT_EQ(assigned[0].attempts, 1);
  EXPECT_EQ(assigned[0].deadline, At(40));
  ASSERT_OK_AND_ASSIGN(assigned, store->AssignTasks("n1", -1, At(10), At(40)));
  ASSERT_EQ(assigned.size(), 1u);
  EXPECT_EQ(assigned[0].id, "copy");
  EXPECT_EQ(assigned[0].sources, copy.sources);
  EXPECT_EQ(assigned[0].size, 4096);
  EXPECT_EQ(assigned[0].kind, TaskKind::kReplicate);
  EXPECT_EQ(assigned[0].chunk_id, Id(1));
  EXPECT_TRUE(store->AssignTasks("n1", 10, At(10), At(40))->empty()) << "nothing pending now";

  // Ignored results: unknown ids, another node's, not assigned.
  EXPECT_EQ(*store->FinishTask("n1", "nope", true, "", At(11), absl::Seconds(5), 3), std::nullopt);
  EXPECT_EQ(*store->FinishTask("n2", "del", true, "", At(11), absl::Seconds(5), 3), std::nullopt);
  EXPECT_EQ(*store->FinishTask("n1", "later", true, "", At(11), absl::Seconds(5), 3), std::nullopt);

  // A finished delete forgets the replica; repeating the result is ignored.
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(2), 1}, {Id(4), 1}}, {}, {}, At(1)));
  ASSERT_OK_AND_ASSIGN(auto done,
                       store->FinishTask("n1", "del", true, "", At(12), absl::Seconds(5), 3));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->state, TaskState::kDone);
  EXPECT_EQ(done->finished_at, At(12));
  EXPECT_EQ(done->error, "");
  EXPECT_TRUE(this->Replicas(2).empty());
  EXPECT_EQ(*store->FinishTask("n1", "del", true, "", At(13), absl::Seconds(5), 3), std::nullopt);

  // A failed replicate ends at once; a failed verify forgets the copy.
  ASSERT_OK_AND_ASSIGN(
      auto failed, store->FinishTask("n1", "copy", false, "no space", At(14), absl::Seconds(5), 3));
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ(failed->state, TaskState::kFailed);
  EXPECT_EQ(failed->error, "no space");
  EXPECT_EQ(failed->finished_at, At(14));
  ASSERT_OK(store->FlagReplica(Id(4), "n1", At(14)));  // a second verify order, pending
  ASSERT_OK_AND_ASSIGN(
      auto verify, store->FinishTask("n1", "verify", false, "bad", At(15), absl::Seconds(5), 1));
  EXPECT_EQ(verify->state, TaskState::kFailed) << "out of attempts";
  EXPECT_TRUE(this->Replicas(4).empty()) << "the node found it bad or gone";
  ASSERT_OK_AND_ASSIGN(auto tasks, store->RecentTasks(At(15)));
  std::set<std::string> ids;
  for (const auto& t : tasks) ids.insert(t.id);
  EXPECT_TRUE(ids.contains("verify")) << "failed since then";
  EXPECT_FALSE(ids.contains("copy")) << "failed before";
  EXPECT_FALSE(ids.contains("del")) << "done";
  EXPECT_TRUE(ids.contains("later") && ids.contains("other"));
}

// Heartbeats reaching two coordinators at once ask for the same node's
// tasks: each task goes out once.
TYPED_TEST(StoreConformanceTest, ATaskGoesOutOnceToAskersAtOnce) {
  auto& store = this->store_;
  constexpr int kTasks = 60;
  for (int i = 0; i < kTasks; ++i) {
    TaskRecord t;
    t.id = StrCat("t", i);
    t.kind = TaskKind::kDelete;
    t.chunk_id = Id(i);
    t.node_id = "n1";
    t.created_at = At(i);
    ASSERT_OK(store->InsertTask(t));
  }
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> askers;
  for (auto& mine : got) {
    askers.emplace_back([&store, &mine] {
      for (int round = 0; round < kTasks; ++round) {  // bounded: a task or more per round
        auto assigned = store->AssignTasks("n1", 3, At(100), At(200));
        if (!assigned.ok() || assigned->empty()) return;
        for (const TaskRecord& task : *assigned) mine.push_back(task.id);
      }
    });
  }
  for (std::thread& asker : askers) asker.join();
  std::multiset<std::string> all;
  for (const auto& mine : got) all.insert(mine.begin(), mine.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kTasks)) << "each task once";
  for (int i = 0; i < kTasks; ++i) EXPECT_EQ(all.count(StrCat("t", i)), 1u) << "t" << i;
  EXPECT_TRUE(store->AssignTasks("n1", 10, At(100), At(200))->empty());
}

TYPED_TEST(StoreConformanceTest, FailuresRetryAfterBackoffThenGiveUp) {
  auto& store = this->store_;
  ASSERT_OK(store->ApplyReplicaChanges("n1", {{Id(1), 1}}, {}, {}, At(0)));
  ASSERT_OK(store->FlagReplica(Id(1), "n1", At(0)));
  TaskRecord del;
  del.id = "del";
  del.kind = TaskKind::kDelete;
  del.chunk_id = Id(2);
  del.node_id = "n1";
  ASSERT_OK(store->InsertTask(del));
  const absl::Duration retry = absl::Seconds(5);

  ASSERT_EQ(store->AssignTasks("n1", 10, At(1), At(10))->size(), 2u);
  auto verify_id = this->Tasks(TaskKind::kVerify)[0].id;
  ASSERT_OK_AND_ASSIGN(auto again, store->FinishTask("n1", "del", false, "busy", At(2), retry, 2));
  EXPECT_EQ(again->state, TaskState::kPending);
  // (The returned record keeps the old not_before in both stores: read it back.)
  EXPECT_EQ(this->Tasks(TaskKind::kDelete)[0].not_before, At(7));
  EXPECT_EQ(again->error, "busy");
  EXPECT_EQ(again->attempts, 1);
  EXPECT_TRUE(store->AssignTasks("n1", 10, At(6), At(20))->empty()) << "backing off";

  // Late: the deadline passed.
  ASSERT_OK_AND_ASSIGN(int expired, store->ExpireTasks(At(10), retry, 2));
  EXPECT_EQ(expired, 0) << "the deadline itself is not past";
  ASSERT_OK_AND_ASSIGN(expired, store->ExpireTasks(At(11), retry, 2));
  EXPECT_EQ(expired, 1);
  auto verify = this->Tasks(TaskKind::kVerify)[0];
  EXPECT_EQ(verify.state, TaskState::kPending);
  EXPECT_EQ(verify.error, "deadline passed");
  EXPECT_EQ(verify.not_before, At(16));

  ASSERT_OK_AND_ASSIGN(auto both, store->AssignTasks("n1", 10, At(20), At(30)));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].attempts, 2);
  ASSERT_OK_AND_ASSIGN(auto gave_up,
                       store->FinishTask("n1", "del", false, "still busy", At(21), retry, 2));
  EXPECT_EQ(gave_up->state, TaskState::kFailed);
  EXPECT_EQ(gave_up->finished_at, At(21));
  ASSERT_OK_AND_ASSIGN(auto cleared,
                       store->FinishTask("n1", verify_id, true, "", At(22), retry, 2));
  EXPECT_EQ(cleared->state, TaskState::kDone);
  EXPECT_EQ(this->Replicas(1), std::vector<std::string>{"n1:stored"}) << "the mark is cleared";
  EXPECT_EQ(*store->ExpireTasks(At(1000), retry, 2), 0);
}

TYPED_TEST(StoreConformanceTest, CancelPruneCountAndReplicatedBytes) {
  auto& store = this->store_;
  int created = 0;
  auto insert = [&](const std::string& id, TaskKind kind, int64_t size) {
    TaskRecord t;
    t.id = id;
    t.kind = kind;
    t.chunk_id = Id(1);
    t.node_id = "n1";
    t.size = size;
    t.created_at = At(created++);
    ASSERT_OK(store->InsertTask(t));
  };
  insert("r1", TaskKind::kReplicate, 100);
  insert("r2", TaskKind::kReplicate, 200);
  insert("r3", TaskKind::kReplicate, 400);
  insert("d1", TaskKind::kDelete, 0);
  insert("v1", TaskKind::kVerify, 0);
  ASSERT_EQ(store->AssignTasks("n1", 3, At(10), At(100))->size(), 3u);  // r1, r2, r3
  ASSERT_OK(store->FinishTask("n1", "r1", true, "", At(10), absl::Seconds(1), 3));
  ASSERT_OK(store->FinishTask("n1", "r2", true, "", At(20), absl::Seconds(1), 3));
  ASSERT_OK(store->CancelTask("d1", "chunk gone", At(30)));
  ASSERT_OK(store->CancelTask("r3", "too late", At(30)));  // assigned: left alone
  ASSERT_OK(store->CancelTask("ghost", "x", At(30)));

  EXPECT_EQ(*store->ReplicatedBytesSince(At(0)), 300);
  EXPECT_EQ(*store->ReplicatedBytesSince(At(11)), 200);
  EXPECT_EQ(*store->ReplicatedBytesSince(At(21)), 0);
  ASSERT_OK_AND_ASSIGN(auto counts, store->CountTasks());
  using Key = std::pair<TaskKind, TaskState>;
  std::map<Key, int64_t> expected = {{{TaskKind::kReplicate, TaskState::kDone}, 2},
                                     {{TaskKind::kReplicate, TaskState::kAssigned}, 1},
                                     {{TaskKind::kDelete, TaskState::kFailed}, 1},
                                     {{TaskKind::kVerify, TaskState::kPending}, 1}};
  EXPECT_EQ(counts, expected);
  auto deletes = this->Tasks(TaskKind::kDelete);
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].state, TaskState::kFailed);
  EXPECT_EQ(deletes[0].error, "chunk gone");
  EXPECT_EQ(deletes[0].finished_at, At(30));

  ASSERT_OK_AND_ASSIGN(int pruned, store->PruneTasks(At(20)));
  EXPECT_EQ(pruned, 1) << "r1 only: finished before";
  ASSERT_OK_AND_ASSIGN(pruned, store->PruneTasks(At(31)));
  EXPECT_EQ(pruned, 2);
  ASSERT_OK_AND_ASSIGN(counts, store->CountTasks());
  EXPECT_EQ(counts.size(), 2u) << "open tasks are never pruned";
}

// ---- administration -------------------------------------------------------------

// The scans for the in-memory index: every row once, a page at a time, also
// when the row a cursor stands on goes between two pages; a cursor the store
// never gave is refused.
TYPED_TEST(StoreConformanceTest, ScansVisitEveryRowOncePageByPage) {
  auto& store = this->store_;
  this->AddFile("f1", "one", {1, 2, 3}, {"n1", "n2"});
  this->AddFile("f2", "two", {3, 4}, {"n1"});
  this->AddFile("f3", "three", {5});  // no copies: its row goes with its file
  // A copy of a chunk no file names: a replica row, no chunk row.
  ASSERT_OK(store->ApplyReplicaChanges("n3", {{Id(9), 5}}, {}, {}, At(1)));

  std::multiset<std::string> file_chunks, chunks, replicas;
  for (std::string cursor;;) {
    ASSERT_OK_AND_ASSIGN(auto page, store->ScanFileChunks(cursor, 2));
    ASSERT_LE(page.rows.size(), 2u);
    for (const auto& row : page.rows) {
      file_chunks.insert(StrCat(row.file_id, "/", row.chunk.index, "=", row.chunk.chunk_id));
    }
    if (page.next.empty()) break;
    cursor = page.next;
  }
  for (std::string cursor;;) {
    ASSERT_OK_AND_ASSIGN(auto page, store->ScanChunks(cursor, 2));
    for (const auto& row : page.rows) chunks.insert(StrCat(row.chunk_id, "=", row.size));
    if (page.next.empty()) break;
    // Rows change between pages, maybe the one the cursor stands on: chunk
    // 5's row goes, chunk 4's stays (its copy is being deleted).
    if (chunks.size() == 2) {
      ASSERT_OK(store->DeleteFile("f2", At(2)));
      ASSERT_OK(store->DeleteFile("f3", At(2)));
      ASSERT_OK(store->CollectChunk(Id(4), At(3)).status());
      ASSERT_OK(store->CollectChunk(Id(5), At(3)).status());
    }
    cursor = page.next;
  }
  for (std::string cursor;;) {
    ASSERT_OK_AND_ASSIGN(auto page, store->ScanReplicas(cursor, 2));
    for (const auto& row : page.rows) replicas.insert(StrCat(row.chunk_id, "@", row.node_id));
    if (page.next.empty()) break;
    cursor = page.next;
  }
  EXPECT_EQ(file_chunks,
            (std::multiset<std::string>{StrCat("f1/0=", Id(1)), StrCat("f1/1=", Id(2)),
                                        StrCat("f1/2=", Id(3)), StrCat("f2/0=", Id(3)),
                                        StrCat("f2/1=", Id(4)), StrCat("f3/0=", Id(5))}));
  // Every chunk row once (the orphan has none; chunk 5's went during the
  // scan, so it was seen once or not at all).
  EXPECT_LE(chunks.count(StrCat(Id(5), "=100")), 1u);
  chunks.erase(StrCat(Id(5), "=100"));
  EXPECT_EQ(chunks, (std::multiset<std::string>{StrCat(Id(1), "=100"), StrCat(Id(2), "=100"),
                                                StrCat(Id(3), "=100"), StrCat(Id(4), "=100")}));
  // Chunks 1-3 on n1 and n2, chunk 4 on n1 (being deleted), the orphan on n3.
  EXPECT_EQ(replicas.size(), 3u * 2 + 1 + 1);
  EXPECT_EQ(replicas.count(StrCat(Id(9), "@n3")), 1u);
  EXPECT_STATUS(store->ScanReplicas("not a cursor", 2), StatusCode::kInvalidArgument, "cursor");
}

TYPED_TEST(StoreConformanceTest, StatsCountRowsOfEveryTable) {
  auto& store = this->store_;
  ASSERT_OK(store->UpsertNode(SampleNode("n1")));
  ASSERT_OK(store->UpsertNode(SampleNode("n2")));
  this->AddFile("f1", "one", {1, 2}, {"n1"});
  ASSERT_OK(store->FlagReplica(Id(1), "n1", At(1)));
  ASSERT_OK(store->InsertBucket({"bkt", "", At(1)}));
  AddObjectUpload(store.get(), "o1", 3);
  ASSERT_OK(store->CommitObject(SampleObject("bkt", "k", "o1"), "", At(2)));
  ASSERT_OK(store->InsertMultipartUpload(SampleUpload("u1", "bkt", "big")));
  ASSERT_OK(store->InsertS3Key({"GALEAAAAAAAAAAAAAAAA", "v1:sealed", "", false, {}, At(3)}));
  ASSERT_OK_AND_ASSIGN(DatabaseStats stats, store->Stats());
  const std::map<std::string, int64_t> expected = {
      {"nodes", 2},
      {"files", 2},
      {"file_chunks", 3},
      {"chunks", 3},
      {"replicas", 2},
      {"tasks", 1},
      {"buckets", 1},
      {"objects", 1},
      {"multipart_uploads", 1},
      {"multipart_parts", 0},
      {"schema_migrations", static_cast<int64_t>(migrations::SqliteMigrations().size())},
      {"s3_keys", 1}};
  EXPECT_EQ(stats.rows, expected);
  // The writes above went through the WAL.
  EXPECT_GT(stats.activity["wal_bytes"], 0);
  EXPECT_GT(stats.size_bytes, 0);
}

TYPED_TEST(StoreConformanceTest, BackupWritesACopyOrSaysWhatToUse) {
  auto& store = this->store_;
  ASSERT_OK(store->UpsertNode(SampleNode("n1")));
  testing::TempDir dir;
  const std::string path = dir.Join("backup.db");
  if constexpr (IsSqlite<TypeParam>) {
    ASSERT_OK(store->Backup(path));
    ASSERT_OK(store->UpsertNode(SampleNode("n2")));  // the source stays in use
    ASSERT_OK_AND_ASSIGN(auto copy, SqliteStore::Open(path));
    EXPECT_OK(copy->CheckReady());
    ASSERT_OK_AND_ASSIGN(auto nodes, copy->ListNodes());
    ASSERT_EQ(nodes.size(), 1u);
    ExpectSameNode(nodes[0], SampleNode("n1"));
  } else {
    EXPECT_STATUS(store->Backup(path), StatusCode::kInvalidArgument, "pg_dump");
    EXPECT_STATUS(store->Backup(path), StatusCode::kInvalidArgument, "point-in-time recovery");
    EXPECT_FALSE(std::filesystem::exists(path));
  }
}

// ---- S3 keys ----------------------------------------------------------------------

S3KeyRecord SampleS3Key(const std::string& id) {
  S3KeyRecord key;
  key.access_key_id = id;
  key.secret_encrypted = "v1:0123abcd:" + std::string(136, 'e');
  key.owner = "ünï \"owner\"";
  key.read_only = true;
  key.buckets = {"logs", "photos"};
  key.created_at = At(7);
  return key;
}

void ExpectSameS3Key(const S3KeyRecord& a, const S3KeyRecord& b) {
  EXPECT_EQ(a.access_key_id, b.access_key_id);
  EXPECT_EQ(a.secret_encrypted, b.secret_encrypted);
  EXPECT_EQ(a.owner, b.owner);
  EXPECT_EQ(a.read_only, b.read_only);
  EXPECT_EQ(a.buckets, b.buckets);
  EXPECT_EQ(a.created_at, b.created_at);
}

TYPED_TEST(StoreConformanceTest, S3KeysRoundTripEveryFieldInIdOrder) {
  auto& store = this->store_;
  S3KeyRecord open_key = SampleS3Key("GALEBBBBBBBBBBBBBBBB");
  open_key.owner = "";
  open_key.read_only = false;
  open_key.buckets = {};
  ASSERT_OK(store->InsertS3Key(open_key));
  ASSERT_OK(store->InsertS3Key(SampleS3Key("GALEAAAAAAAAAAAAAAAA")));
  ASSERT_OK_AND_ASSIGN(S3KeyRecord got, store->GetS3Key("GALEAAAAAAAAAAAAAAAA"));
  ExpectSameS3Key(got, SampleS3Key("GALEAAAAAAAAAAAAAAAA"));
  ASSERT_OK_AND_ASSIGN(got, store->GetS3Key("GALEBBBBBBBBBBBBBBBB"));
  ExpectSameS3Key(got, open_key);

  ASSERT_OK_AND_ASSIGN(std::vector<S3KeyRecord> keys, store->ListS3Keys());
  ASSERT_EQ(keys.size(), 2u);
  ExpectSameS3Key(keys[0], SampleS3Key("GALEAAAAAAAAAAAAAAAA"));
  ExpectSameS3Key(keys[1], open_key);

  this->Reopen();
  ASSERT_OK_AND_ASSIGN(keys, this->store_->ListS3Keys());
  EXPECT_EQ(keys.size(), 2u) << "kept across a restart";
}

TYPED_TEST(StoreConformanceTest, S3KeyIdsAreUniqueAndDeletesForget) {
  auto& store = this->store_;
  ASSERT_OK(store->InsertS3Key(SampleS3Key("GALEAAAAAAAAAAAAAAAA")));
  S3KeyRecord again = SampleS3Key("GALEAAAAAAAAAAAAAAAA");
  again.owner = "someone else";
  EXPECT_STATUS(store->InsertS3Key(again), StatusCode::kAlreadyExists, "already exists");
  ASSERT_OK_AND_ASSIGN(S3KeyRecord got, store->GetS3Key("GALEAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(got.owner, SampleS3Key("").owner) << "the first one stays";

  EXPECT_STATUS(store->GetS3Key("GALECCCCCCCCCCCCCCCC"), StatusCode::kNotFound,
                "no S3 access key 'GALECCCCCCCCCCCCCCCC'");
  EXPECT_STATUS(store->DeleteS3Key("GALECCCCCCCCCCCCCCCC"), StatusCode::kNotFound,
                "no S3 access key");
  // Ids that no column could hold are simply absent.
  EXPECT_STATUS(store->GetS3Key(std::string("GALE\0", 5)), StatusCode::kNotFound,
                "no S3 access key");
  EXPECT_STATUS(store->GetS3Key("\xff"), StatusCode::kNotFound, "no S3 access key");

  ASSERT_OK(store->DeleteS3Key("GALEAAAAAAAAAAAAAAAA"));
  EXPECT_STATUS(store->GetS3Key("GALEAAAAAAAAAAAAAAAA"), StatusCode::kNotFound, "no S3 access key");
  EXPECT_STATUS(store->DeleteS3Key("GALEAAAAAAAAAAAAAAAA"), StatusCode::kNotFound,
                "no S3 access key");
  ASSERT_OK_AND_ASSIGN(auto keys, store->ListS3Keys());
  EXPECT_TRUE(keys.empty());
  // The id is free again.
  ASSERT_OK(store->InsertS3Key(again));
  ASSERT_OK_AND_ASSIGN(got, store->GetS3Key("GALEAAAAAAAAAAAAAAAA"));
  EXPECT_EQ(got.owner, "someone else");
}

}  // namespace
}  // namespace gale::coordinator
