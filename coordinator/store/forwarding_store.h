#pragma once

#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

// A MetadataStore that passes every call to another one: the base for stores
// that change a few methods (the in-memory index's CachedStore, tests' fault
// injection). Thread-safe if the inner store is.
class ForwardingStore : public MetadataStore {
 public:
  explicit ForwardingStore(MetadataStore* inner) : inner_(inner) {}

  std::string_view backend() const override { return inner_->backend(); }
  Status Migrate() override { return inner_->Migrate(); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  Status CheckReady() override { return inner_->CheckReady(); }
  Result<ClusterInfo> GetOrCreateCluster(std::string_view new_id, absl::Time now) override {
    return inner_->GetOrCreateCluster(new_id, now);
  }
  Status UpsertNode(const NodeRecord& node) override { return inner_->UpsertNode(node); }
  Status UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) override {
    return inner_->UpdateNodeLiveness(nodes);
  }
  Result<int> DeleteDeadNodes(absl::Time before) override {
    return inner_->DeleteDeadNodes(before);
  }
  Result<std::vector<NodeRecord>> ListNodes() override { return inner_->ListNodes(); }
  Status ReplaceNodeReplicas(std::string_view node_id, const std::vector<ChunkReplica>& chunks,
                             absl::Time now) override {
    return inner_->ReplaceNodeReplicas(node_id, chunks, now);
  }
  Result<std::vector<ChunkReplica>> ListNodeReplicas(std::string_view node_id,
                                                     std::string_view after, int limit) override {
    return inner_->ListNodeReplicas(node_id, after, limit);
  }
  Result<ReplicaTotals> CountNodeReplicas(std::string_view node_id) override {
    return inner_->CountNodeReplicas(node_id);
  }
  Status InsertFile(const FileRecord& file) override { return inner_->InsertFile(file); }
  Result<FileRecord> GetFile(std::string_view file_id) override { return inner_->GetFile(file_id); }
  Result<FileRecord> GetFileByName(std::string_view name) override {
    return inner_->GetFileByName(name);
  }
  Result<std::vector<FileRecord>> ListFiles(const FileListQuery& query) override {
    return inner_->ListFiles(query);
  }
  Status AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                      absl::Time now) override {
    return inner_->AttachChunks(file_id, chunks, now);
  }
  Result<std::vector<FileChunkRef>> GetFileChunks(std::string_view file_id) override {
    return inner_->GetFileChunks(file_id);
  }
  Result<std::string> WriteUpload(const UploadRecord& upload, absl::Time now) override {
    return inner_->WriteUpload(upload, now);
  }
  Result<std::string> CommitFile(std::string_view file_id, int64_t size, std::string_view sha256,
                                 absl::Time now) override {
    return inner_->CommitFile(file_id, size, sha256, now);
  }
  Status DeleteFile(std::string_view file_id, absl::Time now) override {
    return inner_->DeleteFile(file_id, now);
  }
  Status TouchFile(std::string_view file_id, absl::Time now) override {
    return inner_->TouchFile(file_id, now);
  }
  Result<std::vector<FileRecord>> ExpiredUploads(absl::Time now, int limit) override {
    return inner_->ExpiredUploads(now, limit);
  }
  Result<StoreCounts> Counts() override { return inner_->Counts(); }

  Status InsertBucket(const BucketRecord& bucket) override { return inner_->InsertBucket(bucket); }
  Result<BucketRecord> GetBucket(std::string_view name) override { return inner_->GetBucket(name); }
  Result<std::vector<BucketRecord>> ListBuckets() override { return inner_->ListBuckets(); }
  Status DeleteBucket(std::string_view name, absl::Time now) override {
    return inner_->DeleteBucket(name, now);
  }
  Result<std::string> CommitObject(const ObjectRecord& object, std::string_view sha256,
                                   absl::Time now) override {
    return inner_->CommitObject(object, sha256, now);
  }
  Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key) override {
    return inner_->GetObject(bucket, key);
  }
  Result<std::vector<ObjectRecord>> ListObjects(const ObjectListQuery& query) override {
    return inner_->ListObjects(query);
  }
  Status DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) override {
    return inner_->DeleteObject(bucket, key, now);
  }
  Status SetObjectTags(std::string_view bucket, std::string_view key,
                       const std::map<std::string, std::string>& tags) override {
    return inner_->SetObjectTags(bucket, key, tags);
  }
  Status InsertMultipartUpload(const MultipartUploadRecord& upload) override {
    return inner_->InsertMultipartUpload(upload);
  }
  Result<MultipartUploadRecord> GetMultipartUpload(std::string_view upload_id) override {
    return inner_->GetMultipartUpload(upload_id);
  }
  Result<std::vector<MultipartUploadRecord>> ListMultipartUploads(
      const MultipartUploadQuery& query) override {
    return inner_->ListMultipartUploads(query);
  }
  Result<std::string> CommitPart(const PartRecord& part, std::string_view sha256,
                                 absl::Time now) override {
    return inner_->CommitPart(part, sha256, now);
  }
  Result<std::vector<PartRecord>> ListParts(std::string_view upload_id) override {
    return inner_->ListParts(upload_id);
  }
  Status DeleteMultipartUpload(std::string_view upload_id, absl::Time now) override {
    return inner_->DeleteMultipartUpload(upload_id, now);
  }
  Result<std::vector<MultipartUploadRecord>> ExpiredMultipartUploads(absl::Time now,
                                                                     int limit) override {
    return inner_->ExpiredMultipartUploads(now, limit);
  }
  Result<ChunkRecord> GetChunk(std::string_view chunk_id) override {
    return inner_->GetChunk(chunk_id);
  }
  Result<std::map<std::string, int64_t>> GetChunkSizes(
      const std::vector<std::string>& chunk_ids) override {
    return inner_->GetChunkSizes(chunk_ids);
  }
  Result<bool> KnowsAnyChunk(const std::vector<std::string>& chunk_ids) override {
    return inner_->KnowsAnyChunk(chunk_ids);
  }
  Result<int64_t> GetChunkSize(std::string_view chunk_id) override {
    return inner_->GetChunkSize(chunk_id);
  }
  Result<std::vector<ReplicaRecord>> GetReplicas(
      const std::vector<std::string>& chunk_ids) override {
    return inner_->GetReplicas(chunk_ids);
  }
  Result<std::vector<FileChunkCopies>> GetFileChunkCopies(std::string_view file_id) override {
    return inner_->GetFileChunkCopies(file_id);
  }
  Result<std::vector<std::vector<ChunkCopy>>> GetCopies(
      const std::vector<std::string>& chunk_ids) override {
    return inner_->GetCopies(chunk_ids);
  }
  Status ApplyReplicaChanges(std::string_view node_id, const std::vector<ChunkReplica>& received,
                             const std::vector<std::string>& deleted,
                             const std::vector<std::string>& corrupt, absl::Time now) override {
    return inner_->ApplyReplicaChanges(node_id, received, deleted, corrupt, now);
  }
  Status FlagReplica(std::string_view chunk_id, std::string_view node_id, absl::Time now) override {
    return inner_->FlagReplica(chunk_id, node_id, now);
  }
  Result<std::vector<ChunkBalance>> UnbalancedChunks(const std::vector<std::string>& counting_nodes,
                                                     int limit) override {
    return inner_->UnbalancedChunks(counting_nodes, limit);
  }
  Result<ReplicationHealth> Health(const std::vector<std::string>& counting_nodes,
                                   const std::vector<std::string>& readable_nodes) override {
    return inner_->Health(counting_nodes, readable_nodes);
  }
  Result<ReplicaTotals> DrainRemaining(std::string_view node_id,
                                       const std::vector<std::string>& counting_nodes) override {
    return inner_->DrainRemaining(node_id, counting_nodes);
  }
  Result<std::vector<std::string>> CoveredReplicasOn(std::string_view node_id,
                                                     const std::vector<std::string>& counting_nodes,
                                                     int limit) override {
    return inner_->CoveredReplicasOn(node_id, counting_nodes, limit);
  }
  Status OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                            absl::Time now) override {
    return inner_->OrderReplicaDelete(chunk_id, node_id, now);
  }
  Result<std::vector<std::string>> CollectableChunks(absl::Time before, int limit) override {
    return inner_->CollectableChunks(before, limit);
  }
  Result<int> CollectChunk(std::string_view chunk_id, absl::Time now) override {
    return inner_->CollectChunk(chunk_id, now);
  }
  Result<int> CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) override {
    return inner_->CollectOrphanReplicas(before, now, limit);
  }
  Status InsertTask(const TaskRecord& task) override { return inner_->InsertTask(task); }
  Result<std::vector<TaskRecord>> RecentTasks(absl::Time failed_since) override {
    return inner_->RecentTasks(failed_since);
  }
  Status CancelTask(std::string_view task_id, std::string_view reason, absl::Time now) override {
    return inner_->CancelTask(task_id, reason, now);
  }
  Result<int64_t> ReplicatedBytesSince(absl::Time since) override {
    return inner_->ReplicatedBytesSince(since);
  }
  Result<int> PruneTasks(absl::Time before) override { return inner_->PruneTasks(before); }
  Result<std::vector<TaskRecord>> AssignTasks(std::string_view node_id, int limit, absl::Time now,
                                              absl::Time deadline) override {
    return inner_->AssignTasks(node_id, limit, now, deadline);
  }
  Result<std::optional<TaskRecord>> FinishTask(std::string_view node_id, std::string_view task_id,
                                               bool ok, std::string_view error, absl::Time now,
                                               absl::Duration retry_after,
                                               int max_attempts) override {
    return inner_->FinishTask(node_id, task_id, ok, error, now, retry_after, max_attempts);
  }
  Result<int> ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) override {
    return inner_->ExpireTasks(now, retry_after, max_attempts);
  }
  Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> CountTasks() override {
    return inner_->CountTasks();
  }
  Result<DatabaseStats> Stats() override { return inner_->Stats(); }
  Status Backup(const std::string& path) override { return inner_->Backup(path); }
  Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed() override { return inner_->OpenChangeFeed(); }
  Status InsertS3Key(const S3KeyRecord& key) override { return inner_->InsertS3Key(key); }
  Result<S3KeyRecord> GetS3Key(std::string_view access_key_id) override {
    return inner_->GetS3Key(access_key_id);
  }
  Result<std::vector<S3KeyRecord>> ListS3Keys() override { return inner_->ListS3Keys(); }
  Status DeleteS3Key(std::string_view access_key_id) override {
    return inner_->DeleteS3Key(access_key_id);
  }

  Result<std::vector<FileRecord>> ScanFiles(std::string_view after_id, int limit) override {
    return inner_->ScanFiles(after_id, limit);
  }
  Result<ScanPage<FileChunkRow>> ScanFileChunks(std::string_view cursor, int limit) override {
    return inner_->ScanFileChunks(cursor, limit);
  }
  Result<ScanPage<ChunkReplica>> ScanChunks(std::string_view cursor, int limit) override {
    return inner_->ScanChunks(cursor, limit);
  }
  Result<ScanPage<ReplicaRecord>> ScanReplicas(std::string_view cursor, int limit) override {
    return inner_->ScanReplicas(cursor, limit);
  }

 protected:
  MetadataStore* const inner_;  // not owned
};

}  // namespace gale::coordinator
