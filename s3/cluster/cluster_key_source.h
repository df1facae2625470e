#pragma once

#include <string>

#include "client/coordinator_client.h"
#include "client/grpc_s3_key_api.h"
#include "s3/gateway/credentials.h"

namespace gale::s3 {

// The S3 keys a Gale cluster's coordinators keep (`gale s3 keys`), as the
// gateway's AccessKeySource: GetS3Key over the gateway's authenticated gRPC
// connection (which needs a full-access coordinator token when the cluster
// has tokens). Ids that the coordinator cannot have issued are answered
// NOT_FOUND without a call. `coordinator` must outlive it. Thread-safe.
class ClusterKeySource final : public AccessKeySource {
 public:
  explicit ClusterKeySource(client::CoordinatorClient* coordinator) : api_(coordinator) {}

  Result<AccessKey> Lookup(const std::string& access_key_id) override;

 private:
  client::GrpcS3KeyApi api_;
};

}  // namespace gale::s3
