#pragma once

#include <atomic>

#include "coordinator/metadata_store.h"

namespace gale::testing {

// Wraps a real store, counts the writes that reach it and fails them on
// demand, for tests of batching and error handling. Thread-safe.
class FaultyStore final : public coordinator::MetadataStore {
 public:
  explicit FaultyStore(coordinator::MetadataStore* inner) : inner_(inner) {}

  std::atomic<bool> fail_writes{false};
  std::atomic<int> upserts{0};
  std::atomic<int> liveness_batches{0};

  std::string_view backend() const override { return inner_->backend(); }
  Status Migrate() override { return inner_->Migrate(); }
  Result<int> SchemaVersion() override { return inner_->SchemaVersion(); }
  Status CheckReady() override { return inner_->CheckReady(); }
  Result<coordinator::ClusterInfo> GetOrCreateCluster(std::string_view id,
                                                      absl::Time now) override {
    return inner_->GetOrCreateCluster(id, now);
  }
  Status UpsertNode(const coordinator::NodeRecord& node) override {
    if (fail_writes) return absl::UnavailableError("injected failure");
    ++upserts;
    return inner_->UpsertNode(node);
  }
  Status UpdateNodeLiveness(const std::vector<coordinator::NodeRecord>& nodes) override {
    if (fail_writes) return absl::UnavailableError("injected failure");
    ++liveness_batches;
    return inner_->UpdateNodeLiveness(nodes);
  }
  Result<std::vector<coordinator::NodeRecord>> ListNodes() override { return inner_->ListNodes(); }
  Status ReplaceNodeReplicas(std::string_view node_id,
                             const std::vector<coordinator::ChunkReplica>& chunks,
                             absl::Time now) override {
    if (fail_writes) return absl::UnavailableError("injected failure");
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

 private:
  coordinator::MetadataStore* const inner_;
};

}  // namespace gale::testing
