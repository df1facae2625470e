// S3Gateway: the bucket operations.

#include "common/strings.h"
#include "s3/gateway/gateway.h"
#include "s3/gateway/http_util.h"
#include "s3/gateway/names.h"
#include "s3/protocol/s3_error.h"
#include "s3/protocol/s3_xml_requests.h"
#include "s3/protocol/s3_xml_responses.h"

namespace gale::s3 {

Status S3Gateway::ListBuckets(Call& call) {
  ASSIGN_OR_RETURN(std::vector<client::BucketInfo> buckets, backend_->ListBuckets());
  ListAllMyBucketsResult result;
  result.owner = {OwnerOf(call), OwnerOf(call)};
  for (const client::BucketInfo& bucket : buckets) {
    if (!call.key->MayUseBucket(bucket.name)) continue;
    result.buckets.push_back({bucket.name, absl::FromUnixMillis(bucket.created_at_ms)});
  }
  SendXml(call.res, 200, ToXml(result));
  return absl::OkStatus();
}

Status S3Gateway::CreateBucket(Call& call) {
  const std::string& name = call.s3.bucket;
  if (Status valid = ValidateBucketName(name); !valid.ok()) {
    return S3Error(S3ErrorCode::kInvalidBucketName, std::string(ToStd(valid.message())));
  }
  ASSIGN_OR_RETURN(std::string body, ReadSmallBody(call));
  ASSIGN_OR_RETURN(CreateBucketConfiguration configuration,
                   ParseCreateBucketConfiguration(body, options_.max_xml_body_bytes));
  const std::string& location = configuration.location_constraint;
  if (!location.empty() && location != options_.region) {
    return S3Error(S3ErrorCode::kInvalidArgument,
                   StrCat("The specified location-constraint '", location,
                          "' is not valid: this endpoint serves region ", options_.region));
  }
  Status created = backend_->CreateBucket(name, OwnerOf(call));
  if (absl::IsAlreadyExists(created)) {
    auto existing = backend_->GetBucket(name);
    if (existing.ok() && existing->owner == OwnerOf(call)) {
      return S3Error(S3ErrorCode::kBucketAlreadyOwnedByYou,
                     "Your previous request to create the named bucket succeeded and you "
                     "already own it.");
    }
    return S3Error(S3ErrorCode::kBucketAlreadyExists,
                   "The requested bucket name is not available.");
  }
  RETURN_IF_ERROR(BackendError(created));
  call.res.status = 200;
  call.res.set_header("Location", StrCat("/", name));
  return absl::OkStatus();
}

Status S3Gateway::HeadBucket(Call& call) {
  RETURN_IF_ERROR(BackendError(backend_->GetBucket(call.s3.bucket).status()));
  call.res.status = 200;
  call.res.set_header("x-amz-bucket-region", options_.region);
  return absl::OkStatus();
}

Status S3Gateway::DeleteBucket(Call& call) {
  Status deleted = backend_->DeleteBucket(call.s3.bucket);
  if (absl::IsFailedPrecondition(deleted)) {
    return S3Error(S3ErrorCode::kBucketNotEmpty, "The bucket you tried to delete is not empty");
  }
  RETURN_IF_ERROR(BackendError(deleted));
  call.res.status = 204;
  return absl::OkStatus();
}

Status S3Gateway::GetBucketLocation(Call& call) {
  RETURN_IF_ERROR(BackendError(backend_->GetBucket(call.s3.bucket).status()));
  SendXml(call.res, 200, ToXml(LocationConstraint{options_.region}));
  return absl::OkStatus();
}

Status S3Gateway::GetBucketVersioning(Call& call) {
  RETURN_IF_ERROR(BackendError(backend_->GetBucket(call.s3.bucket).status()));
  SendXml(call.res, 200, ToXml(VersioningConfiguration{}));
  return absl::OkStatus();
}

}  // namespace gale::s3
