#include "coordinator/repair/replication_manager.h"

#include <algorithm>
#include <tuple>

#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// Copies that may serve as the source of a transfer, best first.
constexpr size_t kMaxSources = 3;
// Back-off doubles with each failure up to this many doublings.
constexpr int kMaxBackoffDoublings = 5;

}  // namespace

ReplicationManager::ReplicationManager(MetadataStore* store, NodeRegistry* registry,
                                       const ReplicaCatalog* replicas, common::Clock* clock,
                                       ReplicationOptions options)
    : store_(store), registry_(registry), replicas_(replicas), clock_(clock), options_(options) {}

ReplicationStatus ReplicationManager::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

ReplicationRun ReplicationManager::last_run() const {
  absl::MutexLock lock(&mu_);
  return last_run_;
}

bool ReplicationManager::Throttled(const TaskView& tasks, const std::string& node_id) const {
  auto it = tasks.transfers.find(node_id);
  return it != tasks.transfers.end() && it->second >= options_.max_replications_per_node;
}

Status ReplicationManager::RunOnce() { return Run(/*plan=*/true); }

Status ReplicationManager::ObserveOnce() { return Run(/*plan=*/false); }

Status ReplicationManager::Run(bool plan) {
  absl::MutexLock run_lock(&run_mu_);
  const absl::Time now = clock_->Now();
  NodeView nodes;
  for (NodeRecord& node : registry_->List()) {
    switch (node.state) {
      case NodeState::kActive:
      case NodeState::kSuspect:
      case NodeState::kMaintenance:
        nodes.counting.push_back(node.id);
        nodes.readable.push_back(node.id);
        break;
      case NodeState::kDraining:
        nodes.readable.push_back(node.id);
        break;
      default:
        break;
    }
    std::string id = node.id;
    nodes.by_id.emplace(std::move(id), std::move(node));
  }

  ReplicationRun run;
  TaskView tasks;
  RETURN_IF_ERROR(LoadTasks(nodes, now, plan, &tasks, &run));
  ReplicationStatus status;
  ASSIGN_OR_RETURN(status.health, store_->Health(nodes.counting, nodes.readable));
  // Both are scans of every chunk: the search for chunks to copy or trim
  // runs only when the counts say there are some.
  if (plan && (status.health.under_replicated > 0 || status.health.over_replicated > 0)) {
    RETURN_IF_ERROR(Rebalance(nodes, now, &tasks, &run));
    // Trims take replicas out of the count at once.
    if (run.trims > 0) {
      ASSIGN_OR_RETURN(status.health, store_->Health(nodes.counting, nodes.readable));
    }
  }
  // Average over the window, or over the time since repair work began when
  // that is shorter, so that the first estimates are not diluted by idle time.
  const bool busy = status.health.missing_bytes > 0 || tasks.open > 0;
  if (!busy) {
    busy_since_.reset();
  } else if (!busy_since_.has_value()) {
    busy_since_ = now;
  }
  const absl::Duration window =
      busy_since_.has_value()
          ? std::clamp(now - *busy_since_, absl::Seconds(1), options_.rate_window)
          : options_.rate_window;
  ASSIGN_OR_RETURN(int64_t moved, store_->ReplicatedBytesSince(now - window));
  const double rate = static_cast<double>(moved) / absl::ToDoubleSeconds(window);
  status.repair_bytes_per_second = rate;
  if (status.health.missing_bytes == 0) {
    status.seconds_to_redundancy = 0;
  } else {
    status.seconds_to_redundancy =
        rate > 0 ? static_cast<double>(status.health.missing_bytes) / rate : -1;
  }
  RETURN_IF_ERROR(Drains(nodes, now, rate, plan, tasks, &status, &run));
  status.open_tasks = tasks.open + run.replications + run.trims + run.drained_deletes;
  status.as_of = now;

  if (run.replications + run.trims + run.cancelled + run.decommissioned + run.drained_deletes > 0) {
    spdlog::info(
        "replication: ordered {} copies and {} surplus deletions, cancelled {}, decommissioned "
        "{} nodes ({} copies on decommissioned nodes ordered deleted); {} chunks "
        "under-replicated, {} lost",
        run.replications, run.trims, run.cancelled, run.decommissioned, run.drained_deletes,
        status.health.under_replicated, status.health.lost);
  }
  absl::MutexLock lock(&mu_);
  status_ = std::move(status);
  last_run_ = run;
  return absl::OkStatus();
}

Status ReplicationManager::LoadTasks(const NodeView& nodes, absl::Time now, bool plan,
                                     TaskView* tasks, ReplicationRun* run) {
  const absl::Duration longest_backoff = options_.retry_after * (1 << kMaxBackoffDoublings);
  ASSIGN_OR_RETURN(std::vector<TaskRecord> recent, store_->RecentTasks(now - longest_backoff));
  for (const TaskRecord& task : recent) {
    const bool open = task.state == TaskState::kPending || task.state == TaskState::kAssigned;
    if (open) ++tasks->open;
    if (task.kind != TaskKind::kReplicate) {
      if (open) tasks->busy_chunks.insert(task.chunk_id);
      continue;
    }
    if (!open) {  // failed: back off, and try another target
      auto& [count, last] = tasks->failures[task.chunk_id];
      ++count;
      last = std::max(last, task.finished_at);
      tasks->failed_targets[task.chunk_id].insert(task.node_id);
      continue;
    }
    auto target = nodes.by_id.find(task.node_id);
    if (plan && task.state == TaskState::kPending &&
        (target == nodes.by_id.end() || target->second.state != NodeState::kActive)) {
      // Waiting for a node that cannot take it: plan again elsewhere now.
      RETURN_IF_ERROR(store_->CancelTask(task.id, "the target node is no longer active", now));
      --tasks->open;
      tasks->failed_targets[task.chunk_id].insert(task.node_id);
      ++run->cancelled;
      continue;
    }
    tasks->busy_chunks.insert(task.chunk_id);
    ++tasks->incoming[task.chunk_id];
    tasks->targets[task.chunk_id].insert(task.node_id);
    ++tasks->transfers[task.node_id];
    if (!task.sources.empty()) ++tasks->transfers[task.sources.front()];
    ++tasks->total;
  }
  return absl::OkStatus();
}

Status ReplicationManager::Rebalance(const NodeView& nodes, absl::Time now, TaskView* tasks,
                                     ReplicationRun* run) {
  ASSIGN_OR_RETURN(std::vector<ChunkBalance> unbalanced,
                   store_->UnbalancedChunks(nodes.counting, options_.batch));
  if (unbalanced.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  ids.reserve(unbalanced.size());
  for (const ChunkBalance& chunk : unbalanced) ids.push_back(chunk.chunk_id);
  ASSIGN_OR_RETURN(auto live, replicas_->LiveReplicas(ids));
  ASSIGN_OR_RETURN(auto holders, replicas_->Holders(ids));

  std::vector<PlacementCandidate> candidates;
  for (const auto& [id, node] : nodes.by_id) {
    if (node.state == NodeState::kActive) candidates.push_back(PlacementCandidate::FromNode(node));
  }
  PlacementPolicy policy(std::move(candidates), options_.placement_reserve_bytes,
                         static_cast<uint64_t>(absl::ToUnixNanos(now)));
  // Fewest live replicas first: the store returns them in that order.
  for (const ChunkBalance& chunk : unbalanced) {
    if (chunk.live < chunk.factor) {
      RETURN_IF_ERROR(Replicate(chunk, live[chunk.chunk_id], holders[chunk.chunk_id], nodes, now,
                                &policy, tasks, run));
    } else if (!tasks->busy_chunks.contains(chunk.chunk_id)) {
      RETURN_IF_ERROR(Trim(chunk, live[chunk.chunk_id], nodes, now, run));
    }
  }
  return absl::OkStatus();
}

Status ReplicationManager::Replicate(const ChunkBalance& chunk,
                                     const std::vector<LiveReplica>& live,
                                     const std::vector<std::string>& holders, const NodeView& nodes,
                                     absl::Time now, PlacementPolicy* policy, TaskView* tasks,
                                     ReplicationRun* run) {
  const std::string& id = chunk.chunk_id;
  int need = chunk.factor - chunk.live - tasks->incoming[id];
  if (need <= 0 || tasks->total >= options_.max_replications_total) return absl::OkStatus();
  if (auto failure = tasks->failures.find(id); failure != tasks->failures.end()) {
    const auto [count, last] = failure->second;
    const absl::Duration backoff =
        options_.retry_after * (1 << std::min(count - 1, kMaxBackoffDoublings));
    if (now < last + backoff) return absl::OkStatus();
  }
  // The best readable copy whose node has room for another transfer first;
  // the node falls back on the others.
  auto source = std::find_if(live.begin(), live.end(),
                             [&](const LiveReplica& r) { return !Throttled(*tasks, r.node_id); });
  if (source == live.end()) return absl::OkStatus();  // lost, or every holder busy
  std::vector<std::string> sources = {source->node_id};
  for (const LiveReplica& r : live) {
    if (sources.size() < kMaxSources && r.node_id != source->node_id) sources.push_back(r.node_id);
  }

  std::set<std::string> exclude(holders.begin(), holders.end());
  const auto& receiving = tasks->targets[id];
  exclude.insert(receiving.begin(), receiving.end());
  for (const auto& [node_id, count] : tasks->transfers) {
    if (count >= options_.max_replications_per_node) exclude.insert(node_id);
  }
  std::set<std::string> exclude_failed = exclude;
  const auto& failed = tasks->failed_targets[id];
  exclude_failed.insert(failed.begin(), failed.end());
  // A node that registered after the run's view was taken has no zone here.
  std::set<std::string> zones;
  for (const LiveReplica& r : live) {
    if (auto node = nodes.by_id.find(r.node_id); node != nodes.by_id.end()) {
      zones.insert(node->second.zone);
    }
  }

  for (; need > 0; --need) {
    if (tasks->total >= options_.max_replications_total || Throttled(*tasks, sources.front())) {
      break;
    }
    // Another node than the ones that just failed, if there is one.
    auto target = policy->Place(chunk.size, 1, exclude_failed, zones);
    if (!target.ok() && exclude_failed.size() > exclude.size()) {
      target = policy->Place(chunk.size, 1, exclude, zones);
    }
    if (!target.ok()) {
      spdlog::debug("no target for a copy of chunk {}: {}", id, target.status().message());
      break;
    }
    const PlacementCandidate& to = target->front();
    TaskRecord task;
    task.kind = TaskKind::kReplicate;
    task.chunk_id = id;
    task.node_id = to.node_id;
    task.sources = sources;
    task.size = chunk.size;
    task.created_at = now;
    RETURN_IF_ERROR(store_->InsertTask(task));
    tasks->busy_chunks.insert(id);
    ++tasks->incoming[id];
    tasks->targets[id].insert(to.node_id);
    ++tasks->transfers[to.node_id];
    ++tasks->transfers[sources.front()];
    ++tasks->total;
    exclude.insert(to.node_id);
    exclude_failed.insert(to.node_id);
    zones.insert(to.zone);
    ++run->replications;
  }
  return absl::OkStatus();
}

Status ReplicationManager::Trim(const ChunkBalance& chunk, const std::vector<LiveReplica>& live,
                                const NodeView& nodes, absl::Time now, ReplicationRun* run) {
  // Only copies on active nodes go, and only while the active copies alone
  // still make the factor: a suspect node may be about to die.
  std::vector<const NodeRecord*> active;
  std::map<std::string, int> per_zone;
  for (const LiveReplica& r : live) {
    // A node that registered after the run's view was taken: not trimmed now.
    auto found = nodes.by_id.find(r.node_id);
    if (found == nodes.by_id.end()) continue;
    const NodeRecord& node = found->second;
    if (!node.zone.empty()) ++per_zone[node.zone];
    if (r.node_state == NodeState::kActive) active.push_back(&node);
  }
  int excess = std::min(chunk.live - chunk.factor, static_cast<int>(active.size()) - chunk.factor);
  for (; excess > 0 && !active.empty(); --excess) {
    // A copy sharing its zone with another first, then the fullest node.
    auto victim = std::min_element(active.begin(), active.end(), [&](auto* a, auto* b) {
      auto key = [&](const NodeRecord* n) {
        const bool shared = !n->zone.empty() && per_zone[n->zone] > 1;
        return std::tuple(!shared, n->stats.storage_available, n->id);
      };
      return key(a) < key(b);
    });
    const NodeRecord* node = *victim;
    active.erase(victim);
    Status ordered = store_->OrderReplicaDelete(chunk.chunk_id, node->id, now);
    if (absl::IsFailedPrecondition(ordered)) continue;  // changed under us
    RETURN_IF_ERROR(ordered);
    if (!node->zone.empty()) --per_zone[node->zone];
    ++run->trims;
  }
  return absl::OkStatus();
}

Status ReplicationManager::Drains(const NodeView& nodes, absl::Time now, double rate, bool plan,
                                  const TaskView& tasks, ReplicationStatus* status,
                                  ReplicationRun* run) {
  for (const auto& [id, node] : nodes.by_id) {
    if (node.state == NodeState::kDraining) {
      ASSIGN_OR_RETURN(ReplicaTotals left, store_->DrainRemaining(id, nodes.counting));
      auto transfers = tasks.transfers.find(id);
      const bool moving = transfers != tasks.transfers.end() && transfers->second > 0;
      if (plan && left.chunks == 0 && !moving) {
        // Its copies are ordered deleted from the next run on.
        Status done = registry_->Decommission(id).status();
        if (absl::IsFailedPrecondition(done)) continue;  // an operator changed it meanwhile
        RETURN_IF_ERROR(done);
        ++run->decommissioned;
        continue;
      }
      status->drains[id] = {left.chunks, left.bytes,
                            rate > 0 ? static_cast<double>(left.bytes) / rate : -1};
    } else if (plan && node.state == NodeState::kDecommissioned) {
      ASSIGN_OR_RETURN(std::vector<std::string> covered,
                       store_->CoveredReplicasOn(id, nodes.counting, options_.batch));
      for (const std::string& chunk_id : covered) {
        Status ordered = store_->OrderReplicaDelete(chunk_id, id, now);
        if (absl::IsFailedPrecondition(ordered)) continue;
        RETURN_IF_ERROR(ordered);
        ++run->drained_deletes;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
