#include "client/grpc_object_api.h"

#include "client/grpc_file_api.h"

namespace gale::client {
namespace {

BucketInfo FromProto(const v1::Bucket& bucket) {
  return {bucket.name(), bucket.owner(), bucket.created_at_ms()};
}

}  // namespace

ObjectInfo FromProto(const v1::ObjectInfo& object) {
  const v1::ObjectAttributes& a = object.attributes();
  ObjectInfo out;
  out.bucket = a.bucket();
  out.key = a.key();
  out.file_id = object.file_id();
  out.size = object.size();
  out.attributes.etag = a.etag();
  out.attributes.content_type = a.content_type();
  out.attributes.metadata.insert(a.metadata().begin(), a.metadata().end());
  out.attributes.tags.insert(a.tags().begin(), a.tags().end());
  out.modified_at_ms = object.modified_at_ms();
  return out;
}

Status GrpcObjectApi::CreateBucket(const std::string& name, const std::string& owner) {
  v1::CreateBucketRequest request;
  request.set_name(name);
  request.set_owner(owner);
  v1::CreateBucketResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->CreateBucket(context, request, &response); });
}

Result<BucketInfo> GrpcObjectApi::GetBucket(const std::string& name) {
  v1::GetBucketRequest request;
  request.set_name(name);
  v1::GetBucketResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->GetBucket(context, request, &response); }));
  return FromProto(response.bucket());
}

Result<std::vector<BucketInfo>> GrpcObjectApi::ListBuckets() {
  v1::ListBucketsRequest request;
  v1::ListBucketsResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->ListBuckets(context, request, &response); }));
  std::vector<BucketInfo> out;
  for (const auto& bucket : response.buckets()) out.push_back(FromProto(bucket));
  return out;
}

Status GrpcObjectApi::DeleteBucket(const std::string& name) {
  v1::DeleteBucketRequest request;
  request.set_name(name);
  v1::DeleteBucketResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->DeleteBucket(context, request, &response); });
}

Result<std::pair<ObjectInfo, FileInfo>> GrpcObjectApi::GetObject(const std::string& bucket,
                                                                 const std::string& key,
                                                                 bool with_chunks) {
  v1::GetObjectRequest request;
  request.set_bucket(bucket);
  request.set_key(key);
  request.set_with_chunks(with_chunks);
  v1::GetObjectResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->GetObject(context, request, &response); }));
  return std::make_pair(FromProto(response.object()), FromProto(response.file()));
}

Result<ObjectListing> GrpcObjectApi::ListObjects(const ObjectListRequest& list) {
  v1::ListObjectsRequest request;
  request.set_bucket(list.bucket);
  request.set_prefix(list.prefix);
  request.set_delimiter(list.delimiter);
  request.set_start_after(list.start_after);
  request.set_max_keys(list.max_keys);
  v1::ListObjectsResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->ListObjects(context, request, &response); }));
  ObjectListing out;
  for (const auto& object : response.objects()) out.objects.push_back(FromProto(object));
  out.common_prefixes.assign(response.common_prefixes().begin(), response.common_prefixes().end());
  out.truncated = response.truncated();
  out.last = response.last();
  return out;
}

Status GrpcObjectApi::DeleteObject(const std::string& bucket, const std::string& key) {
  v1::DeleteObjectRequest request;
  request.set_bucket(bucket);
  request.set_key(key);
  v1::DeleteObjectResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->DeleteObject(context, request, &response); });
}

Status GrpcObjectApi::SetObjectTags(const std::string& bucket, const std::string& key,
                                    const std::map<std::string, std::string>& tags) {
  v1::SetObjectTagsRequest request;
  request.set_bucket(bucket);
  request.set_key(key);
  request.mutable_tags()->insert(tags.begin(), tags.end());
  v1::SetObjectTagsResponse response;
  return coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->SetObjectTags(context, request, &response); });
}

}  // namespace gale::client
