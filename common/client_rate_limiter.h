#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace gale::common {

// Request-rate limits per client address: a token bucket each, refilled at
// `per_second` requests per second and holding up to `burst`. At most
// `max_clients` addresses are tracked; beyond that, those whose bucket is
// full again (idle long enough) are forgotten first, and a forgotten address
// starts with a full bucket. `per_second` 0 means unlimited. Thread-safe.
class ClientRateLimiter {
 public:
  ClientRateLimiter(int per_second, int burst, Clock* clock, size_t max_clients = 100000);

  // Zero when `client` may make a request now (it takes a token), else how
  // long until it may.
  absl::Duration Acquire(std::string_view client);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Duration refilled;  // on the monotonic clock
  };
  double Refilled(const Bucket& bucket, absl::Duration now) const;

  const double per_second_;
  const double burst_;
  Clock* const clock_;
  const size_t max_clients_;
  absl::Mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::common
