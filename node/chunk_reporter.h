#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "client/coordinator_client.h"
#include "common/status.h"
#include "node/chunk_store.h"
#include "node/node_identity.h"

namespace gale::node {

// Tells the coordinator about each chunk this node stores, deletes or finds
// corrupt, right after it happens (a commit waits for exactly these reports).
// Changes queue up as the ChunkStore reports them; RunOnce() sends them in
// one batch, and the owner's loop runs it as soon as something is queued.
// The data API acknowledges a write only once its report has been delivered
// (WaitDelivered), so that a node dying right after an acknowledgement still
// leaves the coordinator knowing the replica exists.
// While the node is unregistered or the coordinator is unreachable changes
// keep queuing; past `max_queue` they are dropped and `on_overflow` asks for
// a full report instead. Thread-safe.
class ChunkReporter final : public ChunkListener {
 public:
  // `on_change` is called after each queued change (to wake the sender);
  // `on_overflow` when changes had to be dropped.
  ChunkReporter(client::CoordinatorClient* coordinator, const NodeIdentity* identity,
                std::function<bool()> registered, std::function<void()> on_change,
                std::function<void()> on_overflow, size_t max_queue = 100000);

  void OnStored(const std::string& id, int64_t size) override;
  void OnDeleted(const std::string& id) override;
  void OnCorrupt(const std::string& id) override;

  // Sends what is queued; on failure it stays queued.
  Status RunOnce();
  // Runs `full_report` while no change report is in flight, so that changes
  // made after its inventory was taken reach the coordinator after it.
  Status Exclusively(const std::function<Status()>& full_report);
  size_t queued() const;
  // Waits until every change queued before the call has reached the
  // coordinator, or `timeout` passes (coordinator away, node unregistered:
  // then a full report covers it later). True when delivered.
  bool WaitDelivered(absl::Duration timeout);

 private:
  struct Change {
    enum Kind { kStored, kDeleted, kCorrupt } kind;
    std::string id;
    int64_t size = 0;
  };
  void Queue(Change change);

  client::CoordinatorClient* const coordinator_;
  const NodeIdentity* const identity_;
  const std::function<bool()> registered_;
  const std::function<void()> on_change_;
  const std::function<void()> on_overflow_;
  const size_t max_queue_;
  absl::Mutex send_mu_ ABSL_ACQUIRED_BEFORE(mu_);  // one report in flight at a time
  mutable absl::Mutex mu_;
  std::vector<Change> queue_ ABSL_GUARDED_BY(mu_);
  uint64_t queued_seq_ ABSL_GUARDED_BY(mu_) = 0;     // changes ever queued
  uint64_t delivered_seq_ ABSL_GUARDED_BY(mu_) = 0;  // of those, delivered or dropped
};

}  // namespace gale::node
