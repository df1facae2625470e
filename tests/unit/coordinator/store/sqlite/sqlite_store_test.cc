#include "coordinator/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <thread>
#include <vector>

#include "common/sha256.h"
#include "common/strings.h"
#include "migrations/migrations.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

// What only the SQLite store has: one coordinator per file, and rows that a
// tool outside the store corrupted. Everything a MetadataStore must do is in
// store_conformance_test.cc, run against SQLite and PostgreSQL.

namespace gale::coordinator {
namespace {

NodeRecord SampleNode(const std::string& id) {
  NodeRecord n;
  n.id = id;
  n.addresses = {"127.0.0.1:9080"};
  return n;
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

FileRecord PendingFile(const std::string& id) {
  FileRecord f;
  f.id = id;
  f.name = StrCat("name-", id);
  f.chunk_size = 100;
  f.replication_factor = 1;
  f.write_mode = WriteMode::kQuorum;
  f.created_at = absl::FromUnixMillis(1000);
  f.expires_at = absl::FromUnixMillis(3'600'000);
  return f;
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

TEST_F(SqliteStoreTest, SecondOpenIsRefused) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_STATUS(SqliteStore::Open(path_), absl::StatusCode::kFailedPrecondition,
                "in use by another coordinator");
  store.reset();
  EXPECT_OK(SqliteStore::Open(path_));
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

// Writes from many threads share transactions (group commit). Each write
// that fails must change nothing, even after it had changed rows, and must
// not take the writes committed with it down; reads run meanwhile.
TEST_F(SqliteStoreTest, ConcurrentWritesFailAloneInASharedCommit) {
  auto store = OpenStore();
  ASSERT_OK(store->Migrate());
  ASSERT_OK(store->InsertFile(PendingFile("taken")));
  // Chunk ids: 64 hex digits, of a chunk named by a string.
  auto id_of = [](const std::string& name) { return common::Sha256::Hex(name); };
  const std::string sized = id_of("sized");
  ASSERT_OK(store->AttachChunks("taken", {{0, sized, 100}}, absl::FromUnixMillis(1)));
  constexpr int kThreads = 8;
  constexpr int kWritesEach = 30;
  std::vector<std::thread> threads;
  std::vector<std::vector<Status>> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesEach; ++i) {
        const std::string id = StrCat("f-", t, "-", i);
        if (i % 3 == 2) {
          // A duplicate id: fails at once.
          results[t].push_back(store->InsertFile(PendingFile("taken")));
          continue;
        }
        Status status = store->InsertFile(PendingFile(id));
        if (status.ok() && i % 3 == 1) {
          // References a new chunk, then fails on a known chunk's wrong
          // size: the new chunk's row must be rolled back with it.
          status = store->AttachChunks(id, {{0, id_of(StrCat("new-", id)), 100}, {1, sized, 999}},
                                       absl::FromUnixMillis(2));
        } else if (status.ok()) {
          status = store->AttachChunks(id, {{0, id_of(StrCat("new-", id)), 100}},
                                       absl::FromUnixMillis(2));
        }
        results[t].push_back(status);
        if (!store->GetFile("taken").ok()) results[t].push_back(absl::InternalError("read"));
      }
    });
  }
  for (auto& thread : threads) thread.join();

  for (int t = 0; t < kThreads; ++t) {
    ASSERT_EQ(results[t].size(), size_t{kWritesEach}) << "thread " << t;
    for (int i = 0; i < kWritesEach; ++i) {
      const std::string id = StrCat("f-", t, "-", i);
      const Status& status = results[t][static_cast<size_t>(i)];
      if (i % 3 == 2) {
        EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << id << ": " << status;
        continue;
      }
      ASSERT_OK_AND_ASSIGN(auto chunks, store->GetFileChunks(id));
      if (i % 3 == 1) {
        EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << id << ": " << status;
        EXPECT_TRUE(chunks.empty()) << id;
        EXPECT_EQ(store->GetChunk(id_of(StrCat("new-", id))).status().code(),
                  absl::StatusCode::kNotFound)
            << id;
      } else {
        EXPECT_TRUE(status.ok()) << id << ": " << status;
        ASSERT_EQ(chunks.size(), 1u) << id;
        EXPECT_EQ(chunks[0].chunk_id, id_of(StrCat("new-", id)));
        ASSERT_OK_AND_ASSIGN(ChunkRecord chunk, store->GetChunk(id_of(StrCat("new-", id))));
        EXPECT_EQ(chunk.refcount, 1);
      }
    }
  }
  ASSERT_OK_AND_ASSIGN(ChunkRecord sized_chunk, store->GetChunk(sized));
  EXPECT_EQ(sized_chunk.refcount, 1);  // the failed attaches did not bump it
  ASSERT_OK_AND_ASSIGN(FileRecord taken, store->GetFile("taken"));
  EXPECT_EQ(taken.name, "name-taken");

  // And all of it is on disk: a reopened store reads the same.
  store.reset();
  store = OpenStore();
  ASSERT_OK_AND_ASSIGN(StoreCounts counts, store->Counts());
  EXPECT_EQ(counts.chunks, 1 + kThreads * kWritesEach / 3);
}

TEST_F(SqliteStoreTest, UnwritableLocationFails) {
  auto store = SqliteStore::Open(dir_.Join("missing-dir/gale.db"));
  EXPECT_FALSE(store.ok());
}

// A database written by the binaries before compact keys (schema 7) is
// converted by migration 8: every file, chunk list, chunk row and replica
// reads back the same, and copies of chunks no file names (left on a node)
// are still collected.
TEST_F(SqliteStoreTest, CompactKeysMigrationConvertsAnExistingDatabase) {
  const std::string a = common::Sha256::Hex("a");
  const std::string b = common::Sha256::Hex("b");
  const std::string orphan = common::Sha256::Hex("orphan");
  std::string sql =
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at_ms INTEGER NOT NULL);";
  for (const auto& migration : migrations::SqliteMigrations()) {
    if (migration.version > 7) break;
    sql += migration.sql;
    sql += StrCat(";INSERT INTO schema_migrations VALUES (", migration.version, ", '",
                  migration.name, "', 1);");
  }
  sql += StrCat(
      "INSERT INTO nodes (id, addresses, capacity_bytes, state, registered_at_ms, "
      "last_heartbeat_ms) VALUES ('n1', '[]', 100, 'active', 1, 1), ('n2', '[]', 100, 'active', "
      "1, 1);"
      "INSERT INTO files (id, name, size, chunk_size, replication_factor, write_mode, state, "
      "created_at_ms, expires_at_ms, committed_at_ms, last_accessed_ms) VALUES "
      "('f1', 'one', 30, 20, 2, 'quorum', 'complete', 1, 2, 3, 4), "
      "('f2', '', -1, 20, 3, 'sync', 'pending', 5, 6, 0, 5);"
      "INSERT INTO chunks (id, size, refcount, created_at_ms, replication_factor) VALUES "
      "('",
      a, "', 20, 2, 1, 3), ('", b,
      "', 10, 1, 1, 2);"
      "INSERT INTO file_chunks (file_id, idx, chunk_id, size) VALUES "
      "('f1', 0, '",
      a, "', 20), ('f1', 1, '", b, "', 10), ('f2', 0, '", a,
      "', 20);"
      "INSERT INTO replicas (chunk_id, node_id, size, state, updated_at_ms) VALUES "
      "('",
      a, "', 'n1', 20, 'stored', 1), ('", a,
      "', 'n2', 20, 'corrupt', 1), "
      "('",
      b, "', 'n1', 10, 'deleting', 1), ('", orphan, "', 'gone', 7, 'stored', 1);");
  RawExec(path_, sql);

  auto store = OpenStore();
  ASSERT_OK(store->Migrate());
  ASSERT_OK_AND_ASSIGN(FileRecord one, store->GetFileByName("one"));
  EXPECT_EQ(one.id, "f1");
  EXPECT_EQ(one.chunk_count, 2);
  EXPECT_EQ(one.last_accessed, absl::FromUnixMillis(4));
  ASSERT_OK_AND_ASSIGN(auto chunks, store->GetFileChunks("f1"));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[0].chunk_id, a);
  EXPECT_EQ(chunks[1].chunk_id, b);
  EXPECT_EQ(chunks[1].size, 10);
  ASSERT_OK_AND_ASSIGN(auto pending, store->GetFileChunks("f2"));
  ASSERT_EQ(pending.size(), 1u);
  ASSERT_OK_AND_ASSIGN(ChunkRecord chunk_a, store->GetChunk(a));
  EXPECT_EQ(chunk_a.refcount, 2);
  EXPECT_EQ(chunk_a.file_ids, (std::vector<std::string>{"f1", "f2"}));
  ASSERT_OK_AND_ASSIGN(auto replicas, store->GetReplicas({a, b, orphan}));
  std::map<std::pair<std::string, std::string>, ReplicaState> states;
  for (const ReplicaRecord& r : replicas) states[{r.chunk_id, r.node_id}] = r.state;
  const std::map<std::pair<std::string, std::string>, ReplicaState> expected = {
      {{a, "n1"}, ReplicaState::kStored},
      {{a, "n2"}, ReplicaState::kCorrupt},
      {{b, "n1"}, ReplicaState::kDeleting},
      {{orphan, "gone"}, ReplicaState::kStored}};
  EXPECT_EQ(states, expected);
  // No file names the orphan: not a chunk of the coordinator's, and its copy
  // is ordered deleted once old enough.
  EXPECT_STATUS(store->GetChunkSize(orphan), absl::StatusCode::kNotFound, orphan);
  ASSERT_OK_AND_ASSIGN(StoreCounts counts, store->Counts());
  EXPECT_EQ(counts.chunks, 2);
  EXPECT_EQ(counts.bytes, 30);
  ASSERT_OK_AND_ASSIGN(int ordered, store->CollectOrphanReplicas(absl::FromUnixMillis(2),
                                                                 absl::FromUnixMillis(10), 10));
  EXPECT_EQ(ordered, 1);
  ASSERT_OK_AND_ASSIGN(auto n1, store->ListNodeReplicas("n1", "", 10));
  ASSERT_EQ(n1.size(), 2u);
  EXPECT_EQ(n1[0].chunk_id, std::min(a, b));
}

}  // namespace
}  // namespace gale::coordinator
