#include "common/ids.h"

#include <gtest/gtest.h>

#include <cctype>
#include <set>

#include "tests/testing/status_matchers.h"

namespace gale::common {
namespace {

using absl::StatusCode;

TEST(IdsTest, S3AccessKeysAreRandomAndWellFormed) {
  std::set<std::string> ids, secrets;
  for (int i = 0; i < 200; ++i) {
    const std::string id = NewS3AccessKeyId();
    const std::string secret = NewS3SecretKey();
    EXPECT_OK(ValidateS3AccessKeyId(id));
    EXPECT_EQ(id.size(), 20u);
    EXPECT_TRUE(id.starts_with("GALE")) << id;
    ASSERT_EQ(secret.size(), 40u);
    for (char c : secret) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/') << secret;
    }
    ids.insert(id);
    secrets.insert(secret);
  }
  EXPECT_EQ(ids.size(), 200u);
  EXPECT_EQ(secrets.size(), 200u);
}

TEST(IdsTest, S3AccessKeyIdsAreChecked) {
  EXPECT_OK(ValidateS3AccessKeyId("GALEABCDEFGHIJ234567"));
  for (const char* bad :
       {"", "GALE", "AKIAIOSFODNN7EXAMPLE", "GALEABCDEFGHIJ23456", "GALEABCDEFGHIJ2345678",
        "GALEabcdefghij234567", "GALEABCDEFGHIJ234561", "GALEABCDEFGHIJ23456/"}) {
    SCOPED_TRACE(bad);
    EXPECT_STATUS(ValidateS3AccessKeyId(bad), StatusCode::kInvalidArgument, "field 'access_key'");
  }
  EXPECT_STATUS(ValidateS3AccessKeyId("x", "id"), StatusCode::kInvalidArgument, "field 'id'");
}

}  // namespace
}  // namespace gale::common
