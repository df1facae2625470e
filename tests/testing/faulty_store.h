#pragma once

#include <atomic>

#include "coordinator/store/forwarding_store.h"

namespace gale::testing {

// Wraps a real store, counts the node writes that reach it and fails them on
// demand, for tests of batching and error handling. Thread-safe.
class FaultyStore final : public coordinator::ForwardingStore {
 public:
  using coordinator::ForwardingStore::ForwardingStore;

  std::atomic<bool> fail_writes{false};
  std::atomic<int> upserts{0};
  std::atomic<int> liveness_batches{0};

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
};

}  // namespace gale::testing
