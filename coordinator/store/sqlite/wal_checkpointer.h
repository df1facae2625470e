#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "coordinator/store/sqlite/sqlite_db.h"

namespace gale::coordinator {

// What the SQLite writer has written since the store opened.
struct WalActivity {
  int64_t commits = 0;
  int64_t frames = 0;              // pages appended to the WAL
  int64_t checkpoints = 0;         // checkpoints that ran
  int64_t writer_checkpoints = 0;  // of them, finished by the writer (a WAL too long)
};

// Checkpoints an SQLite database in WAL mode on a connection of its own, so
// that commits rarely wait for one: the writer reports the WAL's size after
// each commit (Committed, from SqliteDb::OnWalCommit), and RunOnce() copies
// the WAL into the database file (PASSIVE: it neither waits for nor blocks
// readers and the writer) once `threshold_pages` have not been copied. The
// WAL starts over only after a checkpoint that copied every frame, which a
// writer that commits without pause never leaves time for: when the WAL
// reaches 8 x the threshold, Committed asks the writer to finish the
// checkpoint itself (what is left to copy, before its commit returns). Also
// counts commits and WAL frames (WalActivity). Thread-safe.
class WalCheckpointer {
 public:
  WalCheckpointer(std::unique_ptr<SqliteDb> db, int threshold_pages);
  ~WalCheckpointer();

  // Starts a thread that calls RunOnce() whenever the WAL reaches the
  // threshold (and at least once a second).
  void Start();
  // The writer's report: the WAL holds `wal_pages` after a commit. True when
  // the writer should checkpoint now.
  bool Committed(int wal_pages);
  // Checkpoints if the WAL holds at least the threshold; returns whether a
  // checkpoint ran.
  Result<bool> RunOnce();
  WalActivity activity() const;

 private:
  const std::unique_ptr<SqliteDb> db_;  // used by RunOnce only, under run_mu_
  const int threshold_pages_;
  absl::Mutex run_mu_;
  mutable absl::Mutex mu_;
  int wal_pages_ ABSL_GUARDED_BY(mu_) = 0;  // after the last commit
  int copied_ ABSL_GUARDED_BY(mu_) = 0;     // of them, in the database file
  WalActivity activity_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace gale::coordinator
