#include "coordinator/files/s3_key_service.h"

#include <algorithm>

#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/files/object_service.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

constexpr size_t kMaxOwnerBytes = 256;
constexpr size_t kMaxBuckets = 1000;
// A fresh id colliding with a stored one has odds of about 2^-80 per key;
// retrying a few times covers it.
constexpr int kCreateAttempts = 3;

Status ValidateSpec(S3KeySpec& spec) {
  if (spec.owner.size() > kMaxOwnerBytes || !IsValidUtf8(spec.owner) ||
      std::any_of(spec.owner.begin(), spec.owner.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return absl::InvalidArgumentError(StrCat("field 'owner' must be UTF-8 text of at most ",
                                             kMaxOwnerBytes, " bytes without control characters"));
  }
  if (spec.buckets.size() > kMaxBuckets) {
    return absl::InvalidArgumentError(
        StrCat("field 'buckets' holds at most ", kMaxBuckets, " names, not ", spec.buckets.size()));
  }
  for (const std::string& bucket : spec.buckets) {
    if (Status valid = ValidateBucketName(bucket); !valid.ok()) {
      return absl::InvalidArgumentError(StrCat("field 'buckets': ", ToStd(valid.message())));
    }
  }
  std::sort(spec.buckets.begin(), spec.buckets.end());
  spec.buckets.erase(std::unique(spec.buckets.begin(), spec.buckets.end()), spec.buckets.end());
  return absl::OkStatus();
}

}  // namespace

Result<S3KeySecret> S3KeyService::Create(S3KeySpec spec) {
  RETURN_IF_ERROR(ValidateSpec(spec));
  S3KeySecret out;
  out.key.owner = std::move(spec.owner);
  out.key.read_only = spec.read_only;
  out.key.buckets = std::move(spec.buckets);
  out.key.created_at = clock_->Now();
  out.secret = common::NewS3SecretKey();
  Status inserted;
  for (int attempt = 0; attempt < kCreateAttempts; ++attempt) {
    out.key.access_key_id = common::NewS3AccessKeyId();
    S3KeyRecord record = out.key;
    ASSIGN_OR_RETURN(record.secret_encrypted, master_key_->Seal(out.secret, record.access_key_id));
    inserted = store_->InsertS3Key(record);
    if (!absl::IsAlreadyExists(inserted)) break;
  }
  RETURN_IF_ERROR(inserted);
  std::string buckets;
  for (const std::string& bucket : out.key.buckets) buckets += "," + bucket;
  spdlog::info("created S3 access key {} (owner '{}', {}, buckets: {})", out.key.access_key_id,
               EscapeForMessage(out.key.owner), out.key.read_only ? "read-only" : "read-write",
               buckets.empty() ? "all" : EscapeForMessage(std::string_view(buckets).substr(1)));
  return out;
}

Result<std::vector<S3KeyRecord>> S3KeyService::List() {
  ASSIGN_OR_RETURN(std::vector<S3KeyRecord> keys, store_->ListS3Keys());
  for (S3KeyRecord& key : keys) key.secret_encrypted.clear();
  return keys;
}

Status S3KeyService::Delete(std::string_view access_key_id) {
  RETURN_IF_ERROR(common::ValidateS3AccessKeyId(access_key_id));
  RETURN_IF_ERROR(store_->DeleteS3Key(access_key_id));
  spdlog::info("deleted S3 access key {}", access_key_id);
  return absl::OkStatus();
}

Result<S3KeySecret> S3KeyService::Resolve(std::string_view access_key_id) {
  RETURN_IF_ERROR(common::ValidateS3AccessKeyId(access_key_id));
  S3KeySecret out;
  ASSIGN_OR_RETURN(out.key, store_->GetS3Key(access_key_id));
  ASSIGN_OR_RETURN(out.secret, master_key_->Open(out.key.secret_encrypted, access_key_id));
  out.key.secret_encrypted.clear();
  return out;
}

}  // namespace gale::coordinator
