// The schema checks both SQL stores run before migrating (store_schema.h),
// over migration lists built here, so the cases do not depend on which
// versions this binary happens to ship.

#include "coordinator/store/store_schema.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace gale::coordinator {
namespace {

using absl::StatusCode;

std::vector<migrations::Migration> Versions(std::initializer_list<int> versions) {
  std::vector<migrations::Migration> out;
  for (int v : versions) out.push_back({v, "m", ""});
  return out;
}

TEST(StoreSchemaTest, AppliedMigrationsThisBinaryHoldsPass) {
  EXPECT_OK(CheckAppliedKnown("db", {}, Versions({1, 2, 3})));
  EXPECT_OK(CheckAppliedKnown("db", {1, 2, 3}, Versions({1, 2, 3})));
  // A migration missing below the highest applied one is applied later.
  EXPECT_OK(CheckAppliedKnown("db", {1, 3}, Versions({1, 2, 3})));
}

TEST(StoreSchemaTest, AnAppliedMigrationThisBinarySkipsIsRefused) {
  // Version 2 came from a branch this binary was not built from.
  EXPECT_STATUS(CheckAppliedKnown("db", {1, 2, 3}, Versions({1, 3})),
                StatusCode::kFailedPrecondition,
                "the database db has migration 2 applied, which this binary does not know");
}

TEST(StoreSchemaTest, ANewerDatabaseIsRefused) {
  EXPECT_STATUS(CheckAppliedKnown("db", {1, 2, 3, 4}, Versions({1, 2, 3})),
                StatusCode::kFailedPrecondition,
                "schema version 4, newer than this binary knows (3)");
  EXPECT_STATUS(CheckNotNewer("db", 4, 3), StatusCode::kFailedPrecondition, "run a newer");
  EXPECT_OK(CheckNotNewer("db", 3, 3));
}

TEST(StoreSchemaTest, CurrentOnlyWhenEveryMigrationIsApplied) {
  EXPECT_OK(CheckCurrent(7, 7));
  EXPECT_STATUS(CheckCurrent(6, 7), StatusCode::kUnavailable, "schema version 6, expected 7");
  EXPECT_EQ(LatestVersion({}), 0);
  EXPECT_EQ(LatestVersion(Versions({1, 5})), 5);
}

}  // namespace
}  // namespace gale::coordinator
