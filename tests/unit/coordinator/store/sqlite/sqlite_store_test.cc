#include "coordinator/store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <thread>
#include <vector>

#include "common/strings.h"
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
  ASSERT_OK(store->AttachChunks("taken", {{0, "sized", 100}}, absl::FromUnixMillis(1)));
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
          status = store->AttachChunks(id, {{0, StrCat("new-", id), 100}, {1, "sized", 999}},
                                       absl::FromUnixMillis(2));
        } else if (status.ok()) {
          status = store->AttachChunks(id, {{0, StrCat("new-", id), 100}}, absl::FromUnixMillis(2));
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
        EXPECT_EQ(store->GetChunk(StrCat("new-", id)).status().code(), absl::StatusCode::kNotFound)
            << id;
      } else {
        EXPECT_TRUE(status.ok()) << id << ": " << status;
        ASSERT_EQ(chunks.size(), 1u) << id;
        EXPECT_EQ(chunks[0].chunk_id, StrCat("new-", id));
        ASSERT_OK_AND_ASSIGN(ChunkRecord chunk, store->GetChunk(StrCat("new-", id)));
        EXPECT_EQ(chunk.refcount, 1);
      }
    }
  }
  ASSERT_OK_AND_ASSIGN(ChunkRecord sized, store->GetChunk("sized"));
  EXPECT_EQ(sized.refcount, 1);  // the failed attaches did not bump it
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

}  // namespace
}  // namespace gale::coordinator
