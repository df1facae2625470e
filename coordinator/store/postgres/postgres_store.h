#pragma once

#include <memory>
#include <optional>
#include <string>

#include "coordinator/store/metadata_store.h"
#include "coordinator/store/postgres/pg_pool.h"

namespace gale::coordinator {

// The production metadata store: a PostgreSQL database (libpqxx), migrated
// from the SQL embedded from migrations/postgres/, that several coordinators
// may share. Behaves as SqliteStore does, method for method. Nodes, cluster,
// replica reports and administration are in postgres_store.cc, files and
// chunks in postgres_store_files.cc, buckets and objects in
// postgres_store_objects.cc, tasks in postgres_store_tasks.cc, S3 keys in
// postgres_store_s3_keys.cc.
// Whatever reads and then writes runs in one SERIALIZABLE transaction, retried
// on conflicts, so concurrent coordinators cannot interleave badly; reads of
// several statements share one snapshot. Thread-safe: a pool of connections.
class PostgresStore final : public MetadataStore {
 public:
  // Connects to `url` (postgresql://user:password@host:port/dbname?...), with
  // at most `pool_size` connections. UNAVAILABLE when the server cannot be
  // reached; INVALID_ARGUMENT for a pool size below 1. Does not migrate.
  static Result<std::unique_ptr<PostgresStore>> Open(const std::string& url, int pool_size);

  std::string_view backend() const override { return "postgres"; }
  // Under a session advisory lock (kMigrationLockKey), so that coordinators
  // starting together apply each migration once.
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
  Result<std::string> WriteUpload(const UploadRecord& upload, absl::Time now) override;
  Result<std::string> CommitFile(std::string_view file_id, int64_t size, std::string_view sha256,
                                 absl::Time now) override;
  Status DeleteFile(std::string_view file_id, absl::Time now) override;
  Status TouchFile(std::string_view file_id, absl::Time now) override;
  Result<std::vector<FileRecord>> ExpiredUploads(absl::Time now, int limit) override;
  Result<StoreCounts> Counts() override;

  Status InsertBucket(const BucketRecord& bucket) override;
  Result<BucketRecord> GetBucket(std::string_view name) override;
  Result<std::vector<BucketRecord>> ListBuckets() override;
  Status DeleteBucket(std::string_view name, absl::Time now) override;
  Result<std::string> CommitObject(const ObjectRecord& object, std::string_view sha256,
                                   absl::Time now) override;
  Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key) override;
  Result<std::vector<ObjectRecord>> ListObjects(const ObjectListQuery& query) override;
  Status DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) override;
  Status SetObjectTags(std::string_view bucket, std::string_view key,
                       const std::map<std::string, std::string>& tags) override;

  Status InsertMultipartUpload(const MultipartUploadRecord& upload) override;
  Result<MultipartUploadRecord> GetMultipartUpload(std::string_view upload_id) override;
  Result<std::vector<MultipartUploadRecord>> ListMultipartUploads(
      const MultipartUploadQuery& query) override;
  Result<std::string> CommitPart(const PartRecord& part, std::string_view sha256,
                                 absl::Time now) override;
  Result<std::vector<PartRecord>> ListParts(std::string_view upload_id) override;
  Status DeleteMultipartUpload(std::string_view upload_id, absl::Time now) override;
  Result<std::vector<MultipartUploadRecord>> ExpiredMultipartUploads(absl::Time now,
                                                                     int limit) override;

  Result<ChunkRecord> GetChunk(std::string_view chunk_id) override;
  Result<int64_t> GetChunkSize(std::string_view chunk_id) override;
  Result<std::map<std::string, int64_t>> GetChunkSizes(
      const std::vector<std::string>& chunk_ids) override;
  Result<bool> KnowsAnyChunk(const std::vector<std::string>& chunk_ids) override;

  Result<std::vector<FileRecord>> ScanFiles(std::string_view after_id, int limit) override;
  Result<ScanPage<FileChunkRow>> ScanFileChunks(std::string_view cursor, int limit) override;
  Result<ScanPage<ChunkReplica>> ScanChunks(std::string_view cursor, int limit) override;
  Result<ScanPage<ReplicaRecord>> ScanReplicas(std::string_view cursor, int limit) override;
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

  // Row counts, and pg_database_size() of the current database.
  Result<DatabaseStats> Stats() override;
  // Always INVALID_ARGUMENT: PostgreSQL is backed up with pg_dump or
  // continuous archiving, outside the coordinator.
  Status Backup(const std::string& path) override;
  // A PgChangeFeed on a session of its own.
  Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed() override;

  Status InsertS3Key(const S3KeyRecord& key) override;
  Result<S3KeyRecord> GetS3Key(std::string_view access_key_id) override;
  Result<std::vector<S3KeyRecord>> ListS3Keys() override;
  Status DeleteS3Key(std::string_view access_key_id) override;

  // The advisory lock key held while migrating ("gale" and 1).
  static constexpr int64_t kMigrationLockKey = (int64_t{0x67616c65} << 32) | 1;

 private:
  explicit PostgresStore(std::unique_ptr<PgPool> pool) : pool_(std::move(pool)) {}

  static Result<int> SchemaVersionIn(PgTx& tx);
  static Result<FileRecord> GetFileIn(PgTx& tx, std::string_view file_id);
  static Status DeleteFileIn(PgTx& tx, std::string_view file_id, absl::Time now);
  // Removes an upload, its parts and their files; NOT_FOUND when absent.
  static Status DeleteMultipartUploadIn(PgTx& tx, std::string_view upload_id, absl::Time now);
  // The bodies of InsertFile, AttachChunks, CommitFile, CommitObject and
  // CommitPart. AttachChunksIn and CommitFileIn take the file as read in
  // the transaction (or written in it: an upload's); a `new_file` has no
  // chunks attached yet, which saves looking them up.
  static Status InsertFileIn(PgTx& tx, const FileRecord& file);
  static Status AttachChunksIn(PgTx& tx, const FileRecord& file,
                               const std::vector<FileChunkRef>& chunks, absl::Time now,
                               bool new_file = false);
  static Result<std::string> CommitFileIn(PgTx& tx, const FileRecord& file, int64_t size,
                                          std::string_view sha256, absl::Time now);
  static Result<std::string> CommitObjectIn(PgTx& tx, const ObjectRecord& object,
                                            std::string_view sha256, absl::Time now);
  static Result<std::string> CommitPartIn(PgTx& tx, const PartRecord& part, std::string_view sha256,
                                          absl::Time now);
  // Nodes' copies, stored (a replica being deleted stays so), in one
  // statement.
  static Status UpsertStoredReplicasIn(PgTx& tx, const std::vector<ReplicaReceipt>& receipts,
                                       absl::Time now);
  // The pending file becomes complete with its final size and hash.
  static Status MarkCommittedIn(PgTx& tx, std::string_view file_id, int64_t size,
                                std::string_view sha256, absl::Time now);
  static Status InsertTaskIn(PgTx& tx, const TaskRecord& task);
  // Marks a stored replica deleting with a delete task; false when it is
  // already being deleted or absent.
  static Result<bool> OrderReplicaDeleteIn(PgTx& tx, std::string_view chunk_id,
                                           std::string_view node_id, absl::Time now);
  // A failed or late attempt: pending again after `retry_after`, or failed
  // for good (replicate tasks at once: they are planned again elsewhere).
  static Result<TaskState> RetryOrFailIn(PgTx& tx, std::string_view task_id, TaskKind kind,
                                         int attempts, std::string_view error, absl::Time now,
                                         absl::Duration retry_after, int max_attempts);

  const std::unique_ptr<PgPool> pool_;
};

}  // namespace gale::coordinator
