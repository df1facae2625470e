#include "common/rate_limiter.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace gale::common {
namespace {

TEST(RateLimiterTest, BurstThenPacedAtTheRate) {
  testing::FakeClock clock;
  RateLimiter limiter(1000, &clock);  // 1000 bytes/s, one second of burst
  EXPECT_EQ(limiter.Reserve(600), absl::ZeroDuration());
  EXPECT_EQ(limiter.Reserve(400), absl::ZeroDuration());
  // The bucket is empty: 500 more bytes cost half a second.
  EXPECT_EQ(limiter.Reserve(500), absl::Milliseconds(500));
  // The next caller queues behind that debt.
  EXPECT_EQ(limiter.Reserve(500), absl::Seconds(1));
  clock.Advance(absl::Seconds(1));
  EXPECT_EQ(limiter.Reserve(0), absl::ZeroDuration());
  clock.Advance(absl::Seconds(10));
  // Idle time refills at most one burst.
  EXPECT_EQ(limiter.Reserve(1000), absl::ZeroDuration());
  EXPECT_EQ(limiter.Reserve(100), absl::Milliseconds(100));
}

TEST(RateLimiterTest, LongRunAverageIsTheRate) {
  testing::FakeClock clock;
  RateLimiter limiter(1 << 20, &clock);
  int64_t sent = 0;
  absl::Duration elapsed;
  for (int i = 0; i < 1000; ++i) {  // 64 KiB pieces, sleeping as told
    absl::Duration wait = limiter.Reserve(64 << 10);
    clock.Advance(wait);
    elapsed += wait;
    sent += 64 << 10;
  }
  const double rate = static_cast<double>(sent) / absl::ToDoubleSeconds(elapsed);
  EXPECT_NEAR(rate, 1 << 20, (1 << 20) * 0.03);  // the initial burst is the only excess
}

TEST(RateLimiterTest, ZeroMeansUnlimited) {
  testing::FakeClock clock;
  RateLimiter limiter(0, &clock);
  EXPECT_EQ(limiter.Reserve(int64_t{1} << 40), absl::ZeroDuration());
}

}  // namespace
}  // namespace gale::common
