#include "common/net_address.h"

#include <gtest/gtest.h>

#include "common/ids.h"
#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

TEST(NetAddressTest, ParsesHostPort) {
  ASSERT_OK_AND_ASSIGN(HostPort a, ParseHostPort("127.0.0.1:9080"));
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9080);
  ASSERT_OK_AND_ASSIGN(HostPort b, ParseHostPort("node-1.gale.svc:1"));
  EXPECT_EQ(b.ToString(), "node-1.gale.svc:1");
  ASSERT_OK_AND_ASSIGN(HostPort c, ParseHostPort("[::1]:65535"));
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.ToString(), "[::1]:65535");
}

TEST(NetAddressTest, RejectsBadAddresses) {
  for (const char* bad : {"", "host", ":80", "host:", "host:0", "host:65536", "host:-1", "host:80x",
                          "ho st:80", "[::1]80", "[]:80", "[zz]:80", "a/b:80", "../x:1"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(ParseHostPort(bad, "addresses[0]"), absl::StatusCode::kInvalidArgument,
                  "field 'addresses[0]'");
  }
  EXPECT_STATUS(ParseHostPort(std::string("h\0:1", 4)), absl::StatusCode::kInvalidArgument,
                "\\x00");
}

TEST(NetAddressTest, ParsesLists) {
  ASSERT_OK_AND_ASSIGN(auto list, ParseHostPortList("a:1, b:2"));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].host, "b");
  EXPECT_STATUS(ParseHostPortList(" , "), absl::StatusCode::kInvalidArgument, "at least one");
}

TEST(IdsTest, UuidsAreV4AndDistinct) {
  std::string a = NewUuid();
  std::string b = NewUuid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_OK(ValidateNodeId(a));
}

TEST(IdsTest, ValidatesNodeIds) {
  EXPECT_OK(ValidateNodeId("node-1_a.b"));
  for (const char* bad : {"", ".hidden", "a/b", "a b", "../x", "x\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(ValidateNodeId(bad), absl::StatusCode::kInvalidArgument, "field 'node_id'");
  }
  EXPECT_STATUS(ValidateNodeId(std::string(129, 'a')), absl::StatusCode::kInvalidArgument,
                "1 to 128");
  EXPECT_STATUS(ValidateNodeId(std::string("a\0b", 3)), absl::StatusCode::kInvalidArgument,
                "letters, digits");
}

}  // namespace
}  // namespace gale::common
