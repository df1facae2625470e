#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/store/replica_record.h"

namespace gale::coordinator {

// What nodes report about the chunks they hold, checked before anything of it
// reaches the store: every id a chunk id (64 lowercase hex characters), every
// size >= 0. Pure functions; api/chunk_report_decoder decodes the wire form,
// and the fuzzer feeds both raw bytes (tests/fuzz/chunk_report_fuzz.cc).

// A node's incremental report (ReportChunkChanges).
struct ChunkChanges {
  std::string node_id;
  std::vector<ChunkReplica> received;
  std::vector<std::string> deleted;
  std::vector<std::string> corrupt;  // quarantined by the node
};
Status ValidateChunkChanges(const std::vector<ChunkReplica>& received,
                            const std::vector<std::string>& deleted,
                            const std::vector<std::string>& corrupt);

// INVALID_ARGUMENT naming the entry ("chunks[3].chunk_id").
Status ValidateReplicas(const std::vector<ChunkReplica>& chunks);

}  // namespace gale::coordinator
