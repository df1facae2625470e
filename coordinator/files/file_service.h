#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "common/clock.h"
#include "common/security.h"
#include "common/status.h"
#include "coordinator/cluster/node_registry.h"
#include "coordinator/files/replica_catalog.h"
#include "coordinator/store/file_record.h"
#include "coordinator/store/metadata_store.h"

namespace gale::coordinator {

struct FileServiceOptions {
  int default_replication_factor = 3;
  WriteMode default_write_mode = WriteMode::kQuorum;
  absl::Duration pending_upload_ttl = absl::Hours(1);
  absl::Duration commit_wait = absl::Seconds(10);  // for node reports to arrive
  int64_t max_chunk_bytes = 64 << 20;
  int64_t max_chunks_per_file = 1'000'000;
  int max_allocation_batch = 10'000;  // chunks per AllocateChunks call
  int64_t placement_reserve_bytes = 0;
  // Signs the write grants handed out with placements; null: none.
  const common::ChunkWriteGrants* grants = nullptr;
};

struct CreateFileArgs {
  std::string name;
  int64_t size = -1;           // -1: known at commit
  int replication_factor = 0;  // 0: the default
  std::optional<WriteMode> write_mode;
  int64_t chunk_size = 4 << 20;
  bool overwrite = false;
  std::string owner;
  bool auto_commit = false;  // commit by itself once replicas exist
  std::string sha256;        // of the whole file, when known up front
  std::string file_id;       // "": assign a UUID
  // An object's upload or a multipart upload's part: the file has no name
  // (leave `name` empty) and its commit binds it instead (CommitFile with a
  // FileBinding).
  bool object = false;
};

// Where one chunk of an allocation goes.
struct ChunkPlacement {
  int64_t index = 0;
  std::string chunk_id;
  bool already_stored = false;       // enough live replicas exist
  std::vector<LiveReplica> targets;  // else: PUT it here
  std::string write_grant;           // with the PUT ("" when grants are off)
};

// A file with, when asked for, its chunks and their live replicas.
struct FileView {
  FileRecord file;
  struct Chunk {
    FileChunkRef ref;
    std::vector<LiveReplica> replicas;  // best first
  };
  std::vector<Chunk> chunks;
};

struct FilePage {
  std::vector<FileRecord> files;
  std::string next_cursor;  // "" on the last page
};

// The file service of the coordinator: creating, allocating and committing
// uploads, reading, listing and deleting files. An upload is pending until its
// commit, which succeeds only when every chunk has the replicas its write mode
// requires, as the nodes themselves reported them. Thread-safe.
class FileService {
 public:
  // Everything must outlive the service.
  FileService(MetadataStore* store, const NodeRegistry* registry, ReplicaCatalog* replicas,
              common::Clock* clock, FileServiceOptions options);

  // A pending upload. INVALID_ARGUMENT for a bad name, size, factor or chunk
  // size (naming the field); ALREADY_EXISTS when the name is taken and
  // overwrite is off.
  Result<FileRecord> CreateFile(CreateFileArgs args);

  // Records `chunks` of a pending file and says, for each, whether it is
  // already stored (dedup: enough live replicas for the write mode) or which
  // nodes to send it to: as many as the write mode still needs (the
  // replication manager adds the rest of the factor later), distinct, never
  // in `exclude`, never a node holding any copy of it.
  // RESOURCE_EXHAUSTED when too few nodes are eligible for the write mode.
  // `stored_on`: nodes that acknowledged these chunks in an earlier round
  // and may not have reported them yet; they count towards the targets.
  Result<std::vector<ChunkPlacement>> AllocateChunks(std::string_view file_id,
                                                     std::vector<FileChunkRef> chunks,
                                                     const std::set<std::string>& exclude,
                                                     const std::set<std::string>& stored_on = {});
  // AllocateChunks for a file just created (CreateFile's first chunks, in
  // the same call): when they cannot be placed the file is dropped, so a
  // create that fails leaves nothing behind.
  Result<std::vector<ChunkPlacement>> AllocateFirstChunks(std::string_view file_id,
                                                          std::vector<FileChunkRef> chunks);

  // Makes a pending file visible once each chunk has the replicas its write
  // mode requires, waiting up to commit_wait for node reports. INVALID_ARGUMENT
  // for chunks that do not add up to `size`; ABORTED when replicas are still
  // missing (retry, or re-upload the named chunk); ALREADY_EXISTS for a taken
  // name without overwrite. A nameless file commits with its `binding`
  // (an object's bucket, key and attributes, or a part's upload and number;
  // file id and size are filled in), in the same transaction as
  // MetadataStore::CommitObject or CommitPart; FAILED_PRECONDITION when a
  // binding is given for a named file or missing for a nameless one.
  // Returns the committed file's record (its chunks: GetFile).
  Result<FileRecord> CommitFile(std::string_view file_id, int64_t size, std::string sha256,
                                std::optional<FileBinding> binding = std::nullopt);
  // A pending, nameless file (`args.object`) made of `chunks`, in order: the
  // chunks of existing files, shared, not copied. Commit it with CommitFile.
  Result<FileRecord> ComposeFile(CreateFileArgs args, std::vector<FileChunkRef> chunks);
  // Commits an auto-commit file if its replicas are there; never waits.
  Result<bool> TryAutoCommit(std::string_view file_id);
  // Drops a pending upload and its chunk references.
  Status AbortFile(std::string_view file_id);

  // By id, else by name (complete files only). NOT_FOUND naming what was
  // asked for.
  Result<FileView> GetFile(std::string_view id_or_name, bool with_chunks);
  // sort: "name" or "time"; limit 1..10000 (0: 1000).
  Result<FilePage> ListFiles(std::string_view prefix, int limit, std::string_view cursor,
                             std::string_view sort);
  Status DeleteFile(std::string_view id_or_name);

  struct ChunkLocations {
    ChunkRecord chunk;                  // file_ids, refcount, created_at with `with_files`
    std::vector<LiveReplica> replicas;  // best first
  };
  // The chunk's live replicas, and with `with_files` its record from the
  // database (the files that use it); without, only its id and size, from
  // memory. NOT_FOUND for an unknown chunk.
  Result<ChunkLocations> GetChunkLocations(std::string_view chunk_id, bool with_files);

 private:
  Result<FileRecord> Resolve(std::string_view id_or_name);
  // The first chunk short of `required` live replicas, or nullopt.
  Result<std::optional<std::string>> FirstShortChunk(const FileRecord& file,
                                                     const std::vector<FileChunkRef>& refs);
  Status CheckChunksAddUp(const FileRecord& file, const std::vector<FileChunkRef>& refs,
                          int64_t size);

  MetadataStore* const store_;
  const NodeRegistry* const registry_;
  ReplicaCatalog* const replicas_;
  common::Clock* const clock_;
  const FileServiceOptions options_;
};

}  // namespace gale::coordinator
