#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/chunk_transport.h"
#include "client/downloader.h"
#include "client/file_api.h"
#include "client/object_api.h"
#include "s3/gateway/object_backend.h"

namespace gale::s3 {

struct ClusterBackendOptions {
  int64_t chunk_size = 8 << 20;  // objects are cut into chunks of this size
  int replication_factor = 0;    // 0: the coordinator's default
  std::string write_mode;        // "": the coordinator's default
  int parallelism = 4;           // chunks in flight per upload or download
};

// The coordinator APIs a ClusterBackend calls: over gRPC in gale-s3, by
// direct calls when the coordinator serves S3 itself. The pointers must
// outlive the backend.
struct ClusterApis {
  client::ObjectApi* objects = nullptr;
  client::FileApi* files = nullptr;
  // A FileApi whose files are the uploads of `target` (an object or a part).
  std::function<std::unique_ptr<client::FileApi>(client::UploadTarget target)> upload_files;
};

// The gateway's buckets and objects in a Gale cluster: metadata from the
// coordinators, bytes straight to and from the nodes through the client
// library's Uploader and Downloader (streamed, verified, parallel chunks).
// Holds no state of its own, so any number of gateways can serve one
// cluster. Thread-safe.
class ClusterBackend final : public ObjectBackend {
 public:
  // `transport` must outlive the backend.
  ClusterBackend(ClusterApis apis, client::ChunkTransport* transport,
                 ClusterBackendOptions options);

  Status CreateBucket(const std::string& name, const std::string& owner) override;
  Result<client::BucketInfo> GetBucket(const std::string& name) override;
  Result<std::vector<client::BucketInfo>> ListBuckets() override;
  Status DeleteBucket(const std::string& name) override;
  Result<std::unique_ptr<ObjectWriter>> PutObject(const std::string& bucket,
                                                  const std::string& key) override;
  Result<client::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) override;
  Status ReadObject(const client::ObjectInfo& object, int64_t offset, int64_t length,
                    const Sink& sink) override;
  Result<client::ObjectListing> ListObjects(const client::ObjectListRequest& request) override;
  Status DeleteObject(const std::string& bucket, const std::string& key) override;
  Status SetObjectTags(const std::string& bucket, const std::string& key,
                       const std::map<std::string, std::string>& tags) override;
  Result<client::ObjectInfo> CopyObject(const client::ObjectInfo& source, const std::string& bucket,
                                        const std::string& key,
                                        const client::ObjectAttributes& attributes) override;
  Result<client::MultipartUploadInfo> CreateMultipartUpload(
      const client::MultipartUploadInfo& upload) override;
  Result<client::MultipartUploadInfo> GetMultipartUpload(const std::string& upload_id) override;
  Result<std::vector<client::MultipartUploadInfo>> ListMultipartUploads(
      const client::UploadListRequest& request) override;
  Result<std::unique_ptr<ObjectWriter>> PutPart(const std::string& upload_id,
                                                int part_number) override;
  Result<std::vector<client::PartInfo>> ListParts(const std::string& upload_id) override;
  Status AbortMultipartUpload(const std::string& upload_id) override;
  Result<client::ObjectInfo> CompleteMultipartUpload(const std::string& upload_id,
                                                     const std::vector<client::PartInfo>& parts,
                                                     const std::string& etag) override;

 private:
  // A writer for a new object's or part's bytes.
  Result<std::unique_ptr<ObjectWriter>> BeginUpload(client::UploadTarget target);

  const ClusterApis apis_;
  client::ChunkTransport* const transport_;
  const ClusterBackendOptions options_;
  client::Downloader downloader_;
};

}  // namespace gale::s3
