#include "client/grpc_s3_key_api.h"

#include "proto/coordinator.pb.h"

namespace gale::client {
namespace {

S3KeyInfo FromProto(const v1::S3Key& key) {
  S3KeyInfo out;
  out.access_key = key.access_key();
  out.secret_key = key.secret_key();
  out.owner = key.owner();
  out.read_only = key.read_only();
  out.buckets.assign(key.buckets().begin(), key.buckets().end());
  out.created_at_ms = key.created_at_ms();
  return out;
}

}  // namespace

Result<S3KeyInfo> GrpcS3KeyApi::CreateS3Key(const S3KeyOptions& options) {
  v1::CreateS3KeyRequest request;
  request.set_owner(options.owner);
  request.set_read_only(options.read_only);
  for (const std::string& bucket : options.buckets) request.add_buckets(bucket);
  v1::CreateS3KeyResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->CreateS3Key(context, request, &response); }));
  return FromProto(response.key());
}

Result<std::vector<S3KeyInfo>> GrpcS3KeyApi::ListS3Keys() {
  v1::ListS3KeysRequest request;
  v1::ListS3KeysResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->ListS3Keys(context, request, &response); }));
  std::vector<S3KeyInfo> out;
  for (const auto& key : response.keys()) out.push_back(FromProto(key));
  return out;
}

Status GrpcS3KeyApi::DeleteS3Key(const std::string& access_key) {
  v1::DeleteS3KeyRequest request;
  request.set_access_key(access_key);
  v1::DeleteS3KeyResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->DeleteS3Key(context, request, &response); });
}

Result<S3KeyInfo> GrpcS3KeyApi::GetS3Key(const std::string& access_key) {
  v1::GetS3KeyRequest request;
  request.set_access_key(access_key);
  v1::GetS3KeyResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->GetS3Key(context, request, &response); }));
  return FromProto(response.key());
}

}  // namespace gale::client
