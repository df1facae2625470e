#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

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

}  // namespace gale::client
