#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status.h"

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

// Where the gateway looks up access keys it was not configured with: the
// coordinator's S3 keys (ClusterKeySource), or a fake in tests.
// Implementations are thread-safe.
class AccessKeySource {
 public:
  virtual ~AccessKeySource() = default;
  // The key `access_key_id` names. NOT_FOUND when there is none; any other
  // error when the source could not tell (UNAVAILABLE: try again later).
  virtual Result<AccessKey> Lookup(const std::string& access_key_id) = 0;
};

// How long the answers of an AccessKeySource are kept.
struct KeyCacheOptions {
  // A key found is reused this long: a key deleted at the source still
  // works here for up to this long, and a changed one changes as late.
  absl::Duration ttl = absl::Seconds(30);
  // "No such key" is answered this long without asking again.
  absl::Duration negative_ttl = absl::Seconds(5);
  // The most answers kept: beyond, the expired ones are dropped, then all.
  size_t max_entries = 10000;
};

// The access keys the gateway accepts, by access key id, and the buckets that
// anonymous (unsigned) requests may read; anonymous access is off until some
// are named. Keys come from the configuration (Add), and, with a source,
// from that source on demand (Resolve), cached by the clock's monotonic time
// as KeyCacheOptions say; lookups that fail are not cached. Thread-safe:
// keys may be added and removed while serving.
class Credentials {
 public:
  // Configured keys only.
  Credentials() = default;
  // Also looks keys up in `source`; `source` and `clock` must outlive this.
  Credentials(AccessKeySource* source, common::Clock* clock, KeyCacheOptions options = {})
      : source_(source), clock_(clock), cache_options_(options) {}

  // Adds or replaces the configured key `access_key_id`.
  void Add(const std::string& access_key_id, AccessKey key);
  // Whether there was such a configured key.
  bool Remove(const std::string& access_key_id);
  // A configured key (never looked up).
  std::optional<AccessKey> Find(const std::string& access_key_id) const;
  // A configured key, else one of the source (cached). nullopt: there is no
  // such key. When the source cannot tell, an S3 error: ServiceUnavailable
  // (the client retries) when it is unreachable, InternalError otherwise
  // (logged: the gateway may lack a full-access coordinator token).
  Result<std::optional<AccessKey>> Resolve(const std::string& access_key_id)
      ABSL_LOCKS_EXCLUDED(mu_);

  // The buckets anonymous requests may read (GET, HEAD, listings); empty:
  // anonymous requests are refused.
  void SetAnonymousReadBuckets(std::set<std::string> buckets);
  bool AnonymousMayRead(const std::string& bucket) const;

 private:
  // An answer of the source, kept until `expires` (monotonic).
  struct CachedKey {
    std::optional<AccessKey> key;  // nullopt: no such key
    absl::Duration expires;
  };

  AccessKeySource* const source_ = nullptr;
  common::Clock* const clock_ = nullptr;
  const KeyCacheOptions cache_options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, AccessKey> keys_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, CachedKey> cache_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> anonymous_read_buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::s3
