#include "coordinator/files/placement_policy.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::coordinator {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

std::vector<PlacementCandidate> Nodes(int n, int64_t free = 100 * kGiB,
                                      std::vector<std::string> zones = {}) {
  std::vector<PlacementCandidate> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({"n" + std::to_string(i), "127.0.0.1:" + std::to_string(9000 + i),
                   zones.empty() ? "" : zones[static_cast<size_t>(i) % zones.size()], free});
  }
  return out;
}

std::set<std::string> Ids(const std::vector<PlacementCandidate>& nodes) {
  std::set<std::string> out;
  for (const auto& n : nodes) out.insert(n.node_id);
  return out;
}

TEST(PlacementPolicyTest, DistinctNodesAndExclusions) {
  PlacementPolicy policy(Nodes(5), 0, 1);
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(auto chosen, policy.Place(4 << 20, 3, {"n1", "n3"}));
    ASSERT_EQ(chosen.size(), 3u);
    std::set<std::string> ids = Ids(chosen);
    EXPECT_EQ(ids.size(), 3u) << "replicas on distinct nodes";
    EXPECT_FALSE(ids.contains("n1"));
    EXPECT_FALSE(ids.contains("n3"));
  }
}

TEST(PlacementPolicyTest, DistinctZonesWhenEnoughExist) {
  // Six nodes in three zones (n0,n3 in a; n1,n4 in b; n2,n5 in c).
  PlacementPolicy policy(Nodes(6, 100 * kGiB, {"a", "b", "c"}), 0, 2);
  auto zone_of = [](const PlacementCandidate& n) { return n.zone; };
  for (int i = 0; i < 200; ++i) {
    ASSERT_OK_AND_ASSIGN(auto chosen, policy.Place(1 << 20, 3, {}));
    std::set<std::string> zones;
    for (const auto& n : chosen) zones.insert(zone_of(n));
    EXPECT_EQ(zones.size(), 3u) << "one replica per zone";
  }
  // Two zones for three replicas: both zones are used, then any node.
  PlacementPolicy two_zones(Nodes(4, 100 * kGiB, {"a", "b"}), 0, 3);
  for (int i = 0; i < 100; ++i) {
    ASSERT_OK_AND_ASSIGN(auto chosen, two_zones.Place(1 << 20, 3, {}));
    std::set<std::string> zones;
    for (const auto& n : chosen) zones.insert(zone_of(n));
    EXPECT_EQ(zones.size(), 2u);
    EXPECT_EQ(Ids(chosen).size(), 3u);
  }
}

TEST(PlacementPolicyTest, SpreadsLoadOverManyChunks) {
  PlacementPolicy policy(Nodes(5), 0, 4);
  std::map<std::string, int> count;
  for (int i = 0; i < 300; ++i) {
    ASSERT_OK_AND_ASSIGN(auto chosen, policy.Place(4 << 20, 3, {}));
    for (const auto& n : chosen) ++count[n.node_id];
  }
  for (const auto& [id, n] : count) {
    EXPECT_GT(n, 140) << id;  // 180 each on average
    EXPECT_LT(n, 220) << id;
  }
  EXPECT_EQ(policy.placed("n0"), int64_t{count["n0"]} * (4 << 20));
}

TEST(PlacementPolicyTest, PrefersFreeSpaceAndHonoursTheReserve) {
  std::vector<PlacementCandidate> nodes = Nodes(3);
  nodes[0].available_bytes = 400 * kGiB;  // four times the others
  nodes[2].available_bytes = 10 << 20;    // under the reserve for any chunk
  PlacementPolicy policy(nodes, /*reserve_bytes=*/8 << 20, 5);
  std::map<std::string, int> count;
  for (int i = 0; i < 400; ++i) {
    ASSERT_OK_AND_ASSIGN(auto chosen, policy.Place(4 << 20, 1, {}));
    ++count[chosen[0].node_id];
  }
  EXPECT_EQ(count["n2"], 0) << "never below the reserve";
  EXPECT_GT(count["n0"], 2 * count["n1"]) << "weighted by free space";
}

TEST(PlacementPolicyTest, FreeSpaceIsConsumedWithinOneAllocation) {
  std::vector<PlacementCandidate> nodes = Nodes(2, 10 << 20);
  PlacementPolicy policy(nodes, 0, 6);
  // Two nodes with 10 MiB each take four 4 MiB chunks (two each), no more.
  int placed = 0;
  while (policy.Place(4 << 20, 1, {}).ok()) ++placed;
  EXPECT_EQ(placed, 4);
}

TEST(PlacementPolicyTest, TooFewEligibleNodesIsAClearError) {
  PlacementPolicy policy(Nodes(2), 0, 7);
  EXPECT_STATUS(policy.Place(1, 3, {}), absl::StatusCode::kResourceExhausted,
                "need 3 active nodes");
  PlacementPolicy empty({}, 0, 7);
  EXPECT_STATUS(empty.Place(1, 1, {}), absl::StatusCode::kResourceExhausted,
                "no active nodes: start gale-node");
}

TEST(PlacementPolicyTest, SameSeedSameChoices) {
  PlacementPolicy a(Nodes(7), 0, 99), b(Nodes(7), 0, 99);
  for (int i = 0; i < 50; ++i) {
    ASSERT_OK_AND_ASSIGN(auto x, a.Place(1 << 20, 2, {}));
    ASSERT_OK_AND_ASSIGN(auto y, b.Place(1 << 20, 2, {}));
    EXPECT_EQ(x[0].node_id, y[0].node_id);
    EXPECT_EQ(x[1].node_id, y[1].node_id);
  }
}

}  // namespace
}  // namespace gale::coordinator
