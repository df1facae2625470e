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
};

}  // namespace gale::coordinator
