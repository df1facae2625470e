#include "coordinator/store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "absl/time/clock.h"
#include "common/strings.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/coordinator/store/sqlite/sqlite_writer_fixture.h"

namespace gale::coordinator {
namespace {

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : -1;
}

// A writer connection reporting to a checkpointer that never runs by
// itself (no Start()): the test calls RunOnce().
class WalCheckpointerTest : public SqliteWriterTest {
 protected:
  void SetUp() override {
    SqliteWriterTest::SetUp();
    if (HasFatalFailure()) return;
    auto db = SqliteDb::Open(path_, SqliteDb::Role::kCheckpointer);
    ASSERT_OK(db.status());
    checkpointer_ = std::make_unique<WalCheckpointer>(*std::move(db), /*threshold_pages=*/16);
    writer_->OnWalCommit([this](int pages) { return checkpointer_->Committed(pages); });
  }

  // One commit of `rows` rows of 4 KiB each: a page apiece at least.
  void Insert(int rows) {
    ASSERT_OK(writer_->Transaction([&]() -> Status {
      for (int i = 0; i < rows; ++i) {
        RETURN_IF_ERROR(
            writer_->Exec(StrCat("INSERT INTO t (k, v) VALUES (", next_++, ", zeroblob(4096))")));
      }
      return absl::OkStatus();
    }));
  }

  std::unique_ptr<WalCheckpointer> checkpointer_;
  int next_ = 0;
};

TEST_F(WalCheckpointerTest, CountsCommitsAndFrames) {
  const WalActivity before = checkpointer_->activity();
  Insert(4);
  Insert(4);
  const WalActivity after = checkpointer_->activity();
  EXPECT_EQ(after.commits - before.commits, 2);
  // Four rows of 4 KiB need at least four pages per commit (plus overflow
  // and tree pages).
  EXPECT_GE(after.frames - before.frames, 8);
  EXPECT_EQ(after.checkpoints, 0);
}

TEST_F(WalCheckpointerTest, CheckpointsOnlyPastTheThresholdAndTheWalStartsOver) {
  Insert(2);
  ASSERT_OK_AND_ASSIGN(bool ran, checkpointer_->RunOnce());
  EXPECT_FALSE(ran) << "below the threshold";
  const int64_t db_before = FileSize(path_);

  Insert(20);  // past 16 pages
  ASSERT_OK_AND_ASSIGN(ran, checkpointer_->RunOnce());
  EXPECT_TRUE(ran);
  EXPECT_GT(FileSize(path_), db_before + 20 * 4096) << "the pages reached the database file";
  ASSERT_OK_AND_ASSIGN(ran, checkpointer_->RunOnce());
  EXPECT_FALSE(ran) << "everything was copied already";

  // The next commit writes from the WAL's beginning: frames are still
  // counted once each.
  const WalActivity before = checkpointer_->activity();
  Insert(1);
  const WalActivity after = checkpointer_->activity();
  EXPECT_GE(after.frames - before.frames, 1);
  EXPECT_LT(after.frames - before.frames, 8);
  EXPECT_EQ(after.checkpoints, 1);
}

// A writer that never pauses leaves a background checkpoint no moment when
// the whole WAL is copied, so the WAL could never start over: past 8 x the
// threshold the writer finishes the checkpoint itself.
TEST_F(WalCheckpointerTest, AWalTooLongIsCheckpointedByTheWriter) {
  const int64_t db_before = FileSize(path_);
  Insert(140);  // past 8 x 16 pages in one commit
  EXPECT_EQ(checkpointer_->activity().writer_checkpoints, 1);
  EXPECT_GT(FileSize(path_), db_before + 140 * 4096) << "the pages reached the database file";
  // The WAL started over: the next commit is all there is to copy.
  const WalActivity before = checkpointer_->activity();
  Insert(1);
  EXPECT_LT(checkpointer_->activity().frames - before.frames, 8);
  ASSERT_OK_AND_ASSIGN(bool ran, checkpointer_->RunOnce());
  EXPECT_FALSE(ran) << "nothing left past the threshold";
  EXPECT_EQ(checkpointer_->activity().writer_checkpoints, 1);
}

TEST_F(WalCheckpointerTest, StartedThreadCheckpointsOnceTheWalReachesTheThreshold) {
  checkpointer_->Start();
  Insert(20);
  // The thread wakes on the commit; wait for it with a deadline.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (checkpointer_->activity().checkpoints == 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  EXPECT_EQ(checkpointer_->activity().checkpoints, 1);
}

}  // namespace
}  // namespace gale::coordinator
