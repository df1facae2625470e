#include "common/client_rate_limiter.h"

#include <gtest/gtest.h>

#include "tests/testing/fake_clock.h"

namespace gale::common {
namespace {

TEST(ClientRateLimiterTest, EachAddressGetsItsBurstThenItsRate) {
  testing::FakeClock clock;
  ClientRateLimiter limiter(/*per_second=*/2, /*burst=*/3, &clock);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("10.0.0.1"), absl::ZeroDuration()) << i;
  EXPECT_EQ(limiter.Acquire("10.0.0.1"), absl::Milliseconds(500));
  EXPECT_EQ(limiter.Acquire("10.0.0.2"), absl::ZeroDuration()) << "another address is unaffected";
  clock.Advance(absl::Milliseconds(500));
  EXPECT_EQ(limiter.Acquire("10.0.0.1"), absl::ZeroDuration());
  EXPECT_GT(limiter.Acquire("10.0.0.1"), absl::ZeroDuration());
  // Idle for long, the bucket is full again, never fuller.
  clock.Advance(absl::Hours(1));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Acquire("10.0.0.1"), absl::ZeroDuration()) << i;
  EXPECT_GT(limiter.Acquire("10.0.0.1"), absl::ZeroDuration());
}

TEST(ClientRateLimiterTest, ZeroRateIsUnlimited) {
  testing::FakeClock clock;
  ClientRateLimiter limiter(0, 1, &clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.Acquire("10.0.0.1"), absl::ZeroDuration());
}

TEST(ClientRateLimiterTest, TrackedAddressesAreBounded) {
  testing::FakeClock clock;
  ClientRateLimiter limiter(1, 1, &clock, /*max_clients=*/2);
  EXPECT_EQ(limiter.Acquire("a"), absl::ZeroDuration());
  EXPECT_EQ(limiter.Acquire("b"), absl::ZeroDuration());
  // Both are busy: a third address makes room by forgetting everyone.
  EXPECT_EQ(limiter.Acquire("c"), absl::ZeroDuration());
  EXPECT_EQ(limiter.Acquire("a"), absl::ZeroDuration()) << "forgotten: a full bucket again";
  EXPECT_GT(limiter.Acquire("a"), absl::ZeroDuration());
}

}  // namespace
}  // namespace gale::common
