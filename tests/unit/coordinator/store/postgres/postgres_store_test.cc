// What only the PostgreSQL store has: credentials kept out of messages,
// several coordinators on one database, lost connections, and the advisory
// lock that elects a leader. The behaviour it shares with SQLite is in
// store_conformance_test.cc.

#include "coordinator/store/postgres/postgres_store.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/sha256.h"
#include "coordinator/store/postgres/pg_advisory_lock.h"
#include "migrations/migrations.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"

namespace gale::coordinator {
namespace {

using absl::StatusCode;

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

// Ends every other session on the test database, as a server restart or a
// network cut would.
Status DropOtherSessions(const testing::TestDatabase& db) {
  return db.Exec(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
      "current_database() AND pid <> pg_backend_pid()");
}

TEST(PostgresUrlTest, PasswordsAreRedacted) {
  EXPECT_EQ(RedactPostgresUrl("postgresql://gale:s3cret@db:5432/gale"),
            "postgresql://gale:***@db:5432/gale");
  EXPECT_EQ(RedactPostgresUrl("postgres://gale@db/gale?sslmode=require"),
            "postgres://gale@db/gale?sslmode=require");
  EXPECT_EQ(RedactPostgresUrl("postgresql://db/gale?user=u&password=p@ss&x=1"),
            "postgresql://db/gale?user=u&password=***&x=1");
  EXPECT_EQ(RedactPostgresUrl("host=db password=s3cret dbname=gale"),
            "host=db password=*** dbname=gale");
  EXPECT_EQ(RedactPostgresUrl("postgresql://u:p:q@h/d"), "postgresql://u:***@h/d");
}

TEST(PostgresUrlTest, ConnectionParamsAreAddedInTheUrlsOwnForm) {
  const std::vector<std::pair<std::string, std::string>> params = {{"keepalives", "1"},
                                                                   {"connect_timeout", "5"}};
  EXPECT_EQ(WithConnectionParams("postgresql://db/gale", params),
            "postgresql://db/gale?keepalives=1&connect_timeout=5");
  EXPECT_EQ(WithConnectionParams("postgres://db/gale?sslmode=require", params),
            "postgres://db/gale?sslmode=require&keepalives=1&connect_timeout=5");
  EXPECT_EQ(WithConnectionParams("host=db dbname=gale", params),
            "host=db dbname=gale keepalives=1 connect_timeout=5");
}

TEST(PostgresTextTest, ArraysAndStorableText) {
  EXPECT_EQ(PgTextArray({}), "{}");
  EXPECT_EQ(PgTextArray({"a", "b\"c", "d\\e", ""}), R"({"a","b\"c","d\\e",""})");
  EXPECT_EQ(PgInt64Array({1, -2}), "{1,-2}");
  EXPECT_EQ(PgByteaArray({}), "{}");
  EXPECT_EQ(PgByteaArray({"00ff", "ab"}), R"({"\\x00ff","\\xab"})");
  EXPECT_TRUE(IsPgText("plain ünïcode 名前 \xf4\x8f\xbf\xbf"));
  EXPECT_FALSE(IsPgText(std::string("nul\0", 4)));
  EXPECT_FALSE(IsPgText("\xff"));
  EXPECT_FALSE(IsPgText("\xc3"));          // truncated
  EXPECT_FALSE(IsPgText("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsPgText("\xed\xa0\x80"));  // a surrogate
  EXPECT_EQ(PgLimit(-1), std::nullopt);
  EXPECT_EQ(PgLimit(5), 5);
}

TEST(PostgresStoreOpenTest, UnreachableServerIsUnavailableWithoutThePassword) {
  auto store = PostgresStore::Open("postgresql://gale:s3cret@127.0.0.1:1/gale", 2);
  EXPECT_STATUS(store, StatusCode::kUnavailable, "postgresql://gale:***@127.0.0.1:1/gale");
  EXPECT_EQ(ToStd(store.status().message()).find("s3cret"), std::string::npos) << store.status();
  EXPECT_STATUS(PostgresStore::Open("postgresql://127.0.0.1:1/gale", 0),
                StatusCode::kInvalidArgument, "at least 1");
}

TEST(PostgresStoreOpenTest, BadPasswordIsUnavailableWithoutThePassword) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(auto db);
  // The test server trusts every login; a missing role still fails it.
  std::string url = db->url();
  url.replace(url.find("postgres@"), 9, "nobody:hunter22@");
  auto store = PostgresStore::Open(url, 2);
  EXPECT_STATUS(store, StatusCode::kUnavailable, "nobody:***@");
  EXPECT_EQ(ToStd(store.status().message()).find("hunter22"), std::string::npos);
}

// Two coordinators sharing one database.
class SharedPostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GALE_ASSIGN_TEST_DATABASE_OR_SKIP(db_);
    for (auto* store : {&a_, &b_}) {
      ASSERT_OK_AND_ASSIGN(*store, PostgresStore::Open(db_->url(), 4));
    }
  }

  // Runs `body(store, thread)` on `threads` threads per store at once.
  void OnBoth(int threads, const std::function<void(MetadataStore*, int)>& body) {
    std::vector<std::thread> running;
    for (MetadataStore* store : {a_.get(), b_.get()}) {
      for (int i = 0; i < threads; ++i) running.emplace_back(body, store, i);
    }
    for (auto& t : running) t.join();
  }

  std::unique_ptr<testing::TestDatabase> db_;
  std::unique_ptr<PostgresStore> a_, b_;
};

TEST_F(SharedPostgresTest, CoordinatorsStartingTogetherMigrateOnce) {
  OnBoth(3, [](MetadataStore* store, int) { EXPECT_OK(store->Migrate()); });
  ASSERT_OK_AND_ASSIGN(DatabaseStats stats, a_->Stats());
  EXPECT_EQ(stats.rows["schema_migrations"],
            static_cast<int64_t>(migrations::PostgresMigrations().size()));
  EXPECT_OK(b_->CheckReady());
}

TEST_F(SharedPostgresTest, ConcurrentWritesSerialize) {
  ASSERT_OK(a_->Migrate());
  const std::string chunk = common::Sha256::Hex("shared");
  constexpr int kThreads = 4;
  // Every thread of both coordinators references the same new chunk from a
  // file of its own: conflicts are retried, no reference is lost.
  OnBoth(kThreads, [&](MetadataStore* store, int i) {
    FileRecord f;
    f.id = StrCat(store == a_.get() ? "a" : "b", i);
    f.name = f.id;
    f.chunk_size = 10;
    f.created_at = f.expires_at = f.last_accessed = kT0;
    EXPECT_OK(store->InsertFile(f));
    EXPECT_OK(store->AttachChunks(f.id, {{0, chunk, 10}, {1, chunk, 10}}, kT0));
    EXPECT_OK(store->CommitFile(f.id, 20, "", kT0));
  });
  ASSERT_OK_AND_ASSIGN(ChunkRecord record, a_->GetChunk(chunk));
  EXPECT_EQ(record.refcount, 2 * 2 * kThreads);
  EXPECT_EQ(b_->Counts()->files, 2 * kThreads);
}

TEST_F(SharedPostgresTest, EachTaskIsHandedOutOnce) {
  ASSERT_OK(a_->Migrate());
  constexpr int kTasks = 60;
  for (int i = 0; i < kTasks; ++i) {
    TaskRecord t;
    t.id = StrCat("task-", i);
    t.kind = TaskKind::kDelete;
    t.chunk_id = common::Sha256::Hex(t.id);
    t.node_id = "n1";
    t.created_at = kT0 + absl::Seconds(i);
    ASSERT_OK(a_->InsertTask(t));
  }
  absl::Mutex mu;
  std::multiset<std::string> handed_out;
  OnBoth(3, [&](MetadataStore* store, int) {
    while (true) {
      auto tasks = store->AssignTasks("n1", 4, kT0 + absl::Hours(1), kT0 + absl::Hours(2));
      ASSERT_OK(tasks);
      if (tasks->empty()) return;
      absl::MutexLock lock(&mu);
      for (const auto& t : *tasks) handed_out.insert(t.id);
    }
  });
  EXPECT_EQ(handed_out.size(), static_cast<size_t>(kTasks));
  EXPECT_EQ(std::set<std::string>(handed_out.begin(), handed_out.end()).size(),
            static_cast<size_t>(kTasks))
      << "no task handed out twice";
}

TEST_F(SharedPostgresTest, LostConnectionsAreReplaced) {
  ASSERT_OK(a_->Migrate());
  NodeRecord node;
  node.id = "n1";
  node.addresses = {"127.0.0.1:1"};
  ASSERT_OK(a_->UpsertNode(node));
  ASSERT_OK(a_->ListNodes());  // a pooled connection with prepared statements
  ASSERT_OK(DropOtherSessions(*db_));
  ASSERT_OK_AND_ASSIGN(auto nodes, a_->ListNodes());
  ASSERT_EQ(nodes.size(), 1u);
  node.zone = "z";
  ASSERT_OK(a_->UpsertNode(node));
  EXPECT_EQ(b_->ListNodes()->at(0).zone, "z");
}

TEST_F(SharedPostgresTest, CorruptRowIsReportedNotCrashed) {
  ASSERT_OK(a_->Migrate());
  NodeRecord node;
  node.id = "n1";
  ASSERT_OK(a_->UpsertNode(node));
  ASSERT_OK(db_->Exec("UPDATE nodes SET capabilities = '[1, 2]'"));
  EXPECT_STATUS(a_->ListNodes(), StatusCode::kDataLoss, "malformed");
  EXPECT_FALSE(db_->Exec("UPDATE nodes SET state = 'exploded'").ok()) << "a CHECK keeps it out";
}

TEST_F(SharedPostgresTest, AdvisoryLockElectsOneLeader) {
  PgSessionLock first(db_->url());
  PgSessionLock second(db_->url());
  ASSERT_OK_AND_ASSIGN(bool leads, first.TryAcquire(kLeaderLockKey));
  EXPECT_TRUE(leads);
  ASSERT_OK_AND_ASSIGN(leads, second.TryAcquire(kLeaderLockKey));
  EXPECT_FALSE(leads) << "held by the first";
  ASSERT_OK_AND_ASSIGN(leads, first.TryAcquire(kLeaderLockKey));
  EXPECT_TRUE(leads) << "still held, session verified";
  ASSERT_OK_AND_ASSIGN(leads, second.TryAcquire(kLeaderLockKey + 1));
  EXPECT_TRUE(leads) << "another key is free";

  first.Release();
  EXPECT_FALSE(first.held());
  ASSERT_OK_AND_ASSIGN(leads, second.TryAcquire(kLeaderLockKey));
  EXPECT_TRUE(leads) << "released: the second takes over";
  ASSERT_OK_AND_ASSIGN(leads, first.TryAcquire(kLeaderLockKey));
  EXPECT_FALSE(leads);

  // The leader's session dies (crash, network): the server frees the lock,
  // the old leader learns it lost it, and the other takes over.
  ASSERT_OK(DropOtherSessions(*db_));
  ASSERT_OK_AND_ASSIGN(leads, second.TryAcquire(kLeaderLockKey));
  EXPECT_FALSE(leads) << "its session is gone";
  EXPECT_FALSE(second.held());
  ASSERT_OK_AND_ASSIGN(leads, first.TryAcquire(kLeaderLockKey));
  EXPECT_TRUE(leads);
  ASSERT_OK_AND_ASSIGN(leads, second.TryAcquire(kLeaderLockKey));
  EXPECT_FALSE(leads);
}

TEST(PgSessionLockTest, UnreachableDatabaseIsUnavailable) {
  PgSessionLock lock("postgresql://u:pw123@127.0.0.1:1/gale");
  auto leads = lock.TryAcquire(kLeaderLockKey);
  EXPECT_STATUS(leads, StatusCode::kUnavailable, "u:***@127.0.0.1:1");
  EXPECT_FALSE(lock.held());
  lock.Release();  // harmless
}

}  // namespace
}  // namespace gale::coordinator

namespace gale::coordinator {
namespace {

// Migration 10 turns the chunk ids of an existing database (text) into 32
// bytes: every row reads back, references and copies still count, and the
// change feed still announces hex ids.
TEST(PostgresMigrationTest, ChunkIdsOfAnExistingDatabaseBecomeBytes) {
  GALE_ASSIGN_TEST_DATABASE_OR_SKIP(auto db);
  // A database at version 9, as the previous release left it.
  ASSERT_OK(
      db->Exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
               "NULL, applied_at_ms BIGINT NOT NULL)"));
  for (const auto& migration : migrations::PostgresMigrations()) {
    if (migration.version > 9) continue;
    SCOPED_TRACE(migration.name);
    ASSERT_OK(db->Exec(std::string(migration.sql)));
    ASSERT_OK(db->Exec(StrCat("INSERT INTO schema_migrations VALUES (", migration.version, ", '",
                              migration.name, "', 0)")));
  }
  const std::string a = common::Sha256::Hex("a"), b = common::Sha256::Hex("b");
  ASSERT_OK(db->Exec(StrCat(
      "INSERT INTO files (id, name, size, chunk_size, replication_factor, write_mode, state, "
      "created_at_ms, expires_at_ms, last_accessed_ms) VALUES ('f1', 'one', 30, 20, 2, 'sync', "
      "'complete', 0, 0, 0);"
      "INSERT INTO chunks (id, size, refcount, created_at_ms) VALUES ('",
      a, "', 20, 1, 0), ('", b, "', 10, 1, 0), ('not hex', 1, 1, 0);",
      "INSERT INTO file_chunks VALUES ('f1', 0, '", a, "', 20), ('f1', 1, '", b, "', 10);",
      "INSERT INTO replicas VALUES ('", a, "', 'n1', 20, 'stored', 0), ('", a,
      "', 'n2', 20, 'stored', 0), ('", b,
      "', 'n1', 10, 'corrupt', 0), ('not hex', 'n1', 1, "
      "'stored', 0);")));

  ASSERT_OK_AND_ASSIGN(auto store, PostgresStore::Open(db->url(), 2));
  ASSERT_OK(store->Migrate());
  ASSERT_OK_AND_ASSIGN(int version, store->SchemaVersion());
  EXPECT_EQ(version, static_cast<int>(migrations::PostgresMigrations().back().version));
  ASSERT_OK_AND_ASSIGN(auto chunks, store->GetFileChunks("f1"));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].chunk_id, a);
  EXPECT_EQ(chunks[1].chunk_id, b);
  ASSERT_OK_AND_ASSIGN(ChunkRecord chunk, store->GetChunk(a));
  EXPECT_EQ(chunk.size, 20);
  EXPECT_EQ(chunk.file_ids, std::vector<std::string>{"f1"});
  ASSERT_OK_AND_ASSIGN(auto replicas, store->GetReplicas({a, b}));
  ASSERT_EQ(replicas.size(), 3u);
  EXPECT_EQ(replicas[0].chunk_id, std::min(a, b));
  ASSERT_OK_AND_ASSIGN(auto page, store->ScanChunks("", 10));
  EXPECT_EQ(page.rows.size(), 2u) << "the row that was no chunk id is gone";
  EXPECT_STATUS(store->GetChunk("not hex"), StatusCode::kNotFound, "");
  for (const char* column : {"chunks.id", "replicas.chunk_id", "file_chunks.chunk_id"}) {
    const std::string_view name(column);
    const size_t dot = name.find('.');
    EXPECT_OK(db->Exec(
        StrCat("DO $$ BEGIN IF (SELECT data_type FROM information_schema.columns "
               "WHERE table_name = '",
               name.substr(0, dot), "' AND column_name = '", name.substr(dot + 1),
               "') <> 'bytea' THEN RAISE EXCEPTION '", column, " is not bytea'; END IF; END $$")));
  }

  // A new file referencing a converted chunk counts it; a node's report
  // lands on the converted rows.
  FileRecord f;
  f.id = "f2";
  f.name = "two";
  f.size = -1;
  f.chunk_size = 20;
  f.created_at = kT0;
  f.expires_at = kT0 + absl::Hours(1);
  ASSERT_OK(store->InsertFile(f));
  ASSERT_OK(store->AttachChunks("f2", {{0, a, 20}}, kT0));
  ASSERT_OK(store->ApplyReplicaChanges("n3", {{a, 20}}, {b}, {}, kT0));
  ASSERT_OK_AND_ASSIGN(chunk, store->GetChunk(a));
  EXPECT_EQ(chunk.refcount, 2);
  ASSERT_OK_AND_ASSIGN(replicas, store->GetReplicas({a}));
  EXPECT_EQ(replicas.size(), 3u);
}

}  // namespace
}  // namespace gale::coordinator
