#pragma once

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/metadata_store.h"
#include "coordinator/sqlite_db.h"

namespace gale::coordinator {

// The embedded metadata store: one SQLite file in WAL mode, migrated from the
// SQL embedded from migrations/sqlite/. Nodes, cluster and replica reports are
// in sqlite_store.cc, files and chunks in sqlite_store_files.cc, tasks in
// sqlite_store_tasks.cc. Holds an exclusive lock on
// "<path>.lock" for its lifetime, so a second coordinator on the same file
// refuses to start. Thread-safe: one connection, serialized by a mutex.
class SqliteStore final : public MetadataStore {
 public:
  // Opens (creating) the database. FAILED_PRECONDITION when another process
  // holds the file.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);
  ~SqliteStore() override;

  std::string_view backend() const override { return "sqlite"; }
  Status Migrate() override;
  Result<int> SchemaVersion() override;
  Status CheckReady() override;
  Result<ClusterInfo> GetOrCreateCluster(std::string_view new_id, absl::Time now) override;
  Status UpsertNode(const NodeRecord& node) override;
  Status UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) override;
  Result<std::vector<NodeRecord>> ListNodes() override;
  Status ReplaceNodeReplicas(std::string_view node_id, const std::vector<ChunkReplica>& chunks,
                             absl::Time now) override;
  Result<std::vector<ChunkReplica>> ListNodeReplicas(std::string_view node_id,
                                                     std::string_view after, int limit) override;
  Result<ReplicaTotals> CountNodeReplicas(std::string_view node_id) override;

  Status InsertFile(const FileRecord& file) override;
  Result<FileRecord> GetFile(std::string_view file_id) override;
  Result<FileRecord> GetFileByName(std::string_view name) override;
  Result<std::vector<FileRecord>> ListFiles(const FileListQuery& query) override;
  Status AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                      absl::Time now) override;
  Result<std::vector<FileChunkRef>> GetFileChunks(std::string_view file_id) override;
  Result<std::string> CommitFile(std::string_view file_id, int64_t size, std::string_view sha256,
                                 absl::Time now) override;
  Status DeleteFile(std::string_view file_id, absl::Time now) override;
  Status TouchFile(std::string_view file_id, absl::Time now) override;
  Result<std::vector<FileRecord>> ExpiredUploads(absl::Time now, int limit) override;
  Result<StoreCounts> Counts() override;

  Result<ChunkRecord> GetChunk(std::string_view chunk_id) override;
  Result<std::vector<ReplicaRecord>> GetReplicas(
      const std::vector<std::string>& chunk_ids) override;
  Status ApplyReplicaChanges(std::string_view node_id, const std::vector<ChunkReplica>& received,
                             const std::vector<std::string>& deleted,
                             const std::vector<std::string>& corrupt, absl::Time now) override;
  Status SetReplicaState(std::string_view chunk_id, std::string_view node_id, ReplicaState state,
                         absl::Time now) override;
  Result<std::vector<std::string>> CollectableChunks(absl::Time before, int limit) override;
  Result<int> CollectChunk(std::string_view chunk_id, absl::Time now) override;

  Result<std::vector<TaskRecord>> AssignTasks(std::string_view node_id, int limit, absl::Time now,
                                              absl::Time deadline) override;
  Status FinishTask(std::string_view node_id, std::string_view task_id, bool ok,
                    std::string_view error, absl::Time now, absl::Duration retry_after,
                    int max_attempts) override;
  Result<int> ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) override;
  Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> CountTasks() override;

 private:
  SqliteStore(std::unique_ptr<SqliteDb> db, int lock_fd);
  Result<int> SchemaVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<FileRecord> GetFileLocked(std::string_view file_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status DeleteFileLocked(std::string_view file_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status ReferenceChunkLocked(std::string_view chunk_id, int64_t size, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status ReleaseChunkLocked(std::string_view chunk_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status UpsertStoredReplicaLocked(std::string_view node_id, const ChunkReplica& chunk,
                                   int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status InsertTaskLocked(TaskKind kind, std::string_view chunk_id, std::string_view node_id,
                          const std::vector<std::string>& sources, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status RetryOrFailLocked(std::string_view task_id, int attempts, std::string_view error,
                           absl::Time now, absl::Duration retry_after, int max_attempts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
  const int lock_fd_;
};

}  // namespace gale::coordinator
