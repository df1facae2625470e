#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "coordinator/store/file_record.h"
#include "coordinator/store/memory/chunk_table.h"
#include "coordinator/store/metadata_store.h"
#include "coordinator/store/object_record.h"
#include "coordinator/store/replica_record.h"

namespace gale::coordinator {

// Everything the index holds, in a canonical order: what the property tests
// compare (an index kept in step by the write path against one rebuilt from
// the store).
struct IndexContents {
  std::vector<FileRecord> files;                                 // by id
  std::map<std::string, std::vector<FileChunkRef>> file_chunks;  // by file id
  std::vector<std::pair<std::string, int64_t>> chunk_rows;       // (id, size), by id
  std::vector<ReplicaRecord> replicas;                           // by (chunk, node)
  std::vector<BucketRecord> buckets;                             // by name
  std::vector<ObjectRecord> objects;                             // by (bucket, key)
};

// The metadata the hot read paths need, in memory: every file (pending or
// complete) with its chunk list, every chunk row and replica row, every
// bucket and object, with the orders the listings need. It mirrors rows of
// the store; it decides nothing (CachedStore applies each successful store
// change to it). Chunk ids must be 64 lowercase hex digits, as the store
// keeps them: a change naming another id is refused with INVALID_ARGUMENT
// and changes nothing. Thread-safe: one reader-writer lock.
class MetadataIndex {
 public:
  MetadataIndex() = default;
  MetadataIndex(const MetadataIndex&) = delete;
  MetadataIndex& operator=(const MetadataIndex&) = delete;

  // ---- files --------------------------------------------------------------

  // Inserts or replaces a file's record (chunk_count is ignored: the index
  // counts its chunk list), keeping its chunk list.
  void PutFile(const FileRecord& file);
  // Forgets a file and its chunk list; no-op when absent.
  void RemoveFile(std::string_view file_id);
  // Replaces a file's record and its whole chunk list at once (a reader
  // sees the old file or the new one, never one without its chunks).
  Status ReplaceFile(const FileRecord& file, const std::vector<FileChunkRef>& chunks);
  // Sets chunks of a file at their indexes, as MetadataStore::AttachChunks
  // records them, with their chunk rows. No-op for a file not in the index.
  Status AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks);
  std::optional<FileRecord> GetFile(std::string_view file_id) const;
  // The complete file of that name.
  std::optional<FileRecord> GetFileByName(std::string_view name) const;
  std::optional<std::vector<FileChunkRef>> GetFileChunks(std::string_view file_id) const;
  // GetFileChunks with each chunk's copies (as GetCopies), under one lock;
  // nullopt when the file is not in the index.
  std::optional<std::vector<FileChunkCopies>> GetFileChunkCopies(std::string_view file_id) const;
  // Complete named files by name, as MetadataStore::ListFiles without by_time.
  std::vector<FileRecord> ListFilesByName(const FileListQuery& query) const;

  // ---- chunks and replicas ------------------------------------------------

  // The chunk has a row of `size` bytes.
  Status PutChunkRow(std::string_view chunk_id, int64_t size);
  // The chunk's row is gone (its replicas stay as they are).
  Status DropChunkRow(std::string_view chunk_id);
  // nullopt when the chunk has no row.
  std::optional<int64_t> ChunkSize(std::string_view chunk_id) const;
  // Whether the index knows the chunk at all: a row, a replica or a file
  // naming it.
  bool HasChunk(std::string_view chunk_id) const;
  // Replaces every replica row of the chunk with `rows` (all of this chunk).
  Status SetReplicas(std::string_view chunk_id, const std::vector<ReplicaRecord>& rows);
  // Adds a replica row the chunk does not have yet (loading).
  Status AddReplica(std::string_view chunk_id, std::string_view node_id, ReplicaState state);
  // The node reported the chunk: stored, unless it is being deleted.
  Status ReplicaReported(std::string_view chunk_id, std::string_view node_id);
  // Forgets the node's replica, or, with `unless_deleting`, forgets it only
  // when it is not being deleted.
  Status RemoveReplica(std::string_view chunk_id, std::string_view node_id,
                       bool unless_deleting = false);
  // Sets the state of an existing replica that is in state `from` (any
  // state when `from` is nullopt); no-op otherwise.
  Status SetReplicaState(std::string_view chunk_id, std::string_view node_id,
                         std::optional<ReplicaState> from, ReplicaState to);
  // A node's full report: its rows not in `chunks` go; the reported ones
  // are recorded, keeping their state when they had a row.
  Status ReplaceNodeReplicas(std::string_view node_id, const std::vector<ChunkReplica>& chunks);
  // The same, with the report's chunks as sorted keys (ReportKeys).
  void ReplaceNodeReplicas(std::string_view node_id, const std::vector<ChunkKey>& sorted_keys);
  // A report's chunk ids as sorted keys: a quarter of their size as text.
  static Result<std::vector<ChunkKey>> ReportKeys(const std::vector<ChunkReplica>& chunks);
  // Whether the chunk has a replica row in `state`.
  bool HasReplicaIn(std::string_view chunk_id, ReplicaState state) const;
  // Every replica row of the given chunks.
  std::vector<ReplicaRecord> GetReplicas(const std::vector<std::string>& chunk_ids) const;
  // MetadataStore::GetCopies.
  std::vector<std::vector<ChunkCopy>> GetCopies(const std::vector<std::string>& chunk_ids) const;
  // Chunks with replica rows and no chunk row (copies of chunks the store
  // does not know).
  std::vector<std::string> ChunksWithoutRow() const;
  // MetadataStore::Health over the index, in one pass over the files and
  // one over the chunks: a chunk's factor is the highest of the files
  // naming it, and it counts once a complete file names it.
  ReplicationHealth Health(const std::vector<std::string>& counting_nodes,
                           const std::vector<std::string>& readable_nodes) const;
  // MetadataStore::UnbalancedChunks over the index, in the same pass: the
  // chunks of complete files whose stored copies on the counting nodes are
  // not their factor, fewest copies first, then by id; at most `limit`.
  std::vector<ChunkBalance> UnbalancedChunks(const std::vector<std::string>& counting_nodes,
                                             int limit) const;

  // ---- buckets and objects ------------------------------------------------

  void PutBucket(const BucketRecord& bucket);
  // Forgets a bucket and its objects.
  void RemoveBucket(std::string_view name);
  std::optional<BucketRecord> GetBucket(std::string_view name) const;
  std::vector<BucketRecord> ListBuckets() const;
  // No-op when the object's bucket is not in the index.
  void PutObject(const ObjectRecord& object);
  void RemoveObject(std::string_view bucket, std::string_view key);
  std::optional<ObjectRecord> GetObject(std::string_view bucket, std::string_view key) const;
  // As MetadataStore::ListObjects; nullopt when the bucket is not in the index.
  std::optional<std::vector<ObjectRecord>> ListObjects(const ObjectListQuery& query) const;

  // ---- the whole ----------------------------------------------------------

  void Clear();
  IndexContents Contents() const;
  struct Sizes {
    int64_t files = 0;
    int64_t chunks = 0;  // entries of the chunk table
    int64_t replicas = 0;
    int64_t objects = 0;
    int64_t chunk_table_bytes = 0;
  };
  Sizes sizes() const;

 private:
  struct FileEntry {
    FileRecord record;
    std::vector<ChunkTable::Slot> chunks;  // by index; kNoSlot where none is recorded
    int64_t chunk_count = 0;               // slots that are not kNoSlot
  };
  struct BucketEntry {
    BucketRecord record;
    absl::btree_map<std::string, ObjectRecord> objects;  // by key, bytewise
  };

  // The chunk table's slot for a valid id (INVALID_ARGUMENT otherwise),
  // added when absent.
  Result<ChunkTable::Slot> SlotFor(std::string_view chunk_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  ChunkTable::Slot FindSlot(std::string_view chunk_id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Drops a file's references to its chunks.
  void ReleaseChunks(FileEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The bodies of PutFile, RemoveFile and AttachChunks (`keys` of `chunks`).
  void PutFileLocked(const FileRecord& file) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveFileLocked(std::string_view file_id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void AttachChunksLocked(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                          const std::vector<ChunkKey>& keys) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The chunks' keys, refusing negative indexes.
  static Result<std::vector<ChunkKey>> CheckedKeysOf(const std::vector<FileChunkRef>& chunks);
  FileRecord RecordOf(const FileEntry& entry) const;
  void AppendReplicas(ChunkTable::Slot slot, std::vector<ReplicaRecord>* out) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // make(ref, chunk) for each chunk of the file, in index order, under a
  // reader lock; nullopt when the file is not in the index.
  template <typename T, typename Make>
  std::optional<std::vector<T>> MapFileChunks(std::string_view file_id, Make make) const
      ABSL_LOCKS_EXCLUDED(mu_);
  // Per interned node number, whether `node_ids` names it.
  std::vector<bool> NodeFlags(const std::vector<std::string>& node_ids) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Per slot, a byte (10 MB at 10 million chunks): the highest factor of
  // the files naming the chunk, and kCommittedUse when a complete one does.
  static constexpr uint8_t kCommittedUse = 0x80;
  std::vector<uint8_t> ChunkUses() const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // `chunk`'s copies into `out`, by node id.
  void CopiesOf(const ChunkTable::Entry& chunk, std::vector<ChunkCopy>* out) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  ChunkTable chunks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, FileEntry> files_ ABSL_GUARDED_BY(mu_);
  // Complete named files: name -> id.
  absl::btree_map<std::string, std::string> names_ ABSL_GUARDED_BY(mu_);
  absl::btree_map<std::string, BucketEntry> buckets_ ABSL_GUARDED_BY(mu_);
  int64_t replica_count_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t object_count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace gale::coordinator
