#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "client/coordinator_client.h"
#include "client/file_api.h"
#include "client/object_api.h"
#include "common/status.h"
#include "proto/coordinator.pb.h"

namespace gale::client {

// ObjectApi over the coordinator's gRPC API (with failover between
// coordinators). Thread-safe.
class GrpcObjectApi final : public ObjectApi {
 public:
  explicit GrpcObjectApi(CoordinatorClient* coordinator) : coordinator_(coordinator) {}

  Status CreateBucket(const std::string& name, const std::string& owner) override;
  Result<BucketInfo> GetBucket(const std::string& name) override;
  Result<std::vector<BucketInfo>> ListBuckets() override;
  Status DeleteBucket(const std::string& name) override;
  Result<std::pair<ObjectInfo, FileInfo>> GetObject(const std::string& bucket,
                                                    const std::string& key,
                                                    bool with_chunks) override;
  Result<ObjectListing> ListObjects(const ObjectListRequest& request) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Status SetObjectTags(const std::string& bucket, const std::string& key,
                       const std::map<std::string, std::string>& tags) override;
  Result<ObjectInfo> CopyObject(const std::string& source_bucket, const std::string& source_key,
                                const std::string& source_file_id,
                                const ObjectInfo& target) override;
  Result<MultipartUploadInfo> CreateMultipartUpload(const MultipartUploadInfo& upload) override;
  Result<MultipartUploadInfo> GetMultipartUpload(const std::string& upload_id) override;
  Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(
      const UploadListRequest& request) override;
  Result<std::vector<PartInfo>> ListParts(const std::string& upload_id) override;
  Status AbortMultipartUpload(const std::string& upload_id) override;
  Result<ObjectInfo> CompleteMultipartUpload(const std::string& upload_id,
                                             const std::vector<PartInfo>& parts,
                                             const std::string& etag) override;

 private:
  CoordinatorClient* const coordinator_;
};

ObjectInfo FromProto(const v1::ObjectInfo& object);

}  // namespace gale::client
