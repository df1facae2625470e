#pragma once

#include <vector>

#include "coordinator/files/chunk_report.h"
#include "proto/coordinator.pb.h"

namespace gale::coordinator {

// Chunk reports as nodes send them over gRPC, decoded into the domain's plain
// structs; files/chunk_report checks them. Pure functions.

// A node's incremental report (ReportChunkChanges).
ChunkChanges DecodeChunkChanges(const v1::ReportChunkChangesRequest& request);

// One batch of a full report (ReportChunks), appended to `chunks`.
void AppendReportBatch(const v1::ReportChunksRequest& batch, std::vector<ChunkReplica>* chunks);

}  // namespace gale::coordinator
