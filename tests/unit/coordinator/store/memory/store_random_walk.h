#pragma once

// Shared by the CachedStore tests: the index described as text (a failure
// shows the diff) and a seeded random walk over every kind of change the
// coordinator makes.

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "common/strings.h"
#include "coordinator/store/memory/cached_store.h"
#include "coordinator/store/memory/metadata_index.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator::testing_walk {

inline std::string Describe(const FileRecord& f) {
  return StrCat("file ", f.id, " name=", f.name, " size=", f.size, " sha=", f.sha256,
                " chunk_size=", f.chunk_size, " factor=", f.replication_factor,
                " mode=", WriteModeName(f.write_mode), " state=", FileStateName(f.state),
                " overwrite=", f.overwrite, " auto=", f.auto_commit, " owner=", f.owner,
                " created=", absl::ToUnixMillis(f.created_at),
                " expires=", absl::ToUnixMillis(f.expires_at),
                " committed=", absl::ToUnixMillis(f.committed_at),
                " accessed=", absl::ToUnixMillis(f.last_accessed), " chunks=", f.chunk_count);
}

inline std::string Describe(const std::map<std::string, std::string>& map) {
  std::string out = "{";
  for (const auto& [k, v] : map) out += StrCat(k, "=", v, ";");
  return out + "}";
}

// The whole index as text, one line per row: a failure shows the diff.
inline std::string Describe(const IndexContents& c) {
  std::ostringstream out;
  for (const FileRecord& f : c.files) out << Describe(f) << "\n";
  for (const auto& [file, refs] : c.file_chunks) {
    for (const FileChunkRef& r : refs) {
      out << "file_chunk " << file << " " << r.index << " " << r.chunk_id << " " << r.size << "\n";
    }
  }
  for (const auto& [id, size] : c.chunk_rows) out << "chunk " << id << " " << size << "\n";
  for (const ReplicaRecord& r : c.replicas) {
    out << "replica " << r.chunk_id << " " << r.node_id << " " << ReplicaStateName(r.state) << "\n";
  }
  for (const BucketRecord& b : c.buckets) {
    out << "bucket " << b.name << " " << b.owner << " " << absl::ToUnixMillis(b.created_at) << "\n";
  }
  for (const ObjectRecord& o : c.objects) {
    out << "object " << o.bucket << "/" << o.key << " file=" << o.file_id << " size=" << o.size
        << " etag=" << o.etag << " type=" << o.content_type << " meta=" << Describe(o.metadata)
        << " tags=" << Describe(o.tags) << " modified=" << absl::ToUnixMillis(o.modified_at)
        << "\n";
  }
  return out.str();
}

// The repair loop's list (MetadataStore::UnbalancedChunks), one chunk a line.
inline std::string DescribeBalances(const std::vector<ChunkBalance>& balances) {
  std::ostringstream out;
  for (const ChunkBalance& b : balances) {
    out << b.chunk_id << " size=" << b.size << " factor=" << b.factor << " live=" << b.live << "\n";
  }
  return out.str();
}

// Chunks of `store`'s uploads in memory that its database has no row for:
// only memory knows them.
inline std::set<std::string> ChunksOnlyInMemory(CachedStore* store) {
  std::set<std::string> out;
  for (const std::string& file_id : store->uploads_in_memory()) {
    auto chunks = store->GetFileChunks(file_id);
    EXPECT_TRUE(chunks.ok()) << chunks.status();
    if (!chunks.ok()) continue;
    for (const FileChunkRef& chunk : *chunks) {
      if (absl::IsNotFound(store->inner()->GetChunkSize(chunk.chunk_id).status())) {
        out.insert(chunk.chunk_id);
      }
    }
  }
  return out;
}

// The index of `store` without its uploads in memory (their files, and the
// rows and copies of chunks only they reference), which the database must
// lack.
inline std::string DescribeWithoutUploadsInMemory(CachedStore* store) {
  IndexContents index = store->index().Contents();
  const std::set<std::string> chunks = ChunksOnlyInMemory(store);
  for (const std::string& file_id : store->uploads_in_memory()) {
    EXPECT_TRUE(absl::IsNotFound(store->inner()->GetFile(file_id).status()))
        << "upload " << file_id << " is in the database";
    index.file_chunks.erase(file_id);
    std::erase_if(index.files, [&](const FileRecord& f) { return f.id == file_id; });
  }
  std::erase_if(index.chunk_rows, [&](const auto& row) { return chunks.contains(row.first); });
  std::erase_if(index.replicas,
                [&](const ReplicaRecord& r) { return chunks.contains(r.chunk_id); });
  return Describe(index);
}

inline const absl::Time kT0 = absl::FromUnixMillis(1'700'000'000'000);

// A random walk over every kind of change the coordinator makes, with the
// seed in the failure message so that a failing walk can be replayed.
class RandomWalk {
 public:
  RandomWalk(MetadataStore* store, uint32_t seed) : store_(store), rng_(seed) {}

  void Step(int step) {
    now_ += absl::Seconds(1);
    switch (Pick(16)) {
      case 0:
      case 1:
        return CreateFile(step);
      case 2:
      case 3:
        return Attach();
      case 4:
        return Commit();
      case 5:
        return (void)store_->DeleteFile(AnyFile(), now_);
      case 6:
        return (void)store_->TouchFile(AnyFile(), now_ + absl::Hours(2));
      case 7:
      case 8:
        return Report();
      case 9:
        return FullReport();
      case 10:
        return (void)store_->FlagReplica(Chunk(), Node(), now_);
      case 11:
        return (void)store_->OrderReplicaDelete(Chunk(), Node(), now_);
      case 12:
        return Collect();
      case 13:
        return Objects(step);
      case 14:
        return Tasks();
      default:
        return Multipart(step);
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string Chunk() { return common::Sha256::Hex(StrCat("chunk ", Pick(30))); }
  std::string Node() { return StrCat("node-", Pick(5)); }
  // Chunk `n` is always 100 + n bytes.
  FileChunkRef Ref(int64_t index) {
    const int chunk = Pick(30);
    return {index, common::Sha256::Hex(StrCat("chunk ", chunk)), 100 + chunk};
  }
  std::string AnyFile() { return files_.empty() ? "none" : files_[Pick(files_.size())]; }

  void CreateFile(int step) {
    FileRecord f;
    f.id = StrCat("file-", step);
    f.name = Pick(4) == 0 ? "" : StrCat("name-", Pick(6));
    f.size = -1;
    f.chunk_size = 100;
    f.replication_factor = 1 + Pick(3);
    f.overwrite = Pick(2) == 0;
    f.owner = "owner";
    f.created_at = now_;
    f.expires_at = now_ + absl::Hours(1);
    if (store_->InsertFile(f).ok()) files_.push_back(f.id);
  }

  void Attach() {
    std::vector<FileChunkRef> refs;
    const int n = 1 + Pick(4);
    for (int i = 0; i < n; ++i) {
      refs.push_back(Ref(Pick(6)));
      // Now and then a size the chunk does not have: refused.
      if (Pick(20) == 0) refs.back().size = 7;
    }
    (void)store_->AttachChunks(AnyFile(), refs, now_);
  }

  // A nameless pending file of one chunk, as objects and parts have.
  std::string NamelessFile(const std::string& id) {
    FileRecord f;
    f.id = id;
    f.chunk_size = 100;
    f.created_at = now_;
    f.expires_at = now_ + absl::Hours(1);
    if (!store_->InsertFile(f).ok()) return id;
    files_.push_back(f.id);
    (void)store_->AttachChunks(f.id, {Ref(0)}, now_);
    return id;
  }

  void Commit() {
    const std::string id = AnyFile();
    auto chunks = store_->GetFileChunks(id);
    int64_t size = 0;
    if (chunks.ok()) {
      for (const auto& c : *chunks) size += c.size;
    }
    (void)store_->CommitFile(id, size, common::Sha256::Hex(id), now_);
  }

  void Report() {
    std::vector<ChunkReplica> received;
    std::vector<std::string> deleted, corrupt;
    for (int i = Pick(4); i > 0; --i) received.push_back({Chunk(), 100});
    for (int i = Pick(2); i > 0; --i) deleted.push_back(Chunk());
    for (int i = Pick(2); i > 0; --i) corrupt.push_back(Chunk());
    (void)store_->ApplyReplicaChanges(Node(), received, deleted, corrupt, now_);
  }

  void FullReport() {
    std::vector<ChunkReplica> held;
    for (int i = Pick(10); i > 0; --i) held.push_back({Chunk(), 100});
    std::sort(held.begin(), held.end(), [](auto& a, auto& b) { return a.chunk_id < b.chunk_id; });
    held.erase(std::unique(held.begin(), held.end(),
                           [](auto& a, auto& b) { return a.chunk_id == b.chunk_id; }),
               held.end());
    (void)store_->ReplaceNodeReplicas(Node(), held, now_);
  }

  void Collect() {
    if (Pick(2) == 0) {
      auto collectable = store_->CollectableChunks(now_, 10);
      if (collectable.ok()) {
        for (const auto& id : *collectable) (void)store_->CollectChunk(id, now_);
      }
    } else {
      (void)store_->CollectOrphanReplicas(now_, now_, 5);
    }
  }

  void Objects(int step) {
    const std::string bucket = StrCat("bucket-", Pick(2));
    switch (Pick(5)) {
      case 0:
        (void)store_->InsertBucket({bucket, "owner", now_});
        return;
      case 1:
        (void)store_->DeleteBucket(bucket, now_);
        return;
      case 2: {
        ObjectRecord o;
        o.bucket = bucket;
        o.key = StrCat("key-", Pick(4));
        o.file_id = NamelessFile(StrCat("object-file-", step));
        o.etag = StrCat("etag-", step);
        o.content_type = "text/plain";
        o.metadata = {{"m", StrCat(step)}};
        o.modified_at = now_;
        (void)store_->CommitObject(o, "", now_);
        return;
      }
      case 3:
        (void)store_->DeleteObject(bucket, StrCat("key-", Pick(4)), now_);
        return;
      default:
        (void)store_->SetObjectTags(bucket, StrCat("key-", Pick(4)), {{"t", StrCat(step)}});
    }
  }

  void Tasks() {
    TaskRecord task;
    task.kind = Pick(2) == 0 ? TaskKind::kDelete : TaskKind::kVerify;
    task.chunk_id = Chunk();
    task.node_id = Node();
    task.created_at = now_;
    (void)store_->InsertTask(task);
    auto assigned = store_->AssignTasks(task.node_id, 5, now_, now_ + absl::Minutes(1));
    if (!assigned.ok()) return;
    for (const TaskRecord& t : *assigned) {
      (void)store_->FinishTask(t.node_id, t.id, Pick(2) == 0, "failed", now_, absl::Seconds(1), 1);
    }
  }

  void Multipart(int step) {
    const std::string bucket = StrCat("bucket-", Pick(2));
    if (Pick(3) == 0 && !uploads_.empty()) {
      (void)store_->DeleteMultipartUpload(uploads_[Pick(uploads_.size())], now_);
      return;
    }
    MultipartUploadRecord upload;
    upload.id = StrCat("upload-", step);
    upload.bucket = bucket;
    upload.key = "multi";
    upload.created_at = now_;
    upload.expires_at = now_ + absl::Hours(1);
    if (!store_->InsertMultipartUpload(upload).ok()) return;
    uploads_.push_back(upload.id);
    PartRecord part{upload.id, 1, NamelessFile(StrCat("part-file-", step)), 0, "etag", now_};
    (void)store_->CommitPart(part, "", now_);
  }

  MetadataStore* const store_;
  std::mt19937 rng_;
  absl::Time now_ = kT0;
  std::vector<std::string> files_;
  std::vector<std::string> uploads_;
};

}  // namespace gale::coordinator::testing_walk
