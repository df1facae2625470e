#include "coordinator/api/local_object_api.h"

#include "coordinator/api/local_file_api.h"

namespace gale::coordinator {
namespace {

client::BucketInfo ToClient(const BucketRecord& bucket) {
  return {bucket.name, bucket.owner, absl::ToUnixMillis(bucket.created_at)};
}

client::ObjectInfo ToClient(ObjectRecord object) {
  client::ObjectInfo out;
  out.bucket = std::move(object.bucket);
  out.key = std::move(object.key);
  out.file_id = std::move(object.file_id);
  out.size = object.size;
  out.attributes.etag = std::move(object.etag);
  out.attributes.content_type = std::move(object.content_type);
  out.attributes.metadata = std::move(object.metadata);
  out.attributes.tags = std::move(object.tags);
  out.modified_at_ms = absl::ToUnixMillis(object.modified_at);
  return out;
}

client::MultipartUploadInfo ToClient(MultipartUploadRecord upload) {
  client::MultipartUploadInfo out;
  out.upload_id = std::move(upload.id);
  out.bucket = std::move(upload.bucket);
  out.key = std::move(upload.key);
  out.attributes.content_type = std::move(upload.content_type);
  out.attributes.metadata = std::move(upload.metadata);
  out.attributes.tags = std::move(upload.tags);
  out.owner = std::move(upload.owner);
  out.initiated_at_ms = absl::ToUnixMillis(upload.created_at);
  return out;
}

}  // namespace

ObjectRecord ToObjectRecord(const std::string& bucket, const std::string& key,
                            const client::ObjectAttributes& attributes) {
  ObjectRecord out;
  out.bucket = bucket;
  out.key = key;
  out.etag = attributes.etag;
  out.content_type = attributes.content_type;
  out.metadata = attributes.metadata;
  out.tags = attributes.tags;
  return out;
}

Status LocalObjectApi::CreateBucket(const std::string& name, const std::string& owner) {
  return objects_->CreateBucket(name, owner);
}

Result<client::BucketInfo> LocalObjectApi::GetBucket(const std::string& name) {
  ASSIGN_OR_RETURN(BucketRecord bucket, objects_->GetBucket(name));
  return ToClient(bucket);
}

Result<std::vector<client::BucketInfo>> LocalObjectApi::ListBuckets() {
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, objects_->ListBuckets());
  std::vector<client::BucketInfo> out;
  out.reserve(buckets.size());
  for (const BucketRecord& bucket : buckets) out.push_back(ToClient(bucket));
  return out;
}

Status LocalObjectApi::DeleteBucket(const std::string& name) {
  return objects_->DeleteBucket(name);
}

Result<std::pair<client::ObjectInfo, client::FileInfo>> LocalObjectApi::GetObject(
    const std::string& bucket, const std::string& key, bool with_chunks) {
  ASSIGN_OR_RETURN(ObjectRecord object, objects_->GetObject(bucket, key));
  client::FileInfo file;
  if (with_chunks) {
    ASSIGN_OR_RETURN(FileView view, files_->GetFile(object.file_id, /*with_chunks=*/true));
    file = ToClientFileInfo(view);
  }
  return std::make_pair(ToClient(std::move(object)), std::move(file));
}

Result<client::ObjectListing> LocalObjectApi::ListObjects(
    const client::ObjectListRequest& request) {
  ASSIGN_OR_RETURN(
      ObjectListing listing,
      objects_->ListObjects({request.bucket, request.prefix, request.delimiter, request.start_after,
                             request.max_keys, request.summaries}));
  client::ObjectListing out;
  out.objects.reserve(listing.objects.size());
  for (ObjectRecord& object : listing.objects) out.objects.push_back(ToClient(std::move(object)));
  out.common_prefixes = std::move(listing.common_prefixes);
  out.truncated = listing.truncated;
  out.last = std::move(listing.last);
  return out;
}

Status LocalObjectApi::DeleteObject(const std::string& bucket, const std::string& key) {
  return objects_->DeleteObject(bucket, key);
}

Status LocalObjectApi::SetObjectTags(const std::string& bucket, const std::string& key,
                                     const std::map<std::string, std::string>& tags) {
  return objects_->SetObjectTags(bucket, key, tags);
}

Result<client::ObjectInfo> LocalObjectApi::CopyObject(const std::string& source_bucket,
                                                      const std::string& source_key,
                                                      const std::string& source_file_id,
                                                      const client::ObjectInfo& target) {
  ASSIGN_OR_RETURN(
      ObjectRecord object,
      objects_->CopyObject(source_bucket, source_key, source_file_id,
                           ToObjectRecord(target.bucket, target.key, target.attributes)));
  return ToClient(std::move(object));
}

Result<client::MultipartUploadInfo> LocalObjectApi::CreateMultipartUpload(
    const client::MultipartUploadInfo& upload) {
  MultipartUploadRecord record;
  record.bucket = upload.bucket;
  record.key = upload.key;
  record.owner = upload.owner;
  record.content_type = upload.attributes.content_type;
  record.metadata = upload.attributes.metadata;
  record.tags = upload.attributes.tags;
  ASSIGN_OR_RETURN(record, objects_->CreateMultipartUpload(std::move(record)));
  return ToClient(std::move(record));
}

Result<client::MultipartUploadInfo> LocalObjectApi::GetMultipartUpload(
    const std::string& upload_id) {
  ASSIGN_OR_RETURN(MultipartUploadRecord upload, objects_->GetMultipartUpload(upload_id));
  return ToClient(std::move(upload));
}

Result<std::vector<client::MultipartUploadInfo>> LocalObjectApi::ListMultipartUploads(
    const client::UploadListRequest& request) {
  ASSIGN_OR_RETURN(
      std::vector<MultipartUploadRecord> uploads,
      objects_->ListMultipartUploads({request.bucket, request.prefix, request.after_key,
                                      request.after_upload_id, request.max_uploads}));
  std::vector<client::MultipartUploadInfo> out;
  out.reserve(uploads.size());
  for (MultipartUploadRecord& upload : uploads) out.push_back(ToClient(std::move(upload)));
  return out;
}

Result<std::vector<client::PartInfo>> LocalObjectApi::ListParts(const std::string& upload_id) {
  ASSIGN_OR_RETURN(std::vector<PartRecord> parts, objects_->ListParts(upload_id));
  std::vector<client::PartInfo> out;
  out.reserve(parts.size());
  for (PartRecord& part : parts) {
    out.push_back({part.part_number, std::move(part.file_id), part.size, std::move(part.etag),
                   absl::ToUnixMillis(part.modified_at)});
  }
  return out;
}

Status LocalObjectApi::AbortMultipartUpload(const std::string& upload_id) {
  return objects_->AbortMultipartUpload(upload_id);
}

Result<client::ObjectInfo> LocalObjectApi::CompleteMultipartUpload(
    const std::string& upload_id, const std::vector<client::PartInfo>& parts,
    const std::string& etag) {
  std::vector<PartRecord> records;
  records.reserve(parts.size());
  for (const client::PartInfo& part : parts) {
    records.push_back(PartRecord{upload_id, part.part_number, part.file_id});
  }
  ASSIGN_OR_RETURN(ObjectRecord object,
                   objects_->CompleteMultipartUpload(upload_id, records, etag));
  return ToClient(std::move(object));
}

}  // namespace gale::coordinator
