#include "common/security.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

using absl::StatusCode;

TEST(SecurityTest, ConstantTimeEqualsComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("s3cret", "s3cret"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret", "s3creT"));
  EXPECT_FALSE(ConstantTimeEquals("s3cret", "s3cret "));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(SecurityTest, BearerTokens) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Basic abc"), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer "), std::nullopt);
  EXPECT_EQ(BearerToken("Bearer"), std::nullopt);
  EXPECT_EQ(BearerToken(""), std::nullopt);
}

TEST(SecurityTest, WithoutTokensEverythingIsAllowed) {
  Authenticator auth(SecurityOptions{});
  for (Access access : {Access::kOpen, Access::kNode, Access::kRead, Access::kWrite}) {
    EXPECT_OK(auth.Check(access, std::nullopt));
    EXPECT_OK(auth.Check(access, "anything"));
  }
}

TEST(SecurityTest, NodeCallsNeedTheJoinToken) {
  SecurityOptions options;
  options.join_token = "join-me";
  Authenticator auth(options);
  EXPECT_STATUS(auth.Check(Access::kNode, std::nullopt), StatusCode::kUnauthenticated,
                "join token");
  EXPECT_STATUS(auth.Check(Access::kNode, "join-you"), StatusCode::kUnauthenticated,
                "not this cluster's");
  EXPECT_OK(auth.Check(Access::kNode, "join-me"));
  EXPECT_OK(auth.Check(Access::kOpen, std::nullopt));
  EXPECT_OK(auth.Check(Access::kWrite, std::nullopt));  // API tokens are separate
}

TEST(SecurityTest, ApiTokensReadOnlyTokensAndAnonymousReads) {
  SecurityOptions options;
  options.api_tokens = {"full-1", "full-2"};
  options.read_tokens = {"ro-1"};
  Authenticator auth(options);
  EXPECT_STATUS(auth.Check(Access::kRead, std::nullopt), StatusCode::kUnauthenticated,
                "Authorization: Bearer");
  EXPECT_STATUS(auth.Check(Access::kWrite, "nope"), StatusCode::kUnauthenticated, "not valid");
  EXPECT_OK(auth.Check(Access::kRead, "ro-1"));
  EXPECT_STATUS(auth.Check(Access::kWrite, "ro-1"), StatusCode::kPermissionDenied, "only read");
  EXPECT_OK(auth.Check(Access::kWrite, "full-2"));
  EXPECT_OK(auth.Check(Access::kRead, "full-1"));
  EXPECT_OK(auth.Check(Access::kNode, std::nullopt));  // no join token configured

  options.anonymous_read = true;
  Authenticator open_reads(options);
  EXPECT_OK(open_reads.Check(Access::kRead, std::nullopt));
  EXPECT_OK(open_reads.Check(Access::kRead, "stale-token"));
  EXPECT_STATUS(open_reads.Check(Access::kWrite, std::nullopt), StatusCode::kUnauthenticated, "");
  EXPECT_STATUS(open_reads.Check(Access::kWrite, "ro-1"), StatusCode::kPermissionDenied, "");
}

TEST(SecurityTest, MessagesNeverCarryTokens) {
  SecurityOptions options;
  options.join_token = "join-secret";
  options.api_tokens = {"api-secret"};
  Authenticator auth(options);
  for (const Status& status :
       {auth.Check(Access::kNode, "join-wrong"), auth.Check(Access::kWrite, "api-wrong"),
        auth.Check(Access::kRead, std::nullopt)}) {
    EXPECT_FALSE(status.ok());
    for (const char* secret : {"join-secret", "api-secret", "join-wrong", "api-wrong"}) {
      EXPECT_EQ(status.message().find(secret), std::string::npos) << status;
    }
  }
}

constexpr std::string_view kChunk =
    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
constexpr std::string_view kOther =
    "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752";

TEST(ChunkWriteGrantsTest, AGrantWritesItsChunkUntilItExpires) {
  ChunkWriteGrants grants("join-me");
  const absl::Time now = absl::FromUnixSeconds(1'800'000'000);
  const std::string grant = grants.Issue(kChunk, now + absl::Minutes(10));
  EXPECT_OK(grants.Verify(grant, kChunk, now));
  EXPECT_OK(grants.Verify(grant, kChunk, now + absl::Minutes(10)));
  EXPECT_STATUS(grants.Verify(grant, kChunk, now + absl::Minutes(11)),
                StatusCode::kPermissionDenied, "expired");
  EXPECT_STATUS(grants.Verify(grant, kOther, now), StatusCode::kPermissionDenied,
                "not valid for this chunk");
  EXPECT_STATUS(grants.Verify("", kChunk, now), StatusCode::kPermissionDenied, "needs a grant");
  EXPECT_STATUS(grants.Verify("garbage", kChunk, now), StatusCode::kPermissionDenied, "malformed");
  // A later expiry with the old signature is a forgery.
  const std::string signature = grant.substr(grant.find('.'));
  const std::string forged = std::to_string(absl::ToUnixMillis(now + absl::Hours(100))) + signature;
  EXPECT_STATUS(grants.Verify(forged, kChunk, now + absl::Hours(1)), StatusCode::kPermissionDenied,
                "not valid");
  // Another cluster's grants are worth nothing here.
  ChunkWriteGrants other_cluster("join-you");
  EXPECT_STATUS(grants.Verify(other_cluster.Issue(kChunk, now + absl::Hours(1)), kChunk, now),
                StatusCode::kPermissionDenied, "not valid");
  EXPECT_EQ(grant.find("join-me"), std::string::npos);
}

TEST(ChunkWriteGrantsTest, WithoutAJoinTokenGrantsAreOff) {
  ChunkWriteGrants grants("");
  EXPECT_FALSE(grants.enabled());
  EXPECT_EQ(grants.Issue(kChunk, absl::Now()), "");
  EXPECT_OK(grants.Verify("", kChunk, absl::Now()));
}

}  // namespace
}  // namespace gale::common
