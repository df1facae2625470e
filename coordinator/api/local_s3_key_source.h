#pragma once

#include <string>

#include "coordinator/files/s3_key_service.h"
#include "s3/gateway/credentials.h"

namespace gale::coordinator {

// The S3 keys this coordinator keeps (`gale s3 keys`), as the AccessKeySource
// of the S3 API it serves itself: resolved in process, without the gRPC
// call gale-s3 makes. Ids that cannot have been issued are NOT_FOUND
// without a lookup. `keys` may be null (a coordinator without a master key
// keeps none: every id is NOT_FOUND) and must outlive the source.
// Thread-safe.
class LocalS3KeySource final : public s3::AccessKeySource {
 public:
  explicit LocalS3KeySource(S3KeyService* keys) : keys_(keys) {}

  Result<s3::AccessKey> Lookup(const std::string& access_key_id) override;

 private:
  S3KeyService* const keys_;
};

}  // namespace gale::coordinator
