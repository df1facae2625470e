// MetadataIndex and its ChunkTable on their own: each mirror of a store
// change, the orders listings need, and entries freed and reused.

#include "coordinator/store/memory/metadata_index.h"

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "common/strings.h"
#include "tests/testing/status_matchers.h"

namespace gale::coordinator {
namespace {

std::string Id(int i) { return common::Sha256::Hex(StrCat("chunk ", i)); }

FileRecord File(const std::string& id, const std::string& name, FileState state) {
  FileRecord f;
  f.id = id;
  f.name = name;
  f.state = state;
  return f;
}

// "node:state" of every replica of Id(chunk), in node order.
std::vector<std::string> Replicas(const MetadataIndex& index, int chunk) {
  std::vector<std::string> out;
  for (const ReplicaRecord& r : index.GetReplicas({Id(chunk)})) {
    out.push_back(StrCat(r.node_id, ":", ReplicaStateName(r.state)));
  }
  return out;
}

TEST(ChunkKeyTest, RoundTripsHexAndRefusesAnythingElse) {
  const std::string id = Id(1);
  ASSERT_TRUE(ChunkKey::FromHex(id));
  EXPECT_EQ(ChunkKey::FromHex(id)->Hex(), id);
  EXPECT_FALSE(ChunkKey::FromHex(id.substr(1)));
  std::string upper = id;
  upper[0] = 'A';
  EXPECT_FALSE(ChunkKey::FromHex(upper));
  EXPECT_FALSE(ChunkKey::FromHex(std::string(64, 'g')));
  EXPECT_FALSE(ChunkKey::FromHex(""));
}

TEST(ChunkTableTest, FreedSlotsAreReusedAndNodesInterned) {
  ChunkTable table;
  const ChunkTable::Slot a = table.FindOrAdd(*ChunkKey::FromHex(Id(1)));
  const ChunkTable::Slot b = table.FindOrAdd(*ChunkKey::FromHex(Id(2)));
  EXPECT_NE(a, b);
  EXPECT_EQ(table.FindOrAdd(*ChunkKey::FromHex(Id(1))), a);
  table.at(a).has_row = true;
  table.ReleaseIfUnused(a);  // kept: it has a row
  EXPECT_EQ(table.Find(*ChunkKey::FromHex(Id(1))), a);
  table.at(a).has_row = false;
  table.ReleaseIfUnused(a);
  EXPECT_EQ(table.Find(*ChunkKey::FromHex(Id(1))), ChunkTable::kNoSlot);
  EXPECT_EQ(table.size(), 1u);
  EXPECT_EQ(table.FindOrAdd(*ChunkKey::FromHex(Id(3))), a) << "the freed slot is reused";
  EXPECT_EQ(table.at(a).key, *ChunkKey::FromHex(Id(3)));

  EXPECT_EQ(table.InternNode("n1"), table.InternNode("n1"));
  EXPECT_NE(table.InternNode("n1"), table.InternNode("n2"));
  EXPECT_EQ(table.NodeName(table.InternNode("n2")), "n2");
  EXPECT_EQ(table.FindNode("never"), -1);
  EXPECT_GT(table.MemoryBytes(), 0);
}

TEST(ChunkTableTest, AnEntryWithFourReplicasTakes72Bytes) {
  // The figure the README and docs/DESIGN.md give per chunk builds on this
  // (plus about 6 bytes of hash index and 4 in its file's chunk list).
  EXPECT_EQ(sizeof(ChunkTable::Replica), 4u);
  EXPECT_LE(sizeof(ChunkTable::Entry), 72u);
}

TEST(MetadataIndexTest, FilesByIdAndCompleteOnesByName) {
  MetadataIndex index;
  index.PutFile(File("p", "doc", FileState::kPending));
  EXPECT_TRUE(index.GetFile("p"));
  EXPECT_FALSE(index.GetFileByName("doc")) << "pending files have no name yet";
  index.PutFile(File("p", "doc", FileState::kComplete));
  ASSERT_TRUE(index.GetFileByName("doc"));
  EXPECT_EQ(index.GetFileByName("doc")->id, "p");
  // An overwrite: the new file takes the name, the old one goes.
  index.PutFile(File("q", "doc", FileState::kComplete));
  index.RemoveFile("p");
  EXPECT_EQ(index.GetFileByName("doc")->id, "q");
  index.RemoveFile("q");
  EXPECT_FALSE(index.GetFileByName("doc"));
  EXPECT_FALSE(index.GetFile("q"));
  index.RemoveFile("q");  // absent: no-op
}

TEST(MetadataIndexTest, ChunkListsReplaceAtIndexesAndCount) {
  MetadataIndex index;
  index.PutFile(File("f", "", FileState::kPending));
  ASSERT_OK(index.AttachChunks("f", {{0, Id(1), 10}, {2, Id(2), 20}}));
  EXPECT_EQ(index.GetFile("f")->chunk_count, 2);
  ASSERT_OK(index.AttachChunks("f", {{2, Id(3), 30}, {1, Id(1), 10}}));
  auto chunks = index.GetFileChunks("f");
  ASSERT_TRUE(chunks);
  ASSERT_EQ(chunks->size(), 3u);
  EXPECT_EQ((*chunks)[0].chunk_id, Id(1));
  EXPECT_EQ((*chunks)[1].chunk_id, Id(1));
  EXPECT_EQ((*chunks)[2].chunk_id, Id(3));
  EXPECT_EQ((*chunks)[2].size, 30);
  EXPECT_EQ(index.GetFile("f")->chunk_count, 3);
  EXPECT_EQ(index.ChunkSize(Id(2)), 20) << "its row stays after the file lets go";
  EXPECT_STATUS(index.AttachChunks("f", {{0, "xyz", 1}}), absl::StatusCode::kInvalidArgument,
                "not 64 lowercase hex digits");
  EXPECT_EQ(index.GetFile("f")->chunk_count, 3) << "a refused change changes nothing";
  ASSERT_OK(index.DropChunkRow(Id(2)));
  EXPECT_FALSE(index.ChunkSize(Id(2)));
  index.RemoveFile("f");
  ASSERT_OK(index.DropChunkRow(Id(1)));
  ASSERT_OK(index.DropChunkRow(Id(3)));
  EXPECT_EQ(index.sizes().chunks, 0) << "nothing keeps the entries any more";
}

TEST(MetadataIndexTest, ReplicaChangesMirrorTheStores) {
  MetadataIndex index;
  ASSERT_OK(index.ReplicaReported(Id(1), "a"));
  ASSERT_OK(index.ReplicaReported(Id(1), "b"));
  ASSERT_OK(index.SetReplicaState(Id(1), "a", ReplicaState::kStored, ReplicaState::kCorrupt));
  ASSERT_OK(index.SetReplicaState(Id(1), "b", std::nullopt, ReplicaState::kDeleting));
  EXPECT_EQ(Replicas(index, 1), (std::vector<std::string>{"a:corrupt", "b:deleting"}));
  // A report lifts corrupt, not deleting.
  ASSERT_OK(index.ReplicaReported(Id(1), "a"));
  ASSERT_OK(index.ReplicaReported(Id(1), "b"));
  EXPECT_EQ(Replicas(index, 1), (std::vector<std::string>{"a:stored", "b:deleting"}));
  ASSERT_OK(index.RemoveReplica(Id(1), "b", /*unless_deleting=*/true));
  EXPECT_EQ(Replicas(index, 1).size(), 2u);
  ASSERT_OK(index.RemoveReplica(Id(1), "b"));
  EXPECT_EQ(Replicas(index, 1), (std::vector<std::string>{"a:stored"}));

  // A full report: unreported rows go, reported ones keep their state.
  ASSERT_OK(index.SetReplicaState(Id(1), "a", std::nullopt, ReplicaState::kDeleting));
  ASSERT_OK(index.ReplicaReported(Id(2), "a"));
  ASSERT_OK(index.ReplaceNodeReplicas("a", {{Id(1), 5}, {Id(3), 5}}));
  EXPECT_EQ(Replicas(index, 1), (std::vector<std::string>{"a:deleting"}));
  EXPECT_TRUE(Replicas(index, 2).empty());
  EXPECT_EQ(Replicas(index, 3), (std::vector<std::string>{"a:stored"}));
  EXPECT_EQ(index.ChunksWithoutRow().size(), 2u) << "copies of chunks without a row";
  EXPECT_EQ(index.sizes().replicas, 2);
}

TEST(MetadataIndexTest, ObjectsListInByteOrderByPrefixFromAStart) {
  MetadataIndex index;
  index.PutObject({"b", "k"});  // no bucket yet: ignored
  index.PutBucket({"b", "owner", absl::UnixEpoch()});
  for (const char* key : {"a/1", "a/2", "a\xff", "b", "a/10"}) {
    ObjectRecord object;
    object.bucket = "b";
    object.key = key;
    index.PutObject(object);
  }
  auto keys = [&](const std::string& prefix, const std::string& start, int limit) {
    std::vector<std::string> out;
    // Held: a range-for over *optional-temporary would outlive it (C++20).
    const auto page = index.ListObjects({"b", prefix, start, limit});
    for (const auto& o : *page) out.push_back(o.key);
    return out;
  };
  EXPECT_EQ(keys("", "", 10), (std::vector<std::string>{"a/1", "a/10", "a/2", "a\xff", "b"}));
  EXPECT_EQ(keys("a/", "", 10), (std::vector<std::string>{"a/1", "a/10", "a/2"}));
  EXPECT_EQ(keys("a/", "a/10", 1), (std::vector<std::string>{"a/10"}));
  EXPECT_EQ(keys("", "a0", 10), (std::vector<std::string>{"a\xff", "b"}));
  EXPECT_FALSE(index.ListObjects({"nope", "", "", 10}));
  index.RemoveObject("b", "a/1");
  EXPECT_FALSE(index.GetObject("b", "a/1"));
  EXPECT_EQ(index.sizes().objects, 4);
  index.RemoveBucket("b");
  EXPECT_EQ(index.sizes().objects, 0);
  EXPECT_FALSE(index.GetBucket("b"));
}

TEST(MetadataIndexTest, ObjectSummariesCarryWhatAListingShows) {
  MetadataIndex index;
  index.PutBucket({"b", "owner", absl::UnixEpoch()});
  ObjectRecord object;
  object.bucket = "b";
  object.key = "photos/cat.jpg";
  object.file_id = "file-1";
  object.size = 4096;
  object.etag = "\"0123456789abcdef0123456789abcdef\"";
  object.content_type = "image/jpeg";
  object.metadata = {{"camera", "x100"}};
  object.tags = {{"team", "blue"}};
  object.modified_at = absl::FromUnixMillis(1'765'000'000'123);
  index.PutObject(object);

  auto full = index.ListObjects({"b", "", "", 10});
  ASSERT_TRUE(full && full->size() == 1u);
  EXPECT_EQ((*full)[0].content_type, "image/jpeg");
  EXPECT_EQ((*full)[0].metadata, object.metadata);
  EXPECT_EQ((*full)[0].file_id, "file-1");

  auto summaries = index.ListObjects({"b", "", "", 10, /*summaries=*/true});
  ASSERT_TRUE(summaries && summaries->size() == 1u);
  const ObjectRecord& summary = (*summaries)[0];
  EXPECT_EQ(summary.bucket, "b");
  EXPECT_EQ(summary.key, object.key);
  EXPECT_EQ(summary.size, 4096);
  EXPECT_EQ(summary.etag, object.etag);
  EXPECT_EQ(summary.modified_at, object.modified_at);
  EXPECT_EQ(summary.content_type, "");
  EXPECT_TRUE(summary.metadata.empty() && summary.tags.empty());
}

TEST(MetadataIndexTest, ListFilesByNameFollowsPrefixAndCursor) {
  MetadataIndex index;
  for (const char* name : {"x/a", "x/b", "x/c", "y"}) {
    index.PutFile(File(StrCat("id-", name), name, FileState::kComplete));
  }
  index.PutFile(File("pending", "x/p", FileState::kPending));
  FileListQuery query;
  query.prefix = "x/";
  query.limit = 2;
  auto page = index.ListFilesByName(query);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[1].name, "x/b");
  query.after_name = "x/b";
  page = index.ListFilesByName(query);
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].name, "x/c");
}

}  // namespace
}  // namespace gale::coordinator
