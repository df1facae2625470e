// The in-memory index kept in step by CachedStore: after a seeded random
// sequence of every kind of change (some of them failing), the index equals
// one rebuilt from the database, and reads through the cache equal reads of
// the database. The conformance suite (store_conformance_test.cc) runs every
// store case through CachedStore as well.

#include "coordinator/store/memory/cached_store.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/synchronization/notification.h"
#include "common/ids.h"
#include "common/sha256.h"
#include "common/strings.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/unit/coordinator/store/memory/store_random_walk.h"

namespace gale::coordinator {
namespace {

using testing_walk::ChunksOnlyInMemory;
using testing_walk::Describe;
using testing_walk::DescribeBalances;
using testing_walk::DescribeWithoutUploadsInMemory;
using testing_walk::kT0;
using testing_walk::RandomWalk;

class CachedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenStore(); }

  // Opens (or reopens) the database file `name` behind a CachedStore.
  void OpenStore(const std::string& name = "gale.db") {
    ASSERT_OK_AND_ASSIGN(auto inner, SqliteStore::Open(dir_.Join(name)));
    store_ = std::make_unique<CachedStore>(std::move(inner),
                                           CachedStore::Options{.authoritative = true});
    ASSERT_OK(store_->Migrate());
    ASSERT_TRUE(store_->serving());
  }

  // The index of `store_` against one built afresh from its database.
  void ExpectIndexMatchesDatabase(const std::string& when) {
    MetadataIndex rebuilt;
    ASSERT_OK(LoadMetadataIndex(store_->inner(), &rebuilt));
    ASSERT_EQ(DescribeWithoutUploadsInMemory(store_.get()), Describe(rebuilt.Contents())) << when;
    ASSERT_TRUE(store_->serving()) << when;
    // The repair loop's health from memory, as the database counts it (the
    // walk's nodes: node-0..4; node-4 is neither counted nor readable).
    const std::vector<std::string> counting = {"node-0", "node-1", "node-2"};
    const std::vector<std::string> readable = {"node-0", "node-1", "node-2", "node-3"};
    ASSERT_OK_AND_ASSIGN(ReplicationHealth memory, store_->Health(counting, readable));
    ASSERT_OK_AND_ASSIGN(ReplicationHealth stored, store_->inner()->Health(counting, readable));
    EXPECT_EQ(memory.under_replicated, stored.under_replicated) << when;
    EXPECT_EQ(memory.over_replicated, stored.over_replicated) << when;
    EXPECT_EQ(memory.lost, stored.lost) << when;
    EXPECT_EQ(memory.missing_bytes, stored.missing_bytes) << when;
    EXPECT_EQ(memory.corrupt_replicas, stored.corrupt_replicas) << when;
    // And the repair loop's list of chunks off their factor, in its order.
    for (int limit : {3, 1000}) {
      ASSERT_OK_AND_ASSIGN(auto memory_list, store_->UnbalancedChunks(counting, limit));
      ASSERT_OK_AND_ASSIGN(auto stored_list, store_->inner()->UnbalancedChunks(counting, limit));
      EXPECT_EQ(DescribeBalances(memory_list), DescribeBalances(stored_list)) << when;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<CachedStore> store_;
};

TEST_F(CachedStoreTest, IndexEqualsARebuildAfterRandomChanges) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(StrCat("seed ", seed));
    OpenStore(StrCat("seed-", seed, ".db"));
    RandomWalk walk(store_.get(), seed);
    for (int step = 0; step < 1500; ++step) {
      walk.Step(step);
      if (step % 100 == 99) ExpectIndexMatchesDatabase(StrCat("after step ", step));
    }
    if (HasFatalFailure()) return;
  }
}

TEST_F(CachedStoreTest, ReadsThroughTheIndexEqualReadsOfTheDatabase) {
  RandomWalk walk(store_.get(), 7);
  for (int step = 0; step < 800; ++step) walk.Step(step);
  MetadataStore* db = store_->inner();
  const IndexContents contents = store_->index().Contents();
  ASSERT_FALSE(contents.files.empty());
  const std::vector<std::string> in_memory = store_->uploads_in_memory();
  const std::set<std::string> chunks_in_memory = ChunksOnlyInMemory(store_.get());
  for (const FileRecord& f : contents.files) {
    if (std::find(in_memory.begin(), in_memory.end(), f.id) != in_memory.end()) continue;
    ASSERT_OK_AND_ASSIGN(FileRecord cached, store_->GetFile(f.id));
    ASSERT_OK_AND_ASSIGN(FileRecord stored, db->GetFile(f.id));
    EXPECT_EQ(Describe(cached), Describe(stored));
    ASSERT_OK_AND_ASSIGN(auto cached_chunks, store_->GetFileChunks(f.id));
    ASSERT_OK_AND_ASSIGN(auto stored_chunks, db->GetFileChunks(f.id));
    ASSERT_EQ(cached_chunks.size(), stored_chunks.size());
    for (size_t i = 0; i < cached_chunks.size(); ++i) {
      EXPECT_EQ(cached_chunks[i].chunk_id, stored_chunks[i].chunk_id);
      EXPECT_EQ(cached_chunks[i].index, stored_chunks[i].index);
      EXPECT_EQ(cached_chunks[i].size, stored_chunks[i].size);
    }
    // The chunks with their copies: the index's from the file's slots, the
    // database's from its two reads.
    ASSERT_OK_AND_ASSIGN(auto cached_copies, store_->GetFileChunkCopies(f.id));
    ASSERT_OK_AND_ASSIGN(auto stored_copies, db->GetFileChunkCopies(f.id));
    ASSERT_EQ(cached_copies.size(), stored_chunks.size());
    ASSERT_EQ(stored_copies.size(), stored_chunks.size());
    for (size_t i = 0; i < cached_copies.size(); ++i) {
      EXPECT_EQ(cached_copies[i].ref.chunk_id, stored_chunks[i].chunk_id);
      EXPECT_EQ(cached_copies[i].ref.index, stored_chunks[i].index);
      EXPECT_EQ(cached_copies[i].ref.size, stored_chunks[i].size);
      if (chunks_in_memory.contains(stored_chunks[i].chunk_id)) continue;
      ASSERT_EQ(cached_copies[i].copies.size(), stored_copies[i].copies.size());
      for (size_t j = 0; j < cached_copies[i].copies.size(); ++j) {
        EXPECT_EQ(cached_copies[i].copies[j].node_id, stored_copies[i].copies[j].node_id);
        EXPECT_EQ(cached_copies[i].copies[j].state, stored_copies[i].copies[j].state);
      }
    }
    if (!f.name.empty() && f.state == FileState::kComplete) {
      ASSERT_OK_AND_ASSIGN(FileRecord by_name, store_->GetFileByName(f.name));
      EXPECT_EQ(by_name.id, f.id);
    }
  }
  EXPECT_STATUS(store_->GetFile("no-such-file"), absl::StatusCode::kNotFound,
                "no file with id no-such-file");
  EXPECT_STATUS(store_->GetFileByName("no-such-name"), absl::StatusCode::kNotFound,
                "no file named 'no-such-name'");
  FileListQuery query;
  query.prefix = "name-";
  query.limit = 3;
  ASSERT_OK_AND_ASSIGN(auto cached_page, store_->ListFiles(query));
  ASSERT_OK_AND_ASSIGN(auto stored_page, db->ListFiles(query));
  ASSERT_EQ(cached_page.size(), stored_page.size());
  for (size_t i = 0; i < cached_page.size(); ++i) {
    EXPECT_EQ(Describe(cached_page[i]), Describe(stored_page[i]));
  }
  std::vector<std::string> chunk_ids;
  for (int i = 0; i < 30; ++i) {
    std::string id = common::Sha256::Hex(StrCat("chunk ", i));
    if (!chunks_in_memory.contains(id)) chunk_ids.push_back(std::move(id));
  }
  ASSERT_OK_AND_ASSIGN(auto cached_replicas, store_->GetReplicas(chunk_ids));
  ASSERT_OK_AND_ASSIGN(auto stored_replicas, db->GetReplicas(chunk_ids));
  ASSERT_EQ(cached_replicas.size(), stored_replicas.size());
  for (size_t i = 0; i < cached_replicas.size(); ++i) {
    EXPECT_EQ(cached_replicas[i].chunk_id, stored_replicas[i].chunk_id);
    EXPECT_EQ(cached_replicas[i].node_id, stored_replicas[i].node_id);
    EXPECT_EQ(cached_replicas[i].state, stored_replicas[i].state);
  }
  // The same copies, per chunk in the order asked (the index's own answer
  // against the store's rows grouped), an unknown chunk with none.
  chunk_ids.push_back(common::Sha256::Hex("never stored"));
  ASSERT_OK_AND_ASSIGN(auto cached_copies, store_->GetCopies(chunk_ids));
  ASSERT_OK_AND_ASSIGN(auto stored_copies, db->GetCopies(chunk_ids));
  ASSERT_EQ(cached_copies.size(), chunk_ids.size());
  ASSERT_EQ(stored_copies.size(), chunk_ids.size());
  size_t copies = 0;
  for (size_t i = 0; i < chunk_ids.size(); ++i) {
    ASSERT_EQ(cached_copies[i].size(), stored_copies[i].size()) << chunk_ids[i];
    for (size_t j = 0; j < cached_copies[i].size(); ++j) {
      EXPECT_EQ(cached_copies[i][j].node_id, stored_copies[i][j].node_id);
      EXPECT_EQ(cached_copies[i][j].state, stored_copies[i][j].state);
    }
    copies += cached_copies[i].size();
  }
  EXPECT_EQ(copies, stored_replicas.size());
  EXPECT_TRUE(cached_copies.back().empty());
  chunk_ids.pop_back();
  for (const std::string& id : chunk_ids) {
    auto cached = store_->GetChunkSize(id);
    auto stored = db->GetChunkSize(id);
    ASSERT_EQ(cached.status().code(), stored.status().code()) << id;
    if (cached.ok()) {
      EXPECT_EQ(*cached, *stored);
    } else {
      EXPECT_EQ(cached.status().message(), stored.status().message());
    }
  }
}

// ---- uploads in memory -----------------------------------------------------------

FileRecord PendingFile(const std::string& id, const std::string& name) {
  FileRecord f;
  f.id = id;
  f.name = name;
  f.chunk_size = 100;
  f.created_at = kT0;
  f.expires_at = kT0 + absl::Hours(1);
  return f;
}

std::string ChunkId(int i) { return common::Sha256::Hex(StrCat("upload chunk ", i)); }

TEST_F(CachedStoreTest, AnUploadStaysInMemoryUntilItsCommitWritesItInOneTransaction) {
  ASSERT_OK_AND_ASSIGN(DatabaseStats before, store_->Stats());
  ASSERT_OK(store_->InsertFile(PendingFile("up", "a/file")));
  ASSERT_OK(store_->AttachChunks("up", {{0, ChunkId(1), 100}, {1, ChunkId(2), 50}}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n1", {{ChunkId(1), 100}, {ChunkId(2), 50}}, {}, {}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n2", {{ChunkId(1), 100}}, {}, {}, kT0));
  ASSERT_OK(store_->ReplaceNodeReplicas("n3", {{ChunkId(2), 50}}, kT0));

  // Reads see the upload; the database has none of it.
  EXPECT_EQ(store_->GetFile("up")->state, FileState::kPending);
  EXPECT_EQ(store_->GetFileChunks("up")->size(), 2u);
  EXPECT_EQ(store_->GetReplicas({ChunkId(1), ChunkId(2)})->size(), 4u);
  EXPECT_EQ(*store_->GetChunkSize(ChunkId(2)), 50);
  EXPECT_STATUS(store_->inner()->GetFile("up"), absl::StatusCode::kNotFound, "");
  EXPECT_TRUE(store_->inner()->GetReplicas({ChunkId(1), ChunkId(2)})->empty());
  EXPECT_EQ(store_->uploads_in_memory(), std::vector<std::string>{"up"});
  ExpectIndexMatchesDatabase("with an upload in memory");

  ASSERT_OK(store_->CommitFile("up", 150, common::Sha256::Hex("whole"), kT0 + absl::Seconds(1)));
  ASSERT_OK_AND_ASSIGN(DatabaseStats after, store_->Stats());
  EXPECT_EQ(after.activity["commits"] - before.activity["commits"], 2)
      << "n3's full report, and the whole upload in one transaction";
  ASSERT_OK_AND_ASSIGN(FileRecord stored, store_->inner()->GetFile("up"));
  EXPECT_EQ(stored.state, FileState::kComplete);
  EXPECT_EQ(stored.size, 150);
  EXPECT_EQ(store_->inner()->GetReplicas({ChunkId(1), ChunkId(2)})->size(), 4u);
  EXPECT_EQ(store_->inner()->GetChunk(ChunkId(1))->refcount, 1);
  EXPECT_TRUE(store_->uploads_in_memory().empty());
  ExpectIndexMatchesDatabase("after the commit");
  // Later reports go to the database.
  ASSERT_OK(store_->ApplyReplicaChanges("n2", {{ChunkId(2), 50}}, {ChunkId(1)}, {}, kT0));
  EXPECT_EQ(store_->inner()->GetReplicas({ChunkId(1), ChunkId(2)})->size(), 4u);
  ExpectIndexMatchesDatabase("after later reports");
}

TEST_F(CachedStoreTest, ACommittedUploadReadsAsTheDatabaseKeepsIt) {
  // Not read back after its commit: the index's record must be the one the
  // database holds, times in whole milliseconds included.
  FileRecord pending = PendingFile("up", "a/file");
  pending.created_at = kT0 + absl::Microseconds(1'234'567);
  pending.expires_at = pending.created_at + absl::Microseconds(3'600'000'999);
  pending.owner = "alice";
  ASSERT_OK(store_->InsertFile(pending));
  ASSERT_OK(store_->AttachChunks("up", {{0, ChunkId(1), 100}, {1, ChunkId(2), 50}}, kT0));
  const absl::Time commit_time = kT0 + absl::Microseconds(2'345'678);
  ASSERT_OK(store_->CommitFile("up", 150, common::Sha256::Hex("whole"), commit_time));

  ASSERT_OK_AND_ASSIGN(FileRecord served, store_->GetFile("up"));
  ASSERT_OK_AND_ASSIGN(FileRecord stored, store_->inner()->GetFile("up"));
  EXPECT_EQ(served.state, FileState::kComplete);
  EXPECT_EQ(served.size, 150);
  EXPECT_EQ(served.sha256, common::Sha256::Hex("whole"));
  EXPECT_EQ(served.committed_at, absl::FromUnixMillis(absl::ToUnixMillis(commit_time)));
  for (const auto& [field, a, b] :
       {std::tuple{"created", served.created_at, stored.created_at},
        std::tuple{"expires", served.expires_at, stored.expires_at},
        std::tuple{"committed", served.committed_at, stored.committed_at},
        std::tuple{"accessed", served.last_accessed, stored.last_accessed}}) {
    EXPECT_EQ(a, b) << field;
  }
  EXPECT_EQ(testing_walk::Describe(served), testing_walk::Describe(stored));
  EXPECT_EQ(served.chunk_count, stored.chunk_count);
}

TEST_F(CachedStoreTest, ACrashLosesOnlyUploadsNotYetCommittedAndTheirCopiesBecomeOrphans) {
  ASSERT_OK(store_->InsertFile(PendingFile("done", "done")));
  ASSERT_OK(store_->AttachChunks("done", {{0, ChunkId(1), 100}}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n1", {{ChunkId(1), 100}}, {}, {}, kT0));
  ASSERT_OK(store_->CommitFile("done", 100, "", kT0));
  ASSERT_OK(store_->InsertFile(PendingFile("lost", "lost")));
  ASSERT_OK(store_->AttachChunks("lost", {{0, ChunkId(2), 100}}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n1", {{ChunkId(2), 100}}, {}, {}, kT0));

  store_.reset();  // the process ends
  OpenStore();
  EXPECT_EQ(store_->GetFile("done")->state, FileState::kComplete);
  EXPECT_EQ(store_->GetReplicas({ChunkId(1)})->size(), 1u);
  EXPECT_STATUS(store_->GetFile("lost"), absl::StatusCode::kNotFound, "");
  EXPECT_STATUS(store_->CommitFile("lost", 100, "", kT0), absl::StatusCode::kNotFound, "");
  EXPECT_STATUS(store_->GetChunkSize(ChunkId(2)), absl::StatusCode::kNotFound, "");

  // The node's next full report names the lost upload's copy: an orphan,
  // ordered deleted once the grace period has passed.
  const absl::Time reported = kT0 + absl::Minutes(1);
  ASSERT_OK(store_->ReplaceNodeReplicas("n1", {{ChunkId(1), 100}, {ChunkId(2), 100}}, reported));
  ASSERT_OK_AND_ASSIGN(int ordered, store_->CollectOrphanReplicas(reported, reported, 10));
  EXPECT_EQ(ordered, 0) << "within the grace period";
  ASSERT_OK_AND_ASSIGN(ordered, store_->CollectOrphanReplicas(reported + absl::Seconds(1),
                                                              reported + absl::Seconds(1), 10));
  EXPECT_EQ(ordered, 1);
  EXPECT_EQ(store_->GetReplicas({ChunkId(2)})->at(0).state, ReplicaState::kDeleting);
  ExpectIndexMatchesDatabase("after the orphan was collected");
}

TEST_F(CachedStoreTest, ADroppedUploadLeavesItsChunksToTheGarbageCollector) {
  ASSERT_OK(store_->InsertFile(PendingFile("up", "up")));
  ASSERT_OK(store_->AttachChunks("up", {{0, ChunkId(1), 100}, {1, ChunkId(2), 100}}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n1", {{ChunkId(1), 100}}, {}, {}, kT0));
  // Another upload in memory shares chunk 2.
  ASSERT_OK(store_->InsertFile(PendingFile("other", "other")));
  ASSERT_OK(store_->AttachChunks("other", {{0, ChunkId(2), 100}}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n2", {{ChunkId(2), 100}}, {}, {}, kT0));
  ASSERT_OK_AND_ASSIGN(auto expired, store_->ExpiredUploads(kT0 + absl::Hours(2), 10));
  EXPECT_EQ(expired.size(), 2u) << "uploads in memory expire too";
  ASSERT_OK_AND_ASSIGN(StoreCounts counts, store_->Counts());
  EXPECT_EQ(counts.chunks, 2) << "chunks of uploads in memory are referenced";
  ASSERT_OK_AND_ASSIGN(ChunkRecord shared, store_->GetChunk(ChunkId(2)));
  EXPECT_EQ(shared.refcount, 2);
  EXPECT_EQ(shared.file_ids, (std::vector<std::string>{"other", "up"}));

  ASSERT_OK(store_->DeleteFile("up", kT0));
  EXPECT_STATUS(store_->GetFile("up"), absl::StatusCode::kNotFound, "");
  EXPECT_EQ(store_->inner()->GetChunk(ChunkId(1))->refcount, 0) << "unreferenced, as any";
  EXPECT_EQ(store_->inner()->GetReplicas({ChunkId(1), ChunkId(2)})->size(), 2u);
  EXPECT_EQ(store_->GetChunk(ChunkId(2))->refcount, 1) << "the other upload's reference";
  ExpectIndexMatchesDatabase("after the drop");
  ASSERT_OK_AND_ASSIGN(auto collectable, store_->CollectableChunks(kT0 + absl::Hours(1), 10));
  ASSERT_EQ(collectable.size(), 2u);
  for (const std::string& chunk_id : collectable) {
    ASSERT_OK_AND_ASSIGN(int tasks, store_->CollectChunk(chunk_id, kT0 + absl::Hours(1)));
    EXPECT_EQ(tasks, chunk_id == ChunkId(1) ? 1 : 0) << "chunk 2 is still referenced";
  }
  ASSERT_OK(store_->CommitFile("other", 100, "", kT0));
  EXPECT_EQ(store_->GetReplicas({ChunkId(2)})->at(0).state, ReplicaState::kStored);
  ExpectIndexMatchesDatabase("after the other commit");
}

TEST_F(CachedStoreTest, AnUploadNamingAChunkTheDatabaseKnowsMovesThere) {
  ASSERT_OK(store_->InsertFile(PendingFile("old", "old")));
  ASSERT_OK(store_->AttachChunks("old", {{0, ChunkId(1), 100}}, kT0));
  ASSERT_OK(store_->CommitFile("old", 100, "", kT0));
  ASSERT_OK(store_->InsertFile(PendingFile("up", "up")));
  ASSERT_OK(store_->AttachChunks("up", {{0, ChunkId(2), 100}}, kT0));
  ASSERT_OK(store_->ApplyReplicaChanges("n1", {{ChunkId(2), 100}}, {}, {}, kT0));
  EXPECT_STATUS(store_->AttachChunks("up", {{1, ChunkId(1), 99}}, kT0),
                absl::StatusCode::kInvalidArgument, "100 bytes, not 99");
  EXPECT_EQ(store_->uploads_in_memory(), std::vector<std::string>{"up"}) << "refused: no move";

  ASSERT_OK(store_->AttachChunks("up", {{1, ChunkId(1), 100}}, kT0));
  EXPECT_TRUE(store_->uploads_in_memory().empty());
  EXPECT_EQ(store_->inner()->GetFileChunks("up")->size(), 2u);
  EXPECT_EQ(store_->inner()->GetChunk(ChunkId(1))->refcount, 2);
  EXPECT_EQ(store_->inner()->GetReplicas({ChunkId(2)})->size(), 1u) << "its held copy went along";
  ExpectIndexMatchesDatabase("after the move");
  ASSERT_OK(store_->CommitFile("up", 200, "", kT0));
  ExpectIndexMatchesDatabase("after the commit");
}

TEST_F(CachedStoreTest, GarbageCollectionSparesChunksOfUploadsInMemory) {
  // Two uploads share a new chunk; the first commits and is deleted.
  for (const char* id : {"first", "second"}) {
    ASSERT_OK(store_->InsertFile(PendingFile(id, id)));
    ASSERT_OK(store_->AttachChunks(id, {{0, ChunkId(1), 100}}, kT0));
  }
  ASSERT_OK(store_->ApplyReplicaChanges("n1", {{ChunkId(1), 100}}, {}, {}, kT0));
  ASSERT_OK(store_->CommitFile("first", 100, "", kT0));
  ASSERT_OK(store_->DeleteFile("first", kT0));
  EXPECT_EQ(store_->inner()->GetChunk(ChunkId(1))->refcount, 0);
  ASSERT_OK_AND_ASSIGN(int tasks, store_->CollectChunk(ChunkId(1), kT0 + absl::Hours(1)));
  EXPECT_EQ(tasks, 0) << "the second upload still references it";
  ASSERT_OK(store_->CommitFile("second", 100, "", kT0));
  EXPECT_EQ(store_->inner()->GetChunk(ChunkId(1))->refcount, 1);
  EXPECT_EQ(store_->GetReplicas({ChunkId(1)})->at(0).state, ReplicaState::kStored);
  ExpectIndexMatchesDatabase("after the second commit");
}

// A database that takes reports of chunk ids it does not check (the
// stores refuse them; the index must cope with a database that does not).
class LaxStore final : public ForwardingStore {
 public:
  explicit LaxStore(std::unique_ptr<MetadataStore> inner)
      : ForwardingStore(inner.get()), owned_(std::move(inner)) {}
  Status ApplyReplicaChanges(std::string_view node_id, const std::vector<ChunkReplica>& received,
                             const std::vector<std::string>& deleted,
                             const std::vector<std::string>& corrupt, absl::Time now) override {
    std::vector<ChunkReplica> valid;
    for (const ChunkReplica& chunk : received) {
      if (common::ValidateChunkId(chunk.chunk_id).ok()) valid.push_back(chunk);
    }
    return inner_->ApplyReplicaChanges(node_id, valid, deleted, corrupt, now);
  }

 private:
  std::unique_ptr<MetadataStore> owned_;
};

TEST_F(CachedStoreTest, AChangeTheIndexCannotTakeSwitchesItOffAndReadsGoToTheDatabase) {
  store_.reset();
  ASSERT_OK_AND_ASSIGN(auto sqlite, SqliteStore::Open(dir_.Join("gale.db")));
  store_ = std::make_unique<CachedStore>(std::make_unique<LaxStore>(std::move(sqlite)),
                                         CachedStore::Options{.authoritative = true});
  ASSERT_OK(store_->Migrate());
  ASSERT_TRUE(store_->serving());
  FileRecord f;
  f.id = "f";
  f.name = "n";
  f.chunk_size = 100;
  ASSERT_OK(store_->InsertFile(f));
  const std::string chunk = common::Sha256::Hex("kept");
  ASSERT_OK(
      store_->ApplyReplicaChanges("node-1", {{chunk, 5}, {"not-a-chunk-id", 5}}, {}, {}, kT0));
  EXPECT_FALSE(store_->serving());
  // Reads come from the database now.
  ASSERT_OK_AND_ASSIGN(auto replicas, store_->GetReplicas({chunk, "not-a-chunk-id"}));
  ASSERT_EQ(replicas.size(), 1u);
  EXPECT_EQ(replicas[0].chunk_id, chunk);
  EXPECT_EQ(replicas[0].node_id, "node-1");
  ASSERT_OK_AND_ASSIGN(FileRecord read, store_->GetFile("f"));
  EXPECT_EQ(read.name, "n");
}

TEST_F(CachedStoreTest, ChangesMadeWhileTheIndexLoadsAreCaughtUp) {
  {
    RandomWalk walk(store_.get(), 21);
    for (int step = 0; step < 600; ++step) walk.Step(step);
  }
  store_.reset();
  // Reopen with a load of 7-row pages, and a few random changes between
  // any two pages: each must be seen once the load is done.
  ASSERT_OK_AND_ASSIGN(auto inner, SqliteStore::Open(dir_.Join("gale.db")));
  CachedStore* opened = nullptr;
  std::unique_ptr<RandomWalk> walk;
  int step = 1000;
  int pages = 0;
  CachedStore::Options options{.authoritative = true, .scan_page = 7};
  options.between_pages_for_testing = [&] {
    ++pages;
    EXPECT_FALSE(opened->serving()) << "reads go to the database while loading";
    for (int i = 0; i < 3; ++i) walk->Step(step++);
  };
  store_ = std::make_unique<CachedStore>(std::move(inner), options);
  opened = store_.get();
  walk = std::make_unique<RandomWalk>(opened, 22);
  ASSERT_OK(store_->Migrate());
  EXPECT_GE(pages, 10);
  ASSERT_TRUE(store_->serving());
  ExpectIndexMatchesDatabase("after a load with changes between its pages");
}

TEST_F(CachedStoreTest, ABackgroundLoadServesFromTheDatabaseUntilItEnds) {
  {
    RandomWalk walk(store_.get(), 31);
    for (int step = 0; step < 400; ++step) walk.Step(step);
  }
  const std::string before = DescribeWithoutUploadsInMemory(store_.get());
  store_.reset();
  ASSERT_OK_AND_ASSIGN(auto inner, SqliteStore::Open(dir_.Join("gale.db")));
  absl::Notification release;
  CachedStore::Options options{.authoritative = true, .load_in_background = true};
  options.between_pages_for_testing = [&] { release.WaitForNotification(); };
  store_ = std::make_unique<CachedStore>(std::move(inner), options);
  ASSERT_OK(store_->Migrate());  // returns while the load waits
  EXPECT_FALSE(store_->serving());
  ASSERT_OK_AND_ASSIGN(auto files, store_->inner()->ScanFiles("", 1));
  ASSERT_EQ(files.size(), 1u);
  ASSERT_OK_AND_ASSIGN(FileRecord read, store_->GetFile(files[0].id));  // from the database
  EXPECT_EQ(read.id, files[0].id);
  release.Notify();
  store_->WaitForLoad();
  ASSERT_TRUE(store_->serving());
  EXPECT_EQ(Describe(store_->index().Contents()), before);
}

TEST_F(CachedStoreTest, ARestartRebuildsTheIndexFromTheDatabase) {
  RandomWalk walk(store_.get(), 11);
  for (int step = 0; step < 500; ++step) walk.Step(step);
  // Uploads not yet committed are lost with the process.
  const std::string before = DescribeWithoutUploadsInMemory(store_.get());
  store_.reset();
  OpenStore();
  EXPECT_EQ(Describe(store_->index().Contents()), before);
  EXPECT_GT(store_->index().sizes().files, 0);
}

}  // namespace
}  // namespace gale::coordinator
