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
// in tests. Errors carry Gale's codes: NOT_FOUND (naming the bucket or the
// key: "no bucket ..." / "no object ..."), ALREADY_EXISTS, FAILED_PRECONDITION
// (a bucket not empty), INVALID_ARGUMENT (a bad name or key), UNAVAILABLE,
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
};

}  // namespace gale::s3
