#pragma once

#include <cstdint>
#include <string>

#include "common/clock.h"
#include "common/security.h"
#include "coordinator/cluster/heartbeat_handler.h"
#include "coordinator/cluster/leader_election.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/files/file_service.h"
#include "coordinator/files/object_service.h"
#include "coordinator/files/replica_catalog.h"
#include "coordinator/files/s3_key_service.h"
#include "coordinator/repair/replication_manager.h"
#include "coordinator/repair/task_ledger.h"
#include "coordinator/store/node_record.h"

namespace gale::coordinator {

// What the API adapters (gRPC service, REST API) call into: the domain objects
// the Coordinator owns, and settings they report to nodes. Plain pointers;
// everything outlives the adapters.
struct ServiceContext {
  NodeRegistry* registry = nullptr;
  ReplicaCatalog* replicas = nullptr;
  FileService* files = nullptr;
  ObjectService* objects = nullptr;
  HeartbeatHandler* heartbeats = nullptr;
  TaskLedger* tasks = nullptr;
  ReplicationManager* replication = nullptr;  // health and drain progress
  MetadataStore* store = nullptr;             // read-only counts for status views
  common::Clock* clock = nullptr;
  const ClusterInfo* cluster = nullptr;
  const LeaderElection* leader = nullptr;       // who runs the background loops
  const common::Authenticator* auth = nullptr;  // null: every call allowed
  int64_t heartbeat_interval_ms = 0;
  std::string instance_id;          // new at every start of the process
  S3KeyService* s3_keys = nullptr;  // null: the S3 key RPCs answer FAILED_PRECONDITION
};

}  // namespace gale::coordinator
