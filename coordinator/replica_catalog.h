#pragma once

#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "coordinator/metadata_store.h"
#include "coordinator/node_registry.h"
#include "coordinator/replica_record.h"

namespace gale::coordinator {

// Where chunks really are, as nodes report them: the coordinator believes a
// node's own inventory, not a client's word or a placement plan. Thread-safe
// (state lives in the store).
class ReplicaCatalog {
 public:
  // Everything must outlive the catalog.
  ReplicaCatalog(MetadataStore* store, const NodeRegistry* registry, common::Clock* clock)
      : store_(store), registry_(registry), clock_(clock) {}

  // Replaces what `node_id` holds with `chunks` (its full inventory).
  // NOT_FOUND for an unknown node; INVALID_ARGUMENT (naming the entry) for a
  // bad chunk id or size, in which case nothing changes.
  Status ApplyFullReport(std::string_view node_id, std::vector<ChunkReplica> chunks);

  // A page of the chunks recorded on `node_id`: up to `limit` with ids after
  // `after`, by id. NOT_FOUND for an unknown node.
  Result<std::vector<ChunkReplica>> ReplicasOn(std::string_view node_id, std::string_view after,
                                               int limit) const;
  Result<ReplicaTotals> TotalsOn(std::string_view node_id) const;

 private:
  MetadataStore* const store_;
  const NodeRegistry* const registry_;
  common::Clock* const clock_;
};

}  // namespace gale::coordinator
