#pragma once

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace gale::common {

// A source of time. Domain classes take a Clock* so that tests can drive time
// with a FakeClock instead of sleeping. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time: for timestamps that are stored or shown to users.
  virtual absl::Time Now() const = 0;

  // Monotonic time since an arbitrary origin: for timeouts and intervals,
  // immune to wall-clock steps.
  virtual absl::Duration Monotonic() const = 0;
};

// The real clock. Thread-safe; the process-wide instance never dies.
class SystemClock final : public Clock {
 public:
  static SystemClock* Get();

  absl::Time Now() const override;
  absl::Duration Monotonic() const override;
};

}  // namespace gale::common
