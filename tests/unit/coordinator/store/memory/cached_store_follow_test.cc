// CachedStore following another writer of a shared PostgreSQL database
// through its change feed: what one coordinator changes, another's index
// holds within the staleness bound; a deleted file stops resolving there
// within the bound, even when the feed breaks; after a random sequence of
// every kind of change, the follower's index equals a fresh rebuild.

#include <gtest/gtest.h>

#include <atomic>

#include "common/sha256.h"
#include "common/strings.h"
#include "coordinator/store/memory/cached_store.h"
#include "coordinator/store/postgres/postgres_store.h"
#include "tests/testing/postgres_server.h"
#include "tests/testing/status_matchers.h"
#include "tests/unit/coordinator/store/memory/store_random_walk.h"

namespace gale::coordinator {
namespace {

using testing_walk::Describe;
using testing_walk::kT0;
using testing_walk::RandomWalk;

// A feed whose deliveries can be held back, as a network that stalls holds
// them: nothing is lost, it all comes later, in order.
class StallingFeed final : public ChangeFeed {
 public:
  StallingFeed(std::unique_ptr<ChangeFeed> inner, const std::atomic<bool>* stalled)
      : inner_(std::move(inner)), stalled_(stalled) {}
  Result<std::vector<std::string>> Next(absl::Duration timeout) override {
    ASSIGN_OR_RETURN(std::vector<std::string> keys, inner_->Next(timeout));
    held_.insert(held_.end(), keys.begin(), keys.end());
    if (*stalled_) return std::vector<std::string>();
    std::vector<std::string> out;
    out.swap(held_);
    return out;
  }
  Status Mark(std::string_view token) override { return inner_->Mark(token); }

 private:
  const std::unique_ptr<ChangeFeed> inner_;
  const std::atomic<bool>* const stalled_;
  std::vector<std::string> held_;
};

// A PostgreSQL store whose change feeds stall on demand.
class StallingStore final : public ForwardingStore {
 public:
  explicit StallingStore(std::unique_ptr<MetadataStore> inner)
      : ForwardingStore(inner.get()), owned_(std::move(inner)) {}
  Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed() override {
    ASSIGN_OR_RETURN(std::unique_ptr<ChangeFeed> feed, inner_->OpenChangeFeed());
    return std::unique_ptr<ChangeFeed>(new StallingFeed(std::move(feed), &stalled));
  }
  // Re-reads of replicas fail while set, as a database that drops the
  // connection would make them.
  Result<std::vector<ReplicaRecord>> GetReplicas(const std::vector<std::string>& ids) override {
    if (failing) return absl::UnavailableError("injected: the database went away");
    return inner_->GetReplicas(ids);
  }
  std::atomic<bool> stalled{false};
  std::atomic<bool> failing{false};

 private:
  const std::unique_ptr<MetadataStore> owned_;
};

constexpr absl::Duration kBound = absl::Milliseconds(400);
// Generous for a loaded machine: the bound is checked separately.
constexpr absl::Duration kDeadline = absl::Seconds(20);

class CachedStoreFollowTest : public ::testing::Test {
 protected:
  void SetUp() override { GALE_ASSIGN_TEST_DATABASE_OR_SKIP(db_); }

  // A coordinator's store on the test database: its index follows changes
  // (through a feed that stalls on demand when `stalling` is set).
  std::unique_ptr<CachedStore> Follower(StallingStore** stalling = nullptr) {
    auto opened = PostgresStore::Open(db_->url(), 4);
    EXPECT_OK(opened);
    if (!opened.ok()) return nullptr;
    std::unique_ptr<MetadataStore> inner = *std::move(opened);
    if (stalling != nullptr) {
      auto wrapped = std::make_unique<StallingStore>(std::move(inner));
      *stalling = wrapped.get();
      inner = std::move(wrapped);
    }
    auto store = std::make_unique<CachedStore>(
        std::move(inner), CachedStore::Options{.follow_changes = true, .staleness_bound = kBound});
    EXPECT_OK(store->Migrate());
    EXPECT_TRUE(store->WaitUntilFresh(kDeadline));
    return store;
  }

  // Another coordinator that writes without an index of its own.
  std::unique_ptr<PostgresStore> Writer() {
    auto store = PostgresStore::Open(db_->url(), 4);
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    EXPECT_OK((*store)->Migrate());
    return *std::move(store);
  }

  // A complete file of two chunks, written through `store`.
  static FileRecord WriteFile(MetadataStore* store, const std::string& id) {
    FileRecord f;
    f.id = id;
    f.name = StrCat("name-", id);
    f.size = -1;
    f.chunk_size = 100;
    f.replication_factor = 1;
    f.created_at = kT0;
    f.expires_at = kT0 + absl::Hours(1);
    EXPECT_OK(store->InsertFile(f));
    const std::vector<FileChunkRef> chunks = {{0, common::Sha256::Hex(id + "0"), 100},
                                              {1, common::Sha256::Hex(id + "1"), 50}};
    EXPECT_OK(store->AttachChunks(id, chunks, kT0));
    EXPECT_OK(store->ApplyReplicaChanges("node-1", {{chunks[0].chunk_id, 100}}, {}, {}, kT0));
    EXPECT_OK(store->CommitFile(id, 150, common::Sha256::Hex(id), kT0).status());
    f.size = 150;
    return f;
  }

  // Deletes `id` through `writer` and reads it through `follower` until it
  // no longer resolves: every read that starts a bound after the delete
  // returned must answer NOT_FOUND. Returns how long it resolved.
  static absl::Duration ResolvesAfterDelete(MetadataStore* writer, CachedStore* follower,
                                            const std::string& id) {
    EXPECT_OK(writer->DeleteFile(id, kT0));
    const absl::Time deleted = absl::Now();
    while (absl::Now() - deleted < kDeadline) {
      const absl::Time asked = absl::Now();
      auto file = follower->GetFile(id);
      if (absl::IsNotFound(file.status())) return asked - deleted;
      EXPECT_LT(asked - deleted, kBound) << "a deleted file resolved beyond the bound";
      if (asked - deleted >= kBound) return asked - deleted;
    }
    ADD_FAILURE() << "the deleted file still resolves";
    return kDeadline;
  }

  // Whether `follower` says it is `serving` before the deadline. Right after
  // WaitUntilFresh it normally does at once, but a loaded machine can hold
  // its follower back past the bound for a moment (then it says `behind`).
  static bool Serves(CachedStore* follower) {
    const absl::Time deadline = absl::Now() + kDeadline;
    while (follower->state() != "serving") {
      if (absl::Now() >= deadline) return false;
      follower->WaitUntilFresh(kBound / 4);
    }
    return true;
  }

  std::unique_ptr<testing::TestDatabase> db_;
};

TEST_F(CachedStoreFollowTest, ChangesThroughAnotherWriterReachTheIndexWithinTheBound) {
  auto follower = Follower();
  auto writer = Writer();
  ASSERT_NE(follower, nullptr);
  ASSERT_NE(writer, nullptr);
  EXPECT_TRUE(Serves(follower.get()));

  const FileRecord written = WriteFile(writer.get(), "file-a");
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  // In the index itself, not only through the database.
  std::optional<FileRecord> indexed = follower->index().GetFile("file-a");
  ASSERT_TRUE(indexed.has_value());
  EXPECT_EQ(indexed->state, FileState::kComplete);
  EXPECT_EQ(indexed->size, 150);
  ASSERT_OK_AND_ASSIGN(auto by_name, follower->GetFileByName(written.name));
  EXPECT_EQ(by_name.id, "file-a");
  ASSERT_OK_AND_ASSIGN(auto chunks, follower->GetFileChunks("file-a"));
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].size, 50);
  ASSERT_OK_AND_ASSIGN(auto replicas, follower->GetReplicas({chunks[0].chunk_id}));
  ASSERT_EQ(replicas.size(), 1u);
  EXPECT_EQ(replicas[0].node_id, "node-1");

  const absl::Duration resolved = ResolvesAfterDelete(writer.get(), follower.get(), "file-a");
  RecordProperty("deleted_file_resolved_ms", std::to_string(absl::ToInt64Milliseconds(resolved)));
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  EXPECT_FALSE(follower->index().GetFile("file-a").has_value());
  EXPECT_STATUS(follower->GetFileByName(written.name), absl::StatusCode::kNotFound, "");

  // Buckets and objects too.
  ASSERT_OK(writer->InsertBucket({"photos", "owner", kT0}));
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  EXPECT_TRUE(follower->index().GetBucket("photos").has_value());
  ASSERT_OK(writer->DeleteBucket("photos", kT0));
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  EXPECT_FALSE(follower->index().GetBucket("photos").has_value());
}

TEST_F(CachedStoreFollowTest, ABrokenFeedSendsReadsToTheDatabaseUntilTheIndexIsRebuilt) {
  auto follower = Follower();
  auto writer = Writer();
  ASSERT_NE(follower, nullptr);
  ASSERT_NE(writer, nullptr);
  WriteFile(writer.get(), "file-b");
  WriteFile(writer.get(), "file-c");
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  ASSERT_TRUE(follower->index().GetFile("file-b").has_value());

  // The feed's session ends: whatever is committed now is never announced
  // to it.
  ASSERT_OK(
      db_->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
                "'gale-change-feed' AND datname = current_database()"));
  ResolvesAfterDelete(writer.get(), follower.get(), "file-b");

  // A new feed, a rebuilt index: without the file deleted meanwhile.
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  EXPECT_TRUE(Serves(follower.get()));
  EXPECT_FALSE(follower->index().GetFile("file-b").has_value());
  EXPECT_TRUE(follower->index().GetFile("file-c").has_value());
  ResolvesAfterDelete(writer.get(), follower.get(), "file-c");
}

TEST_F(CachedStoreFollowTest, AnIndexThatCannotConfirmItIsFreshServesNothing) {
  StallingStore* stalling = nullptr;
  auto follower = Follower(&stalling);
  auto writer = Writer();
  ASSERT_NE(follower, nullptr);
  ASSERT_NE(writer, nullptr);
  WriteFile(writer.get(), "file-d");
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  ASSERT_TRUE(follower->index().GetFile("file-d").has_value());

  // The feed stalls without breaking: the delete is not announced in time,
  // and the index, unable to confirm it is fresh, stops serving.
  stalling->stalled = true;
  ResolvesAfterDelete(writer.get(), follower.get(), "file-d");
  EXPECT_TRUE(follower->index().GetFile("file-d").has_value()) << "the delete is held back";
  EXPECT_EQ(follower->state(), "behind");
  EXPECT_FALSE(follower->WaitUntilFresh(kBound));

  // Delivered late, in order: the index catches up and serves again.
  stalling->stalled = false;
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  EXPECT_TRUE(Serves(follower.get()));
  EXPECT_FALSE(follower->index().GetFile("file-d").has_value());
}

TEST_F(CachedStoreFollowTest, AReReadThatFailsRebuildsTheIndex) {
  StallingStore* faulty = nullptr;
  auto follower = Follower(&faulty);
  auto writer = Writer();
  ASSERT_NE(follower, nullptr);
  ASSERT_NE(writer, nullptr);
  EXPECT_EQ(follower->loads(), 1);
  faulty->failing = true;
  WriteFile(writer.get(), "file-e");  // its copies' re-read fails
  const absl::Time deadline = absl::Now() + kDeadline;
  while (follower->loads() < 2 && absl::Now() < deadline) follower->WaitUntilFresh(kBound / 4);
  EXPECT_GE(follower->loads(), 2) << "a failed re-read rebuilds the index";
  faulty->failing = false;
  WriteFile(writer.get(), "file-f");
  ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
  EXPECT_TRUE(Serves(follower.get()));
  MetadataIndex rebuilt;
  ASSERT_OK(LoadMetadataIndex(follower->inner(), &rebuilt));
  EXPECT_EQ(Describe(follower->index().Contents()), Describe(rebuilt.Contents()));
  EXPECT_TRUE(follower->index().GetFile("file-e").has_value());
  EXPECT_TRUE(follower->index().GetFile("file-f").has_value());
}

TEST_F(CachedStoreFollowTest, AfterRandomChangesThroughAnotherCoordinatorTheIndexEqualsARebuild) {
  // Two coordinators, each with its index; one makes every kind of change.
  auto follower = Follower();
  auto other = Follower();
  ASSERT_NE(follower, nullptr);
  ASSERT_NE(other, nullptr);
  RandomWalk walk(other.get(), 7);
  for (int step = 0; step < 600; ++step) {
    walk.Step(step);
    if (step % 200 != 199) continue;
    ASSERT_TRUE(follower->WaitUntilFresh(kDeadline));
    MetadataIndex rebuilt;
    ASSERT_OK(LoadMetadataIndex(follower->inner(), &rebuilt));
    ASSERT_EQ(Describe(follower->index().Contents()), Describe(rebuilt.Contents()))
        << "after step " << step;
    ASSERT_EQ(Describe(other->index().Contents()), Describe(rebuilt.Contents()))
        << "the writer's own index, after step " << step;
  }
}

}  // namespace
}  // namespace gale::coordinator
