#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "coordinator/files/file_service.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/object_record.h"

namespace gale::coordinator {

// One page of a bucket's listing: objects, and the common prefixes that
// stand for the keys rolled up at the delimiter, both in key order.
struct ObjectListing {
  std::vector<ObjectRecord> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // The last key or common prefix of the page: where the next one starts
  // (exclusive; a common prefix skips every key under it).
  std::string last;
};

// What a page of a listing asks for.
struct ObjectListRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;    // "": no roll-up
  std::string start_after;  // keys after this; a common prefix skips its keys
  int max_keys = 1000;      // 0..1000
};

// The object namespace: buckets, and keys in them naming complete files.
// An object's bytes are uploaded as a nameless file (FileService::CreateFile
// with `object`) and bound to its key by the commit, so a reader sees the
// old object or the new one, never a mix. Bucket names follow the S3 rules
// (3 to 63 of a-z, 0-9, '.', '-', starting and ending with a letter or
// digit, not an IP address); keys are 1 to 1024 bytes of UTF-8 without NUL.
// Errors name the bucket or key: INVALID_ARGUMENT for a bad name,
// NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION for a bucket that is not
// empty. Thread-safe.
class ObjectService {
 public:
  // Everything must outlive the service.
  ObjectService(MetadataStore* store, FileService* files, common::Clock* clock)
      : store_(store), files_(files), clock_(clock) {}

  Status CreateBucket(std::string_view name, std::string_view owner);
  Result<BucketRecord> GetBucket(std::string_view name);
  Result<std::vector<BucketRecord>> ListBuckets();
  Status DeleteBucket(std::string_view name);

  // A pending, nameless file for the object's bytes; NOT_FOUND when the
  // bucket does not exist. `args.name` must be empty.
  Result<FileRecord> BeginObject(std::string_view bucket, std::string_view key,
                                 CreateFileArgs args);
  // Commits the upload `file_id` as `object` (FileService::CommitFile);
  // returns the committed file.
  Result<FileView> CommitObject(std::string_view file_id, int64_t size, std::string sha256,
                                ObjectRecord object);

  Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key);
  Result<ObjectListing> ListObjects(const ObjectListRequest& request);
  Status DeleteObject(std::string_view bucket, std::string_view key);
  Status SetObjectTags(std::string_view bucket, std::string_view key,
                       const std::map<std::string, std::string>& tags);

 private:
  MetadataStore* const store_;
  FileService* const files_;
  common::Clock* const clock_;
};

// INVALID_ARGUMENT naming the rule a bucket name or key breaks.
Status ValidateBucketName(std::string_view name);
Status ValidateObjectKey(std::string_view key);

}  // namespace gale::coordinator
