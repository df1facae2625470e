#include "coordinator/cluster/leader_election.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/testing/status_matchers.h"

namespace gale::coordinator {
namespace {

// A lock whose answers the test scripts: held, not held, or an error.
struct FakeLock {
  Result<bool> answer = false;
  std::string holder = "other:8080";
  int holder_calls = 0;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  LeaderElection Election() {
    return LeaderElection([this] { return lock_.answer; },
                          [this]() -> Result<std::string> {
                            ++lock_.holder_calls;
                            return lock_.holder;
                          },
                          [this](bool leader) { changes_.push_back(leader); });
  }

  FakeLock lock_;
  std::vector<bool> changes_;
};

TEST_F(LeaderElectionTest, WithoutALockAlwaysLeads) {
  LeaderElection election(nullptr, nullptr, [this](bool leader) { changes_.push_back(leader); });
  election.set_self("me:8080");
  EXPECT_TRUE(election.is_leader());
  EXPECT_OK(election.RunOnce());
  EXPECT_TRUE(election.is_leader());
  EXPECT_EQ(election.leader(), "me:8080");
  EXPECT_TRUE(changes_.empty()) << "nothing ever changes";
}

TEST_F(LeaderElectionTest, FollowsTheLockAndNamesTheHolder) {
  LeaderElection election = Election();
  election.set_self("me:8080");
  EXPECT_FALSE(election.is_leader()) << "follows until the lock is taken";

  ASSERT_OK(election.RunOnce());
  EXPECT_FALSE(election.is_leader());
  EXPECT_EQ(election.leader(), "other:8080");
  EXPECT_TRUE(changes_.empty());

  lock_.answer = true;
  const int asked = lock_.holder_calls;
  ASSERT_OK(election.RunOnce());
  EXPECT_TRUE(election.is_leader());
  EXPECT_EQ(election.leader(), "me:8080");
  EXPECT_EQ(lock_.holder_calls, asked) << "a leader does not ask who holds it";
  ASSERT_OK(election.RunOnce());
  EXPECT_EQ(changes_, std::vector<bool>{true}) << "one change, reported once";

  // The lock's connection breaks: leadership ends at once, with the error.
  lock_.answer = absl::UnavailableError("connection lost");
  lock_.holder = "";
  EXPECT_STATUS(election.RunOnce(), absl::StatusCode::kUnavailable, "connection lost");
  EXPECT_FALSE(election.is_leader());
  EXPECT_EQ(election.leader(), "") << "nobody known to lead";
  EXPECT_EQ(changes_, (std::vector<bool>{true, false}));

  lock_.answer = true;
  ASSERT_OK(election.RunOnce());
  EXPECT_TRUE(election.is_leader());
  EXPECT_EQ(changes_, (std::vector<bool>{true, false, true}));
}

TEST_F(LeaderElectionTest, AFailingHolderLookupLeavesTheLeaderUnknown) {
  LeaderElection election([] { return Result<bool>(false); },
                          []() -> Result<std::string> { return absl::UnavailableError("down"); },
                          nullptr);
  EXPECT_OK(election.RunOnce());  // the lock answered; only the lookup failed
  EXPECT_FALSE(election.is_leader());
  EXPECT_EQ(election.leader(), "");
}

}  // namespace
}  // namespace gale::coordinator
