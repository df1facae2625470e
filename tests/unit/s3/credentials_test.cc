#include "s3/gateway/credentials.h"

#include <gtest/gtest.h>

#include <map>

#include "s3/protocol/s3_error.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace gale::s3 {
namespace {

using absl::StatusCode;

// Keys by id, with a count of lookups and an error to answer instead.
class FakeKeySource final : public AccessKeySource {
 public:
  Result<AccessKey> Lookup(const std::string& access_key_id) override {
    ++lookups;
    if (!error.ok()) return error;
    auto it = keys.find(access_key_id);
    if (it == keys.end()) return absl::NotFoundError("no such key");
    return it->second;
  }

  std::map<std::string, AccessKey> keys;
  Status error;
  int lookups = 0;
};

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialsTest() {
    KeyCacheOptions options;
    options.ttl = absl::Seconds(30);
    options.negative_ttl = absl::Seconds(5);
    options.max_entries = 4;
    credentials_ = std::make_unique<Credentials>(&source_, &clock_, options);
  }

  // The secret Resolve finds, "<none>" for no key, or the error.
  std::string SecretOf(const std::string& id) {
    auto key = credentials_->Resolve(id);
    if (!key.ok()) return key.status().ToString();
    return key->has_value() ? (*key)->secret : "<none>";
  }

  FakeKeySource source_;
  testing::FakeClock clock_;
  std::unique_ptr<Credentials> credentials_;
};

TEST_F(CredentialsTest, ConfiguredKeysComeFirstAndAreNeverLookedUp) {
  credentials_->Add("CONFIGURED", AccessKey{"configured-secret"});
  source_.keys["CONFIGURED"] = AccessKey{"other-secret"};
  EXPECT_EQ(SecretOf("CONFIGURED"), "configured-secret");
  EXPECT_EQ(source_.lookups, 0);
  EXPECT_EQ(credentials_->Find("CONFIGURED")->owner, "CONFIGURED");
  EXPECT_FALSE(credentials_->Find("GALEAAAAAAAAAAAAAAAA")) << "Find never looks up";
}

TEST_F(CredentialsTest, LookedUpKeysAreCachedForTheTtl) {
  source_.keys["GALEAAAAAAAAAAAAAAAA"] = AccessKey{"secret-a", "", true, {"logs"}};
  ASSERT_OK_AND_ASSIGN(std::optional<AccessKey> key, credentials_->Resolve("GALEAAAAAAAAAAAAAAAA"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->secret, "secret-a");
  EXPECT_EQ(key->owner, "GALEAAAAAAAAAAAAAAAA") << "no owner: the key itself";
  EXPECT_TRUE(key->read_only);
  EXPECT_TRUE(key->MayUseBucket("logs"));
  EXPECT_FALSE(key->MayUseBucket("photos"));
  EXPECT_EQ(source_.lookups, 1);

  // Deleted at the source: still accepted until the TTL runs out.
  source_.keys.clear();
  clock_.Advance(absl::Seconds(29));
  EXPECT_EQ(SecretOf("GALEAAAAAAAAAAAAAAAA"), "secret-a");
  EXPECT_EQ(source_.lookups, 1);
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(SecretOf("GALEAAAAAAAAAAAAAAAA"), "<none>");
  EXPECT_EQ(source_.lookups, 2);
}

TEST_F(CredentialsTest, UnknownKeysAreCachedBriefly) {
  EXPECT_EQ(SecretOf("GALEBBBBBBBBBBBBBBBB"), "<none>");
  EXPECT_EQ(SecretOf("GALEBBBBBBBBBBBBBBBB"), "<none>");
  EXPECT_EQ(source_.lookups, 1);
  // Created meanwhile: found once the negative answer expires.
  source_.keys["GALEBBBBBBBBBBBBBBBB"] = AccessKey{"secret-b"};
  clock_.Advance(absl::Seconds(4));
  EXPECT_EQ(SecretOf("GALEBBBBBBBBBBBBBBBB"), "<none>");
  clock_.Advance(absl::Seconds(1));
  EXPECT_EQ(SecretOf("GALEBBBBBBBBBBBBBBBB"), "secret-b");
  EXPECT_EQ(source_.lookups, 2);
}

TEST_F(CredentialsTest, FailedLookupsAreS3ErrorsAndNotCached) {
  source_.keys["GALEAAAAAAAAAAAAAAAA"] = AccessKey{"secret-a"};
  source_.error = absl::UnavailableError("no coordinator answered");
  auto unavailable = credentials_->Resolve("GALEAAAAAAAAAAAAAAAA");
  EXPECT_EQ(S3ErrorCodeOf(unavailable.status()), S3ErrorCode::kServiceUnavailable);
  source_.error = absl::DeadlineExceededError("slow");
  EXPECT_EQ(S3ErrorCodeOf(credentials_->Resolve("GALEAAAAAAAAAAAAAAAA").status()),
            S3ErrorCode::kServiceUnavailable);
  source_.error = absl::PermissionDeniedError("a read token");
  auto denied = credentials_->Resolve("GALEAAAAAAAAAAAAAAAA");
  EXPECT_EQ(S3ErrorCodeOf(denied.status()), S3ErrorCode::kInternalError)
      << "the gateway's misconfiguration is not the client's AccessDenied";
  EXPECT_EQ(ToStd(denied.status().message()).find("read token"), std::string::npos)
      << "the coordinator's answer stays in the gateway's log";
  source_.error = absl::OkStatus();
  EXPECT_EQ(SecretOf("GALEAAAAAAAAAAAAAAAA"), "secret-a") << "nothing was cached";
  EXPECT_EQ(source_.lookups, 4);
}

TEST_F(CredentialsTest, TheCacheStaysBounded) {
  for (char c : std::string("ABCDEFGH")) {
    const std::string id = "GALE" + std::string(16, c);
    source_.keys[id] = AccessKey{std::string("secret-") + c};
    EXPECT_EQ(SecretOf(id), std::string("secret-") + c);
  }
  EXPECT_EQ(source_.lookups, 8);
  // The cache holds at most 4: the oldest answers were dropped and are
  // looked up again; the newest are still cached.
  EXPECT_EQ(SecretOf("GALEHHHHHHHHHHHHHHHH"), "secret-H");
  EXPECT_EQ(source_.lookups, 8);
  EXPECT_EQ(SecretOf("GALEAAAAAAAAAAAAAAAA"), "secret-A");
  EXPECT_EQ(source_.lookups, 9);
}

TEST(CredentialsWithoutSourceTest, OnlyConfiguredKeys) {
  Credentials credentials;
  credentials.Add("CONFIGURED", AccessKey{"configured-secret", "owner"});
  ASSERT_OK_AND_ASSIGN(auto key, credentials.Resolve("CONFIGURED"));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->owner, "owner");
  ASSERT_OK_AND_ASSIGN(key, credentials.Resolve("GALEAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(key.has_value());
}

}  // namespace
}  // namespace gale::s3
