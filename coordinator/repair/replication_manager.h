#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/files/placement_policy.h"
#include "coordinator/files/replica_catalog.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

struct ReplicationOptions {
  // Transfers a node takes part in at once, as source or target.
  int max_replications_per_node = 4;
  // Transfers in flight in the whole cluster.
  int max_replications_total = 256;
  // After a chunk's replication fails, wait this long (doubling with each
  // further failure, up to 32 times) before trying it again elsewhere.
  absl::Duration retry_after = absl::Seconds(5);
  int64_t placement_reserve_bytes = 0;
  // Unbalanced chunks and a decommissioned node's replicas handled per run.
  int batch = 10000;
  // The repair rate is averaged over this window (or over the time since
  // repair work began, when shorter).
  absl::Duration rate_window = absl::Seconds(60);
};

// How far a draining node is from being decommissioned.
struct DrainProgress {
  int64_t chunks_left = 0;  // its chunks not yet at their factor elsewhere
  int64_t bytes_left = 0;
  double eta_seconds = -1;  // at the current repair rate; -1 when nothing moves
};

// The replication picture as of the last run, for status views and metrics.
struct ReplicationStatus {
  ReplicationHealth health;
  double repair_bytes_per_second = 0;
  // 0 when fully redundant; -1 when chunks are missing but nothing moves.
  double seconds_to_redundancy = 0;
  std::map<std::string, DrainProgress> drains;  // by draining node id
  int64_t open_tasks = 0;                       // pending or assigned, of any kind
  absl::Time as_of = absl::UnixEpoch();         // UnixEpoch: no run yet
};

// What one run did, for logs and tests.
struct ReplicationRun {
  int replications = 0;  // replicate tasks ordered
  int trims = 0;         // surplus replicas ordered deleted
  int cancelled = 0;     // pending replications whose target went away
  int decommissioned = 0;
  int drained_deletes = 0;  // replicas of decommissioned nodes ordered deleted
};

// Brings every chunk of a complete file back to its replication factor. Each
// RunOnce() (a background loop on the coordinator):
//  - cancels pending replications whose target is no longer active;
//  - orders replicate tasks for chunks below their factor, fewest live
//    replicas first: source the best live replica, target chosen by the
//    placement policy (never a node that holds or is receiving the chunk, nor
//    one whose copy just failed); within the per-node and cluster-wide limits
//    and backing off from chunks whose replication keeps failing;
//  - trims chunks above their factor (only when no task is open for them and
//    enough copies sit on active nodes), deleting from nodes that share a
//    zone with another copy first, then the fullest;
//  - turns a draining node decommissioned once all its chunks live at their
//    factor elsewhere, and orders a decommissioned node's copies deleted;
//  - refreshes the status (health, repair rate, drain progress).
// Replicas count towards the factor on active, suspect and maintenance
// nodes: a node is not re-replicated while it is briefly silent or in
// maintenance, only once it is dead (or draining). Thread-safe; runs are
// serialized.
class ReplicationManager {
 public:
  // Everything must outlive the manager.
  ReplicationManager(MetadataStore* store, NodeRegistry* registry, const ReplicaCatalog* replicas,
                     common::Clock* clock, ReplicationOptions options);

  // One planning run, as above: on the leading coordinator only.
  Status RunOnce();
  // Refreshes the status alone and orders nothing: what the coordinators
  // that do not lead run, so that every one of them answers status calls.
  Status ObserveOnce();

  ReplicationStatus status() const;
  ReplicationRun last_run() const;

 private:
  // Open and recently failed tasks, indexed for planning.
  struct TaskView {
    std::map<std::string, int> incoming;                   // chunk -> open replications
    std::map<std::string, std::set<std::string>> targets;  // chunk -> nodes receiving it
    std::set<std::string> busy_chunks;                     // any task open
    std::map<std::string, int> transfers;                  // node -> open replications
    int total = 0;                                         // open replications
    int open = 0;                                          // open tasks of any kind
    std::map<std::string, std::set<std::string>> failed_targets;
    std::map<std::string, std::pair<int, absl::Time>> failures;  // chunk -> count, last
  };
  // The nodes as of this run.
  struct NodeView {
    std::map<std::string, NodeRecord> by_id;
    std::vector<std::string> counting;  // replicas count towards the factor
    std::vector<std::string> readable;  // replicas can be read
  };

  Status Run(bool plan);
  Status LoadTasks(const NodeView& nodes, absl::Time now, bool plan, TaskView* tasks,
                   ReplicationRun* run);
  Status Rebalance(const NodeView& nodes, absl::Time now, TaskView* tasks, ReplicationRun* run);
  Status Replicate(const ChunkBalance& chunk, const std::vector<LiveReplica>& live,
                   const std::vector<std::string>& holders, const NodeView& nodes, absl::Time now,
                   PlacementPolicy* policy, TaskView* tasks, ReplicationRun* run);
  Status Trim(const ChunkBalance& chunk, const std::vector<LiveReplica>& live,
              const NodeView& nodes, absl::Time now, ReplicationRun* run);
  Status Drains(const NodeView& nodes, absl::Time now, double rate, bool plan,
                const TaskView& tasks, ReplicationStatus* status, ReplicationRun* run);
  bool Throttled(const TaskView& tasks, const std::string& node_id) const;

  MetadataStore* const store_;
  NodeRegistry* const registry_;
  const ReplicaCatalog* const replicas_;
  common::Clock* const clock_;
  const ReplicationOptions options_;

  absl::Mutex run_mu_;  // one run at a time
  // When the current stretch of repair work began; unset while healthy.
  std::optional<absl::Time> busy_since_ ABSL_GUARDED_BY(run_mu_);
  mutable absl::Mutex mu_;
  ReplicationStatus status_ ABSL_GUARDED_BY(mu_);
  ReplicationRun last_run_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::coordinator
