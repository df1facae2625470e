#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/node_record.h"

namespace gale::coordinator {

struct NodeRegistryOptions {
  absl::Duration node_timeout = absl::Seconds(15);  // active -> suspect
  absl::Duration dead_after = absl::Seconds(60);    // -> dead
  // This coordinator's cluster: nodes whose data belongs to another cluster
  // are refused. Empty: no check.
  std::string cluster_id;
};

// What a node declares when it registers.
struct NodeRegistration {
  std::string node_id;  // empty: the registry assigns a UUID
  std::vector<std::string> addresses;
  int64_t capacity_bytes = 0;
  std::string zone;
  std::string version;
  std::map<std::string, std::string> capabilities;
  std::string cluster_id;  // the cluster the node's data belongs to; empty if new
};

struct RegisterResult {
  NodeRecord node;
  bool created = false;
  std::vector<std::string> bootstrap_peers;  // addresses of up to 5 other active nodes
};

struct HeartbeatResult {
  NodeState state = NodeState::kActive;
  // The node was declared dead: it must register again and report its chunks.
  bool needs_reregister = false;
};

// What readers and placement need to know of a node, cheaply.
struct NodeBrief {
  std::string address;  // first advertised address
  std::string zone;
  NodeState state = NodeState::kActive;
  int64_t available_bytes = 0;
  int64_t bandwidth_up = 0;
};

// Totals over the nodes, for network status and metrics.
struct NodeSummary {
  std::map<NodeState, int> by_state;  // every state present, zero or not
  int total = 0;
  int64_t active_capacity_bytes = 0;
  int64_t active_used_bytes = 0;
  double average_active_uptime_seconds = 0;
};

// The coordinator's view of every node: registration, heartbeats, liveness.
//
// All nodes live in memory; registration, unregistration and operator changes
// are written to the store before they return. Heartbeats only touch memory
// and mark the node dirty; RunOnce() (a background loop) applies liveness
// transitions and flushes dirty nodes in one batched write, so a heartbeat
// never costs a durable write. Reads compute each node's state from the clock,
// so they are exact between runs. Thread-safe.
class NodeRegistry {
 public:
  // `store` and `clock` must outlive the registry.
  NodeRegistry(MetadataStore* store, common::Clock* clock, NodeRegistryOptions options);

  // Loads the nodes from the store. Nodes that were active or suspect get a
  // fresh liveness window from now (a restarted coordinator must not declare
  // the whole cluster dead); dead and operator states stay as they were.
  Status Load();

  // Registers a node, or updates a known one (keeping its registration time
  // and any operator state; a dead node becomes active again).
  // INVALID_ARGUMENT for a bad id, address, capacity or capability;
  // FAILED_PRECONDITION when the node's data belongs to another cluster.
  Result<RegisterResult> Register(NodeRegistration registration);

  // Records liveness and stats. NOT_FOUND for an unknown node;
  // INVALID_ARGUMENT for bad stats; a dead node gets needs_reregister.
  Result<HeartbeatResult> Heartbeat(std::string_view node_id, const NodeStats& stats);

  // The node leaves for good: it is marked dead (its record stays).
  // NOT_FOUND for an unknown node.
  Status Unregister(std::string_view node_id, std::string_view reason);

  // Operator switch for maintenance. FAILED_PRECONDITION for a draining or
  // decommissioned node; NOT_FOUND for an unknown one.
  Result<NodeRecord> SetMaintenance(std::string_view node_id, bool enabled);

  // Operator decommission: the node turns draining (no placements; the
  // replication manager copies its chunks elsewhere, then marks it
  // decommissioned). Idempotent for a draining or decommissioned node.
  // FAILED_PRECONDITION for a dead node (its chunks are re-replicated
  // already); NOT_FOUND for an unknown one.
  Result<NodeRecord> Drain(std::string_view node_id);
  // A draining node whose chunks all live elsewhere becomes decommissioned.
  // FAILED_PRECONDITION when it is not draining.
  Result<NodeRecord> Decommission(std::string_view node_id);

  // Records carry the state as of now.
  Result<NodeRecord> Get(std::string_view node_id) const;
  std::vector<NodeRecord> List() const;  // by id
  // Active nodes not in `exclude`, most available storage first; limit <= 0
  // means all.
  std::vector<NodeRecord> Active(int limit, const std::vector<std::string>& exclude) const;
  NodeSummary Summarize() const;
  // Briefs of the given nodes as of now; unknown ids are left out.
  std::map<std::string, NodeBrief> Briefs(const std::vector<std::string>& node_ids) const;
  int64_t heartbeats_total() const { return heartbeats_total_.load(); }

  // Applies liveness transitions (logging each) and writes dirty nodes to the
  // store in one transaction. On a store error the nodes stay dirty. Only the
  // leading coordinator (SetLeader) writes transitions; the others flush the
  // heartbeats they received.
  Status RunOnce();
  // Whether this coordinator runs the failure detector (default true).
  void SetLeader(bool leader) { leader_.store(leader); }

  // Merges what other coordinators sharing the store wrote: heartbeats newer
  // than this registry's, registrations, operator states and deaths, and
  // forgets nodes the store no longer has. Stored wall-clock heartbeat times
  // become this coordinator's monotonic last-seen times (coordinator clocks
  // are assumed to agree within a small fraction of node_timeout).
  Status Refresh();

 private:
  struct Entry {
    NodeRecord record;         // state as last applied
    absl::Duration last_seen;  // monotonic time of the last sign of life
  };

  // Durably sets a node's stored state to next(current state); returns the
  // node as of now. NOT_FOUND for an unknown node; next's error aborts.
  Result<NodeRecord> ChangeState(std::string_view node_id,
                                 const std::function<Result<NodeState>(NodeState)>& next);
  NodeState EffectiveState(const Entry& entry, absl::Duration now) const;
  NodeRecord Snapshot(const Entry& entry, absl::Duration now) const;
  std::vector<std::string> BootstrapPeers(std::string_view except, absl::Duration now) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  MetadataStore* const store_;
  common::Clock* const clock_;
  const NodeRegistryOptions options_;

  // Serializes durable writes (register, unregister, maintenance, flush), so
  // that a flush never writes an older version over a newer one. Taken before mu_.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  std::map<std::string, Entry, std::less<>> nodes_ ABSL_GUARDED_BY(mu_);
  std::set<std::string, std::less<>> dirty_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> heartbeats_total_{0};
  std::atomic<bool> leader_{true};
};

// Validates a registration; field names as in the APIs.
Status ValidateRegistration(const NodeRegistration& registration);

}  // namespace gale::coordinator
