#pragma once

#include <string>
#include <vector>

#include "bench/sim_nodes.h"
#include "common/status.h"
#include "proto/coordinator.grpc.pb.h"

namespace gale::bench {

// A file registered the way a client uploads one, without bytes: CreateFile,
// AllocateChunks for `chunks` new chunk ids (write mode sync: a target for
// every copy), a stored-report from each target (simulated nodes),
// CommitFile. Fills `file_id` and `chunk_ids` (either may be null).
Status CommitSyntheticFile(v1::Coordinator::Stub* stub, SimulatedNodes* nodes,
                           const std::string& name, int chunks, int64_t chunk_size,
                           std::string* file_id, std::vector<std::string>* chunk_ids);

}  // namespace gale::bench
