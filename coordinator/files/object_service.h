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
  bool summaries = false;   // as ObjectListQuery::summaries
};

struct ObjectServiceOptions {
  // Multipart uploads neither completed nor aborted are dropped after this.
  absl::Duration multipart_upload_ttl = absl::Hours(24 * 7);
};

// The object namespace: buckets, and keys in them naming complete files.
// An object's bytes are uploaded as a nameless file (FileService::CreateFile
// with `object`) and bound to its key by the commit, so a reader sees the
// old object or the new one, never a mix. Bucket names follow the S3 rules
// (3 to 63 of a-z, 0-9, '.', '-', starting and ending with a letter or
// digit, not an IP address); keys are 1 to 1024 bytes of UTF-8 without NUL.
// Errors name the bucket or key: INVALID_ARGUMENT for a bad name,
// NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION for a bucket that is not
// empty. A multipart upload's parts are nameless files of their own, and
// completing it makes the object's file from their chunk lists; a copy
// shares its source's chunks. Neither moves a byte. Thread-safe.
class ObjectService {
 public:
  // Everything must outlive the service.
  ObjectService(MetadataStore* store, FileService* files, common::Clock* clock,
                ObjectServiceOptions options = {})
      : store_(store), files_(files), clock_(clock), options_(options) {}

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
  Result<FileRecord> CommitObject(std::string_view file_id, int64_t size, std::string sha256,
                                  ObjectRecord object);

  Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key);
  Result<ObjectListing> ListObjects(const ObjectListRequest& request);
  Status DeleteObject(std::string_view bucket, std::string_view key);
  Status SetObjectTags(std::string_view bucket, std::string_view key,
                       const std::map<std::string, std::string>& tags);
  // Binds a new file sharing the chunks of the object at `source_bucket` /
  // `source_key` to `target` (bucket, key and attributes). When
  // `source_file_id` is given, FAILED_PRECONDITION if the source was
  // replaced since the caller looked at it. Returns the new object.
  Result<ObjectRecord> CopyObject(std::string_view source_bucket, std::string_view source_key,
                                  std::string_view source_file_id, ObjectRecord target);

  // ---- multipart uploads ----
  // A new upload of `upload.bucket` / `upload.key` with its attributes (id
  // and times are filled in). NOT_FOUND for a missing bucket.
  Result<MultipartUploadRecord> CreateMultipartUpload(MultipartUploadRecord upload);
  // NOT_FOUND ("no upload ...") when absent.
  Result<MultipartUploadRecord> GetMultipartUpload(std::string_view upload_id);
  // A page of a bucket's uploads by key, then initiation; limit 1..1000.
  Result<std::vector<MultipartUploadRecord>> ListMultipartUploads(
      const MultipartUploadQuery& query);
  // A pending, nameless file for the bytes of part `part_number` (1..10000).
  Result<FileRecord> BeginPart(std::string_view upload_id, int part_number, CreateFileArgs args);
  // Commits the upload `file_id` as `part` (upload id, number, ETag); a part
  // already at that number is replaced.
  Result<FileRecord> CommitPart(std::string_view file_id, int64_t size, std::string sha256,
                                PartRecord part);
  Result<std::vector<PartRecord>> ListParts(std::string_view upload_id);
  // Drops the upload and its parts' files.
  Status AbortMultipartUpload(std::string_view upload_id);
  // Completes the upload as its object from `parts` (part numbers strictly
  // ascending, each naming the file ListParts showed for it) with `etag`:
  // the object's file is made of the parts' chunk lists, then the upload is
  // dropped. FAILED_PRECONDITION ("part N ...") for a part that is missing
  // or was replaced since. Returns the new object.
  Result<ObjectRecord> CompleteMultipartUpload(std::string_view upload_id,
                                               const std::vector<PartRecord>& parts,
                                               std::string etag);
  // Drops uploads past their expiry, at most `limit`; returns how many.
  Result<int> ExpireMultipartUploads(int limit);

 private:
  // Makes a file of `chunks` and commits it as `binding`.
  // Makes a file of `chunks` with the factor and write mode of `like` and
  // commits it as `binding`; drops it again if the commit fails.
  Result<FileRecord> CommitComposed(const FileRecord& like, std::vector<FileChunkRef> chunks,
                                    int64_t size, std::string sha256, FileBinding binding);

  MetadataStore* const store_;
  FileService* const files_;
  common::Clock* const clock_;
  const ObjectServiceOptions options_;
};

// INVALID_ARGUMENT naming the rule a bucket name or key breaks.
Status ValidateBucketName(std::string_view name);
Status ValidateObjectKey(std::string_view key);

}  // namespace gale::coordinator
