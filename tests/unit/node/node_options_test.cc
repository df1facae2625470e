#include "node/node_options.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::node {
namespace {

TEST(NodeOptionsTest, AdvertiseDefaultsToBindAddress) {
  NodeOptions o;
  o.bind_address = "10.1.2.3";
  ASSERT_OK(o.Finalize());
  EXPECT_EQ(o.AdvertisedAddress(9080), "10.1.2.3:9080");
}

TEST(NodeOptionsTest, WildcardBindNeedsAdvertise) {
  NodeOptions o;
  o.bind_address = "0.0.0.0";
  EXPECT_STATUS(o.Finalize(), absl::StatusCode::kInvalidArgument, "node.advertise_address");
  o.advertise_address = "node-1.gale";
  ASSERT_OK(o.Finalize());
  EXPECT_EQ(o.AdvertisedAddress(9080), "node-1.gale:9080");
  o.advertise_address = "gale-node-0.gale-nodes:19080";
  ASSERT_OK(o.Finalize());
  EXPECT_EQ(o.AdvertisedAddress(9080), "gale-node-0.gale-nodes:19080") << "explicit port wins";
}

TEST(NodeOptionsTest, RejectsBadCoordinatorAndAdvertise) {
  NodeOptions o;
  o.coordinator = "nowhere";
  EXPECT_STATUS(o.Finalize(), absl::StatusCode::kInvalidArgument, "node.coordinator");
  o = NodeOptions();
  o.coordinator = "a:1,b:2";
  o.advertise_address = "bad host!";
  EXPECT_STATUS(o.Finalize(), absl::StatusCode::kInvalidArgument, "advertise_address");
}

}  // namespace
}  // namespace gale::node
