#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"
#include "coordinator/node_record.h"
#include "coordinator/replica_record.h"

namespace gale::coordinator {

// The coordinator's durable truth: nodes now; files, chunks, replicas and
// tasks as later capabilities add them. One interface, one implementation per
// database (SQLite embedded, PostgreSQL for production), all passing the same
// conformance tests. Implementations are thread-safe. Errors: UNAVAILABLE when
// the database cannot be reached or is busy (retry), FAILED_PRECONDITION for a
// schema this binary does not know, INTERNAL otherwise.
class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // "sqlite" or "postgres".
  virtual std::string_view backend() const = 0;

  // Applies every migration not yet applied, in order, each in its own
  // transaction, recording it in schema_migrations.
  virtual Status Migrate() = 0;
  // The highest applied migration version (0 for an empty database).
  virtual Result<int> SchemaVersion() = 0;
  // OK when the database answers and every migration is applied.
  virtual Status CheckReady() = 0;

  // The cluster's identity: created with `new_id` and `now` on first call,
  // returned unchanged afterwards.
  virtual Result<ClusterInfo> GetOrCreateCluster(std::string_view new_id, absl::Time now) = 0;

  // Inserts or replaces a node (all fields), durably.
  virtual Status UpsertNode(const NodeRecord& node) = 0;
  // Writes the liveness fields (state, last heartbeat, stats) of existing
  // nodes in one transaction: the batched flush that keeps heartbeats from
  // costing a durable write each.
  virtual Status UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) = 0;
  // Every node, ordered by id.
  virtual Result<std::vector<NodeRecord>> ListNodes() = 0;

  // Replaces, in one transaction, the replicas recorded on `node_id` with
  // `chunks` (a node's full report).
  virtual Status ReplaceNodeReplicas(std::string_view node_id,
                                     const std::vector<ChunkReplica>& chunks, absl::Time now) = 0;
  // Up to `limit` replicas recorded on `node_id` with chunk id > `after`,
  // ordered by chunk id (a page; `after` = "" starts at the beginning).
  virtual Result<std::vector<ChunkReplica>> ListNodeReplicas(std::string_view node_id,
                                                             std::string_view after, int limit) = 0;
  virtual Result<ReplicaTotals> CountNodeReplicas(std::string_view node_id) = 0;
};

}  // namespace gale::coordinator
