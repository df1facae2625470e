#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"

namespace gale::coordinator {

// A bucket of the object namespace.
struct BucketRecord {
  std::string name;
  std::string owner;  // who created it ("" when anonymous)
  absl::Time created_at = absl::UnixEpoch();
};

// An object: a key in a bucket, pointing to the complete file that holds its
// bytes, with the attributes its writer gave it.
struct ObjectRecord {
  std::string bucket;
  std::string key;  // compared and listed as bytes
  std::string file_id;
  int64_t size = 0;
  std::string etag;
  std::string content_type;
  std::map<std::string, std::string> metadata;  // the writer's name -> value pairs
  std::map<std::string, std::string> tags;
  absl::Time modified_at = absl::UnixEpoch();
};

// A page of one bucket's objects in byte order of their keys.
struct ObjectListQuery {
  std::string bucket;
  std::string prefix;  // keys starting with this
  std::string start;   // keys >= this ("" from the first)
  int limit = 1000;
  // Only bucket, key, size, etag and modified_at are asked for (a listing
  // page's entries): a store may leave the other fields empty.
  bool summaries = false;
};

// A multipart upload in progress: the object it completes as, with the
// attributes given when it began. Its id sorts in initiation order.
struct MultipartUploadRecord {
  std::string id;
  std::string bucket;
  std::string key;
  std::string owner;
  std::string content_type;
  std::map<std::string, std::string> metadata;
  std::map<std::string, std::string> tags;
  absl::Time created_at = absl::UnixEpoch();
  absl::Time expires_at = absl::UnixEpoch();  // dropped with its parts after this
};

// One part of a multipart upload: a complete, nameless file.
struct PartRecord {
  std::string upload_id;
  int part_number = 0;  // 1..10000
  std::string file_id;
  int64_t size = 0;
  std::string etag;
  absl::Time modified_at = absl::UnixEpoch();
};

// A page of one bucket's multipart uploads, in order of key, then id.
struct MultipartUploadQuery {
  std::string bucket;
  std::string prefix;     // keys starting with this
  std::string after_key;  // uploads after (after_key, after_id)
  std::string after_id;
  int limit = 1000;
};

}  // namespace gale::coordinator
