#include "coordinator/api/rest_api.h"

#include "common/request_metrics.h"
#include "common/strings.h"
#include "coordinator/api/rest_requests.h"
#include "coordinator/cluster/network_status.h"

namespace gale::coordinator {
namespace {

using common::SendError;
using common::SendJson;
using nlohmann::json;

constexpr int kDefaultActiveLimit = 50;  // as ZephyrFS
constexpr int kMaxActiveLimit = 100000;
constexpr int kDefaultChunkPage = 1000;
constexpr int kMaxChunkPage = 100000;

json StatsToJson(const NodeStats& stats) {
  return {{"storage_used", stats.storage_used},     {"storage_available", stats.storage_available},
          {"chunks_stored", stats.chunks_stored},   {"bandwidth_up", stats.bandwidth_up},
          {"bandwidth_down", stats.bandwidth_down}, {"cpu_usage", stats.cpu_usage},
          {"memory_usage", stats.memory_usage},     {"uptime_seconds", stats.uptime_seconds}};
}

json DrainToJson(const DrainProgress& drain) {
  return {{"chunks_left", drain.chunks_left},
          {"bytes_left", drain.bytes_left},
          {"eta_seconds", drain.eta_seconds}};
}

json NodeToJson(const NodeRecord& node, const DrainProgress* drain = nullptr) {
  json out = {{"node_id", node.id},
              {"addresses", node.addresses},
              {"stats", StatsToJson(node.stats)},
              {"last_heartbeat", absl::ToUnixSeconds(node.last_heartbeat)},
              {"status", CompatStatus(node.state)},
              {"state", NodeStateName(node.state)},
              {"storage_capacity", node.capacity_bytes},
              {"capabilities", node.capabilities},
              {"zone", node.zone},
              {"version", node.version},
              {"registered_at", absl::ToUnixSeconds(node.registered_at)}};
  if (drain != nullptr) out["drain"] = DrainToJson(*drain);
  return out;
}

json NodesToJson(const std::vector<NodeRecord>& nodes, const ReplicationStatus* replication) {
  json out = json::array();
  for (const auto& node : nodes) {
    out.push_back(NodeToJson(node, replication ? FindDrain(*replication, node) : nullptr));
  }
  return out;
}

json ReplicationToJson(const coordinator::NetworkStatus& status) {
  const ReplicationStatus& r = status.replication;
  json drains = json::object();
  for (const auto& [node_id, drain] : r.drains) drains[node_id] = DrainToJson(drain);
  return {{"chunks_under_replicated", r.health.under_replicated},
          {"chunks_over_replicated", r.health.over_replicated},
          {"chunks_lost", r.health.lost},
          {"replicas_corrupt", r.health.corrupt_replicas},
          {"missing_bytes", r.health.missing_bytes},
          {"tasks_pending", status.tasks.pending},
          {"tasks_running", status.tasks.running},
          {"tasks_failed", status.tasks.failed},
          {"repair_bytes_per_second", r.repair_bytes_per_second},
          {"seconds_to_redundancy", r.seconds_to_redundancy},
          {"drains", drains},
          {"as_of", absl::ToUnixSeconds(r.as_of)}};
}

// Query parameter `limit`: absent -> `fallback`.
Result<int> ReadLimit(const httplib::Request& req, int fallback, int max) {
  if (!req.has_param("limit")) return fallback;
  std::optional<int64_t> limit = ParseInt64(req.get_param_value("limit"));
  if (!limit || *limit < 0 || *limit > max) {
    return absl::InvalidArgumentError(
        StrCat("query parameter 'limit' must be an integer in [0, ", max, "]"));
  }
  return static_cast<int>(*limit);
}

// `exclude` may repeat and may hold comma-separated ids.
std::vector<std::string> ReadExclude(const httplib::Request& req) {
  std::vector<std::string> out;
  size_t count = req.get_param_value_count("exclude");
  for (size_t i = 0; i < count; ++i) {
    std::string value = req.get_param_value("exclude", i);
    for (std::string_view id : SplitTrimmed(value, ',')) out.emplace_back(id);
  }
  return out;
}

}  // namespace

void RestApi::Register(common::HttpServer* server) {
  using std::placeholders::_1;
  using std::placeholders::_2;
  server->Get("/", std::bind(&RestApi::ServiceInfo, this, _1, _2));
  server->Post("/api/v1/nodes/register", std::bind(&RestApi::RegisterNode, this, _1, _2));
  // Before /nodes/{id}, which would otherwise match "active".
  server->Get("/api/v1/nodes/active", std::bind(&RestApi::ActiveNodes, this, _1, _2));
  server->Get("/api/v1/nodes", std::bind(&RestApi::ListNodes, this, _1, _2));
  server->Get("/api/v1/nodes/{id}", std::bind(&RestApi::GetNode, this, _1, _2));
  server->Get("/api/v1/nodes/{id}/chunks", std::bind(&RestApi::NodeChunks, this, _1, _2));
  server->Post("/api/v1/nodes/{id}/heartbeat", std::bind(&RestApi::Heartbeat, this, _1, _2));
  server->Post("/api/v1/nodes/{id}/unregister", std::bind(&RestApi::Unregister, this, _1, _2));
  server->Post("/api/v1/nodes/{id}/maintenance", std::bind(&RestApi::Maintenance, this, _1, _2));
  server->Post("/api/v1/nodes/{id}/drain", std::bind(&RestApi::Drain, this, _1, _2));
  server->Get("/api/v1/network/status", [this](const auto& req, auto& res) {
    NetworkStatus(req, res, /*stats_only=*/false);
  });
  server->Get("/api/v1/network/stats",
              [this](const auto& req, auto& res) { NetworkStatus(req, res, /*stats_only=*/true); });
}

void RestApi::ServiceInfo(const httplib::Request&, httplib::Response& res) {
  SendJson(res, 200,
           {{"service", "Gale Coordinator"},
            {"version", common::GaleVersion()},
            {"description", "Coordinator of the Gale distributed chunk store"},
            {"cluster_id", ctx_.cluster->id},
            {"endpoints",
             {{"health", "/health"},
              {"api_v1", "/api/v1"},
              {"nodes", "/api/v1/nodes"},
              {"network", "/api/v1/network"}}}});
}

void RestApi::RegisterNode(const httplib::Request& req, httplib::Response& res) {
  auto registration = DecodeNodeRegistration(req.body);
  if (!registration.ok()) return SendError(res, registration.status());
  auto result = ctx_.registry->Register(*std::move(registration));
  if (!result.ok()) return SendError(res, result.status());
  SendJson(res, 200,
           {{"success", true},
            {"message", result->created ? "node registered" : "node re-registered"},
            {"assigned_node_id", result->node.id},
            {"bootstrap_peers", result->bootstrap_peers},
            {"cluster_id", ctx_.cluster->id},
            {"heartbeat_interval_ms", ctx_.heartbeat_interval_ms}});
}

void RestApi::Heartbeat(const httplib::Request& req, httplib::Response& res) {
  auto heartbeat = DecodeHeartbeat(req.body);
  if (!heartbeat.ok()) return SendError(res, heartbeat.status());
  auto reply =
      ctx_.heartbeats->Handle(req.matches[1].str(), heartbeat->stats, heartbeat->task_results);
  if (absl::IsNotFound(reply.status())) {
    SendJson(res, 404,
             {{"error", "not found"},
              {"details", ToStd(reply.status().message())},
              {"needs_reregister", true}});
    return;
  }
  if (!reply.ok()) return SendError(res, reply.status());
  const HeartbeatResult& liveness = reply->liveness;
  json tasks = json::array();
  for (const NodeOrder& order : reply->orders) {
    tasks.push_back({{"task_id", order.task.id},
                     {"kind", TaskKindName(order.task.kind)},
                     {"chunk_id", order.task.chunk_id},
                     {"sources", order.source_addresses},
                     {"deadline_ms", absl::ToUnixMillis(order.task.deadline)},
                     {"size", order.task.size}});
  }
  SendJson(res, 200,
           {{"success", !liveness.needs_reregister},
            {"message", liveness.needs_reregister
                            ? "node was declared dead; register again and report chunks"
                            : "heartbeat processed"},
            {"tasks", tasks},
            {"needs_reregister", liveness.needs_reregister},
            {"poll_soon", reply->poll_soon},
            {"state", NodeStateName(liveness.state)},
            {"heartbeat_interval_ms", ctx_.heartbeat_interval_ms}});
}

void RestApi::Unregister(const httplib::Request& req, httplib::Response& res) {
  auto reason = DecodeUnregister(req.body);
  if (!reason.ok()) return SendError(res, reason.status());
  Status status = ctx_.registry->Unregister(req.matches[1].str(), *reason);
  if (!status.ok()) return SendError(res, status);
  SendJson(res, 200, {{"success", true}, {"message", "node unregistered"}});
}

void RestApi::Maintenance(const httplib::Request& req, httplib::Response& res) {
  auto enabled = DecodeMaintenance(req.body);
  if (!enabled.ok()) return SendError(res, enabled.status());
  auto node = ctx_.registry->SetMaintenance(req.matches[1].str(), *enabled);
  if (!node.ok()) return SendError(res, node.status());
  SendJson(res, 200, {{"success", true}, {"node", NodeToJson(*node)}});
}

void RestApi::Drain(const httplib::Request& req, httplib::Response& res) {
  auto node = ctx_.registry->Drain(req.matches[1].str());
  if (!node.ok()) return SendError(res, node.status());
  SendJson(res, 200,
           {{"success", true},
            {"message", node->state == NodeState::kDecommissioned
                            ? "node is decommissioned: it holds nothing the cluster needs"
                            : "node is draining: its chunks are being copied to other nodes"},
            {"node", NodeToJson(*node, FindDrain(ctx_.replication->status(), *node))}});
}

void RestApi::ActiveNodes(const httplib::Request& req, httplib::Response& res) {
  auto limit = ReadLimit(req, kDefaultActiveLimit, kMaxActiveLimit);
  if (!limit.ok()) return SendError(res, limit.status());
  std::vector<NodeRecord> nodes = ctx_.registry->Active(*limit, ReadExclude(req));
  SendJson(res, 200, {{"nodes", NodesToJson(nodes, nullptr)}, {"total_nodes", nodes.size()}});
}

void RestApi::ListNodes(const httplib::Request&, httplib::Response& res) {
  std::vector<NodeRecord> nodes = ctx_.registry->List();
  const ReplicationStatus replication = ctx_.replication->status();
  SendJson(res, 200, {{"nodes", NodesToJson(nodes, &replication)}, {"total_nodes", nodes.size()}});
}

void RestApi::GetNode(const httplib::Request& req, httplib::Response& res) {
  auto node = ctx_.registry->Get(req.matches[1].str());
  if (!node.ok()) return SendError(res, node.status());
  SendJson(res, 200,
           {{"success", true},
            {"node", NodeToJson(*node, FindDrain(ctx_.replication->status(), *node))}});
}

void RestApi::NodeChunks(const httplib::Request& req, httplib::Response& res) {
  const std::string id = req.matches[1].str();
  auto limit = ReadLimit(req, kDefaultChunkPage, kMaxChunkPage);
  if (!limit.ok()) return SendError(res, limit.status());
  const std::string after = req.get_param_value("after");
  auto chunks = ctx_.replicas->ReplicasOn(id, after, *limit);
  if (!chunks.ok()) return SendError(res, chunks.status());
  auto totals = ctx_.replicas->TotalsOn(id);
  if (!totals.ok()) return SendError(res, totals.status());
  json list = json::array();
  for (const auto& chunk : *chunks) {
    list.push_back(json{{"chunk_id", chunk.chunk_id}, {"size", chunk.size}});
  }
  json body = {{"node_id", id},
               {"chunks", list},
               {"total_chunks", totals->chunks},
               {"total_bytes", totals->bytes}};
  // A full page may have more after it: hand out the cursor.
  if (*limit > 0 && static_cast<int>(chunks->size()) == *limit) {
    body["next_after"] = chunks->back().chunk_id;
  }
  SendJson(res, 200, body);
}

void RestApi::NetworkStatus(const httplib::Request&, httplib::Response& res, bool stats_only) {
  auto computed = ComputeNetworkStatus(ctx_.store, ctx_.registry, ctx_.replication, *ctx_.cluster,
                                       ctx_.leader, ctx_.clock->Now());
  if (!computed.ok()) return SendError(res, computed.status());
  const coordinator::NetworkStatus& status = *computed;
  json by_state = json::object();
  for (const auto& [state, count] : status.nodes.by_state) by_state[NodeStateName(state)] = count;
  const int64_t timestamp = absl::ToUnixSeconds(status.timestamp);
  json stats = {{"total_nodes", status.nodes.total},
                {"active_nodes", status.nodes.by_state.at(NodeState::kActive)},
                {"total_storage_capacity", status.nodes.active_capacity_bytes},
                {"total_storage_used", status.nodes.active_used_bytes},
                {"total_files", status.stored.files},
                {"total_chunks", status.stored.chunks},
                {"total_bytes_stored", status.stored.bytes},
                {"average_node_uptime", status.nodes.average_active_uptime_seconds},
                {"network_uptime_seconds", status.network_uptime_seconds},
                {"nodes_by_state", by_state},
                {"timestamp", timestamp}};
  if (stats_only) return SendJson(res, 200, stats);
  SendJson(res, 200,
           {{"network_stats", stats},
            {"active_nodes", NodesToJson(status.active_nodes, nullptr)},
            {"replication", ReplicationToJson(status)},
            {"timestamp", timestamp},
            {"cluster_id", status.cluster_id},
            {"coordinator", status.coordinator},
            {"leader", status.leader}});
}

}  // namespace gale::coordinator
