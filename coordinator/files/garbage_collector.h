#pragma once

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/files/file_service.h"
#include "coordinator/files/object_service.h"
#include "coordinator/repair/task_ledger.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

struct GarbageCollectorOptions {
  // A chunk unreferenced for this long is ordered deleted from its nodes; the
  // wait lets a re-upload of the same bytes reuse it instead.
  absl::Duration grace = absl::Seconds(60);
  int batch = 1000;  // chunks, orphan replicas and expired uploads handled per run
  // Finished tasks are forgotten after this long.
  absl::Duration task_history = absl::Hours(1);
};

// Background clean-up of the coordinator, one RunOnce() per period: drops
// pending uploads past their expiry (committing ZephyrFS-registered ones whose
// replicas arrived) and abandoned multipart uploads, retries late tasks, orders the nodes holding
// unreferenced chunks to delete them (forgetting a chunk once no replica is
// left), orders deleted the copies nodes hold of chunks the coordinator does
// not know (after the same grace), and forgets old finished tasks.
// Thread-safe; runs one at a time.
class GarbageCollector {
 public:
  GarbageCollector(MetadataStore* store, FileService* files, ObjectService* objects,
                   TaskLedger* tasks, common::Clock* clock, GarbageCollectorOptions options)
      : store_(store),
        files_(files),
        objects_(objects),
        tasks_(tasks),
        clock_(clock),
        options_(options) {}

  Status RunOnce();
  // Drops (or auto-commits) up to a batch of pending uploads past their
  // expiry; returns how many were dropped.
  Result<int> ExpireUploads();

 private:
  Status CollectChunks();
  Status CollectOrphans();

  MetadataStore* const store_;
  FileService* const files_;
  ObjectService* const objects_;
  TaskLedger* const tasks_;
  common::Clock* const clock_;
  const GarbageCollectorOptions options_;
};

}  // namespace gale::coordinator
