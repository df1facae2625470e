#pragma once

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/sqlite/sqlite_db.h"
#include "coordinator/store/sqlite/wal_checkpointer.h"

namespace gale::coordinator {

// The embedded metadata store: one SQLite file in WAL mode, migrated from the
// SQL embedded from migrations/sqlite/. Nodes, cluster and replica reports are
// in sqlite_store.cc, files and chunks in sqlite_store_files.cc, buckets and
// objects in sqlite_store_objects.cc, tasks in sqlite_store_tasks.cc, S3 keys in
// sqlite_store_s3_keys.cc. Holds an exclusive lock on
// "<path>.lock" for its lifetime, so a second coordinator on the same file
// refuses to start. Thread-safe: one writer connection commits concurrent
// writes together (group commit, one fsync per batch); reads run on a pool
// of read connections and do not wait for commits.
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

  Result<DatabaseStats> Stats() override;
  Status Backup(const std::string& path) override;

  Status InsertS3Key(const S3KeyRecord& key) override;
  Result<S3KeyRecord> GetS3Key(std::string_view access_key_id) override;
  Result<std::vector<S3KeyRecord>> ListS3Keys() override;
  Status DeleteS3Key(std::string_view access_key_id) override;

 private:
  // A write waiting for the batch it will commit in.
  struct PendingWrite {
    absl::FunctionRef<Status(SqliteDb&)> body;
    Status status;
    bool done = false;
  };

  SqliteStore(std::unique_ptr<SqliteDb> db, std::unique_ptr<WalCheckpointer> checkpointer,
              int lock_fd);

  // Runs `body` on the writer connection in a savepoint of its own, inside a
  // transaction shared with the writes that arrived while the previous one
  // committed (group commit): a failed body changes nothing, and the batch
  // costs one fsync. The body's Status, or the commit's when that fails.
  Status WriteStatus(absl::FunctionRef<Status(SqliteDb&)> body) ABSL_LOCKS_EXCLUDED(queue_mu_);
  // Runs `body` on a pooled read connection inside one read transaction, so
  // that it sees one committed snapshot and never waits for a commit.
  Status ReadStatus(absl::FunctionRef<Status(SqliteDb&)> body) ABSL_LOCKS_EXCLUDED(readers_mu_);
  // Runs `batch` in one transaction; sets each one's status.
  void CommitBatch(const std::vector<PendingWrite*>& batch) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Write() and Read() return what `body` returns (a Status or a Result).
  template <typename Body>
  auto Write(Body body) -> std::invoke_result_t<Body&, SqliteDb&> {
    return RunErased(body, [this](auto erased) { return WriteStatus(erased); });
  }
  template <typename Body>
  auto Read(Body body) -> std::invoke_result_t<Body&, SqliteDb&> {
    return RunErased(body, [this](auto erased) { return ReadStatus(erased); });
  }
  template <typename Body, typename Runner>
  static auto RunErased(Body& body, Runner run) -> std::invoke_result_t<Body&, SqliteDb&> {
    std::optional<std::invoke_result_t<Body&, SqliteDb&>> out;
    Status status = run([&](SqliteDb& db) -> Status {
      out.emplace(body(db));
      if constexpr (std::is_same_v<std::decay_t<decltype(*out)>, Status>) {
        return *out;
      } else {
        return out->status();
      }
    });
    if (!out.has_value() || (out->ok() && !status.ok())) return status;
    return *std::move(out);
  }

  // Steps of several operations; each runs on the connection it is given.
  static Result<int> SchemaVersionIn(SqliteDb& db);
  static Result<FileRecord> GetFileIn(SqliteDb& db, std::string_view file_id);
  static Status DeleteFileIn(SqliteDb& db, std::string_view file_id, absl::Time now);
  // Removes an upload, its parts and their files; NOT_FOUND when absent.
  static Status DeleteMultipartUploadIn(SqliteDb& db, std::string_view upload_id, absl::Time now);
  // The bodies of InsertFile, CommitFile, CommitObject and CommitPart (the
  // commits set `replaced`; CommitFileIn takes the file as read in the
  // transaction, or as an upload wrote it there).
  static Result<int64_t> InsertFileIn(SqliteDb& db, const FileRecord& file);  // its key
  // Chunk keys by chunk id (hex), as a write learned them.
  using ChunkKeys = std::map<std::string, int64_t, std::less<>>;
  // WriteUpload's attach to a new file, in a few statements over JSON arrays
  // rather than several per chunk; the keys of its chunks.
  static Result<ChunkKeys> AttachUploadIn(SqliteDb& db, int64_t file_key, int factor,
                                          const std::vector<FileChunkRef>& chunks, absl::Time now);
  // Nodes' copies, stored (a replica being deleted stays so); chunks not
  // known yet get key rows. Copies of chunks in `keys` are written by key,
  // without looking their ids up.
  static Status RecordCopiesIn(SqliteDb& db, const std::vector<ReplicaReceipt>& copies,
                               absl::Time now, const ChunkKeys* keys = nullptr);
  static Status CommitFileIn(SqliteDb& db, const FileRecord& file, int64_t size,
                             std::string_view sha256, absl::Time now, std::string* replaced);
  static Status CommitObjectIn(SqliteDb& db, const ObjectRecord& object, std::string_view sha256,
                               absl::Time now, std::string* replaced);
  static Status CommitPartIn(SqliteDb& db, const PartRecord& part, std::string_view sha256,
                             absl::Time now, std::string* replaced);
  // The pending file becomes complete with its final size and hash.
  static Status MarkCommittedIn(SqliteDb& db, std::string_view file_id, int64_t size,
                                std::string_view sha256, absl::Time now);
  // Tables key files, chunks and nodes by integers (migration 0008): a
  // file's key; NOT_FOUND when there is no such file.
  static Result<int64_t> FileKeyIn(SqliteDb& db, std::string_view file_id);
  // A chunk's or a node's key, made when new (a chunk made so is known only
  // from nodes' reports: no size, refcount NULL). INVALID_ARGUMENT for a
  // chunk id that is not 64 hex digits.
  static Result<int64_t> ChunkKeyIn(SqliteDb& db, std::string_view chunk_id);
  static Result<int64_t> NodeKeyIn(SqliteDb& db, std::string_view node_id);
  // Drops chunks known only from reports that no replica names any more.
  static Status ForgetUnknownChunksIn(SqliteDb& db);
  // Of `replicas`: the row of the chunk with hex id ?1 on node ?2.
  static constexpr std::string_view kReplicaIs =
      "chunk = (SELECT seq FROM chunks WHERE id = unhex(?1)) AND node = (SELECT seq FROM "
      "node_keys WHERE id = ?2)";
  // One more reference to a chunk (see AttachChunks); returns its key.
  static Result<int64_t> ReferenceChunkIn(SqliteDb& db, std::string_view chunk_id, int64_t size,
                                          int factor, absl::Time now);
  // The reference `file` holds to `chunk` at `index` goes; the chunk's factor
  // becomes the other references' files'.
  static Status ReleaseChunkIn(SqliteDb& db, int64_t chunk, int64_t file, int64_t index,
                               absl::Time now);
  static Status InsertTaskIn(SqliteDb& db, const TaskRecord& task);
  // Marks a stored replica deleting with a delete task; false when it is not stored.
  static Result<bool> OrderReplicaDeleteIn(SqliteDb& db, std::string_view chunk_id,
                                           std::string_view node_id, absl::Time now);
  // A failed or late attempt: pending again after `retry_after`, or failed
  // for good (replicate tasks at once: they are planned again elsewhere).
  static Result<TaskState> RetryOrFailIn(SqliteDb& db, std::string_view task_id, TaskKind kind,
                                         int attempts, std::string_view error, absl::Time now,
                                         absl::Duration retry_after, int max_attempts);

  // The writer connection: held by the batch being committed, Migrate and Backup.
  absl::Mutex mu_ ABSL_ACQUIRED_AFTER(queue_mu_);
  std::unique_ptr<SqliteDb> db_ ABSL_GUARDED_BY(mu_);

  absl::Mutex queue_mu_;
  std::vector<PendingWrite*> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool committing_ ABSL_GUARDED_BY(queue_mu_) = false;  // a batch's leader is at work
  absl::CondVar batch_done_;

  // Checkpoints off the writer's path; told of every commit by db_.
  std::unique_ptr<WalCheckpointer> checkpointer_;

  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<SqliteDb>> idle_readers_ ABSL_GUARDED_BY(readers_mu_);

  const std::string path_;
  const int lock_fd_;
};

}  // namespace gale::coordinator
