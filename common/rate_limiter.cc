#include "common/rate_limiter.h"

#include <algorithm>

namespace gale::common {

RateLimiter::RateLimiter(int64_t bytes_per_second, Clock* clock, absl::Duration burst)
    : rate_(bytes_per_second),
      clock_(clock),
      capacity_(static_cast<double>(bytes_per_second) * absl::ToDoubleSeconds(burst)),
      tokens_(capacity_),
      refilled_(clock->Monotonic()) {}

absl::Duration RateLimiter::Reserve(int64_t bytes) {
  if (rate_ <= 0) return absl::ZeroDuration();
  absl::MutexLock lock(&mu_);
  const absl::Duration now = clock_->Monotonic();
  tokens_ = std::min(capacity_,
                     tokens_ + absl::ToDoubleSeconds(now - refilled_) * static_cast<double>(rate_));
  refilled_ = now;
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) return absl::ZeroDuration();
  return absl::Seconds(-tokens_ / static_cast<double>(rate_));
}

}  // namespace gale::common
