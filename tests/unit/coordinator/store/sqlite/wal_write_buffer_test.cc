#include "coordinator/store/sqlite/wal_write_buffer.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_db.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/coordinator/store/sqlite/sqlite_writer_fixture.h"

namespace gale::coordinator {
namespace {

// A writer connection (which opens its WAL through WalWriteBufferVfs) and
// readers on the default VFS, as the store has them.
class WalWriteBufferTest : public SqliteWriterTest {
 protected:
  std::unique_ptr<SqliteDb> Reader() {
    auto reader = SqliteDb::Open(path_, SqliteDb::Role::kReader);
    EXPECT_OK(reader.status());
    return reader.ok() ? *std::move(reader) : nullptr;
  }

  // Every row's value, by key, as `db` reads it.
  static std::vector<std::string> Contents(SqliteDb& db) {
    std::vector<std::string> values;
    auto stmt = db.Prepare("SELECT v FROM t ORDER BY k");
    EXPECT_OK(stmt.status());
    if (!stmt.ok()) return values;
    while (true) {
      auto row = (*stmt)->Step();
      EXPECT_OK(row.status());
      if (!row.ok() || !*row) return values;
      values.push_back((*stmt)->Text(0));
    }
  }
};

TEST_F(WalWriteBufferTest, RegistersOneVfs) {
  EXPECT_STREQ(WalWriteBufferVfs(), WalWriteBufferVfs());
  EXPECT_NE(sqlite3_vfs_find(WalWriteBufferVfs()), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(WalWriteBufferVfs()));  // not the default
}

TEST_F(WalWriteBufferTest, EachCommitIsSeenByAnotherConnection) {
  auto reader = Reader();
  ASSERT_NE(reader, nullptr);
  for (int i = 1; i <= 20; ++i) {
    ASSERT_OK(writer_->Exec(
        StrCat("INSERT INTO t (k, v) VALUES (", i, ", printf('%0", 300 * i, "d', ", i, "))")));
    const std::vector<std::string> seen = Contents(*reader);
    ASSERT_EQ(seen.size(), static_cast<size_t>(i));
    const std::string number = std::to_string(i);
    EXPECT_TRUE(seen.back() == std::string(300 * i - number.size(), '0') + number)
        << "row " << i << " reads back as " << seen.back().size() << " other bytes";
  }
}

// Larger than what the VFS gathers, and than the writer's page cache: the
// transaction spills pages to the WAL before its commit and rewrites some of
// them there, reading them back in between.
TEST_F(WalWriteBufferTest, ATransactionLargerThanTheBufferAndTheCacheRoundTrips) {
  ASSERT_OK(writer_->Exec("PRAGMA cache_size = 20"));
  ASSERT_OK(writer_->Transaction([&]() -> Status {
    for (int i = 0; i < 600; ++i) {
      RETURN_IF_ERROR(
          writer_->Exec(StrCat("INSERT INTO t (k, v) VALUES (", i, ", randomblob(3000))")));
    }
    return writer_->Exec("UPDATE t SET v = randomblob(2000) WHERE k % 3 = 0");
  }));
  auto reader = Reader();
  ASSERT_NE(reader, nullptr);
  const std::vector<std::string> seen = Contents(*reader);
  ASSERT_EQ(seen.size(), 600u);
  EXPECT_TRUE(seen == Contents(*writer_)) << "the reader and the writer see other bytes";
  for (size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k].size(), k % 3 == 0 ? 2000u : 3000u);
}

// A process that ends without closing its connection (a crash) keeps every
// transaction it committed: the writes reached the WAL at the commit, not
// at the close.
TEST_F(WalWriteBufferTest, ACommitSurvivesAProcessThatNeverClosesTheConnection) {
  writer_.reset();
  EXPECT_EXIT(
      {
        auto writer = SqliteDb::Open(path_, SqliteDb::Role::kWriter);
        if (!writer.ok()) std::_Exit(2);
        for (int i = 0; i < 50; ++i) {
          if (!(*writer)
                   ->Exec(
                       StrCat("INSERT INTO t (k, v) VALUES (", i, ", printf('%05000d', ", i, "))"))
                   .ok()) {
            std::_Exit(3);
          }
        }
        std::_Exit(0);  // no destructor: the connection stays open
      },
      ::testing::ExitedWithCode(0), "");
  auto reader = Reader();
  ASSERT_NE(reader, nullptr);
  const std::vector<std::string> seen = Contents(*reader);
  ASSERT_EQ(seen.size(), 50u);
  for (size_t k = 0; k < seen.size(); ++k) {
    const std::string number = std::to_string(k);
    EXPECT_TRUE(seen[k] == std::string(5000 - number.size(), '0') + number) << "row " << k;
  }
}

}  // namespace
}  // namespace gale::coordinator
