#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/store/node_record.h"

namespace gale::coordinator {

// A node that may receive chunks, as placement sees it.
struct PlacementCandidate {
  std::string node_id;
  std::string address;
  std::string zone;             // "" when unlabeled
  int64_t available_bytes = 0;  // as last reported

  static PlacementCandidate FromNode(const NodeRecord& node);
};

// Chooses target nodes for the chunks of one allocation. Pure: no I/O, no
// clock; the same nodes and seed give the same choices. Rules: distinct nodes
// per chunk; distinct zones while unused zones remain (unlabeled nodes count
// as zones of their own); only nodes whose free space, after the reserve and
// what this allocation already placed on them, fits the chunk; among those,
// a random choice weighted by that free space, so load spreads and
// consecutive chunks do not pile onto the same nodes. Not thread-safe.
class PlacementPolicy {
 public:
  // `nodes` are the active nodes.
  PlacementPolicy(std::vector<PlacementCandidate> nodes, int64_t reserve_bytes, uint64_t seed);

  // `count` distinct nodes for a chunk of `size` bytes, none in `exclude`,
  // avoiding the zones in `zones_in_use` (where the chunk already lives)
  // while others qualify. RESOURCE_EXHAUSTED (naming what is missing) when
  // fewer eligible nodes exist.
  Result<std::vector<PlacementCandidate>> Place(int64_t size, int count,
                                                const std::set<std::string>& exclude,
                                                const std::set<std::string>& zones_in_use = {});

  // Bytes this allocation has placed on `node_id` so far.
  int64_t placed(const std::string& node_id) const;

 private:
  int64_t FreeAfterPlacement(const PlacementCandidate& node) const;

  const std::vector<PlacementCandidate> nodes_;
  const int64_t reserve_bytes_;
  std::mt19937_64 rng_;
  std::map<std::string, int64_t> placed_;
};

}  // namespace gale::coordinator
