#include "coordinator/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

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

TEST_F(SqliteStoreTest, UnwritableLocationFails) {
  auto store = SqliteStore::Open(dir_.Join("missing-dir/gale.db"));
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace gale::coordinator
