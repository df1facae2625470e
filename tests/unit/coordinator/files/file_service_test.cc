#include "coordinator/files/file_service.h"

#include <gtest/gtest.h>

#include "tests/unit/coordinator/files/file_service_fixture.h"

namespace gale::coordinator {
namespace {

TEST_F(FileServiceTest, CreateValidatesAndRefusesTakenNames) {
  CreateFileArgs bad;
  bad.name = "";
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument, "name");
  bad.name = std::string("a\x01z");
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument, "control");
  bad.name = std::string("bad\xff utf8");
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument, "UTF-8");
  bad.name = "ok";
  bad.replication_factor = 17;
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument, "replication_factor");
  bad.replication_factor = 5;
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument,
                "above the number of nodes that can hold a copy (4)");
  bad.replication_factor = 3;
  bad.chunk_size = 0;
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument, "chunk_size");
  bad.chunk_size = 100;
  bad.size = -5;
  EXPECT_STATUS(files_->CreateFile(bad), absl::StatusCode::kInvalidArgument, "size");

  ASSERT_OK(Upload("taken", 0, 1));
  EXPECT_STATUS(Create("taken"), absl::StatusCode::kAlreadyExists, "overwrite");
  EXPECT_OK(Create("taken", WriteMode::kQuorum, /*overwrite=*/true));
  EXPECT_OK(Create("ünïcode/名前.txt"));
}

TEST_F(FileServiceTest, AllocationTargetsWhatTheWriteModeNeeds) {
  for (auto [mode, targets] : std::vector<std::pair<WriteMode, size_t>>{
           {WriteMode::kSync, 3}, {WriteMode::kQuorum, 2}, {WriteMode::kAsync, 1}}) {
    ASSERT_OK_AND_ASSIGN(FileRecord file, Create(StrCat("f-", WriteModeName(mode)), mode));
    ASSERT_OK_AND_ASSIGN(auto placements,
                         files_->AllocateChunks(file.id, {{0, Id(100 + targets), 100}}, {"n0"}));
    ASSERT_EQ(placements.size(), 1u);
    EXPECT_FALSE(placements[0].already_stored);
    EXPECT_EQ(placements[0].targets.size(), targets);
    std::set<std::string> nodes;
    for (const auto& t : placements[0].targets) nodes.insert(t.node_id);
    EXPECT_EQ(nodes.size(), targets) << "distinct";
    EXPECT_FALSE(nodes.contains("n0")) << "excluded";
  }
  ASSERT_OK_AND_ASSIGN(FileRecord file, Create("too-wide", WriteMode::kSync));
  EXPECT_STATUS(files_->AllocateChunks(file.id, {{0, Id(7), 100}}, {"n0", "n1"}),
                absl::StatusCode::kResourceExhausted, "need 3 active nodes");
  EXPECT_STATUS(files_->AllocateChunks(file.id, {{0, "not-a-sha", 100}}, {}),
                absl::StatusCode::kInvalidArgument, "chunks[0].chunk_id");
  EXPECT_STATUS(files_->AllocateChunks(file.id, {{0, Id(7), 101}}, {}),
                absl::StatusCode::kInvalidArgument, "chunks[0].size");
}

TEST_F(FileServiceTest, FirstChunksArePlacedOrTheNewFileIsDropped) {
  ASSERT_OK_AND_ASSIGN(FileRecord file, Create("first", WriteMode::kSync));
  ASSERT_OK_AND_ASSIGN(auto placements, files_->AllocateFirstChunks(file.id, Chunks(300, 2)));
  ASSERT_EQ(placements.size(), 2u);
  for (const auto& placement : placements) EXPECT_EQ(placement.targets.size(), 3u);
  Store(placements);
  ASSERT_OK(files_->CommitFile(file.id, 200, "").status());
  ASSERT_OK_AND_ASSIGN(FileView view, files_->GetFile("first", /*with_chunks=*/true));
  ASSERT_EQ(view.chunks.size(), 2u);
  EXPECT_EQ(view.chunks[1].ref.chunk_id, Id(301));
  EXPECT_EQ(view.chunks[1].replicas.size(), 3u);

  // Chunks that cannot be placed: the error, and no pending file left.
  ASSERT_OK_AND_ASSIGN(FileRecord bad, Create("bad"));
  EXPECT_STATUS(files_->AllocateFirstChunks(bad.id, {{0, "not-a-sha", 100}}),
                absl::StatusCode::kInvalidArgument, "chunks[0].chunk_id");
  EXPECT_STATUS(files_->GetFile(bad.id, false), absl::StatusCode::kNotFound, bad.id);
}

TEST_F(FileServiceTest, CommitNeedsTheReplicasTheModeRequires) {
  for (auto [mode, needed] : std::vector<std::pair<WriteMode, size_t>>{
           {WriteMode::kSync, 3}, {WriteMode::kQuorum, 2}, {WriteMode::kAsync, 1}}) {
    SCOPED_TRACE(WriteModeName(mode));
    ASSERT_OK_AND_ASSIGN(FileRecord file, Create(StrCat("c-", WriteModeName(mode)), mode));
    const std::string chunk = Id(200 + needed);
    ASSERT_OK_AND_ASSIGN(auto placements, files_->AllocateChunks(file.id, {{0, chunk, 100}}, {}));
    // Not visible, and not committable, until the nodes report enough copies.
    EXPECT_STATUS(files_->CommitFile(file.id, 100, ""), absl::StatusCode::kAborted,
                  StrCat("0 of the ", needed, " replicas"));
    for (size_t i = 0; i + 1 < needed; ++i) {
      ASSERT_OK(replicas_->ApplyChanges(placements[0].targets[i].node_id, {{chunk, 100}}, {}, {}));
    }
    EXPECT_STATUS(files_->CommitFile(file.id, 100, ""), absl::StatusCode::kAborted, "replicas");
    EXPECT_STATUS(files_->GetFile(file.name, false), absl::StatusCode::kNotFound, "");
    ASSERT_OK(
        replicas_->ApplyChanges(placements[0].targets[needed - 1].node_id, {{chunk, 100}}, {}, {}));
    ASSERT_OK_AND_ASSIGN(FileRecord committed, files_->CommitFile(file.id, 100, Id(0)));
    EXPECT_EQ(committed.state, FileState::kComplete);
    EXPECT_EQ(committed.sha256, Id(0));
    ASSERT_OK_AND_ASSIGN(FileView view, files_->GetFile(file.id, /*with_chunks=*/true));
    EXPECT_EQ(view.chunks[0].replicas.size(), needed);
    EXPECT_STATUS(files_->CommitFile(file.id, 100, ""), absl::StatusCode::kFailedPrecondition,
                  "already committed");
  }
}

TEST_F(FileServiceTest, CommitChecksTheChunksAddUp) {
  ASSERT_OK_AND_ASSIGN(FileRecord file, Create("gappy"));
  ASSERT_OK_AND_ASSIGN(auto placements,
                       files_->AllocateChunks(file.id, {{0, Id(1), 100}, {2, Id(2), 100}}, {}));
  Store(placements);
  EXPECT_STATUS(files_->CommitFile(file.id, 200, ""), absl::StatusCode::kInvalidArgument,
                "chunk 1 was never allocated");
  ASSERT_OK_AND_ASSIGN(placements, files_->AllocateChunks(file.id, {{1, Id(3), 50}}, {}));
  Store(placements);
  EXPECT_STATUS(files_->CommitFile(file.id, 999, ""), absl::StatusCode::kInvalidArgument,
                "hold 250 bytes");
  EXPECT_STATUS(files_->CommitFile(file.id, 250, "nothex"), absl::StatusCode::kInvalidArgument,
                "sha256");
  EXPECT_OK(files_->CommitFile(file.id, 250, ""));
}

TEST_F(FileServiceTest, EmptyFilesCommitAtOnce) {
  ASSERT_OK_AND_ASSIGN(FileRecord file, Create("empty"));
  ASSERT_OK_AND_ASSIGN(FileRecord committed,
                       files_->CommitFile(file.id, 0, common::Sha256::Hex("")));
  EXPECT_EQ(committed.size, 0);
  ASSERT_OK_AND_ASSIGN(FileView view, files_->GetFile(file.id, /*with_chunks=*/true));
  EXPECT_TRUE(view.chunks.empty());
}

TEST_F(FileServiceTest, DedupCountsReferences) {
  ASSERT_OK(Upload("a", 0, 3));
  EXPECT_EQ(Refcount(Id(0)), 1);
  // Same bytes again: nothing to send, one more reference each.
  ASSERT_OK_AND_ASSIGN(FileRecord b, Create("b"));
  ASSERT_OK_AND_ASSIGN(auto placements, files_->AllocateChunks(b.id, Chunks(0, 3), {}));
  for (const auto& p : placements) {
    EXPECT_TRUE(p.already_stored);
    EXPECT_TRUE(p.targets.empty());
  }
  ASSERT_OK(files_->CommitFile(b.id, 300, ""));
  EXPECT_EQ(Refcount(Id(1)), 2);
  // A file repeating a chunk holds two references to it.
  ASSERT_OK_AND_ASSIGN(FileRecord c, Create("c"));
  ASSERT_OK(files_->AllocateChunks(c.id, {{0, Id(1), 100}, {1, Id(1), 100}}, {}));
  ASSERT_OK(files_->CommitFile(c.id, 200, ""));
  EXPECT_EQ(Refcount(Id(1)), 4);
  // Both indexes show the chunk's copies.
  ASSERT_OK_AND_ASSIGN(FileView view_c, files_->GetFile("c", /*with_chunks=*/true));
  ASSERT_EQ(view_c.chunks.size(), 2u);
  ASSERT_FALSE(view_c.chunks[0].replicas.empty());
  ASSERT_EQ(view_c.chunks[1].replicas.size(), view_c.chunks[0].replicas.size());
  for (size_t i = 0; i < view_c.chunks[0].replicas.size(); ++i) {
    EXPECT_EQ(view_c.chunks[1].replicas[i].node_id, view_c.chunks[0].replicas[i].node_id);
  }

  ASSERT_OK(files_->DeleteFile("a"));
  EXPECT_EQ(Refcount(Id(0)), 1);
  ASSERT_OK(files_->DeleteFile("c"));
  EXPECT_EQ(Refcount(Id(1)), 1);
  ASSERT_OK(files_->DeleteFile(b.id));
  EXPECT_EQ(Refcount(Id(1)), 0);
  EXPECT_STATUS(files_->DeleteFile("b"), absl::StatusCode::kNotFound, "");
}

TEST_F(FileServiceTest, GarbageCollectionOrdersDeletesAfterTheGrace) {
  ASSERT_OK_AND_ASSIGN(FileView view, Upload("doomed", 0, 1, WriteMode::kQuorum));
  std::vector<std::string> holders;
  for (const auto& r : view.chunks[0].replicas) holders.push_back(r.node_id);
  ASSERT_EQ(holders.size(), 2u);
  ASSERT_OK(files_->DeleteFile("doomed"));

  ASSERT_OK(gc_->RunOnce());
  EXPECT_TRUE(tasks_->Assign(holders[0])->empty()) << "not before the grace period";
  AdvanceWithNodesAlive(absl::Seconds(61));
  ASSERT_OK(gc_->RunOnce());
  for (const auto& node : holders) {
    ASSERT_OK_AND_ASSIGN(auto orders, tasks_->Assign(node));
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].kind, TaskKind::kDelete);
    EXPECT_EQ(orders[0].chunk_id, Id(0));
    // The node deletes it and says so in its next heartbeat.
    ASSERT_OK(tasks_->Record(node, {{orders[0].id, true, ""}}));
  }
  EXPECT_TRUE((*replicas_->LiveReplicas({Id(0)}))[Id(0)].empty());
  ASSERT_OK(gc_->RunOnce());
  EXPECT_STATUS(store_->GetChunk(Id(0)), absl::StatusCode::kNotFound, "");  // forgotten
}

TEST_F(FileServiceTest, CopiesOfUnknownChunksAreCollectedAndOldTasksForgotten) {
  // n0 was away while its chunk was collected, and reports it on return.
  ASSERT_OK(replicas_->ApplyChanges("n0", {{Id(99), 100}}, {}, {}));
  ASSERT_OK(gc_->RunOnce());
  EXPECT_TRUE(tasks_->Assign("n0")->empty()) << "not before the grace period";
  AdvanceWithNodesAlive(absl::Seconds(61));
  ASSERT_OK(gc_->RunOnce());
  ASSERT_OK_AND_ASSIGN(auto orders, tasks_->Assign("n0"));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].kind, TaskKind::kDelete);
  EXPECT_EQ(orders[0].chunk_id, Id(99));
  ASSERT_OK(tasks_->Record("n0", {{orders[0].id, true, ""}}));
  EXPECT_EQ(replicas_->TotalsOn("n0")->chunks, 0);
  ASSERT_OK_AND_ASSIGN(auto counts, tasks_->Counts());
  EXPECT_EQ((counts[{TaskKind::kDelete, TaskState::kDone}]), 1);

  AdvanceWithNodesAlive(absl::Minutes(61));
  ASSERT_OK(gc_->RunOnce());
  ASSERT_OK_AND_ASSIGN(counts, tasks_->Counts());
  EXPECT_TRUE(counts.empty()) << "finished tasks are forgotten after an hour";
}

TEST_F(FileServiceTest, ReuploadDuringTheGraceReusesTheChunk) {
  ASSERT_OK(Upload("first", 0, 1));
  ASSERT_OK(files_->DeleteFile("first"));
  AdvanceWithNodesAlive(absl::Seconds(61));
  ASSERT_OK(gc_->RunOnce());  // delete orders exist but are not handed out yet
  ASSERT_OK_AND_ASSIGN(FileRecord again, Create("again"));
  ASSERT_OK_AND_ASSIGN(auto placements, files_->AllocateChunks(again.id, Chunks(0, 1), {}));
  EXPECT_TRUE(placements[0].already_stored) << "its pending deletes were cancelled";
  ASSERT_OK(files_->CommitFile(again.id, 100, ""));
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(tasks_->Assign("n" + std::to_string(i))->empty());
  }
}

TEST_F(FileServiceTest, DeleteAlreadyHandedOutIsNotCountedAgain) {
  ASSERT_OK_AND_ASSIGN(FileView view, Upload("first", 0, 1));
  const std::string holder = view.chunks[0].replicas[0].node_id;
  ASSERT_OK(files_->DeleteFile("first"));
  AdvanceWithNodesAlive(absl::Seconds(61));
  ASSERT_OK(gc_->RunOnce());
  ASSERT_OK_AND_ASSIGN(auto orders, tasks_->Assign(holder));  // now the node will delete it
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_OK_AND_ASSIGN(FileRecord again, Create("again", WriteMode::kAsync));
  ASSERT_OK_AND_ASSIGN(auto placements, files_->AllocateChunks(again.id, Chunks(0, 1), {}));
  // The other holder still counts (async needs one), the doomed one never.
  auto live = (*replicas_->LiveReplicas({Id(0)}))[Id(0)];
  ASSERT_EQ(live.size(), 1u);
  EXPECT_NE(live[0].node_id, holder);
  EXPECT_TRUE(placements[0].already_stored);
}

TEST_F(FileServiceTest, PendingUploadsExpire) {
  ASSERT_OK_AND_ASSIGN(FileRecord file, Create("abandoned"));
  ASSERT_OK(files_->AllocateChunks(file.id, Chunks(0, 2), {}));
  EXPECT_EQ(Refcount(Id(0)), 1);
  clock_.Advance(absl::Minutes(9));
  ASSERT_OK(gc_->RunOnce());
  EXPECT_OK(store_->GetFile(file.id));
  clock_.Advance(absl::Minutes(2));
  ASSERT_OK(gc_->RunOnce());
  EXPECT_STATUS(store_->GetFile(file.id), absl::StatusCode::kNotFound, "");
  EXPECT_EQ(Refcount(Id(0)), 0) << "its chunk references are released";
  EXPECT_STATUS(files_->CommitFile(file.id, 200, ""), absl::StatusCode::kNotFound, "");
}

TEST_F(FileServiceTest, NamesAreUniqueAndOverwriteReplacesAtCommit) {
  ASSERT_OK_AND_ASSIGN(FileRecord one, Create("report.pdf"));
  ASSERT_OK_AND_ASSIGN(FileRecord two, Create("report.pdf"));  // both pending
  for (const auto& f : {one, two}) {
    ASSERT_OK_AND_ASSIGN(auto p,
                         files_->AllocateChunks(f.id, Chunks(f.id == one.id ? 0 : 10, 1), {}));
    Store(p);
  }
  ASSERT_OK(files_->CommitFile(one.id, 100, ""));
  EXPECT_STATUS(files_->CommitFile(two.id, 100, ""), absl::StatusCode::kAlreadyExists,
                "already exists");

  ASSERT_OK_AND_ASSIGN(FileView replacement, Upload("report.pdf", 20, 1, WriteMode::kQuorum,
                                                    /*overwrite=*/true));
  ASSERT_OK_AND_ASSIGN(FileView current, files_->GetFile("report.pdf", false));
  EXPECT_EQ(current.file.id, replacement.file.id);
  EXPECT_STATUS(files_->GetFile(one.id, false), absl::StatusCode::kNotFound, "");
  EXPECT_EQ(Refcount(Id(0)), 0) << "the replaced file's chunks are released";
}

TEST_F(FileServiceTest, ListingPagesByNameAndTime) {
  for (const char* name : {"logs/b", "logs/a", "img/x", "logs/c"}) {
    ASSERT_OK(Upload(name, 0, 1));
    clock_.Advance(absl::Seconds(1));
  }
  ASSERT_OK_AND_ASSIGN(FilePage page, files_->ListFiles("logs/", 2, "", "name"));
  ASSERT_EQ(page.files.size(), 2u);
  EXPECT_EQ(page.files[0].name, "logs/a");
  EXPECT_EQ(page.files[1].name, "logs/b");
  ASSERT_FALSE(page.next_cursor.empty());
  ASSERT_OK_AND_ASSIGN(page, files_->ListFiles("logs/", 2, page.next_cursor, "name"));
  ASSERT_EQ(page.files.size(), 1u);
  EXPECT_EQ(page.files[0].name, "logs/c");
  EXPECT_TRUE(page.next_cursor.empty());

  ASSERT_OK_AND_ASSIGN(page, files_->ListFiles("", 3, "", "time"));
  ASSERT_EQ(page.files.size(), 3u);
  EXPECT_EQ(page.files[0].name, "logs/b");
  ASSERT_OK_AND_ASSIGN(page, files_->ListFiles("", 3, page.next_cursor, "time"));
  ASSERT_EQ(page.files.size(), 1u);
  EXPECT_EQ(page.files[0].name, "logs/c");

  EXPECT_STATUS(files_->ListFiles("", 0, "bogus", "name"), absl::StatusCode::kInvalidArgument,
                "cursor");
  EXPECT_STATUS(files_->ListFiles("", 5, "", "size"), absl::StatusCode::kInvalidArgument, "sort");
}

TEST_F(FileServiceTest, LookupByIdOrNameAndBadReplicas) {
  ASSERT_OK_AND_ASSIGN(FileView view, Upload("photo.jpg", 0, 1, WriteMode::kSync));
  ASSERT_OK_AND_ASSIGN(FileView by_id, files_->GetFile(view.file.id, true));
  ASSERT_OK_AND_ASSIGN(FileView by_name, files_->GetFile("photo.jpg", true));
  EXPECT_EQ(by_id.file.id, by_name.file.id);
  ASSERT_EQ(by_name.chunks[0].replicas.size(), 3u);
  EXPECT_STATUS(files_->GetFile("nope", false), absl::StatusCode::kNotFound, "'nope'");

  const std::string bad = by_name.chunks[0].replicas[0].node_id;
  ASSERT_OK(replicas_->ReportBad(Id(0), bad, "sha256 mismatch"));
  ASSERT_OK_AND_ASSIGN(by_name, files_->GetFile("photo.jpg", true));
  ASSERT_EQ(by_name.chunks[0].replicas.size(), 2u);
  for (const auto& r : by_name.chunks[0].replicas) EXPECT_NE(r.node_id, bad);

  // Dead nodes' replicas are not offered; suspect ones come last.
  clock_.Advance(absl::Seconds(20));  // everyone suspect...
  NodeStats stats;
  stats.storage_available = 1;
  const std::string fresh = by_name.chunks[0].replicas[1].node_id;
  ASSERT_OK(registry_->Heartbeat(fresh, stats));  // ...but one
  ASSERT_OK_AND_ASSIGN(by_name, files_->GetFile("photo.jpg", true));
  EXPECT_EQ(by_name.chunks[0].replicas[0].node_id, fresh);
  clock_.Advance(absl::Seconds(50));  // the fresh one is suspect now, the others dead
  ASSERT_OK_AND_ASSIGN(by_name, files_->GetFile("photo.jpg", true));
  ASSERT_EQ(by_name.chunks[0].replicas.size(), 1u);
  EXPECT_EQ(by_name.chunks[0].replicas[0].node_state, NodeState::kSuspect);
  clock_.Advance(absl::Seconds(11));
  ASSERT_OK_AND_ASSIGN(by_name, files_->GetFile("photo.jpg", true));
  EXPECT_TRUE(by_name.chunks[0].replicas.empty()) << "all dead now";
}

TEST_F(FileServiceTest, ReadsUpdateLastAccessedAtMostHourly) {
  ASSERT_OK_AND_ASSIGN(FileView view, Upload("read-me", 0, 1));
  const absl::Time created = view.file.last_accessed;
  clock_.Advance(absl::Minutes(30));
  ASSERT_OK_AND_ASSIGN(view, files_->GetFile("read-me", true));
  EXPECT_EQ(view.file.last_accessed, created) << "within the hour: no write";
  clock_.Advance(absl::Minutes(31));
  ASSERT_OK(files_->GetFile("read-me", true));
  ASSERT_OK_AND_ASSIGN(view, files_->GetFile("read-me", false));
  EXPECT_EQ(view.file.last_accessed, clock_.Now());
}

TEST_F(FileServiceTest, TasksRetryAfterFailureOrDeadlineThenGiveUp) {
  ASSERT_OK_AND_ASSIGN(FileView view, Upload("x", 0, 1, WriteMode::kAsync));
  const std::string node = view.chunks[0].replicas[0].node_id;
  ASSERT_OK(files_->DeleteFile("x"));
  AdvanceWithNodesAlive(absl::Seconds(61));
  ASSERT_OK(gc_->RunOnce());
  ASSERT_OK_AND_ASSIGN(auto orders, tasks_->Assign(node));
  ASSERT_EQ(orders.size(), 1u);
  ASSERT_OK(tasks_->Record(node, {{orders[0].id, false, "disk on fire"}}));
  EXPECT_TRUE(tasks_->Assign(node)->empty()) << "backing off";
  AdvanceWithNodesAlive(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(orders, tasks_->Assign(node));
  ASSERT_EQ(orders.size(), 1u) << "retried";
  EXPECT_EQ(orders[0].attempts, 2);
  AdvanceWithNodesAlive(absl::Seconds(31));  // never answered: the deadline passes
  ASSERT_OK(tasks_->ExpireLate());
  AdvanceWithNodesAlive(absl::Seconds(5));
  ASSERT_OK_AND_ASSIGN(orders, tasks_->Assign(node));
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].attempts, 3);
  ASSERT_OK(tasks_->Record(node, {{orders[0].id, false, "still on fire"}}));
  AdvanceWithNodesAlive(absl::Seconds(5));
  EXPECT_TRUE(tasks_->Assign(node)->empty()) << "given up after 3 attempts";
  ASSERT_OK_AND_ASSIGN(auto counts, tasks_->Counts());
  EXPECT_EQ((counts[{TaskKind::kDelete, TaskState::kFailed}]), 1);
  // A result for a task that is not assigned any more changes nothing.
  EXPECT_OK(tasks_->Record(node, {{orders[0].id, true, ""}, {"unknown-task", true, ""}}));
}

}  // namespace
}  // namespace gale::coordinator
