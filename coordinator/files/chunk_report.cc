#include "coordinator/files/chunk_report.h"

#include "common/ids.h"
#include "common/strings.h"

namespace gale::coordinator {
namespace {

Status ValidateChunkIds(const std::vector<std::string>& ids, std::string_view field) {
  for (size_t i = 0; i < ids.size(); ++i) {
    RETURN_IF_ERROR(common::ValidateChunkId(ids[i], StrCat(field, "[", i, "]")));
  }
  return absl::OkStatus();
}

}  // namespace

ChunkChanges DecodeChunkChanges(const v1::ReportChunkChangesRequest& request) {
  ChunkChanges changes;
  changes.node_id = request.node_id();
  for (const auto& c : request.received()) changes.received.push_back({c.chunk_id(), c.size()});
  changes.deleted.assign(request.deleted().begin(), request.deleted().end());
  changes.corrupt.assign(request.corrupt().begin(), request.corrupt().end());
  return changes;
}

Status ValidateChunkChanges(const std::vector<ChunkReplica>& received,
                            const std::vector<std::string>& deleted,
                            const std::vector<std::string>& corrupt) {
  RETURN_IF_ERROR(ValidateReplicas(received));
  RETURN_IF_ERROR(ValidateChunkIds(deleted, "deleted"));
  return ValidateChunkIds(corrupt, "corrupt");
}

void AppendReportBatch(const v1::ReportChunksRequest& batch, std::vector<ChunkReplica>* chunks) {
  for (const auto& entry : batch.chunks()) chunks->push_back({entry.chunk_id(), entry.size()});
}

Status ValidateReplicas(const std::vector<ChunkReplica>& chunks) {
  for (size_t i = 0; i < chunks.size(); ++i) {
    RETURN_IF_ERROR(
        common::ValidateChunkId(chunks[i].chunk_id, StrCat("chunks[", i, "].chunk_id")));
    if (chunks[i].size < 0) {
      return absl::InvalidArgumentError(StrCat("field 'chunks[", i, "].size' must be >= 0"));
    }
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
