// CachedStore following another writer of a shared PostgreSQL database
// through its change feed: what one coordinator changes, another's index
// holds within the staleness bound; a deleted file stops resolving there
// within the bound, even when the feed breaks; after a random sequence of
// every kind of change, the follower's index equals a fresh rebuild.

#include <gtest/gtest.h>

#include <atomic>
#include <set>

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
using testing_walk::DescribeBalances;
using testing_walk::DescribeWithoutUploadsInMemory;
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
  // (through a feed that stalls on demand when `stalling` is set), and it
  // keeps uploads in memory for up to `upload_memory_limit`.
  std::unique_ptr<CachedStore> Follower(
      StallingStore** stalling = nullptr,
      absl::Duration upload_memory_limit = absl::InfiniteDuration()) {
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
        std::move(inner), CachedStore::Options{.follow_changes = true,
                                               .staleness_bound = kBound,
                                               .upload_memory_limit = upload_memory_limit});
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

  // A pending file as a client's CreateFile makes it, created `created_at`.
  static FileRecord PendingFile(const std::string& id, absl::Time created_at = kT0,
                                int factor = 2) {
    FileRecord f;
    f.id = id;
    f.name = StrCat("name-", id);
    f.size = -1;
    f.chunk_size = 100;
    f.replication_factor = factor;
    f.created_at = created_at;
    f.expires_at = created_at + absl::Hours(1);
    return f;
  }

  // A complete file of two chunks, written through `store`.
  static FileRecord WriteFile(MetadataStore* store, const std::string& id) {
    FileRecord f = PendingFile(id, kT0, /*factor=*/1);
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
    // The repair loop's health from the follower's memory, as the database
    // counts it.
    const std::vector<std::string> nodes = {"node-0", "node-1", "node-2"};
    const ReplicationHealth memory = follower->index().Health(nodes, nodes);
    ASSERT_OK_AND_ASSIGN(ReplicationHealth stored, follower->inner()->Health(nodes, nodes));
    EXPECT_EQ(memory.under_replicated, stored.under_replicated) << "after step " << step;
    EXPECT_EQ(memory.over_replicated, stored.over_replicated) << "after step " << step;
    EXPECT_EQ(memory.lost, stored.lost) << "after step " << step;
    EXPECT_EQ(memory.missing_bytes, stored.missing_bytes) << "after step " << step;
    EXPECT_EQ(memory.corrupt_replicas, stored.corrupt_replicas) << "after step " << step;
    ASSERT_OK_AND_ASSIGN(auto stored_list, follower->inner()->UnbalancedChunks(nodes, 1000));
    EXPECT_EQ(DescribeBalances(follower->index().UnbalancedChunks(nodes, 1000)),
              DescribeBalances(stored_list))
        << "after step " << step;
    // The writer's own index, but for its uploads in memory (which the
    // database lacks).
    ASSERT_EQ(DescribeWithoutUploadsInMemory(other.get()), Describe(rebuilt.Contents()))
        << "the writer's own index, after step " << step;
  }
}

// A store's feed leaves out what the store itself commits (its owner
// applies its own changes): another writer's changes come through.
TEST_F(CachedStoreFollowTest, AStoresFeedLeavesOutItsOwnChanges) {
  auto own = Writer();
  auto other = Writer();
  ASSERT_NE(own, nullptr);
  ASSERT_NE(other, nullptr);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ChangeFeed> feed, own->OpenChangeFeed());
  ASSERT_OK(own->InsertBucket({"from-own", "owner", kT0}));
  ASSERT_OK(other->InsertBucket({"from-other", "owner", kT0}));
  ASSERT_OK(feed->Mark("end"));
  std::set<std::string> keys;
  const absl::Time deadline = absl::Now() + kDeadline;
  while (!keys.contains("m:end") && absl::Now() < deadline) {
    ASSERT_OK_AND_ASSIGN(std::vector<std::string> delivered, feed->Next(kBound));
    keys.insert(delivered.begin(), delivered.end());
  }
  ASSERT_TRUE(keys.contains("m:end"));
  EXPECT_TRUE(keys.contains("b:from-other"));
  EXPECT_FALSE(keys.contains("b:from-own"));
}

// Uploads in memory with several coordinators: one durable transaction per
// file (the commit), copies reported to another coordinator included.
TEST_F(CachedStoreFollowTest, AnUploadStaysInMemoryUntilItsCommitWithCopiesReportedElsewhere) {
  auto a = Follower();
  auto b = Follower();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_TRUE(Serves(a.get()));
  const std::vector<FileChunkRef> chunks = {{0, common::Sha256::Hex("up-0"), 100},
                                            {1, common::Sha256::Hex("up-1"), 60}};
  ASSERT_OK(a->InsertFile(PendingFile("up")));
  ASSERT_OK(a->AttachChunks("up", chunks, kT0));
  EXPECT_EQ(a->uploads_in_memory(), std::vector<std::string>{"up"});
  EXPECT_STATUS(a->inner()->GetFile("up"), absl::StatusCode::kNotFound, "");
  ASSERT_OK_AND_ASSIGN(FileRecord pending, a->GetFile("up"));
  EXPECT_EQ(pending.state, FileState::kPending);

  // One node reports to the upload's coordinator (held in memory), another
  // to the other coordinator, which records it in the database.
  ASSERT_OK(a->ApplyReplicaChanges("node-1", {{chunks[0].chunk_id, 100}}, {}, {}, kT0));
  ASSERT_OK(b->ApplyReplicaChanges("node-2", {{chunks[1].chunk_id, 60}}, {}, {}, kT0));
  ASSERT_OK_AND_ASSIGN(auto in_db, a->inner()->GetReplicas({chunks[0].chunk_id}));
  EXPECT_TRUE(in_db.empty()) << "a copy held in memory reached the database";
  // The commit's replica check sees both once the feed brought the other.
  ASSERT_TRUE(a->WaitUntilFresh(kDeadline));
  ASSERT_OK_AND_ASSIGN(auto copies, a->GetCopies({chunks[0].chunk_id, chunks[1].chunk_id}));
  ASSERT_EQ(copies.size(), 2u);
  ASSERT_EQ(copies[0].size(), 1u);
  EXPECT_EQ(copies[0][0].node_id, "node-1");
  ASSERT_EQ(copies[1].size(), 1u);
  EXPECT_EQ(copies[1][0].node_id, "node-2");

  ASSERT_OK(a->CommitFile("up", 160, common::Sha256::Hex("up"), kT0).status());
  EXPECT_TRUE(a->uploads_in_memory().empty());
  ASSERT_OK_AND_ASSIGN(FileRecord stored, a->inner()->GetFile("up"));
  EXPECT_EQ(stored.state, FileState::kComplete);
  ASSERT_OK_AND_ASSIGN(auto stored_chunks, a->inner()->GetFileChunks("up"));
  EXPECT_EQ(stored_chunks.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto replicas,
                       a->inner()->GetReplicas({chunks[0].chunk_id, chunks[1].chunk_id}));
  ASSERT_EQ(replicas.size(), 2u);
  ASSERT_TRUE(b->WaitUntilFresh(kDeadline));
  ASSERT_OK_AND_ASSIGN(FileRecord seen, b->GetFile("up"));
  EXPECT_EQ(seen.state, FileState::kComplete);
  ASSERT_OK_AND_ASSIGN(auto seen_copies, b->GetCopies({chunks[0].chunk_id}));
  ASSERT_EQ(seen_copies[0].size(), 1u);
  EXPECT_EQ(seen_copies[0][0].node_id, "node-1");
}

// A chunk another coordinator made (a row, or only a reported copy) takes
// an upload to the database at its attach, where reference counts and
// orphan collection govern it.
TEST_F(CachedStoreFollowTest, AnUploadOfAChunkTheDatabaseKnowsGoesThereAtItsAttach) {
  auto a = Follower();
  auto writer = Writer();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(writer, nullptr);
  ASSERT_TRUE(Serves(a.get()));
  WriteFile(writer.get(), "file-a");  // not waiting for a's index to see it
  const std::string shared = common::Sha256::Hex(std::string("file-a") + "0");
  ASSERT_OK(a->InsertFile(PendingFile("up")));
  ASSERT_OK(a->AttachChunks("up", {{0, shared, 100}}, kT0));
  EXPECT_TRUE(a->uploads_in_memory().empty());
  ASSERT_OK_AND_ASSIGN(FileRecord moved, a->inner()->GetFile("up"));
  EXPECT_EQ(moved.state, FileState::kPending);
  ASSERT_OK_AND_ASSIGN(ChunkRecord chunk, a->inner()->GetChunk(shared));
  EXPECT_EQ(chunk.refcount, 2);

  const std::string reported = common::Sha256::Hex("only reported");
  ASSERT_OK(writer->ApplyReplicaChanges("node-1", {{reported, 70}}, {}, {}, kT0));
  ASSERT_OK(a->InsertFile(PendingFile("up-2")));
  ASSERT_OK(a->AttachChunks("up-2", {{0, reported, 70}}, kT0));
  EXPECT_TRUE(a->uploads_in_memory().empty());
  ASSERT_OK_AND_ASSIGN(ChunkRecord row, a->inner()->GetChunk(reported));
  EXPECT_EQ(row.refcount, 1);
}

// Other coordinators' garbage collectors cannot see this memory: an upload
// held longer than the limit is written to the database, still pending,
// and commits from there.
TEST_F(CachedStoreFollowTest, AnUploadHeldLongerThanTheLimitMovesToTheDatabase) {
  auto a = Follower(nullptr, kBound);
  ASSERT_NE(a, nullptr);
  ASSERT_TRUE(Serves(a.get()));
  const std::vector<FileChunkRef> chunks = {{0, common::Sha256::Hex("old-0"), 100}};
  ASSERT_OK(a->InsertFile(PendingFile("old", absl::Now())));
  ASSERT_OK(a->AttachChunks("old", chunks, kT0));
  ASSERT_OK(a->ApplyReplicaChanges("node-1", {{chunks[0].chunk_id, 100}}, {}, {}, kT0));
  EXPECT_EQ(a->uploads_in_memory(), std::vector<std::string>{"old"});
  const absl::Time deadline = absl::Now() + kDeadline;
  while (!a->uploads_in_memory().empty() && absl::Now() < deadline) {
    a->WaitUntilFresh(kBound / 4);
  }
  EXPECT_TRUE(a->uploads_in_memory().empty());
  ASSERT_OK_AND_ASSIGN(FileRecord moved, a->inner()->GetFile("old"));
  EXPECT_EQ(moved.state, FileState::kPending);
  ASSERT_OK_AND_ASSIGN(auto replicas, a->inner()->GetReplicas({chunks[0].chunk_id}));
  ASSERT_EQ(replicas.size(), 1u) << "the copy held in memory went with it";
  ASSERT_OK(a->CommitFile("old", 100, common::Sha256::Hex("old"), kT0).status());
  ASSERT_OK_AND_ASSIGN(FileRecord committed, a->inner()->GetFile("old"));
  EXPECT_EQ(committed.state, FileState::kComplete);
}

}  // namespace
}  // namespace gale::coordinator
