#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/files/file_service.h"
#include "coordinator/repair/task_ledger.h"
#include "coordinator/store/node_record.h"

namespace gale::coordinator {

// The JSON bodies of the REST API's routes, decoded into the domain's
// requests: pure functions of the body text, without I/O, so that the REST
// adapters stay thin and the fuzzer reaches every route's parsing
// (tests/fuzz/rest_requests_fuzz.cc). Types are checked here, values by the
// domain classes (which serve gRPC too). INVALID_ARGUMENT naming the field.

// POST /api/v1/nodes/register
Result<NodeRegistration> DecodeNodeRegistration(std::string_view body);

// POST /api/v1/nodes/{id}/heartbeat (an empty body is a bare heartbeat)
struct HeartbeatRequest {
  NodeStats stats;
  std::vector<TaskOutcome> task_results;
};
Result<HeartbeatRequest> DecodeHeartbeat(std::string_view body);

// POST /api/v1/nodes/{id}/unregister: the reason ("" when none).
Result<std::string> DecodeUnregister(std::string_view body);

// POST /api/v1/nodes/{id}/maintenance: whether it is enabled.
Result<bool> DecodeMaintenance(std::string_view body);

// POST /api/v1/files/register (ZephyrFS): the file, committed by itself once
// its chunks are stored, and its chunks.
struct FileRegistration {
  CreateFileArgs args;
  std::vector<FileChunkRef> chunks;
};
Result<FileRegistration> DecodeFileRegistration(std::string_view body);

// PUT /api/v1/chunks/{id}/locations
struct ChunkLocationsUpdate {
  std::vector<std::string> node_ids;
  bool add = true;  // else remove
};
Result<ChunkLocationsUpdate> DecodeChunkLocationsUpdate(std::string_view body);

}  // namespace gale::coordinator
