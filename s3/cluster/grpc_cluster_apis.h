#pragma once

#include "client/coordinator_client.h"
#include "client/grpc_file_api.h"
#include "client/grpc_object_api.h"
#include "s3/cluster/cluster_backend.h"

namespace gale::s3 {

// The ClusterApis of a gateway of its own (gale-s3): every call over gRPC to
// the coordinators, with failover. `coordinator` must outlive it, and it
// must outlive the backend given apis(). Thread-safe.
class GrpcClusterApis {
 public:
  explicit GrpcClusterApis(client::CoordinatorClient* coordinator)
      : coordinator_(coordinator), objects_(coordinator), files_(coordinator) {}

  ClusterApis apis();

 private:
  client::CoordinatorClient* const coordinator_;
  client::GrpcObjectApi objects_;
  client::GrpcFileApi files_;
};

}  // namespace gale::s3
