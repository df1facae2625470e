#include "s3/protocol/signing_key_cache.h"

#include "common/strings.h"
#include "s3/protocol/sigv4.h"

namespace gale::s3 {

std::string SigningKeyCache::Get(std::string_view secret_key, std::string_view date,
                                 std::string_view region, std::string_view service) {
  // '/' cannot be in a parsed scope's date, region or service, and the
  // secret comes last: no two keys share an id.
  std::string id = StrCat(date, "/", region, "/", service, "/", secret_key);
  {
    absl::MutexLock lock(&mu_);
    if (auto found = keys_.find(id); found != keys_.end()) return found->second;
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
