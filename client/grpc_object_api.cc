#include "client/grpc_object_api.h"

#include "client/grpc_file_api.h"

namespace gale::client {
namespace {

BucketInfo FromProto(const v1::Bucket& bucket) {
  return {bucket.name(), bucket.owner(), bucket.created_at_ms()};
}

void ToProto(const std::string& bucket, const std::string& key, const ObjectAttributes& attributes,
             v1::ObjectAttributes* out) {
  out->set_bucket(bucket);
  out->set_key(key);
  out->set_etag(attributes.etag);
  out->set_content_type(attributes.content_type);
  out->mutable_metadata()->insert(attributes.metadata.begin(), attributes.metadata.end());
  out->mutable_tags()->insert(attributes.tags.begin(), attributes.tags.end());
}

MultipartUploadInfo FromProto(const v1::MultipartUpload& upload) {
  const v1::ObjectAttributes& a = upload.attributes();
  MultipartUploadInfo out;
  out.upload_id = upload.upload_id();
  out.bucket = a.bucket();
  out.key = a.key();
  out.attributes.content_type = a.content_type();
  out.attributes.metadata.insert(a.metadata().begin(), a.metadata().end());
  out.attributes.tags.insert(a.tags().begin(), a.tags().end());
  out.owner = upload.owner();
  out.initiated_at_ms = upload.created_at_ms();
  return out;
}

PartInfo FromProto(const v1::Part& part) {
  return {part.part_number(), part.file_id(), part.size(), part.etag(), part.modified_at_ms()};
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
  request.set_summaries(list.summaries);
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

Result<ObjectInfo> GrpcObjectApi::CopyObject(const std::string& source_bucket,
                                             const std::string& source_key,
                                             const std::string& source_file_id,
                                             const ObjectInfo& target) {
  v1::CopyObjectRequest request;
  request.set_source_bucket(source_bucket);
  request.set_source_key(source_key);
  request.set_source_file_id(source_file_id);
  ToProto(target.bucket, target.key, target.attributes, request.mutable_target());
  v1::CopyObjectResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->CopyObject(context, request, &response); }));
  return FromProto(response.object());
}

Result<MultipartUploadInfo> GrpcObjectApi::CreateMultipartUpload(
    const MultipartUploadInfo& upload) {
  v1::CreateMultipartUploadRequest request;
  ToProto(upload.bucket, upload.key, upload.attributes, request.mutable_attributes());
  request.set_owner(upload.owner);
  v1::CreateMultipartUploadResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    return stub->CreateMultipartUpload(context, request, &response);
  }));
  return FromProto(response.upload());
}

Result<MultipartUploadInfo> GrpcObjectApi::GetMultipartUpload(const std::string& upload_id) {
  v1::GetMultipartUploadRequest request;
  request.set_upload_id(upload_id);
  v1::GetMultipartUploadResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    return stub->GetMultipartUpload(context, request, &response);
  }));
  return FromProto(response.upload());
}

Result<std::vector<MultipartUploadInfo>> GrpcObjectApi::ListMultipartUploads(
    const UploadListRequest& list) {
  v1::ListMultipartUploadsRequest request;
  request.set_bucket(list.bucket);
  request.set_prefix(list.prefix);
  request.set_after_key(list.after_key);
  request.set_after_upload_id(list.after_upload_id);
  request.set_max_uploads(list.max_uploads);
  v1::ListMultipartUploadsResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    return stub->ListMultipartUploads(context, request, &response);
  }));
  std::vector<MultipartUploadInfo> out;
  for (const auto& upload : response.uploads()) out.push_back(FromProto(upload));
  return out;
}

Result<std::vector<PartInfo>> GrpcObjectApi::ListParts(const std::string& upload_id) {
  v1::ListPartsRequest request;
  request.set_upload_id(upload_id);
  v1::ListPartsResponse response;
  RETURN_IF_ERROR(coordinator_->Run(
      [&](auto* stub, auto* context) { return stub->ListParts(context, request, &response); }));
  std::vector<PartInfo> out;
  for (const auto& part : response.parts()) out.push_back(FromProto(part));
  return out;
}

Status GrpcObjectApi::AbortMultipartUpload(const std::string& upload_id) {
  v1::AbortMultipartUploadRequest request;
  request.set_upload_id(upload_id);
  v1::AbortMultipartUploadResponse response;
  return coordinator_->Run([&](auto* stub, auto* context) {
    return stub->AbortMultipartUpload(context, request, &response);
  });
}

Result<ObjectInfo> GrpcObjectApi::CompleteMultipartUpload(const std::string& upload_id,
                                                          const std::vector<PartInfo>& parts,
                                                          const std::string& etag) {
  v1::CompleteMultipartUploadRequest request;
  request.set_upload_id(upload_id);
  for (const PartInfo& part : parts) {
    v1::Part* out = request.add_parts();
    out->set_part_number(part.part_number);
    out->set_file_id(part.file_id);
  }
  request.set_etag(etag);
  v1::CompleteMultipartUploadResponse response;
  RETURN_IF_ERROR(coordinator_->Run([&](auto* stub, auto* context) {
    return stub->CompleteMultipartUpload(context, request, &response);
  }));
  return FromProto(response.object());
}

}  // namespace gale::client
