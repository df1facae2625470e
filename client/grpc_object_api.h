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

// The coordinator's buckets and objects over gRPC (with failover between
// coordinators). An object's bytes go up through an Uploader over a
// GrpcFileApi with an ObjectTarget. Errors carry the coordinator's codes.
// Thread-safe.
class GrpcObjectApi {
 public:
  explicit GrpcObjectApi(CoordinatorClient* coordinator) : coordinator_(coordinator) {}

  Status CreateBucket(const std::string& name, const std::string& owner);
  Result<BucketInfo> GetBucket(const std::string& name);
  Result<std::vector<BucketInfo>> ListBuckets();
  Status DeleteBucket(const std::string& name);
  // The object, and with `with_chunks` its file's chunks and live replicas
  // (what a Downloader reads).
  Result<std::pair<ObjectInfo, FileInfo>> GetObject(const std::string& bucket,
                                                    const std::string& key, bool with_chunks);
  Result<ObjectListing> ListObjects(const ObjectListRequest& request);
  Status DeleteObject(const std::string& bucket, const std::string& key);
  Status SetObjectTags(const std::string& bucket, const std::string& key,
                       const std::map<std::string, std::string>& tags);
  // A copy sharing the source's chunks; FAILED_PRECONDITION when
  // `source_file_id` is given and the source was replaced since.
  Result<ObjectInfo> CopyObject(const std::string& source_bucket, const std::string& source_key,
                                const std::string& source_file_id, const ObjectInfo& target);

  // Multipart uploads. A part's bytes go up through an Uploader over a
  // GrpcFileApi with a PartTarget.
  Result<MultipartUploadInfo> CreateMultipartUpload(const MultipartUploadInfo& upload);
  Result<MultipartUploadInfo> GetMultipartUpload(const std::string& upload_id);
  Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(const UploadListRequest& request);
  Result<std::vector<PartInfo>> ListParts(const std::string& upload_id);
  Status AbortMultipartUpload(const std::string& upload_id);
  // `parts`: part numbers and file ids as ListParts gave them.
  Result<ObjectInfo> CompleteMultipartUpload(const std::string& upload_id,
                                             const std::vector<PartInfo>& parts,
                                             const std::string& etag);

 private:
  CoordinatorClient* const coordinator_;
};

ObjectInfo FromProto(const v1::ObjectInfo& object);

}  // namespace gale::client
