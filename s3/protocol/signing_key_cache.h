#pragma once

#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace gale::s3 {

// SigV4 signing keys already derived (four HMACs from a secret, a date, a
// region and a service), so that a key's requests on one day derive it
// once. Holds at most `capacity` keys; when full it starts over (keys change
// daily). Thread-safe.
class SigningKeyCache {
 public:
  explicit SigningKeyCache(size_t capacity = 1024) : capacity_(capacity) {}

  // SigningKey(secret_key, date, region, service), from the cache when
  // derived before.
  std::string Get(std::string_view secret_key, std::string_view date, std::string_view region,
                  std::string_view service);
  size_t size() const;

 private:
  const size_t capacity_;
  mutable absl::Mutex mu_;
  // By date, region, service and secret (the secret as the gateway holds it).
  absl::flat_hash_map<std::string, std::string> keys_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::s3
