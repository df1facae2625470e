#include "coordinator/files/placement_policy.h"

#include <algorithm>

#include "common/strings.h"

namespace gale::coordinator {
namespace {

// Unlabeled nodes are each their own failure domain.
std::string ZoneKey(const PlacementCandidate& node) {
  return node.zone.empty() ? StrCat("node:", node.node_id) : StrCat("zone:", node.zone);
}

}  // namespace

PlacementCandidate PlacementCandidate::FromNode(const NodeRecord& node) {
  return {node.id, node.addresses.empty() ? "" : node.addresses.front(), node.zone,
          node.stats.storage_available};
}

PlacementPolicy::PlacementPolicy(std::vector<PlacementCandidate> nodes, int64_t reserve_bytes,
                                 uint64_t seed)
    : nodes_(std::move(nodes)), reserve_bytes_(reserve_bytes), rng_(seed) {}

int64_t PlacementPolicy::placed(const std::string& node_id) const {
  auto it = placed_.find(node_id);
  return it == placed_.end() ? 0 : it->second;
}

int64_t PlacementPolicy::FreeAfterPlacement(const PlacementCandidate& node) const {
  return node.available_bytes - reserve_bytes_ - placed(node.node_id);
}

Result<std::vector<PlacementCandidate>> PlacementPolicy::Place(
    int64_t size, int count, const std::set<std::string>& exclude,
    const std::set<std::string>& zones_in_use) {
  std::vector<const PlacementCandidate*> eligible;
  for (const auto& node : nodes_) {
    if (!exclude.contains(node.node_id) && FreeAfterPlacement(node) >= size) {
      eligible.push_back(&node);
    }
  }
  if (static_cast<int>(eligible.size()) < count) {
    if (nodes_.empty()) {
      return absl::ResourceExhaustedError("no active nodes: start gale-node or check `gale nodes`");
    }
    return absl::ResourceExhaustedError(
        StrCat("need ", count, " active nodes with ", size, " bytes free for this chunk, found ",
               eligible.size(), " (", nodes_.size(), " active, ", exclude.size(),
               " excluded); start more gale-node processes or free space"));
  }
  std::vector<PlacementCandidate> chosen;
  std::set<std::string> used_zones;
  for (const std::string& zone : zones_in_use) {
    if (!zone.empty()) used_zones.insert(StrCat("zone:", zone));
  }
  for (int k = 0; k < count; ++k) {
    // Prefer nodes in zones this chunk does not use yet.
    std::vector<const PlacementCandidate*> pool;
    for (const auto* node : eligible) {
      if (!used_zones.contains(ZoneKey(*node))) pool.push_back(node);
    }
    if (pool.empty()) pool = eligible;
    std::vector<double> weights;
    for (const auto* node : pool) {
      weights.push_back(static_cast<double>(std::max<int64_t>(1, FreeAfterPlacement(*node))));
    }
    std::discrete_distribution<size_t> pick(weights.begin(), weights.end());
    const PlacementCandidate* node = pool[pick(rng_)];
    chosen.push_back(*node);
    used_zones.insert(ZoneKey(*node));
    placed_[node->node_id] += size;
    eligible.erase(std::find(eligible.begin(), eligible.end(), node));
  }
  return chosen;
}

}  // namespace gale::coordinator
