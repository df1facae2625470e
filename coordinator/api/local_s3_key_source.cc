#include "coordinator/api/local_s3_key_source.h"

#include "common/ids.h"

namespace gale::coordinator {

Result<s3::AccessKey> LocalS3KeySource::Lookup(const std::string& access_key_id) {
  if (keys_ == nullptr || !common::ValidateS3AccessKeyId(access_key_id).ok()) {
    return absl::NotFoundError("not an access key id this coordinator issued");
  }
  ASSIGN_OR_RETURN(S3KeySecret found, keys_->Resolve(access_key_id));
  s3::AccessKey key;
  key.secret = std::move(found.secret);
  key.owner = std::move(found.key.owner);
  key.read_only = found.key.read_only;
  key.buckets.insert(found.key.buckets.begin(), found.key.buckets.end());
  return key;
}

}  // namespace gale::coordinator
