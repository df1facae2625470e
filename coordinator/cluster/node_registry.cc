#include "coordinator/cluster/node_registry.h"

#include <algorithm>

#include "common/ids.h"
#include "common/net_address.h"
#include "common/strings.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

constexpr size_t kMaxAddresses = 16;
constexpr size_t kMaxCapabilities = 64;
constexpr size_t kMaxLabelLength = 256;
constexpr int kBootstrapPeers = 5;

Status CheckLength(std::string_view value, std::string_view field) {
  if (value.size() > kMaxLabelLength) {
    return absl::InvalidArgumentError(
        StrCat("field '", field, "' must be at most ", kMaxLabelLength, " bytes"));
  }
  return absl::OkStatus();
}

Status NotRegistered(std::string_view node_id) {
  return absl::NotFoundError(StrCat("node ", node_id, " is not registered"));
}

}  // namespace

Status ValidateRegistration(const NodeRegistration& registration) {
  if (!registration.node_id.empty()) {
    RETURN_IF_ERROR(common::ValidateNodeId(registration.node_id));
  }
  if (registration.addresses.empty()) {
    return absl::InvalidArgumentError("field 'addresses' must list at least one host:port");
  }
  if (registration.addresses.size() > kMaxAddresses) {
    return absl::InvalidArgumentError(
        StrCat("field 'addresses' must list at most ", kMaxAddresses, " addresses"));
  }
  for (size_t i = 0; i < registration.addresses.size(); ++i) {
    RETURN_IF_ERROR(
        common::ParseHostPort(registration.addresses[i], StrCat("addresses[", i, "]")).status());
  }
  if (registration.capacity_bytes < 0) {
    return absl::InvalidArgumentError("field 'storage_capacity' must be >= 0");
  }
  RETURN_IF_ERROR(CheckLength(registration.zone, "zone"));
  RETURN_IF_ERROR(CheckLength(registration.version, "version"));
  if (registration.capabilities.size() > kMaxCapabilities) {
    return absl::InvalidArgumentError(
        StrCat("field 'capabilities' must have at most ", kMaxCapabilities, " entries"));
  }
  for (const auto& [key, value] : registration.capabilities) {
    RETURN_IF_ERROR(CheckLength(key, "capabilities"));
    RETURN_IF_ERROR(CheckLength(value, StrCat("capabilities.", key)));
  }
  return absl::OkStatus();
}

NodeRegistry::NodeRegistry(MetadataStore* store, common::Clock* clock, NodeRegistryOptions options)
    : store_(store), clock_(clock), options_(options) {}

Status NodeRegistry::Load() {
  ASSIGN_OR_RETURN(std::vector<NodeRecord> records, store_->ListNodes());
  absl::MutexLock write_lock(&write_mu_);
  absl::MutexLock lock(&mu_);
  const absl::Duration now = clock_->Monotonic();
  nodes_.clear();
  dirty_.clear();
  for (NodeRecord& record : records) {
    // A suspect node keeps its suspicion; everything else that was alive gets
    // a full window to heartbeat this coordinator.
    absl::Duration last_seen =
        record.state == NodeState::kSuspect ? now - options_.node_timeout : now;
    std::string id = record.id;
    nodes_.emplace(std::move(id), Entry{std::move(record), last_seen});
  }
  spdlog::info("loaded {} nodes from the metadata store", nodes_.size());
  return absl::OkStatus();
}

NodeState NodeRegistry::EffectiveState(const Entry& entry, absl::Duration now) const {
  NodeState stored = entry.record.state;
  if (IsAdminState(stored) || stored == NodeState::kDead) return stored;
  absl::Duration silent = now - entry.last_seen;
  if (silent >= options_.dead_after) return NodeState::kDead;
  if (silent >= options_.node_timeout) return NodeState::kSuspect;
  return NodeState::kActive;
}

NodeRecord NodeRegistry::Snapshot(const Entry& entry, absl::Duration now) const {
  NodeRecord record = entry.record;
  record.state = EffectiveState(entry, now);
  return record;
}

Result<RegisterResult> NodeRegistry::Register(NodeRegistration registration) {
  RETURN_IF_ERROR(ValidateRegistration(registration));
  if (!registration.cluster_id.empty() && !options_.cluster_id.empty() &&
      registration.cluster_id != options_.cluster_id) {
    return absl::FailedPreconditionError(
        StrCat("the node's data belongs to cluster ", registration.cluster_id,
               " but this coordinator serves cluster ", options_.cluster_id,
               "; point the node at its own cluster or give it an empty data directory"));
  }
  absl::MutexLock write_lock(&write_mu_);
  RegisterResult result;
  NodeRecord record;
  {
    absl::MutexLock lock(&mu_);
    auto it = registration.node_id.empty() ? nodes_.end() : nodes_.find(registration.node_id);
    if (it != nodes_.end()) {
      record = it->second.record;
      if (!IsAdminState(record.state)) record.state = NodeState::kActive;
    } else {
      result.created = true;
      record.id = registration.node_id.empty() ? common::NewUuid() : registration.node_id;
      record.registered_at = clock_->Now();
      record.state = NodeState::kActive;
    }
  }
  record.addresses = std::move(registration.addresses);
  record.capacity_bytes = registration.capacity_bytes;
  record.zone = std::move(registration.zone);
  record.version = std::move(registration.version);
  record.capabilities = std::move(registration.capabilities);
  record.last_heartbeat = clock_->Now();

  // Durable before anyone is told the id.
  RETURN_IF_ERROR(store_->UpsertNode(record));

  absl::MutexLock lock(&mu_);
  const absl::Duration now = clock_->Monotonic();
  Entry& entry = nodes_[record.id];
  entry.record = record;
  entry.last_seen = now;
  result.node = Snapshot(entry, now);
  result.bootstrap_peers = BootstrapPeers(record.id, now);
  spdlog::info("node {} {} ({}, capacity {} bytes, zone '{}')", record.id,
               result.created ? "registered" : "re-registered",
               record.addresses.empty() ? "" : record.addresses.front(), record.capacity_bytes,
               record.zone);
  return result;
}

std::vector<std::string> NodeRegistry::BootstrapPeers(std::string_view except,
                                                      absl::Duration now) const {
  std::vector<std::string> peers;
  for (const auto& [id, entry] : nodes_) {
    if (id == except || EffectiveState(entry, now) != NodeState::kActive) continue;
    if (!entry.record.addresses.empty()) peers.push_back(entry.record.addresses.front());
    if (static_cast<int>(peers.size()) >= kBootstrapPeers) break;
  }
  return peers;
}

Result<HeartbeatResult> NodeRegistry::Heartbeat(std::string_view node_id, const NodeStats& stats) {
  RETURN_IF_ERROR(ValidateNodeStats(stats));
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) {
    return NotRegistered(node_id);
  }
  Entry& entry = it->second;
  const absl::Duration now = clock_->Monotonic();
  HeartbeatResult result;
  NodeState state = EffectiveState(entry, now);
  if (state == NodeState::kDead) {
    // Its replicas count as lost; it must re-register and report what survived.
    if (entry.record.state != NodeState::kDead) {
      entry.record.state = NodeState::kDead;
      dirty_.insert(entry.record.id);
    }
    result.state = NodeState::kDead;
    result.needs_reregister = true;
    return result;
  }
  if (state == NodeState::kSuspect) spdlog::info("node {}: suspect -> active", node_id);
  entry.last_seen = now;
  entry.record.last_heartbeat = clock_->Now();
  entry.record.stats = stats;
  if (!IsAdminState(entry.record.state)) entry.record.state = NodeState::kActive;
  dirty_.insert(entry.record.id);
  heartbeats_total_.fetch_add(1, std::memory_order_relaxed);
  result.state = entry.record.state;
  return result;
}

Result<NodeRecord> NodeRegistry::ChangeState(
    std::string_view node_id, const std::function<Result<NodeState>(NodeState)>& next) {
  absl::MutexLock write_lock(&write_mu_);
  NodeRecord record;
  NodeState stored;
  {
    absl::MutexLock lock(&mu_);
    auto it = nodes_.find(node_id);
    if (it == nodes_.end()) return NotRegistered(node_id);
    record = Snapshot(it->second, clock_->Monotonic());  // the state as of now
    stored = it->second.record.state;
  }
  ASSIGN_OR_RETURN(NodeState state, next(record.state));
  if (state != stored) {
    record.state = state;
    RETURN_IF_ERROR(store_->UpsertNode(record));
  }
  absl::MutexLock lock(&mu_);
  Entry& entry = nodes_.find(node_id)->second;
  entry.record.state = state;
  return Snapshot(entry, clock_->Monotonic());
}

Status NodeRegistry::Unregister(std::string_view node_id, std::string_view reason) {
  RETURN_IF_ERROR(ChangeState(node_id, [](NodeState) { return NodeState::kDead; }).status());
  spdlog::info("node {} unregistered: {}", node_id, reason.empty() ? "no reason given" : reason);
  return absl::OkStatus();
}

Result<NodeRecord> NodeRegistry::SetMaintenance(std::string_view node_id, bool enabled) {
  return ChangeState(node_id, [&](NodeState current) -> Result<NodeState> {
    if (current == NodeState::kDraining || current == NodeState::kDecommissioned) {
      return absl::FailedPreconditionError(
          StrCat("node ", node_id, " is ", NodeStateName(current), "; maintenance does not apply"));
    }
    if (enabled == (current == NodeState::kMaintenance)) return current;
    spdlog::info("node {}: maintenance {}", node_id, enabled ? "on" : "off");
    // Leaving maintenance hands the node back to liveness: if it has been
    // silent too long it reads as suspect or dead at once.
    return enabled ? NodeState::kMaintenance : NodeState::kActive;
  });
}

Result<NodeRecord> NodeRegistry::Drain(std::string_view node_id) {
  return ChangeState(node_id, [&](NodeState current) -> Result<NodeState> {
    if (current == NodeState::kDraining || current == NodeState::kDecommissioned) return current;
    if (current == NodeState::kDead) {
      return absl::FailedPreconditionError(
          StrCat("node ", node_id,
                 " is dead: its chunks are being re-replicated already; nothing to drain"));
    }
    spdlog::info("node {}: {} -> draining", node_id, NodeStateName(current));
    return NodeState::kDraining;
  });
}

Result<NodeRecord> NodeRegistry::Decommission(std::string_view node_id) {
  return ChangeState(node_id, [&](NodeState current) -> Result<NodeState> {
    if (current != NodeState::kDraining) {
      return absl::FailedPreconditionError(
          StrCat("node ", node_id, " is ", NodeStateName(current), ", not draining"));
    }
    spdlog::info("node {}: drained, now decommissioned; it holds nothing the cluster needs",
                 node_id);
    return NodeState::kDecommissioned;
  });
}

Result<NodeRecord> NodeRegistry::Get(std::string_view node_id) const {
  absl::MutexLock lock(&mu_);
  auto it = nodes_.find(node_id);
  if (it == nodes_.end()) {
    return NotRegistered(node_id);
  }
  return Snapshot(it->second, clock_->Monotonic());
}

std::vector<NodeRecord> NodeRegistry::List() const {
  std::vector<NodeRecord> out;
  {
    absl::MutexLock lock(&mu_);
    const absl::Duration now = clock_->Monotonic();
    out.reserve(nodes_.size());
    for (const auto& [id, entry] : nodes_) out.push_back(Snapshot(entry, now));
  }
  std::sort(out.begin(), out.end(),
            [](const NodeRecord& a, const NodeRecord& b) { return a.id < b.id; });
  return out;
}

std::vector<NodeRecord> NodeRegistry::Active(int limit,
                                             const std::vector<std::string>& exclude) const {
  std::set<std::string_view> excluded(exclude.begin(), exclude.end());
  std::vector<NodeRecord> out;
  {
    absl::MutexLock lock(&mu_);
    const absl::Duration now = clock_->Monotonic();
    for (const auto& [id, entry] : nodes_) {
      if (excluded.contains(id) || EffectiveState(entry, now) != NodeState::kActive) continue;
      out.push_back(Snapshot(entry, now));
    }
  }
  std::sort(out.begin(), out.end(), [](const NodeRecord& a, const NodeRecord& b) {
    if (a.stats.storage_available != b.stats.storage_available) {
      return a.stats.storage_available > b.stats.storage_available;
    }
    return a.id < b.id;
  });
  if (limit > 0 && static_cast<int>(out.size()) > limit) out.resize(limit);
  return out;
}

std::map<std::string, NodeBrief> NodeRegistry::Briefs(
    const std::vector<std::string>& node_ids) const {
  std::map<std::string, NodeBrief> out;
  absl::MutexLock lock(&mu_);
  const absl::Duration now = clock_->Monotonic();
  for (const std::string& id : node_ids) {
    auto it = nodes_.find(id);
    if (it == nodes_.end() || out.contains(id)) continue;
    const NodeRecord& record = it->second.record;
    out[id] = NodeBrief{record.addresses.empty() ? "" : record.addresses.front(), record.zone,
                        EffectiveState(it->second, now), record.stats.storage_available,
                        record.stats.bandwidth_up};
  }
  return out;
}

NodeSummary NodeRegistry::Summarize() const {
  NodeSummary summary;
  for (NodeState state : kAllNodeStates) summary.by_state[state] = 0;
  int64_t uptime_sum = 0;
  absl::MutexLock lock(&mu_);
  const absl::Duration now = clock_->Monotonic();
  for (const auto& [id, entry] : nodes_) {
    NodeState state = EffectiveState(entry, now);
    ++summary.by_state[state];
    ++summary.total;
    if (state == NodeState::kActive) {
      summary.active_capacity_bytes += entry.record.capacity_bytes;
      summary.active_used_bytes += entry.record.stats.storage_used;
      uptime_sum += entry.record.stats.uptime_seconds;
    }
  }
  int active = summary.by_state[NodeState::kActive];
  if (active > 0) summary.average_active_uptime_seconds = static_cast<double>(uptime_sum) / active;
  return summary;
}

Status NodeRegistry::RunOnce() {
  absl::MutexLock write_lock(&write_mu_);
  std::vector<NodeRecord> batch;
  {
    absl::MutexLock lock(&mu_);
    const absl::Duration now = clock_->Monotonic();
    for (auto& [id, entry] : nodes_) {
      if (!leader_.load()) break;
      NodeState state = EffectiveState(entry, now);
      if (state == entry.record.state) continue;
      spdlog::warn("node {}: {} -> {} (no heartbeat for {})", id, NodeStateName(entry.record.state),
                   NodeStateName(state),
                   absl::FormatDuration(absl::Trunc(now - entry.last_seen, absl::Milliseconds(1))));
      entry.record.state = state;
      dirty_.insert(id);
    }
    batch.reserve(dirty_.size());
    for (const std::string& id : dirty_) batch.push_back(nodes_.at(id).record);
    dirty_.clear();
  }
  if (batch.empty()) return absl::OkStatus();
  Status status = store_->UpdateNodeLiveness(batch);
  if (!status.ok()) {
    absl::MutexLock lock(&mu_);
    for (const NodeRecord& record : batch) dirty_.insert(record.id);
  }
  return status;
}

Status NodeRegistry::Refresh() {
  // Held across the read, so that none of this registry's own durable writes
  // lands between the snapshot and the merge.
  absl::MutexLock write_lock(&write_mu_);
  ASSIGN_OR_RETURN(std::vector<NodeRecord> records, store_->ListNodes());
  absl::MutexLock lock(&mu_);
  const absl::Duration mono = clock_->Monotonic();
  const absl::Time wall = clock_->Now();
  std::set<std::string, std::less<>> stored_ids;
  for (NodeRecord& stored : records) {
    stored_ids.insert(stored.id);
    const absl::Duration seen = mono - std::max(absl::ZeroDuration(), wall - stored.last_heartbeat);
    auto it = nodes_.find(stored.id);
    if (it == nodes_.end()) {
      std::string id = stored.id;
      nodes_.emplace(std::move(id), Entry{std::move(stored), seen});
      continue;
    }
    Entry& entry = it->second;
    const bool newer = stored.last_heartbeat > entry.record.last_heartbeat;
    // Operator states and deaths are written at once by whoever decides
    // them, so where either side holds one the store's state wins (set or
    // lifted elsewhere); active and suspect are each coordinator's own
    // reading of the silence. A newer heartbeat or registration carries its
    // own state.
    auto liveness = [](NodeState s) { return s == NodeState::kActive || s == NodeState::kSuspect; };
    const bool adopt_state = newer || !liveness(stored.state) || !liveness(entry.record.state);
    if (newer) {
      entry.record = std::move(stored);
      entry.last_seen = std::max(entry.last_seen, seen);
      dirty_.erase(entry.record.id);  // what this registry holds is older
    } else if (adopt_state && entry.record.state != stored.state) {
      entry.record.state = stored.state;
    }
  }
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (stored_ids.contains(it->first) || dirty_.contains(it->first)) {
      ++it;
    } else {
      it = nodes_.erase(it);  // cleaned up by another coordinator
    }
  }
  return absl::OkStatus();
}

}  // namespace gale::coordinator
