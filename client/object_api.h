#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "client/file_api.h"
#include "common/status.h"

namespace gale::client {

// A bucket as clients see it.
struct BucketInfo {
  std::string name;
  std::string owner;
  int64_t created_at_ms = 0;
};

// What the writer of an object gives it besides its bytes.
struct ObjectAttributes {
  std::string etag;
  std::string content_type;
  std::map<std::string, std::string> metadata;  // name -> value, names lowercase
  std::map<std::string, std::string> tags;
};

// An object as clients see it: a key in a bucket naming the file that holds
// its bytes.
struct ObjectInfo {
  std::string bucket;
  std::string key;
  std::string file_id;
  int64_t size = 0;
  ObjectAttributes attributes;
  int64_t modified_at_ms = 0;
};

// One page of a bucket's listing.
struct ObjectListRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;    // "": no roll-up into common prefixes
  std::string start_after;  // keys after this; a common prefix skips its keys
  int max_keys = 1000;      // 0..1000
  // Only each object's key, size, ETag and modification time are needed
  // (what an S3 listing shows): the others may come back empty.
  bool summaries = false;
};

struct ObjectListing {
  std::vector<ObjectInfo> objects;           // in key order
  std::vector<std::string> common_prefixes;  // in order
  bool truncated = false;
  std::string last;  // the last key or common prefix: where the next page starts
};

// A multipart upload in progress: the object it completes as.
struct MultipartUploadInfo {
  std::string upload_id;  // sorts in initiation order
  std::string bucket;
  std::string key;
  ObjectAttributes attributes;  // no ETag yet
  std::string owner;
  int64_t initiated_at_ms = 0;
};

// One part of a multipart upload.
struct PartInfo {
  int part_number = 0;
  std::string file_id;
  int64_t size = 0;
  std::string etag;
  int64_t modified_at_ms = 0;
};

// A page of a bucket's multipart uploads, by key, then upload id.
struct UploadListRequest {
  std::string bucket;
  std::string prefix;
  std::string after_key;  // uploads after (after_key, after_upload_id)
  std::string after_upload_id;
  int max_uploads = 1000;  // 1..1000
};

// Where an object's upload goes: its bucket and key, and its attributes,
// asked for when the upload commits (after its bytes were streamed, so that
// an ETag computed on the way is known).
struct ObjectTarget {
  std::string bucket;
  std::string key;
  std::function<ObjectAttributes()> attributes;
};

// Where a multipart upload's part goes: its upload and number, and its ETag,
// asked for when the part commits.
struct PartTarget {
  std::string upload_id;
  int part_number = 0;
  std::function<std::string()> etag;
};

using UploadTarget = std::variant<ObjectTarget, PartTarget>;

// The coordinator's buckets, objects and multipart uploads, as the S3
// gateway uses them: over gRPC in gale-s3 (GrpcObjectApi), by direct calls
// when the coordinator serves S3 itself. An object's bytes go up through an
// Uploader over a FileApi with an ObjectTarget, a part's with a PartTarget.
// Errors carry the coordinator's codes and messages. Implementations are
// thread-safe.
class ObjectApi {
 public:
  virtual ~ObjectApi() = default;

  virtual Status CreateBucket(const std::string& name, const std::string& owner) = 0;
  virtual Result<BucketInfo> GetBucket(const std::string& name) = 0;
  virtual Result<std::vector<BucketInfo>> ListBuckets() = 0;
  virtual Status DeleteBucket(const std::string& name) = 0;
  // The object, and with `with_chunks` its file's chunks and live replicas
  // (what a Downloader reads).
  virtual Result<std::pair<ObjectInfo, FileInfo>> GetObject(const std::string& bucket,
                                                            const std::string& key,
                                                            bool with_chunks) = 0;
  virtual Result<ObjectListing> ListObjects(const ObjectListRequest& request) = 0;
  virtual Status DeleteObject(const std::string& bucket, const std::string& key) = 0;
  virtual Status SetObjectTags(const std::string& bucket, const std::string& key,
                               const std::map<std::string, std::string>& tags) = 0;
  // A copy sharing the source's chunks; FAILED_PRECONDITION when
  // `source_file_id` is given and the source was replaced since.
  virtual Result<ObjectInfo> CopyObject(const std::string& source_bucket,
                                        const std::string& source_key,
                                        const std::string& source_file_id,
                                        const ObjectInfo& target) = 0;

  virtual Result<MultipartUploadInfo> CreateMultipartUpload(const MultipartUploadInfo& upload) = 0;
  virtual Result<MultipartUploadInfo> GetMultipartUpload(const std::string& upload_id) = 0;
  virtual Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(
      const UploadListRequest& request) = 0;
  virtual Result<std::vector<PartInfo>> ListParts(const std::string& upload_id) = 0;
  virtual Status AbortMultipartUpload(const std::string& upload_id) = 0;
  // `parts`: part numbers and file ids as ListParts gave them.
  virtual Result<ObjectInfo> CompleteMultipartUpload(const std::string& upload_id,
                                                     const std::vector<PartInfo>& parts,
                                                     const std::string& etag) = 0;
};

}  // namespace gale::client
