#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace gale::s3 {

// One access key the gateway accepts.
struct AccessKey {
  std::string secret;
  // The owner recorded on buckets this key creates; empty: the access key id.
  std::string owner;
  // Reads only: every write answers AccessDenied.
  bool read_only = false;
  // The buckets this key may use; empty: all of them.
  std::set<std::string> buckets;

  bool MayUseBucket(const std::string& bucket) const {
    return buckets.empty() || buckets.contains(bucket);
  }
};

// The access keys the gateway accepts, by access key id, and the buckets that
// anonymous (unsigned) requests may read; anonymous access is off until some
// are named. Thread-safe: keys may be added and removed while serving.
class Credentials {
 public:
  // Adds or replaces `access_key_id`.
  void Add(const std::string& access_key_id, AccessKey key);
  // Whether there was such a key.
  bool Remove(const std::string& access_key_id);
  std::optional<AccessKey> Find(const std::string& access_key_id) const;

  // The buckets anonymous requests may read (GET, HEAD, listings); empty:
  // anonymous requests are refused.
  void SetAnonymousReadBuckets(std::set<std::string> buckets);
  bool AnonymousMayRead(const std::string& bucket) const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, AccessKey> keys_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> anonymous_read_buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::s3
