#pragma once

#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/files/garbage_collector.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

struct DatabaseAdminOptions {
  std::string backup_dir;  // where SQLite backups are written
  absl::Duration task_history = absl::Hours(1);
  // Dead and decommissioned nodes holding nothing are forgotten by a
  // clean-up once silent for this long.
  absl::Duration dead_node_retention = absl::Hours(7 * 24);
};

// A backup the coordinator wrote.
struct BackupResult {
  std::string path;
  int64_t size_bytes = 0;
};

// What one clean-up removed.
struct CleanupReport {
  int expired_uploads = 0;
  int tasks_pruned = 0;
  int nodes_forgotten = 0;
};

// The operator's handle on the metadata database (the admin endpoints): its
// size and row counts, an online backup where the coordinator can make one,
// and an immediate clean-up of what is expired or long gone. Any coordinator
// may serve these; the store keeps them consistent. Thread-safe.
class DatabaseAdmin {
 public:
  DatabaseAdmin(MetadataStore* store, GarbageCollector* gc, NodeRegistry* registry,
                common::Clock* clock, DatabaseAdminOptions options)
      : store_(store), gc_(gc), registry_(registry), clock_(clock), options_(std::move(options)) {}

  std::string_view backend() const { return store_->backend(); }
  Result<DatabaseStats> Stats() { return store_->Stats(); }
  // A consistent copy of the database, written to a new time-stamped file in
  // the backup dir while the coordinator keeps serving.
  // INVALID_ARGUMENT with guidance where the backend has its own tools.
  Result<BackupResult> Backup();
  // Drops expired pending uploads, forgets finished tasks past the task
  // history and nodes dead past the retention.
  Result<CleanupReport> Cleanup();

 private:
  MetadataStore* const store_;
  GarbageCollector* const gc_;
  NodeRegistry* const registry_;
  common::Clock* const clock_;
  const DatabaseAdminOptions options_;
};

}  // namespace gale::coordinator
