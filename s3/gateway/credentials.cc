#include "s3/gateway/credentials.h"

#include <utility>

namespace gale::s3 {

void Credentials::Add(const std::string& access_key_id, AccessKey key) {
  if (key.owner.empty()) key.owner = access_key_id;
  absl::MutexLock lock(&mu_);
  keys_[access_key_id] = std::move(key);
}

bool Credentials::Remove(const std::string& access_key_id) {
  absl::MutexLock lock(&mu_);
  return keys_.erase(access_key_id) > 0;
}

std::optional<AccessKey> Credentials::Find(const std::string& access_key_id) const {
  absl::MutexLock lock(&mu_);
  auto it = keys_.find(access_key_id);
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

void Credentials::SetAnonymousReadBuckets(std::set<std::string> buckets) {
  absl::MutexLock lock(&mu_);
  anonymous_read_buckets_ = std::move(buckets);
}

bool Credentials::AnonymousMayRead(const std::string& bucket) const {
  absl::MutexLock lock(&mu_);
  return anonymous_read_buckets_.contains(bucket);
}

}  // namespace gale::s3
