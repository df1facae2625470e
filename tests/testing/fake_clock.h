#pragma once

#include "absl/synchronization/mutex.h"
#include "common/clock.h"

namespace gale::testing {

// A clock that moves only when told to. Wall and monotonic time advance
// together. Thread-safe.
class FakeClock final : public common::Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1'800'000'000)) : now_(start) {}

  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  absl::Duration Monotonic() const override {
    absl::MutexLock lock(&mu_);
    return now_ - absl::UnixEpoch();
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::testing
