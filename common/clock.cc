#include "common/clock.h"

#include <chrono>

namespace gale::common {

SystemClock* SystemClock::Get() {
  static SystemClock* const kClock = new SystemClock();
  return kClock;
}

absl::Time SystemClock::Now() const { return absl::Now(); }

absl::Duration SystemClock::Monotonic() const {
  return absl::FromChrono(std::chrono::steady_clock::now().time_since_epoch());
}

}  // namespace gale::common
