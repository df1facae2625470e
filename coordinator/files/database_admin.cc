#include "coordinator/files/database_admin.h"

#include <cstdio>
#include <filesystem>

#include "common/file_util.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {

Result<BackupResult> DatabaseAdmin::Backup() {
  const std::string name = StrCat(
      "gale-", absl::FormatTime("%Y%m%d-%H%M%E3S", clock_->Now(), absl::UTCTimeZone()), ".db");
  const std::string path = StrCat(options_.backup_dir, "/", name);
  // Written under a partial name first: a file with the final name is
  // always a complete backup.
  const std::string partial = path + ".partial";
  RETURN_IF_ERROR(common::CreateDirectories(options_.backup_dir));
  if (Status status = store_->Backup(partial); !status.ok()) {
    std::remove(partial.c_str());
    return status;
  }
  if (std::rename(partial.c_str(), path.c_str()) != 0) {
    Status status = common::ErrnoStatus(errno, StrCat("rename ", partial));
    std::remove(partial.c_str());
    return status;
  }
  RETURN_IF_ERROR(common::SyncDirectory(options_.backup_dir));
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  spdlog::info("metadata backup written to {}", path);
  return BackupResult{path, ec ? 0 : static_cast<int64_t>(size)};
}

Result<CleanupReport> DatabaseAdmin::Cleanup() {
  CleanupReport report;
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(report.expired_uploads, gc_->ExpireUploads());
  ASSIGN_OR_RETURN(report.tasks_pruned, store_->PruneTasks(now - options_.task_history));
  ASSIGN_OR_RETURN(report.nodes_forgotten,
                   store_->DeleteDeadNodes(now - options_.dead_node_retention));
  // The registry lets go of the forgotten nodes.
  if (report.nodes_forgotten > 0) RETURN_IF_ERROR(registry_->Refresh());
  spdlog::info("database clean-up: {} expired uploads, {} finished tasks, {} dead nodes removed",
               report.expired_uploads, report.tasks_pruned, report.nodes_forgotten);
  return report;
}

}  // namespace gale::coordinator
