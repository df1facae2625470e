#pragma once

#include "coordinator/store/metadata_store.h"

namespace gale::testing {

// A MetadataStore that passes every call to another one: the base for test
// stores that inject faults or count calls in a few methods. Thread-safe if
// the inner store is.
class ForwardingStore : public coordinator::MetadataStore {
 public:
  explicit ForwardingStore(coordinator::MetadataStore* inner) : inner_(inner) {}

  std::string_view backend() const override { return inner_->backend(); }
  Status Migrate() override { return inner_->Migrate(); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  Status CheckReady() override { return inner_->CheckReady(); }
  Result<coordinator::ClusterInfo> GetOrCreateCluster(std::string_view new_id,
                                                      absl::Time now) override {
    return inner_->GetOrCreateCluster(new_id, now);
  }
  Status UpsertNode(const coordinator::NodeRecord& node) override {
    return inner_->UpsertNode(node);
  }
  Status UpdateNodeLiveness(const std::vector<coordinator::NodeRecord>& nodes) override {
    return inner_->UpdateNodeLiveness(nodes);
  }
  Result<int> DeleteDeadNodes(absl::Time before) override {
    return inner_->DeleteDeadNodes(before);
  }
  Result<std::vector<coordinator::NodeRecord>> ListNodes() override { return inner_->ListNodes(); }
  Status ReplaceNodeReplicas(std::string_view node_id,
                             const std::vector<coordinator::ChunkReplica>& chunks,
                             absl::Time now) override {
    return inner_->ReplaceNodeReplicas(node_id, chunks, now);
  }
  Result<std::vector<coordinator::ChunkReplica>> ListNodeReplicas(std::string_view node_id,
                                                                  std::string_view after,
                                                                  int limit) override {
    return inner_->ListNodeReplicas(node_id, after, limit);
  }
  Result<coordinator::ReplicaTotals> CountNodeReplicas(std::string_view node_id) override {
    return inner_->CountNodeReplicas(node_id);
  }
  Status InsertFile(const coordinator::FileRecord& file) override {
    return inner_->InsertFile(file);
  }
  Result<coordinator::FileRecord> GetFile(std::string_view file_id) override {
    return inner_->GetFile(file_id);
  }
  Result<coordinator::FileRecord> GetFileByName(std::string_view name) override {
    return inner_->GetFileByName(name);
  }
  Result<std::vector<coordinator::FileRecord>> ListFiles(
      const coordinator::FileListQuery& query) override {
    return inner_->ListFiles(query);
  }
  Status AttachChunks(std::string_view file_id,
                      const std::vector<coordinator::FileChunkRef>& chunks,
                      absl::Time now) override {
    return inner_->AttachChunks(file_id, chunks, now);
  }
  Result<std::vector<coordinator::FileChunkRef>> GetFileChunks(std::string_view file_id) override {
    return inner_->GetFileChunks(file_id);
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
  Result<std::vector<coordinator::FileRecord>> ExpiredUploads(absl::Time now, int limit) override {
    return inner_->ExpiredUploads(now, limit);
  }
  Result<coordinator::StoreCounts> Counts() override { return inner_->Counts(); }

  Status InsertBucket(const coordinator::BucketRecord& bucket) override {
    return inner_->InsertBucket(bucket);
  }
  Result<coordinator::BucketRecord> GetBucket(std::string_view name) override {
    return inner_->GetBucket(name);
  }
  Result<std::vector<coordinator::BucketRecord>> ListBuckets() override {
    return inner_->ListBuckets();
  }
  Status DeleteBucket(std::string_view name, absl::Time now) override {
    return inner_->DeleteBucket(name, now);
  }
  Result<std::string> CommitObject(const coordinator::ObjectRecord& object, std::string_view sha256,
                                   absl::Time now) override {
    return inner_->CommitObject(object, sha256, now);
  }
  Result<coordinator::ObjectRecord> GetObject(std::string_view bucket,
                                              std::string_view key) override {
    return inner_->GetObject(bucket, key);
  }
  Result<std::vector<coordinator::ObjectRecord>> ListObjects(
      const coordinator::ObjectListQuery& query) override {
    return inner_->ListObjects(query);
  }
  Status DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) override {
    return inner_->DeleteObject(bucket, key, now);
  }
  Status SetObjectTags(std::string_view bucket, std::string_view key,
                       const std::map<std::string, std::string>& tags) override {
    return inner_->SetObjectTags(bucket, key, tags);
  }
  Status InsertMultipartUpload(const coordinator::MultipartUploadRecord& upload) override {
    return inner_->InsertMultipartUpload(upload);
  }
  Result<coordinator::MultipartUploadRecord> GetMultipartUpload(
      std::string_view upload_id) override {
    return inner_->GetMultipartUpload(upload_id);
  }
  Result<std::vector<coordinator::MultipartUploadRecord>> ListMultipartUploads(
      const coordinator::MultipartUploadQuery& query) override {
    return inner_->ListMultipartUploads(query);
  }
  Result<std::string> CommitPart(const coordinator::PartRecord& part, std::string_view sha256,
                                 absl::Time now) override {
    return inner_->CommitPart(part, sha256, now);
  }
  Result<std::vector<coordinator::PartRecord>> ListParts(std::string_view upload_id) override {
    return inner_->ListParts(upload_id);
  }
  Status DeleteMultipartUpload(std::string_view upload_id, absl::Time now) override {
    return inner_->DeleteMultipartUpload(upload_id, now);
  }
  Result<std::vector<coordinator::MultipartUploadRecord>> ExpiredMultipartUploads(
      absl::Time now, int limit) override {
    return inner_->ExpiredMultipartUploads(now, limit);
  }
  Result<coordinator::ChunkRecord> GetChunk(std::string_view chunk_id) override {
    return inner_->GetChunk(chunk_id);
  }
  Result<std::vector<coordinator::ReplicaRecord>> GetReplicas(
      const std::vector<std::string>& chunk_ids) override {
    return inner_->GetReplicas(chunk_ids);
  }
  Status ApplyReplicaChanges(std::string_view node_id,
                             const std::vector<coordinator::ChunkReplica>& received,
                             const std::vector<std::string>& deleted,
                             const std::vector<std::string>& corrupt, absl::Time now) override {
    return inner_->ApplyReplicaChanges(node_id, received, deleted, corrupt, now);
  }
  Status FlagReplica(std::string_view chunk_id, std::string_view node_id, absl::Time now) override {
    return inner_->FlagReplica(chunk_id, node_id, now);
  }
  Result<std::vector<coordinator::ChunkBalance>> UnbalancedChunks(
      const std::vector<std::string>& counting_nodes, int limit) override {
    return inner_->UnbalancedChunks(counting_nodes, limit);
  }
  Result<coordinator::ReplicationHealth> Health(
      const std::vector<std::string>& counting_nodes,
      const std::vector<std::string>& readable_nodes) override {
    return inner_->Health(counting_nodes, readable_nodes);
  }
  Result<coordinator::ReplicaTotals> DrainRemaining(
      std::string_view node_id, const std::vector<std::string>& counting_nodes) override {
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
  Status InsertTask(const coordinator::TaskRecord& task) override {
    return inner_->InsertTask(task);
  }
  Result<std::vector<coordinator::TaskRecord>> RecentTasks(absl::Time failed_since) override {
    return inner_->RecentTasks(failed_since);
  }
  Status CancelTask(std::string_view task_id, std::string_view reason, absl::Time now) override {
    return inner_->CancelTask(task_id, reason, now);
  }
  Result<int64_t> ReplicatedBytesSince(absl::Time since) override {
    return inner_->ReplicatedBytesSince(since);
  }
  Result<int> PruneTasks(absl::Time before) override { return inner_->PruneTasks(before); }
  Result<std::vector<coordinator::TaskRecord>> AssignTasks(std::string_view node_id, int limit,
                                                           absl::Time now,
                                                           absl::Time deadline) override {
    return inner_->AssignTasks(node_id, limit, now, deadline);
  }
  Result<std::optional<coordinator::TaskRecord>> FinishTask(std::string_view node_id,
                                                            std::string_view task_id, bool ok,
                                                            std::string_view error, absl::Time now,
                                                            absl::Duration retry_after,
                                                            int max_attempts) override {
    return inner_->FinishTask(node_id, task_id, ok, error, now, retry_after, max_attempts);
  }
  Result<int> ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) override {
    return inner_->ExpireTasks(now, retry_after, max_attempts);
  }
  Result<std::map<std::pair<coordinator::TaskKind, coordinator::TaskState>, int64_t>> CountTasks()
      override {
    return inner_->CountTasks();
  }
  Result<coordinator::DatabaseStats> Stats() override { return inner_->Stats(); }
  Status Backup(const std::string& path) override { return inner_->Backup(path); }
  Status InsertS3Key(const coordinator::S3KeyRecord& key) override {
    return inner_->InsertS3Key(key);
  }
  Result<coordinator::S3KeyRecord> GetS3Key(std::string_view access_key_id) override {
    return inner_->GetS3Key(access_key_id);
  }
  Result<std::vector<coordinator::S3KeyRecord>> ListS3Keys() override {
    return inner_->ListS3Keys();
  }
  Status DeleteS3Key(std::string_view access_key_id) override {
    return inner_->DeleteS3Key(access_key_id);
  }

 protected:
  coordinator::MetadataStore* const inner_;
};

}  // namespace gale::testing
