#include "coordinator/files/replica_catalog.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/files/chunk_report.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// Reader preference: lower is better.
int StateRank(NodeState state) {
  switch (state) {
    case NodeState::kActive:
      return 0;
    case NodeState::kDraining:
      return 1;
    case NodeState::kMaintenance:
      return 2;
    case NodeState::kSuspect:
      return 3;
    default:
      return 9;
  }
}

}  // namespace

bool IsReadable(NodeState state) {
  return state != NodeState::kDead && state != NodeState::kDecommissioned;
}

void ReplicaCatalog::Changed() {
  absl::MutexLock lock(&mu_);
  ++generation_;
}

uint64_t ReplicaCatalog::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

uint64_t ReplicaCatalog::WaitForChange(uint64_t seen, absl::Time deadline) const {
  absl::MutexLock lock(&mu_);
  auto changed = [this, seen]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return generation_ > seen; };
  mu_.AwaitWithDeadline(absl::Condition(&changed), deadline);
  return generation_;
}

Status ReplicaCatalog::ApplyFullReport(std::string_view node_id, std::vector<ChunkReplica> chunks) {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  RETURN_IF_ERROR(ValidateReplicas(chunks));
  std::sort(chunks.begin(), chunks.end(),
            [](const auto& a, const auto& b) { return a.chunk_id < b.chunk_id; });
  chunks.erase(std::unique(chunks.begin(), chunks.end(),
                           [](const auto& a, const auto& b) { return a.chunk_id == b.chunk_id; }),
               chunks.end());
  RETURN_IF_ERROR(store_->ReplaceNodeReplicas(node_id, chunks, clock_->Now()));
  Changed();
  spdlog::info("node {} reported {} chunks", node_id, chunks.size());
  return absl::OkStatus();
}

Status ReplicaCatalog::ApplyChanges(std::string_view node_id,
                                    const std::vector<ChunkReplica>& received,
                                    const std::vector<std::string>& deleted,
                                    const std::vector<std::string>& corrupt) {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  RETURN_IF_ERROR(ValidateChunkChanges(received, deleted, corrupt));
  RETURN_IF_ERROR(store_->ApplyReplicaChanges(node_id, received, deleted, corrupt, clock_->Now()));
  for (const auto& chunk_id : corrupt) {
    spdlog::warn("node {} found its copy of chunk {} corrupt", node_id, chunk_id);
  }
  corrupt_total_.fetch_add(static_cast<int64_t>(corrupt.size()));
  Changed();
  return absl::OkStatus();
}

Status ReplicaCatalog::ReportBad(std::string_view chunk_id, std::string_view node_id,
                                 std::string_view reason) {
  RETURN_IF_ERROR(common::ValidateChunkId(chunk_id));
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  RETURN_IF_ERROR(store_->FlagReplica(chunk_id, node_id, clock_->Now()));
  corrupt_total_.fetch_add(1);
  spdlog::warn("replica of chunk {} on node {} reported bad: {}", chunk_id, node_id,
               reason.empty() ? "no reason given" : reason);
  Changed();
  return absl::OkStatus();
}

Result<absl::flat_hash_map<std::string, std::vector<LiveReplica>>> ReplicaCatalog::LiveReplicas(
    const std::vector<std::string>& chunk_ids) const {
  ASSIGN_OR_RETURN(std::vector<std::vector<ChunkCopy>> copies, store_->GetCopies(chunk_ids));
  std::vector<std::vector<LiveReplica>> live = LiveOf(std::move(copies));
  absl::flat_hash_map<std::string, std::vector<LiveReplica>> out;
  out.reserve(chunk_ids.size());
  for (size_t i = 0; i < chunk_ids.size(); ++i) {
    out.try_emplace(chunk_ids[i], std::move(live[i]));  // an id named twice: its first
  }
  return out;
}

std::vector<std::vector<LiveReplica>> ReplicaCatalog::LiveOf(
    std::vector<std::vector<ChunkCopy>> copies) const {
  // The nodes named, each once (a file's chunks sit on the same few).
  absl::flat_hash_set<std::string_view> named;
  std::vector<std::string> node_ids;
  for (const auto& chunk : copies) {
    for (const ChunkCopy& copy : chunk) {
      if (named.insert(copy.node_id).second) node_ids.push_back(copy.node_id);
    }
  }
  const std::map<std::string, NodeBrief> nodes = registry_->Briefs(node_ids);
  // Healthiest and least loaded first, then by id.
  auto order = [](const LiveReplica& r, const NodeBrief& node) {
    return std::tuple(StateRank(r.node_state), node.bandwidth_up, std::string_view(r.node_id));
  };

  std::vector<std::vector<LiveReplica>> out(copies.size());
  std::vector<std::pair<LiveReplica, const NodeBrief*>> live;
  for (size_t i = 0; i < copies.size(); ++i) {
    live.clear();
    for (ChunkCopy& copy : copies[i]) {
      if (copy.state != ReplicaState::kStored) continue;
      auto node = nodes.find(copy.node_id);
      if (node == nodes.end() || !IsReadable(node->second.state)) continue;
      live.push_back(
          {{std::move(copy.node_id), node->second.address, node->second.state}, &node->second});
    }
    std::sort(live.begin(), live.end(), [&](const auto& a, const auto& b) {
      return order(a.first, *a.second) < order(b.first, *b.second);
    });
    out[i].reserve(live.size());
    for (auto& [replica, node] : live) out[i].push_back(std::move(replica));
  }
  return out;
}

Result<std::map<std::string, std::vector<std::string>>> ReplicaCatalog::Holders(
    const std::vector<std::string>& chunk_ids) const {
  ASSIGN_OR_RETURN(std::vector<ReplicaRecord> rows, store_->GetReplicas(chunk_ids));
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& row : rows) out[row.chunk_id].push_back(row.node_id);
  return out;
}

Result<std::vector<ChunkReplica>> ReplicaCatalog::ReplicasOn(std::string_view node_id,
                                                             std::string_view after,
                                                             int limit) const {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  return store_->ListNodeReplicas(node_id, after, limit);
}

Result<ReplicaTotals> ReplicaCatalog::TotalsOn(std::string_view node_id) const {
  RETURN_IF_ERROR(registry_->Get(node_id).status());
  return store_->CountNodeReplicas(node_id);
}

}  // namespace gale::coordinator
