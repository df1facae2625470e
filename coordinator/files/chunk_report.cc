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

Status ValidateChunkChanges(const std::vector<ChunkReplica>& received,
                            const std::vector<std::string>& deleted,
                            const std::vector<std::string>& corrupt) {
  RETURN_IF_ERROR(ValidateReplicas(received));
  RETURN_IF_ERROR(ValidateChunkIds(deleted, "deleted"));
  return ValidateChunkIds(corrupt, "corrupt");
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
