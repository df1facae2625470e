#include "coordinator/api/rest_requests.h"

#include <algorithm>

#include "common/json_reader.h"
#include "common/strings.h"

namespace gale::coordinator {
namespace {

using common::JsonReader;

Result<NodeStats> ReadStats(const JsonReader& body) {
  NodeStats stats;
  ASSIGN_OR_RETURN(auto object, body.OptObject("stats"));
  if (!object) return stats;  // ZephyrFS nodes may heartbeat without stats
  // Only types are checked here; values are checked by the registry, which
  // serves gRPC too.
  const std::pair<const char*, int64_t*> ints[] = {
      {"storage_used", &stats.storage_used},     {"storage_available", &stats.storage_available},
      {"chunks_stored", &stats.chunks_stored},   {"bandwidth_up", &stats.bandwidth_up},
      {"bandwidth_down", &stats.bandwidth_down}, {"uptime_seconds", &stats.uptime_seconds}};
  for (const auto& [name, field] : ints) {
    ASSIGN_OR_RETURN(auto value, object->OptInt(name));
    if (value) *field = *value;
  }
  ASSIGN_OR_RETURN(auto cpu, object->OptDouble("cpu_usage"));
  if (cpu) stats.cpu_usage = *cpu;
  ASSIGN_OR_RETURN(auto memory, object->OptDouble("memory_usage"));
  if (memory) stats.memory_usage = *memory;
  return stats;
}

Result<NodeRegistration> ReadRegistration(const JsonReader& body) {
  NodeRegistration registration;
  ASSIGN_OR_RETURN(auto node_id, body.OptString("node_id"));
  registration.node_id = node_id.value_or("");
  ASSIGN_OR_RETURN(registration.addresses, body.StringArray("addresses"));
  ASSIGN_OR_RETURN(registration.capacity_bytes, body.Int("storage_capacity"));
  ASSIGN_OR_RETURN(auto capabilities, body.OptStringMap("capabilities"));
  registration.capabilities = capabilities.value_or(std::map<std::string, std::string>{});
  ASSIGN_OR_RETURN(auto zone, body.OptString("zone"));
  // ZephyrFS nodes carry zone and version as capabilities.
  auto capability = [&](const char* key) {
    auto it = registration.capabilities.find(key);
    return it == registration.capabilities.end() ? std::string() : it->second;
  };
  registration.zone = zone.value_or(capability("zone"));
  ASSIGN_OR_RETURN(auto version, body.OptString("version"));
  registration.version = version.value_or(capability("version"));
  return registration;
}

// Optional "task_results": [{"task_id", "ok", "error"?}] of a heartbeat.
Result<std::vector<TaskOutcome>> ReadTaskResults(const JsonReader& body) {
  std::vector<TaskOutcome> out;
  ASSIGN_OR_RETURN(auto items, body.OptObjectArray("task_results"));
  if (!items) return out;
  for (const JsonReader& item : *items) {
    TaskOutcome outcome;
    ASSIGN_OR_RETURN(outcome.task_id, item.String("task_id"));
    ASSIGN_OR_RETURN(auto ok, item.OptBool("ok"));
    if (!ok) return absl::InvalidArgumentError("every task result needs a boolean 'ok'");
    outcome.ok = *ok;
    ASSIGN_OR_RETURN(auto error, item.OptString("error"));
    outcome.error = error.value_or("");
    out.push_back(std::move(outcome));
  }
  return out;
}

}  // namespace

Result<NodeRegistration> DecodeNodeRegistration(std::string_view body) {
  ASSIGN_OR_RETURN(JsonReader json, JsonReader::Parse(body));
  return ReadRegistration(json);
}

Result<HeartbeatRequest> DecodeHeartbeat(std::string_view body) {
  ASSIGN_OR_RETURN(JsonReader json, JsonReader::Parse(body, /*allow_empty=*/true));
  HeartbeatRequest request;
  ASSIGN_OR_RETURN(request.stats, ReadStats(json));
  ASSIGN_OR_RETURN(request.task_results, ReadTaskResults(json));
  return request;
}

Result<std::string> DecodeUnregister(std::string_view body) {
  ASSIGN_OR_RETURN(JsonReader json, JsonReader::Parse(body, /*allow_empty=*/true));
  ASSIGN_OR_RETURN(auto reason, json.OptString("reason"));
  return reason.value_or("");
}

Result<bool> DecodeMaintenance(std::string_view body) {
  ASSIGN_OR_RETURN(JsonReader json, JsonReader::Parse(body));
  ASSIGN_OR_RETURN(auto enabled, json.OptBool("enabled"));
  if (!enabled) return absl::InvalidArgumentError("field 'enabled' is required");
  return *enabled;
}

Result<FileRegistration> DecodeFileRegistration(std::string_view text) {
  ASSIGN_OR_RETURN(JsonReader body, JsonReader::Parse(text));
  FileRegistration registration;
  CreateFileArgs& args = registration.args;
  std::vector<FileChunkRef>& chunks = registration.chunks;
  ASSIGN_OR_RETURN(args.name, body.String("file_name"));
  ASSIGN_OR_RETURN(args.size, body.Int("file_size", 0, INT64_MAX));
  ASSIGN_OR_RETURN(auto file_id, body.OptString("file_id"));
  args.file_id = file_id.value_or("");
  ASSIGN_OR_RETURN(auto owner, body.OptString("owner_node_id"));
  args.owner = owner.value_or("");
  ASSIGN_OR_RETURN(auto factor, body.OptInt("replication_factor", 1, 16));
  args.replication_factor = static_cast<int>(factor.value_or(0));
  ASSIGN_OR_RETURN(auto mode, body.OptString("write_mode"));
  if (mode) {
    ASSIGN_OR_RETURN(args.write_mode, ParseWriteMode(*mode));
  }
  ASSIGN_OR_RETURN(auto overwrite, body.OptBool("overwrite"));
  args.overwrite = overwrite.value_or(false);
  ASSIGN_OR_RETURN(auto file_hash, body.OptString("file_hash"));
  args.sha256 = file_hash.value_or("");
  ASSIGN_OR_RETURN(auto items, body.OptObjectArray("chunks"));
  int64_t largest = 1;
  for (const JsonReader& item : items.value_or(std::vector<JsonReader>{})) {
    FileChunkRef chunk;
    ASSIGN_OR_RETURN(chunk.chunk_id, item.String("chunk_id"));
    ASSIGN_OR_RETURN(auto hash, item.OptString("hash"));
    if (hash && *hash != chunk.chunk_id) {
      return absl::InvalidArgumentError(
          StrCat("chunk ", chunk.chunk_id,
                 ": 'hash' must equal 'chunk_id' (chunks are named by "
                 "the SHA-256 of their bytes)"));
    }
    ASSIGN_OR_RETURN(chunk.size, item.Int("size", 0, INT64_MAX));
    ASSIGN_OR_RETURN(chunk.index, item.Int("index", 0, INT64_MAX));
    largest = std::max(largest, chunk.size);
    chunks.push_back(std::move(chunk));
  }
  // ZephyrFS has no chunk size: the largest chunk is the file's.
  args.chunk_size = largest;
  args.auto_commit = true;
  return registration;
}

Result<ChunkLocationsUpdate> DecodeChunkLocationsUpdate(std::string_view body) {
  ASSIGN_OR_RETURN(JsonReader json, JsonReader::Parse(body));
  ChunkLocationsUpdate update;
  ASSIGN_OR_RETURN(update.node_ids, json.StringArray("node_ids"));
  ASSIGN_OR_RETURN(std::string operation, json.String("operation"));
  if (operation != "add" && operation != "remove") {
    return absl::InvalidArgumentError("field 'operation' must be \"add\" or \"remove\"");
  }
  update.add = operation == "add";
  return update;
}

}  // namespace gale::coordinator
