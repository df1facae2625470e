#include "coordinator/replica_catalog.h"

#include <algorithm>

#include "common/ids.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {

Status ReplicaCatalog::ApplyFullReport(std::string_view node_id,
                                       std::vector<ChunkReplica> chunks) {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  for (size_t i = 0; i < chunks.size(); ++i) {
    RETURN_IF_ERROR(common::ValidateChunkId(chunks[i].chunk_id, StrCat("chunks[", i, "].chunk_id")));
    if (chunks[i].size < 0) {
      return absl::InvalidArgumentError(StrCat("field 'chunks[", i, "].size' must be >= 0"));
    }
  }
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.chunk_id < b.chunk_id; });
  chunks.erase(std::unique(chunks.begin(), chunks.end(),
                           [](const auto& a, const auto& b) { return a.chunk_id == b.chunk_id; }),
               chunks.end());
  RETURN_IF_ERROR(store_->ReplaceNodeReplicas(node_id, chunks, clock_->Now()));
  spdlog::info("node {} reported {} chunks", node_id, chunks.size());
  return absl::OkStatus();
}

Result<std::vector<ChunkReplica>> ReplicaCatalog::ReplicasOn(std::string_view node_id,
                                                             std::string_view after,
                                                             int limit) const {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  return store_->ListNodeReplicas(node_id, after, limit);
}

Result<ReplicaTotals> ReplicaCatalog::TotalsOn(std::string_view node_id) const {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  return store_->CountNodeReplicas(node_id);
}

}  // namespace gale::coordinator
