#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/coordinator_client.h"
#include "common/status.h"

namespace gale::client {

// An S3 access key as clients see it.
struct S3KeyInfo {
  std::string access_key;
  std::string secret_key;  // only from CreateS3Key and GetS3Key
  std::string owner;       // "": the access key itself
  bool read_only = false;
  std::vector<std::string> buckets;  // empty: every bucket
  int64_t created_at_ms = 0;
};

// What a new S3 key may do.
struct S3KeyOptions {
  std::string owner;
  bool read_only = false;
  std::vector<std::string> buckets;
};

// The coordinator's S3 access keys over gRPC (with failover between
// coordinators): what `gale s3 keys` and gale-s3 gateways call. Every call
// needs a full-access API token when the cluster has tokens. Errors carry
// the coordinator's codes. Thread-safe.
class GrpcS3KeyApi {
 public:
  explicit GrpcS3KeyApi(CoordinatorClient* coordinator) : coordinator_(coordinator) {}

  // The new key, with its secret (shown once).
  Result<S3KeyInfo> CreateS3Key(const S3KeyOptions& options);
  // Every key, by access key, without secrets.
  Result<std::vector<S3KeyInfo>> ListS3Keys();
  Status DeleteS3Key(const std::string& access_key);
  // The key with its secret; NOT_FOUND for an unknown one.
  Result<S3KeyInfo> GetS3Key(const std::string& access_key);

 private:
  CoordinatorClient* const coordinator_;
};

}  // namespace gale::client
