#include "s3/protocol/signing_key_cache.h"

#include <openssl/crypto.h>

#include "common/strings.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {

std::string SigningKeyCache::Get(std::string_view secret_key, std::string_view date,
                                 std::string_view region, std::string_view service) {
  // The parts are separated by a byte none of them may hold in a valid
  // request ('/' cannot be in a date, region or service of a parsed scope).
  std::string id = StrCat(date, "/", region, "/", service, "/", secret_key);
  {
    absl::MutexLock lock(&mu_);
    if (auto found = keys_.find(id); found != keys_.end()) {
      OPENSSL_cleanse(id.data(), id.size());
      return found->second;
    }
  }
  std::string key = SigningKey(secret_key, date, region, service);
  absl::MutexLock lock(&mu_);
  if (keys_.size() >= capacity_) keys_.clear();
  keys_.try_emplace(std::move(id), key);
  return key;
}

size_t SigningKeyCache::size() const {
  absl::MutexLock lock(&mu_);
  return keys_.size();
}

}  // namespace gale::s3
