#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "s3/gateway/object_backend.h"

namespace gale::s3 {

// An ObjectBackend in memory, with the cluster's contract (names validated,
// NOT_FOUND "no bucket named 'b'" / "no object 'k' in bucket 'b'",
// ALREADY_EXISTS, FAILED_PRECONDITION for a bucket not empty, listings as
// client/object_api.h describes them, keys in byte order). For the gateway's
// tests; nothing in production uses it. `clock` (not owned) dates buckets and
// objects. Thread-safe.
class MemoryBackend final : public ObjectBackend {
 public:
  explicit MemoryBackend(common::Clock* clock);
  ~MemoryBackend() override;

  Status CreateBucket(const std::string& name, const std::string& owner) override;
  Result<client::BucketInfo> GetBucket(const std::string& name) override;
  Result<std::vector<client::BucketInfo>> ListBuckets() override;
  Status DeleteBucket(const std::string& name) override;

  Result<std::unique_ptr<ObjectWriter>> PutObject(const std::string& bucket,
                                                  const std::string& key) override;
  Result<client::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key) override;
  // OUT_OF_RANGE for a range outside the object; NOT_FOUND when `object` has
  // been replaced or deleted since HeadObject.
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

  // The number of stored objects in all buckets (a test hook).
  size_t ObjectCountForTesting() const;

 private:
  class Writer;
  struct Object {
    client::ObjectInfo info;
    std::shared_ptr<const std::string> data;
  };
  struct Bucket {
    client::BucketInfo info;
    std::map<std::string, Object> objects;  // std::string compares bytes unsigned
  };

  struct Part {
    client::PartInfo info;
    std::shared_ptr<const std::string> data;
  };
  struct Upload {
    client::MultipartUploadInfo info;
    std::map<int, Part> parts;
  };

  // Binds `data` to bucket/key (a Writer's Commit, a copy, a completion).
  Result<client::ObjectInfo> Store(const std::string& bucket, const std::string& key,
                                   std::shared_ptr<const std::string> data,
                                   const client::ObjectAttributes& attributes);
  Result<client::ObjectInfo> StoreLocked(const std::string& bucket, const std::string& key,
                                         std::shared_ptr<const std::string> data,
                                         const client::ObjectAttributes& attributes)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<Bucket*> FindBucket(const std::string& name) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Result<Upload*> FindUpload(const std::string& upload_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  common::Clock* const clock_;
  mutable absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Upload> uploads_ ABSL_GUARDED_BY(mu_);  // by upload id
  int64_t next_file_id_ ABSL_GUARDED_BY(mu_) = 1;
};

}  // namespace gale::s3
