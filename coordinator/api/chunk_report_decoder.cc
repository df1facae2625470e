#include "coordinator/api/chunk_report_decoder.h"

namespace gale::coordinator {

ChunkChanges DecodeChunkChanges(const v1::ReportChunkChangesRequest& request) {
  ChunkChanges changes;
  changes.node_id = request.node_id();
  for (const auto& c : request.received()) changes.received.push_back({c.chunk_id(), c.size()});
  changes.deleted.assign(request.deleted().begin(), request.deleted().end());
  changes.corrupt.assign(request.corrupt().begin(), request.corrupt().end());
  return changes;
}

void AppendReportBatch(const v1::ReportChunksRequest& batch, std::vector<ChunkReplica>* chunks) {
  for (const auto& entry : batch.chunks()) chunks->push_back({entry.chunk_id(), entry.size()});
}

}  // namespace gale::coordinator
