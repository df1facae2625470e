#include "coordinator/files/replica_catalog.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

class ReplicaCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(dir_.Join("gale.db")));
    ASSERT_OK(store_->Migrate());
    registry_ = std::make_unique<NodeRegistry>(
        store_.get(), &clock_,
        NodeRegistryOptions{absl::Seconds(15), absl::Seconds(60), "cluster-a"});
    catalog_ = std::make_unique<ReplicaCatalog>(store_.get(), registry_.get(), &clock_);
    for (const char* id : {"n1", "n2"}) {
      NodeRegistration r;
      r.node_id = id;
      r.addresses = {"127.0.0.1:1"};
      ASSERT_OK(registry_->Register(r));
    }
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<ReplicaCatalog> catalog_;
};

std::string Id(int i) { return common::Sha256::Hex(std::to_string(i)); }

TEST_F(ReplicaCatalogTest, FullReportReplacesWhatTheNodeHolds) {
  ASSERT_OK(catalog_->ApplyFullReport("n1", {{Id(1), 10}, {Id(2), 20}, {Id(2), 20}}));
  ASSERT_OK(catalog_->ApplyFullReport("n2", {{Id(1), 10}}));
  ASSERT_OK_AND_ASSIGN(auto on1, catalog_->ReplicasOn("n1", "", 100));
  EXPECT_EQ(on1.size(), 2u) << "duplicates collapse";
  EXPECT_EQ(catalog_->TotalsOn("n1")->bytes, 30);

  ASSERT_OK(catalog_->ApplyFullReport("n1", {{Id(3), 30}}));
  ASSERT_OK_AND_ASSIGN(on1, catalog_->ReplicasOn("n1", "", 100));
  ASSERT_EQ(on1.size(), 1u);
  EXPECT_EQ(on1[0].chunk_id, Id(3));
  EXPECT_EQ(catalog_->TotalsOn("n2")->chunks, 1) << "other nodes untouched";
  ASSERT_OK(catalog_->ApplyFullReport("n1", {}));
  EXPECT_EQ(catalog_->TotalsOn("n1")->chunks, 0);
}

TEST_F(ReplicaCatalogTest, PagesByCursor) {
  std::vector<ChunkReplica> chunks;
  for (int i = 0; i < 25; ++i) chunks.push_back({Id(i), i});
  ASSERT_OK(catalog_->ApplyFullReport("n1", chunks));
  std::vector<std::string> seen;
  std::string after;
  while (true) {
    ASSERT_OK_AND_ASSIGN(auto page, catalog_->ReplicasOn("n1", after, 10));
    for (const auto& c : page) seen.push_back(c.chunk_id);
    if (page.size() < 10) break;
    after = page.back().chunk_id;
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
}

TEST_F(ReplicaCatalogTest, BadReportsChangeNothing) {
  ASSERT_OK(catalog_->ApplyFullReport("n1", {{Id(1), 10}}));
  EXPECT_STATUS(catalog_->ApplyFullReport("ghost", {{Id(1), 1}}), absl::StatusCode::kNotFound, "");
  EXPECT_STATUS(catalog_->ApplyFullReport("n1", {{Id(2), 1}, {"../etc", 1}}),
                absl::StatusCode::kInvalidArgument, "chunks[1].chunk_id");
  EXPECT_STATUS(catalog_->ApplyFullReport("n1", {{Id(2), -1}}), absl::StatusCode::kInvalidArgument,
                "chunks[0].size");
  ASSERT_OK_AND_ASSIGN(auto on1, catalog_->ReplicasOn("n1", "", 100));
  ASSERT_EQ(on1.size(), 1u);
  EXPECT_EQ(on1[0].chunk_id, Id(1));
  EXPECT_STATUS(catalog_->ReplicasOn("ghost", "", 1), absl::StatusCode::kNotFound, "");
}

TEST_F(ReplicaCatalogTest, RegistryRefusesNodesOfAnotherCluster) {
  NodeRegistration r;
  r.addresses = {"127.0.0.1:1"};
  r.cluster_id = "cluster-b";
  EXPECT_STATUS(registry_->Register(r), absl::StatusCode::kFailedPrecondition,
                "belongs to cluster cluster-b");
  r.cluster_id = "cluster-a";
  EXPECT_OK(registry_->Register(r));
}

}  // namespace
}  // namespace gale::coordinator
