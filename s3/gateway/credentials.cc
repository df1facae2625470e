#include "s3/gateway/credentials.h"

#include <utility>

#include "common/strings.h"
#include "s3/protocol/s3_error.h"
#include "spdlog/spdlog.h"

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

Result<std::optional<AccessKey>> Credentials::Resolve(const std::string& access_key_id) {
  if (std::optional<AccessKey> configured = Find(access_key_id)) return configured;
  if (source_ == nullptr) return std::optional<AccessKey>();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(access_key_id);
    if (it != cache_.end() && clock_->Monotonic() < it->second.expires) return it->second.key;
  }
  // Asked without the lock: concurrent first requests of one key may each
  // ask, which costs a lookup, not correctness.
  Result<AccessKey> found = source_->Lookup(access_key_id);
  CachedKey entry;
  if (found.ok()) {
    entry.key = *std::move(found);
    if (entry.key->owner.empty()) entry.key->owner = access_key_id;
    entry.expires = clock_->Monotonic() + cache_options_.ttl;
  } else if (absl::IsNotFound(found.status())) {
    entry.expires = clock_->Monotonic() + cache_options_.negative_ttl;
  } else if (absl::IsUnavailable(found.status()) || absl::IsDeadlineExceeded(found.status())) {
    return S3Error(S3ErrorCode::kServiceUnavailable,
                   "The access key cannot be checked right now; please try again.");
  } else {
    spdlog::warn("gale-s3: looking up access key {} failed: {}", EscapeForMessage(access_key_id),
                 found.status().ToString());
    return S3Error(S3ErrorCode::kInternalError,
                   "The access key cannot be checked (see the gateway's log).");
  }
  absl::MutexLock lock(&mu_);
  if (cache_.size() >= cache_options_.max_entries) {
    const absl::Duration now = clock_->Monotonic();
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (it->second.expires <= now) {
        cache_.erase(it++);
      } else {
        ++it;
      }
    }
    if (cache_.size() >= cache_options_.max_entries) cache_.clear();
  }
  cache_[access_key_id] = entry;
  return entry.key;
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
