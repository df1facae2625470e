#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/object_api.h"
#include "common/status.h"

namespace gale::s3 {

// An object's bytes on their way in. Write() them in order, then Commit()
// with the attributes computed while streaming (ETag, checksums): only then
// does the key point to the new bytes, atomically. Abort() (or destroying
// the writer uncommitted) stores nothing. Not thread-safe: one writer.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status Write(std::string_view data) = 0;
  virtual Result<client::ObjectInfo> Commit(const client::ObjectAttributes& attributes) = 0;
  virtual void Abort() = 0;
};

// Where the gateway keeps buckets and objects: the cluster (metadata over
// gRPC, bytes to and from the nodes through the client library), or memory
// in tests. Errors carry Gale's codes: NOT_FOUND (naming the bucket, the
// key or the upload: "no bucket ..." / "no object ..." / "no upload ..."), ALREADY_EXISTS,
// FAILED_PRECONDITION (a bucket not empty), INVALID_ARGUMENT (a bad name or key), UNAVAILABLE,
// DATA_LOSS (no verified replica). Thread-safe.
class ObjectBackend {
 public:
  using Sink = std::function<Status(std::string_view)>;

  virtual ~ObjectBackend() = default;

  virtual Status CreateBucket(const std::string& name, const std::string& owner) = 0;
  virtual Result<client::BucketInfo> GetBucket(const std::string& name) = 0;
  virtual Result<std::vector<client::BucketInfo>> ListBuckets() = 0;
  virtual Status DeleteBucket(const std::string& name) = 0;

  // NOT_FOUND for a missing bucket.
  virtual Result<std::unique_ptr<ObjectWriter>> PutObject(const std::string& bucket,
                                                          const std::string& key) = 0;
  virtual Result<client::ObjectInfo> HeadObject(const std::string& bucket,
                                                const std::string& key) = 0;
  // Bytes [offset, offset + length) of `object` (as HeadObject returned it),
  // verified, in order, to `sink`.
  virtual Status ReadObject(const client::ObjectInfo& object, int64_t offset, int64_t length,
                            const Sink& sink) = 0;
  virtual Result<client::ObjectListing> ListObjects(const client::ObjectListRequest& request) = 0;
  virtual Status DeleteObject(const std::string& bucket, const std::string& key) = 0;
  virtual Status SetObjectTags(const std::string& bucket, const std::string& key,
                               const std::map<std::string, std::string>& tags) = 0;
  // A copy of `source` (as HeadObject returned it) at `bucket` / `key` with
  // `attributes`, sharing the source's bytes. FAILED_PRECONDITION when the
  // source was replaced since it was looked up.
  virtual Result<client::ObjectInfo> CopyObject(const client::ObjectInfo& source,
                                                const std::string& bucket, const std::string& key,
                                                const client::ObjectAttributes& attributes) = 0;

  // Multipart uploads: NOT_FOUND "no upload ..." for an unknown upload id.
  // `upload` names the bucket, key and attributes; the id is assigned.
  virtual Result<client::MultipartUploadInfo> CreateMultipartUpload(
      const client::MultipartUploadInfo& upload) = 0;
  virtual Result<client::MultipartUploadInfo> GetMultipartUpload(const std::string& upload_id) = 0;
  virtual Result<std::vector<client::MultipartUploadInfo>> ListMultipartUploads(
      const client::UploadListRequest& request) = 0;
  // The bytes of part `part_number`; the writer's Commit takes the part's
  // ETag (attributes.etag, nothing else) and returns its size, ETag and file.
  // A part already at that number is replaced when the new one commits.
  virtual Result<std::unique_ptr<ObjectWriter>> PutPart(const std::string& upload_id,
                                                        int part_number) = 0;
  // Every part, by part number.
  virtual Result<std::vector<client::PartInfo>> ListParts(const std::string& upload_id) = 0;
  virtual Status AbortMultipartUpload(const std::string& upload_id) = 0;
  // Completes the upload as its object from `parts` (as ListParts returned
  // them, in ascending order) with the object's `etag`, without copying
  // bytes. FAILED_PRECONDITION for a part missing or replaced since listed.
  virtual Result<client::ObjectInfo> CompleteMultipartUpload(
      const std::string& upload_id, const std::vector<client::PartInfo>& parts,
      const std::string& etag) = 0;
};

}  // namespace gale::s3
