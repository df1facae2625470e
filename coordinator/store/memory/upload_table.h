#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "coordinator/store/upload_record.h"

namespace gale::coordinator {

// The uploads whose metadata stays in memory until their commit, and the
// chunks they reference: whether the store has each chunk's row yet, and,
// while it has not, the copies nodes reported of it (held here until the
// upload is written with the chunk's row). The uploads' file records and
// chunk lists live in the MetadataIndex; CachedStore keeps both in step.
// Thread-safe.
class UploadTable {
 public:
  void Add(std::string_view file_id);
  bool Contains(std::string_view file_id) const;
  // Every upload in memory.
  std::vector<std::string> Files() const;

  // One more reference to the chunk of `size` bytes from an upload in
  // memory, at `now`. A chunk not referenced yet must be one the store has
  // no row for.
  void Reference(std::string_view chunk_id, int64_t size, absl::Time now);
  // What the uploads in memory make of a chunk: references, and whether
  // the store has its row yet.
  struct Use {
    int references = 0;
    bool in_store = false;
    int64_t size = 0;
    absl::Time referenced_at;  // first referenced
  };
  std::optional<Use> Find(std::string_view chunk_id) const;
  // The chunks the store has no row for yet: how many, and their bytes.
  std::pair<int64_t, int64_t> NotStored() const;

  // A node reported copies: those of chunks the store has no row for and
  // an upload references are held here; returns the others (for the store).
  std::vector<ChunkReplica> Hold(std::string_view node_id, const std::vector<ChunkReplica>& copies);
  // A node no longer has these chunks: copies held here are forgotten;
  // returns the other chunk ids (for the store).
  std::vector<std::string> Unhold(std::string_view node_id,
                                  const std::vector<std::string>& chunk_ids);
  // A node's full report: the copies held for it become exactly those the
  // report names; returns the rest of the report (for the store).
  std::vector<ChunkReplica> ReplaceNode(std::string_view node_id,
                                        const std::vector<ChunkReplica>& report);

  // The copies held for these chunks (each chunk once).
  std::vector<ReplicaReceipt> HeldFor(const std::vector<FileChunkRef>& chunks) const;
  // The store now has rows for these chunks (another file attached them
  // there): returns the copies held for them, which the caller writes to
  // the store; later reports of them go there.
  std::vector<ReplicaReceipt> Stored(const std::vector<FileChunkRef>& chunks);
  // The upload `file_id` with `chunks` was written to the store (committed,
  // or moved there): it leaves the table, its chunks have rows in the store
  // and nothing is held for them any more.
  void Written(std::string_view file_id, const std::vector<FileChunkRef>& chunks);
  // The upload `file_id` with `chunks` leaves the table unwritten (lost):
  // chunks no other upload references are forgotten with their copies.
  void Forget(std::string_view file_id, const std::vector<FileChunkRef>& chunks);

 private:
  struct Chunk {
    Use use;
    std::vector<ReplicaReceipt> held;  // while !use.in_store
  };

  // The upload leaves the table with its references; `written`: its
  // chunks' rows are in the store now.
  void Leave(std::string_view file_id, const std::vector<FileChunkRef>& chunks, bool written)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Records (or updates) the node's copy of the entry's chunk.
  static void HoldLocked(Chunk& entry, std::string_view node_id, const ChunkReplica& chunk);

  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::string> files_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Chunk> chunks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gale::coordinator
