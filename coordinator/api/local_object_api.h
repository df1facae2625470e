#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/object_api.h"
#include "coordinator/files/file_service.h"
#include "coordinator/files/object_service.h"

namespace gale::coordinator {

// The client library's ObjectApi answered by this coordinator's own
// ObjectService and FileService, without a network hop: the metadata side
// of the S3 API when the coordinator serves it. Thread-safe.
class LocalObjectApi final : public client::ObjectApi {
 public:
  // Both must outlive the API.
  LocalObjectApi(ObjectService* objects, FileService* files) : objects_(objects), files_(files) {}

  Status CreateBucket(const std::string& name, const std::string& owner) override;
  Result<client::BucketInfo> GetBucket(const std::string& name) override;
  Result<std::vector<client::BucketInfo>> ListBuckets() override;
  Status DeleteBucket(const std::string& name) override;
  Result<std::pair<client::ObjectInfo, client::FileInfo>> GetObject(const std::string& bucket,
                                                                    const std::string& key,
                                                                    bool with_chunks) override;
  Result<client::ObjectListing> ListObjects(const client::ObjectListRequest& request) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Status SetObjectTags(const std::string& bucket, const std::string& key,
                       const std::map<std::string, std::string>& tags) override;
  Result<client::ObjectInfo> CopyObject(const std::string& source_bucket,
                                        const std::string& source_key,
                                        const std::string& source_file_id,
                                        const client::ObjectInfo& target) override;
  Result<client::MultipartUploadInfo> CreateMultipartUpload(
      const client::MultipartUploadInfo& upload) override;
  Result<client::MultipartUploadInfo> GetMultipartUpload(const std::string& upload_id) override;
  Result<std::vector<client::MultipartUploadInfo>> ListMultipartUploads(
      const client::UploadListRequest& request) override;
  Result<std::vector<client::PartInfo>> ListParts(const std::string& upload_id) override;
  Status AbortMultipartUpload(const std::string& upload_id) override;
  Result<client::ObjectInfo> CompleteMultipartUpload(const std::string& upload_id,
                                                     const std::vector<client::PartInfo>& parts,
                                                     const std::string& etag) override;

 private:
  ObjectService* const objects_;
  FileService* const files_;
};

// The object `bucket` / `key` with `attributes` (no file, size or time yet).
ObjectRecord ToObjectRecord(const std::string& bucket, const std::string& key,
                            const client::ObjectAttributes& attributes);

}  // namespace gale::coordinator
