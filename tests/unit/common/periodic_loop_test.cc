#include "common/periodic_loop.h"

#include <gtest/gtest.h>

#include <atomic>

#include "tests/testing/wait.h"

namespace gale::common {
namespace {

// The loop owns a real thread, so these tests wait on conditions with a
// deadline; the interval is an hour so that only TriggerNow() causes runs.
TEST(PeriodicLoopTest, TriggerNowRunsTheBody) {
  std::atomic<int> calls{0};
  PeriodicLoop loop("test", absl::Hours(1), [&] {
    ++calls;
    return absl::OkStatus();
  });
  loop.Start();
  EXPECT_EQ(calls.load(), 0);
  loop.TriggerNow();
  ASSERT_TRUE(testing::WaitUntil([&] { return loop.runs() == 1; }));
  EXPECT_EQ(calls.load(), 1);
  loop.TriggerNow();
  ASSERT_TRUE(testing::WaitUntil([&] { return loop.runs() == 2; }));
  loop.Stop();
  loop.Stop();  // idempotent
  EXPECT_EQ(calls.load(), 2);
}

TEST(PeriodicLoopTest, RunWithinBringsTheNextRunForward) {
  PeriodicLoop loop("test", absl::Hours(1), [] { return absl::OkStatus(); });
  loop.Start();
  loop.RunWithin(absl::Hours(2));  // later than the interval: no effect
  loop.RunWithin(absl::Milliseconds(1));
  ASSERT_TRUE(testing::WaitUntil([&] { return loop.runs() == 1; }));
  loop.RunWithin(absl::Milliseconds(1));
  ASSERT_TRUE(testing::WaitUntil([&] { return loop.runs() == 2; }));
  loop.Stop();
  EXPECT_EQ(loop.runs(), 2) << "one run per request, then back to the hourly interval";
}

TEST(PeriodicLoopTest, RunsPeriodicallyAndSurvivesFailures) {
  std::atomic<int> calls{0};
  PeriodicLoop loop("test", absl::Milliseconds(1), [&] {
    ++calls;
    return calls % 2 == 0 ? absl::OkStatus() : absl::InternalError("odd");
  });
  loop.Start();
  // Half the runs fail; the loop keeps going (with back-off) regardless.
  ASSERT_TRUE(testing::WaitUntil([&] { return loop.runs() >= 5; }));
  loop.Stop();
  EXPECT_GE(calls.load(), 5);
}

TEST(PeriodicLoopTest, StopWithoutStartAndStartAfterStop) {
  std::atomic<int> calls{0};
  PeriodicLoop loop("test", absl::Milliseconds(1), [&] {
    ++calls;
    return absl::OkStatus();
  });
  loop.Stop();
  loop.Start();  // ignored after Stop
  EXPECT_EQ(loop.runs(), 0);
}

}  // namespace
}  // namespace gale::common
