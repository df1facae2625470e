#pragma once

#include <cstdint>
#include <string>

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

}  // namespace gale::coordinator
