#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace gale::coordinator {

// An S3 access key as the metadata store keeps it. The store treats the
// encrypted secret as opaque text: S3KeyService seals and opens it.
struct S3KeyRecord {
  std::string access_key_id;
  std::string secret_encrypted;
  std::string owner;                 // recorded on buckets the key creates ("": the key's id)
  bool read_only = false;            // every write answers AccessDenied
  std::vector<std::string> buckets;  // the buckets it may use, sorted; empty: all
  absl::Time created_at = absl::UnixEpoch();
};

}  // namespace gale::coordinator
