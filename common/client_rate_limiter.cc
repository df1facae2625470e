#include "common/client_rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace gale::common {

ClientRateLimiter::ClientRateLimiter(int per_second, int burst, Clock* clock, size_t max_clients)
    : per_second_(per_second),
      burst_(std::max(1, burst)),
      clock_(clock),
      max_clients_(std::max<size_t>(1, max_clients)) {}

double ClientRateLimiter::Refilled(const Bucket& bucket, absl::Duration now) const {
  return std::min(burst_,
                  bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) * per_second_);
}

absl::Duration ClientRateLimiter::Acquire(std::string_view client) {
  if (per_second_ <= 0) return absl::ZeroDuration();
  const absl::Duration now = clock_->Monotonic();
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      for (auto idle = buckets_.begin(); idle != buckets_.end();) {
        if (Refilled(idle->second, now) >= burst_) {
          idle = buckets_.erase(idle);
        } else {
          ++idle;
        }
      }
      if (buckets_.size() >= max_clients_) buckets_.clear();
    }
    it = buckets_.emplace(std::string(client), Bucket{burst_, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = Refilled(bucket, now);
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return absl::ZeroDuration();
  }
  return absl::Seconds((1 - bucket.tokens) / per_second_);
}

}  // namespace gale::common
