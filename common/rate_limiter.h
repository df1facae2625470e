#pragma once

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace gale::common {

// A token bucket over bytes: on average at most `bytes_per_second`, with
// bursts of up to `burst` worth. Reserve() books bytes and returns how long
// the caller must wait before using them (zero while the bucket has tokens);
// the caller sleeps, so waits stay interruptible and the clock injectable.
// A rate of 0 means unlimited. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(int64_t bytes_per_second, Clock* clock, absl::Duration burst = absl::Seconds(1));

  absl::Duration Reserve(int64_t bytes);
  int64_t bytes_per_second() const { return rate_; }

 private:
  const int64_t rate_;
  Clock* const clock_;
  const double capacity_;  // tokens the bucket holds when full
  absl::Mutex mu_;
  double tokens_ ABSL_GUARDED_BY(mu_);  // negative: debt the next caller waits out
  absl::Duration refilled_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::common
