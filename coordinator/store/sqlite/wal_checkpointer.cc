#include "coordinator/store/sqlite/wal_checkpointer.h"

#include <algorithm>

#include "spdlog/spdlog.h"

namespace gale::coordinator {

WalCheckpointer::WalCheckpointer(std::unique_ptr<SqliteDb> db, int threshold_pages)
    : db_(std::move(db)), threshold_pages_(threshold_pages) {}

WalCheckpointer::~WalCheckpointer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void WalCheckpointer::Start() {
  thread_ = std::thread([this] {
    int64_t last_run = -1;  // commits seen by the last checkpoint
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        // Again only after another commit: a checkpoint that could not copy
        // everything (readers on old pages) is not retried in a loop.
        auto due = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return stopping_ ||
                 (wal_pages_ - copied_ >= threshold_pages_ && activity_.commits != last_run);
        };
        mu_.AwaitWithTimeout(absl::Condition(&due), absl::Seconds(1));
        if (stopping_) return;
        last_run = activity_.commits;
      }
      if (auto ran = RunOnce(); !ran.ok()) {
        spdlog::warn("SQLite checkpoint failed ({}); retrying", ran.status().ToString());
        absl::MutexLock lock(&mu_);
        mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1));
      }
    }
  });
}

bool WalCheckpointer::Committed(int wal_pages) {
  absl::MutexLock lock(&mu_);
  if (wal_pages < wal_pages_) copied_ = 0;  // started over after a checkpoint
  activity_.frames += wal_pages >= wal_pages_ ? wal_pages - wal_pages_ : wal_pages;
  ++activity_.commits;
  wal_pages_ = wal_pages;
  if (wal_pages < 8 * threshold_pages_) return false;
  ++activity_.checkpoints;
  ++activity_.writer_checkpoints;
  return true;
}

Result<bool> WalCheckpointer::RunOnce() {
  absl::MutexLock run(&run_mu_);
  {
    absl::MutexLock lock(&mu_);
    if (wal_pages_ - copied_ < threshold_pages_) return false;
  }
  ASSIGN_OR_RETURN(auto done, db_->Checkpoint(SQLITE_CHECKPOINT_PASSIVE));
  absl::MutexLock lock(&mu_);
  ++activity_.checkpoints;
  // The next commit starts the WAL over when all of it was copied.
  if (wal_pages_ >= done.first) copied_ = std::max(copied_, done.second);
  return true;
}

WalActivity WalCheckpointer::activity() const {
  absl::MutexLock lock(&mu_);
  return activity_;
}

}  // namespace gale::coordinator
