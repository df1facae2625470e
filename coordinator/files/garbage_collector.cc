#include "coordinator/files/garbage_collector.h"

#include "spdlog/spdlog.h"

namespace gale::coordinator {

Status GarbageCollector::RunOnce() {
  RETURN_IF_ERROR(ExpireUploads().status());
  RETURN_IF_ERROR(objects_->ExpireMultipartUploads(options_.batch).status());
  RETURN_IF_ERROR(tasks_->ExpireLate());
  RETURN_IF_ERROR(CollectChunks());
  RETURN_IF_ERROR(CollectOrphans());
  return store_->PruneTasks(clock_->Now() - options_.task_history).status();
}

Result<int> GarbageCollector::ExpireUploads() {
  ASSIGN_OR_RETURN(std::vector<FileRecord> expired,
                   store_->ExpiredUploads(clock_->Now(), options_.batch));
  int dropped = 0;
  for (const FileRecord& file : expired) {
    if (file.auto_commit) {
      auto committed = files_->TryAutoCommit(file.id);
      if (committed.ok() && *committed) continue;
    }
    spdlog::info("upload of {} ({}) expired uncommitted; dropping it", file.name, file.id);
    Status status = store_->DeleteFile(file.id, clock_->Now());
    if (status.ok()) ++dropped;
    if (!status.ok() && !absl::IsNotFound(status)) return status;
  }
  return dropped;
}

Status GarbageCollector::CollectChunks() {
  ASSIGN_OR_RETURN(std::vector<std::string> chunks,
                   store_->CollectableChunks(clock_->Now() - options_.grace, options_.batch));
  int tasks = 0;
  for (const std::string& chunk_id : chunks) {
    ASSIGN_OR_RETURN(int created, store_->CollectChunk(chunk_id, clock_->Now()));
    tasks += created;
  }
  if (tasks > 0) spdlog::info("garbage collection: ordered {} replica deletions", tasks);
  return absl::OkStatus();
}

Status GarbageCollector::CollectOrphans() {
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(int ordered,
                   store_->CollectOrphanReplicas(now - options_.grace, now, options_.batch));
  if (ordered > 0) {
    spdlog::info("garbage collection: ordered {} copies of unknown chunks deleted", ordered);
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
