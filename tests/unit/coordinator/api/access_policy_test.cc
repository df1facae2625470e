#include "coordinator/api/access_policy.h"

#include <gtest/gtest.h>

namespace gale::coordinator {
namespace {

using common::Access;

TEST(AccessPolicyTest, GrpcCallsNeedWhatTheyTouch) {
  EXPECT_EQ(GrpcAccess("NodeHeartbeat"), Access::kNode);
  EXPECT_EQ(GrpcAccess("GetBucket"), Access::kRead);
  EXPECT_EQ(GrpcAccess("CreateBucket"), Access::kWrite);
}

TEST(AccessPolicyTest, S3KeyCallsNeedAFullToken) {
  // GetS3Key and CreateS3Key answer with secrets; a read token must not see
  // even the list.
  for (const char* method : {"CreateS3Key", "ListS3Keys", "DeleteS3Key", "GetS3Key"}) {
    EXPECT_EQ(GrpcAccess(method), Access::kWrite) << method;
  }
}

}  // namespace
}  // namespace gale::coordinator
