#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/store/file_record.h"

namespace gale::coordinator {

// One chunk as a node reports holding it.
struct ChunkReplica {
  std::string chunk_id;  // lowercase hex SHA-256
  int64_t size = 0;
};

// How much one node holds.
struct ReplicaTotals {
  int64_t chunks = 0;
  int64_t bytes = 0;
};

// What the coordinator believes of one replica: `stored` as the node
// reported; `deleting` once the node has been ordered to delete it (never
// counted, never a placement target); `corrupt` when a reader or the node
// found it bad (never counted or read until the node reports it again).
enum class ReplicaState : uint8_t { kStored, kDeleting, kCorrupt };

std::string_view ReplicaStateName(ReplicaState state);
Result<ReplicaState> ParseReplicaState(std::string_view name);

struct ReplicaRecord {
  std::string chunk_id;
  std::string node_id;
  ReplicaState state = ReplicaState::kStored;
};

// One copy of a chunk the caller named: ReplicaRecord without the chunk id.
struct ChunkCopy {
  std::string node_id;
  ReplicaState state = ReplicaState::kStored;
};

// One chunk of a file with its copies (by node id).
struct FileChunkCopies {
  FileChunkRef ref;
  std::vector<ChunkCopy> copies;
};

}  // namespace gale::coordinator
