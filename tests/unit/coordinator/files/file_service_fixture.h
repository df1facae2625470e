#pragma once

// The fixture of the file-service tests, shared by the object-service tests
// that build on it.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "coordinator/files/file_service.h"
#include "coordinator/files/garbage_collector.h"
#include "coordinator/files/object_service.h"
#include "coordinator/repair/task_ledger.h"
#include "coordinator/store/sqlite/sqlite_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace gale::coordinator {

inline std::string Id(int i) { return common::Sha256::Hex("chunk " + std::to_string(i)); }

// The file service over a real SQLite store, with four registered nodes and
// time from a FakeClock. Node reports are simulated through the catalog, as
// the gRPC adapter would apply them.
class FileServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, SqliteStore::Open(dir_.Join("gale.db")));
    ASSERT_OK(store_->Migrate());
    registry_ = std::make_unique<NodeRegistry>(
        store_.get(), &clock_, NodeRegistryOptions{absl::Seconds(15), absl::Seconds(60), ""});
    replicas_ = std::make_unique<ReplicaCatalog>(store_.get(), registry_.get(), &clock_);
    FileServiceOptions options;
    options.commit_wait = absl::ZeroDuration();  // unit tests never wait for reports
    options.pending_upload_ttl = absl::Minutes(10);
    files_ = std::make_unique<FileService>(store_.get(), registry_.get(), replicas_.get(), &clock_,
                                           options);
    tasks_ = std::make_unique<TaskLedger>(
        store_.get(), &clock_, TaskLedgerOptions{absl::Seconds(30), absl::Seconds(5), 3, 100});
    objects_ = std::make_unique<ObjectService>(store_.get(), files_.get(), &clock_,
                                               ObjectServiceOptions{absl::Hours(24)});
    gc_ = std::make_unique<GarbageCollector>(store_.get(), files_.get(), objects_.get(),
                                             tasks_.get(), &clock_,
                                             GarbageCollectorOptions{absl::Seconds(60), 1000});
    for (int i = 0; i < 4; ++i) {
      NodeRegistration r;
      r.node_id = "n" + std::to_string(i);
      r.addresses = {"127.0.0.1:" + std::to_string(9000 + i)};
      ASSERT_OK(registry_->Register(r));
      NodeStats stats;
      stats.storage_available = int64_t{1} << 40;
      ASSERT_OK(registry_->Heartbeat(r.node_id, stats));
    }
  }

  // Creates a pending file of `chunks` 100-byte chunks, ids Id(first + i).
  Result<FileRecord> Create(const std::string& name, WriteMode mode = WriteMode::kQuorum,
                            bool overwrite = false) {
    CreateFileArgs args;
    args.name = name;
    args.write_mode = mode;
    args.chunk_size = 100;
    args.overwrite = overwrite;
    return files_->CreateFile(args);
  }

  std::vector<FileChunkRef> Chunks(int first, int count) {
    std::vector<FileChunkRef> out;
    for (int i = 0; i < count; ++i) out.push_back({i, Id(first + i), 100});
    return out;
  }

  // What the targets' nodes would report after storing their chunks.
  void Store(const std::vector<ChunkPlacement>& placements) {
    for (const auto& p : placements) {
      for (const auto& t : p.targets) {
        ASSERT_OK(replicas_->ApplyChanges(t.node_id, {{p.chunk_id, 100}}, {}, {}));
      }
    }
  }

  // Uploads and commits a file whose chunks are Id(first..first+count).
  Result<FileView> Upload(const std::string& name, int first, int count,
                          WriteMode mode = WriteMode::kQuorum, bool overwrite = false) {
    ASSIGN_OR_RETURN(FileRecord file, Create(name, mode, overwrite));
    ASSIGN_OR_RETURN(auto placements, files_->AllocateChunks(file.id, Chunks(first, count), {}));
    Store(placements);
    RETURN_IF_ERROR(files_->CommitFile(file.id, 100 * count, "").status());
    return files_->GetFile(file.id, /*with_chunks=*/true);
  }

  // Moves time on while every node keeps heartbeating.
  void AdvanceWithNodesAlive(absl::Duration d) {
    for (absl::Duration step = absl::Seconds(10); d > absl::ZeroDuration(); d -= step) {
      clock_.Advance(std::min(step, d));
      for (int i = 0; i < 4; ++i) {
        NodeStats stats;
        stats.storage_available = int64_t{1} << 40;
        ASSERT_OK(registry_->Heartbeat("n" + std::to_string(i), stats));
      }
    }
  }

  int64_t Refcount(const std::string& chunk_id) {
    auto chunk = store_->GetChunk(chunk_id);
    return chunk.ok() ? chunk->refcount : -1;
  }

  testing::TempDir dir_;
  testing::FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<NodeRegistry> registry_;
  std::unique_ptr<ReplicaCatalog> replicas_;
  std::unique_ptr<FileService> files_;
  std::unique_ptr<TaskLedger> tasks_;
  std::unique_ptr<ObjectService> objects_;
  std::unique_ptr<GarbageCollector> gc_;
};

}  // namespace gale::coordinator
