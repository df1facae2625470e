#pragma once

#include <memory>
#include <optional>
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
  Result<int> DeleteDeadNodes(absl::Time before) override;
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
  Status FlagReplica(std::string_view chunk_id, std::string_view node_id, absl::Time now) override;
  Result<std::vector<ChunkBalance>> UnbalancedChunks(const std::vector<std::string>& counting_nodes,
                                                     int limit) override;
  Result<ReplicationHealth> Health(const std::vector<std::string>& counting_nodes,
                                   const std::vector<std::string>& readable_nodes) override;
  Result<ReplicaTotals> DrainRemaining(std::string_view node_id,
                                       const std::vector<std::string>& counting_nodes) override;
  Result<std::vector<std::string>> CoveredReplicasOn(std::string_view node_id,
                                                     const std::vector<std::string>& counting_nodes,
                                                     int limit) override;
  Status OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                            absl::Time now) override;
  Result<std::vector<std::string>> CollectableChunks(absl::Time before, int limit) override;
  Result<int> CollectChunk(std::string_view chunk_id, absl::Time now) override;
  Result<int> CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) override;

  Status InsertTask(const TaskRecord& task) override;
  Result<std::vector<TaskRecord>> RecentTasks(absl::Time failed_since) override;
  Status CancelTask(std::string_view task_id, std::string_view reason, absl::Time now) override;
  Result<int64_t> ReplicatedBytesSince(absl::Time since) override;
  Result<int> PruneTasks(absl::Time before) override;
  Result<std::vector<TaskRecord>> AssignTasks(std::string_view node_id, int limit, absl::Time now,
                                              absl::Time deadline) override;
  Result<std::optional<TaskRecord>> FinishTask(std::string_view node_id, std::string_view task_id,
                                               bool ok, std::string_view error, absl::Time now,
                                               absl::Duration retry_after,
                                               int max_attempts) override;
  Result<int> ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) override;
  Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> CountTasks() override;

  Result<DatabaseStats> Stats() override;
  Status Backup(const std::string& path) override;

 private:
  SqliteStore(std::unique_ptr<SqliteDb> db, int lock_fd);
  Result<int> SchemaVersionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<FileRecord> GetFileLocked(std::string_view file_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status DeleteFileLocked(std::string_view file_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status ReferenceChunkLocked(std::string_view chunk_id, int64_t size, int factor, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status ReleaseChunkLocked(std::string_view chunk_id, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status UpsertStoredReplicaLocked(std::string_view node_id, const ChunkReplica& chunk,
                                   int64_t now_ms) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Status InsertTaskLocked(const TaskRecord& task) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Marks a stored replica deleting with a delete task; false when it is not stored.
  Result<bool> OrderReplicaDeleteLocked(std::string_view chunk_id, std::string_view node_id,
                                        absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A failed or late attempt: pending again after `retry_after`, or failed
  // for good (replicate tasks at once: they are planned again elsewhere).
  Result<TaskState> RetryOrFailLocked(std::string_view task_id, TaskKind kind, int attempts,
                                      std::string_view error, absl::Time now,
                                      absl::Duration retry_after, int max_attempts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::Mutex mu_;
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);
  const int lock_fd_;
};

}  // namespace gale::coordinator
