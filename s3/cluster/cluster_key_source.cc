#include "s3/cluster/cluster_key_source.h"

#include "common/ids.h"

namespace gale::s3 {

Result<AccessKey> ClusterKeySource::Lookup(const std::string& access_key_id) {
  // Unsigned junk and other clouds' ids cost no call to the coordinator.
  if (!common::ValidateS3AccessKeyId(access_key_id).ok()) {
    return absl::NotFoundError("not an access key id the coordinator issues");
  }
  ASSIGN_OR_RETURN(client::S3KeyInfo info, api_.GetS3Key(access_key_id));
  AccessKey key;
  key.secret = std::move(info.secret_key);
  key.owner = std::move(info.owner);
  key.read_only = info.read_only;
  key.buckets.insert(info.buckets.begin(), info.buckets.end());
  return key;
}

}  // namespace gale::s3
