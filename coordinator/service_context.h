#pragma once

#include <cstdint>

#include "common/clock.h"
#include "coordinator/node_record.h"
#include "coordinator/node_registry.h"
#include "coordinator/replica_catalog.h"

namespace gale::coordinator {

// What the API adapters (gRPC service, REST API) call into: the domain objects
// the Coordinator owns, and settings they report to nodes. Plain pointers;
// everything outlives the adapters.
struct ServiceContext {
  NodeRegistry* registry = nullptr;
  ReplicaCatalog* replicas = nullptr;
  common::Clock* clock = nullptr;
  const ClusterInfo* cluster = nullptr;
  int64_t heartbeat_interval_ms = 0;
};

}  // namespace gale::coordinator
