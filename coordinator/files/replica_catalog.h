#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/replica_record.h"

namespace gale::coordinator {

// A replica a reader can use now.
struct LiveReplica {
  std::string node_id;
  std::string address;
  NodeState node_state = NodeState::kActive;
};

// Whether a node in `state` can serve its replicas (everything but dead and
// decommissioned).
bool IsReadable(NodeState state);

// Where chunks really are, as nodes report them: the coordinator believes a
// node's own inventory, not a client's word or a placement plan. Keeps a
// change counter so that commits can wait for the replicas they need.
// Thread-safe (replica state lives in the store).
class ReplicaCatalog {
 public:
  // Everything must outlive the catalog.
  ReplicaCatalog(MetadataStore* store, const NodeRegistry* registry, common::Clock* clock)
      : store_(store), registry_(registry), clock_(clock) {}

  // Replaces what `node_id` holds with `chunks` (its full inventory).
  // NOT_FOUND for an unknown node; INVALID_ARGUMENT (naming the entry) for a
  // bad chunk id or size, in which case nothing changes.
  Status ApplyFullReport(std::string_view node_id, std::vector<ChunkReplica> chunks);
  // A node's incremental report. Same errors; nothing changes on error.
  Status ApplyChanges(std::string_view node_id, const std::vector<ChunkReplica>& received,
                      const std::vector<std::string>& deleted,
                      const std::vector<std::string>& corrupt);
  // A reader found `node_id`'s copy of `chunk_id` bad or missing: it is no
  // longer counted or offered, and the node is ordered to verify it (a good
  // copy counts again, a bad one is forgotten).
  Status ReportBad(std::string_view chunk_id, std::string_view node_id, std::string_view reason);

  // For each chunk id, its live replicas best first: active nodes, then
  // draining, maintenance, suspect; the least loaded first within each.
  // Replicas on dead nodes and replicas marked deleting or corrupt are left
  // out. Every requested id has an entry.
  Result<absl::flat_hash_map<std::string, std::vector<LiveReplica>>> LiveReplicas(
      const std::vector<std::string>& chunk_ids) const;
  // The same for copies already read (GetCopies, GetFileChunkCopies): the
  // live ones of each, best first, in the same order.
  std::vector<std::vector<LiveReplica>> LiveOf(std::vector<std::vector<ChunkCopy>> copies) const;
  // Nodes holding any replica row of each chunk, live or not: never placement
  // targets for that chunk.
  Result<std::map<std::string, std::vector<std::string>>> Holders(
      const std::vector<std::string>& chunk_ids) const;

  // A page of the chunks recorded on `node_id`: up to `limit` with ids after
  // `after`, by id. NOT_FOUND for an unknown node.
  Result<std::vector<ChunkReplica>> ReplicasOn(std::string_view node_id, std::string_view after,
                                               int limit) const;
  Result<ReplicaTotals> TotalsOn(std::string_view node_id) const;

  // Counts replica changes; WaitForChange blocks until the count passes
  // `seen` or `deadline` (real time) passes, and returns the count.
  uint64_t generation() const;
  // Bad replicas reported since start, by nodes (quarantined) and readers.
  int64_t corrupt_total() const { return corrupt_total_.load(); }
  uint64_t WaitForChange(uint64_t seen, absl::Time deadline) const;

 private:
  void Changed();

  MetadataStore* const store_;
  const NodeRegistry* const registry_;
  common::Clock* const clock_;
  mutable absl::Mutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  std::atomic<int64_t> corrupt_total_{0};
};

}  // namespace gale::coordinator
