#include "coordinator/files/s3_key_service.h"

#include <gtest/gtest.h>

#include "common/ids.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {
namespace {

using absl::StatusCode;

// The service over a real SQLite store, a master key given as hex and a
// fake clock.
class S3KeyServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(dir_.Join("gale.db")));
    ASSERT_OK(store_->Migrate());
    S3MasterKeyOptions options;
    options.key_hex = std::string(64, '7');
    master_key_ = std::make_unique<S3MasterKey>(options);
    keys_ = std::make_unique<S3KeyService>(store_.get(), master_key_.get(), &clock_);
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<S3MasterKey> master_key_;
  std::unique_ptr<S3KeyService> keys_;
};

TEST_F(S3KeyServiceTest, CreatedKeysResolveToTheirSecret) {
  ASSERT_OK_AND_ASSIGN(S3KeySecret created,
                       keys_->Create({"alice", true, {"photos", "logs", "photos"}}));
  EXPECT_OK(common::ValidateS3AccessKeyId(created.key.access_key_id));
  EXPECT_EQ(created.secret.size(), 40u);
  EXPECT_EQ(created.key.owner, "alice");
  EXPECT_TRUE(created.key.read_only);
  EXPECT_EQ(created.key.buckets, (std::vector<std::string>{"logs", "photos"}))
      << "sorted, without duplicates";
  EXPECT_EQ(created.key.created_at, clock_.Now());
  EXPECT_EQ(created.key.secret_encrypted, "");

  ASSERT_OK_AND_ASSIGN(S3KeySecret resolved, keys_->Resolve(created.key.access_key_id));
  EXPECT_EQ(resolved.secret, created.secret);
  EXPECT_EQ(resolved.key.owner, "alice");
  EXPECT_TRUE(resolved.key.read_only);
  EXPECT_EQ(resolved.key.buckets, created.key.buckets);
  EXPECT_EQ(resolved.key.created_at, clock_.Now());
  EXPECT_EQ(resolved.key.secret_encrypted, "");

  // At rest the secret is sealed under the master key.
  ASSERT_OK_AND_ASSIGN(S3KeyRecord stored, store_->GetS3Key(created.key.access_key_id));
  EXPECT_EQ(stored.secret_encrypted.find(created.secret), std::string::npos);
  EXPECT_TRUE(stored.secret_encrypted.starts_with("v1:" + master_key_->fingerprint() + ":"));
}

TEST_F(S3KeyServiceTest, ListShowsNoSecretsAndDeleteForgets) {
  ASSERT_OK_AND_ASSIGN(S3KeySecret a, keys_->Create({}));
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(S3KeySecret b, keys_->Create({"bob", false, {}}));
  EXPECT_NE(a.key.access_key_id, b.key.access_key_id);
  EXPECT_NE(a.secret, b.secret);
  ASSERT_OK_AND_ASSIGN(std::vector<S3KeyRecord> listed, keys_->List());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_LT(listed[0].access_key_id, listed[1].access_key_id) << "by access key id";
  for (const S3KeyRecord& key : listed) EXPECT_EQ(key.secret_encrypted, "");

  ASSERT_OK(keys_->Delete(a.key.access_key_id));
  EXPECT_STATUS(keys_->Resolve(a.key.access_key_id), StatusCode::kNotFound, "no S3 access key");
  EXPECT_STATUS(keys_->Delete(a.key.access_key_id), StatusCode::kNotFound, "no S3 access key");
  ASSERT_OK_AND_ASSIGN(listed, keys_->List());
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].access_key_id, b.key.access_key_id);
  EXPECT_EQ(listed[0].owner, "bob");
  EXPECT_OK(keys_->Resolve(b.key.access_key_id));
}

TEST_F(S3KeyServiceTest, BadInputNamesTheField) {
  EXPECT_STATUS(keys_->Create({std::string(257, 'o'), false, {}}), StatusCode::kInvalidArgument,
                "field 'owner'");
  EXPECT_STATUS(keys_->Create({"tab\there", false, {}}), StatusCode::kInvalidArgument,
                "field 'owner'");
  EXPECT_STATUS(keys_->Create({"\xff", false, {}}), StatusCode::kInvalidArgument, "field 'owner'");
  EXPECT_STATUS(keys_->Create({"", false, {"ok-bucket", "Bad_Bucket"}}),
                StatusCode::kInvalidArgument, "field 'buckets': bucket name 'Bad_Bucket'");
  EXPECT_STATUS(keys_->Create({"", false, std::vector<std::string>(1001, "bkt")}),
                StatusCode::kInvalidArgument, "field 'buckets' holds at most 1000");
  for (const char* id : {"", "AKIAIOSFODNN7EXAMPLE", "GALE", "gale-local"}) {
    SCOPED_TRACE(id);
    EXPECT_STATUS(keys_->Resolve(id), StatusCode::kInvalidArgument, "field 'access_key'");
    EXPECT_STATUS(keys_->Delete(id), StatusCode::kInvalidArgument, "field 'access_key'");
  }
  ASSERT_OK_AND_ASSIGN(auto listed, keys_->List());
  EXPECT_TRUE(listed.empty()) << "a refused key is not stored";
  EXPECT_STATUS(keys_->Resolve("GALEAAAAAAAAAAAAAAAA"), StatusCode::kNotFound, "no S3 access key");
}

TEST_F(S3KeyServiceTest, ASecretSealedUnderAnotherMasterKeyIsNotServed) {
  ASSERT_OK_AND_ASSIGN(S3KeySecret created, keys_->Create({}));
  S3MasterKeyOptions options;
  options.key_hex = std::string(64, '8');
  S3MasterKey other_key(options);
  S3KeyService other(store_.get(), &other_key, &clock_);
  EXPECT_STATUS(other.Resolve(created.key.access_key_id), StatusCode::kFailedPrecondition,
                "another master key");
  // Listing and deleting need no master key.
  ASSERT_OK_AND_ASSIGN(auto listed, other.List());
  EXPECT_EQ(listed.size(), 1u);
  EXPECT_OK(other.Delete(created.key.access_key_id));
}

TEST_F(S3KeyServiceTest, AStoredSecretMovedToAnotherKeyDoesNotOpen) {
  ASSERT_OK_AND_ASSIGN(S3KeySecret a, keys_->Create({}));
  ASSERT_OK_AND_ASSIGN(S3KeyRecord stored, store_->GetS3Key(a.key.access_key_id));
  // Someone with write access to the database copies a's sealed secret to a
  // key of their own: it is bound to a's id and does not open.
  stored.access_key_id = "GALEZZZZZZZZZZZZZZZZ";
  ASSERT_OK(store_->InsertS3Key(stored));
  EXPECT_STATUS(keys_->Resolve("GALEZZZZZZZZZZZZZZZZ"), StatusCode::kDataLoss,
                "authentication failed");
}

TEST_F(S3KeyServiceTest, WithoutAMasterKeyNothingIsCreated) {
  S3MasterKey none(S3MasterKeyOptions{});
  S3KeyService keys(store_.get(), &none, &clock_);
  EXPECT_STATUS(keys.Create({}), StatusCode::kFailedPrecondition, "GALE_S3_MASTER_KEY");
  ASSERT_OK_AND_ASSIGN(auto listed, keys.List());
  EXPECT_TRUE(listed.empty());
}

}  // namespace
}  // namespace gale::coordinator
