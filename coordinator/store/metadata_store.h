#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/status.h"
#include "common/strings.h"
#include "coordinator/store/change_feed.h"
#include "coordinator/store/file_record.h"
#include "coordinator/store/node_record.h"
#include "coordinator/store/object_record.h"
#include "coordinator/store/replica_record.h"
#include "coordinator/store/s3_key_record.h"
#include "coordinator/store/task_record.h"
#include "coordinator/store/upload_record.h"

namespace gale::coordinator {

// A page of complete files, ordered by name, or by commit time then id.
struct FileListQuery {
  std::string prefix;  // names starting with this
  bool by_time = false;
  std::string after_name;      // by name: names after this
  int64_t after_time_ms = -1;  // by time: files after (time, id)
  std::string after_id;
  int limit = 1000;
};

// One chunk as the coordinator records it.
struct ChunkRecord {
  std::string id;
  int64_t size = 0;
  int64_t refcount = 0;
  absl::Time created_at = absl::UnixEpoch();
  std::vector<std::string> file_ids;  // files referencing it (at most 100)
};

// One chunk of one file, in a scan of every file's chunks.
struct FileChunkRow {
  std::string file_id;
  FileChunkRef chunk;
};

// A page of a scan: its rows, and the cursor of the next page ("" after the
// last).
template <typename Row>
struct ScanPage {
  std::vector<Row> rows;
  std::string next;
};

// A referenced chunk whose live replicas differ from its factor.
struct ChunkBalance {
  std::string chunk_id;
  int64_t size = 0;
  int factor = 0;
  int live = 0;  // stored replicas on the counting nodes
};

// How far the cluster is from full redundancy, over the chunks of complete
// files.
struct ReplicationHealth {
  int64_t under_replicated = 0;  // fewer counted replicas than their factor (lost included)
  int64_t over_replicated = 0;
  int64_t lost = 0;              // no readable replica at all
  int64_t missing_bytes = 0;     // sum over chunks of (factor - counted) * size
  int64_t corrupt_replicas = 0;  // replicas marked corrupt, awaiting verification
};

struct StoreCounts {
  int64_t files = 0;   // complete files
  int64_t chunks = 0;  // referenced chunks
  int64_t bytes = 0;   // of referenced chunks, counted once
};

// What the database holds, for the admin stats endpoint.
struct DatabaseStats {
  std::map<std::string, int64_t> rows;  // by table name
  int64_t size_bytes = 0;               // the database on disk
  // What the database has written: "wal_bytes", and on SQLite "commits",
  // "wal_frames" and "checkpoints", since this coordinator opened it
  // (SQLite) or since the server's statistics were last reset (PostgreSQL).
  std::map<std::string, int64_t> activity;
};

// The coordinator's durable truth: nodes now; files, chunks, replicas and
// tasks as later capabilities add them. One interface, one implementation per
// database (SQLite embedded, PostgreSQL for production), all passing the same
// conformance tests. Implementations are thread-safe. Errors: UNAVAILABLE when
// the database cannot be reached or is busy (retry), FAILED_PRECONDITION for a
// schema this binary does not know, INTERNAL otherwise.
class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  // "sqlite" or "postgres".
  virtual std::string_view backend() const = 0;

  // Applies every migration not yet applied, in order, each in its own
  // transaction, recording it in schema_migrations.
  virtual Status Migrate() = 0;
  // The highest applied migration version (0 for an empty database).
  virtual Result<int> SchemaVersion() = 0;
  // OK when the database answers and every migration is applied.
  virtual Status CheckReady() = 0;

  // The cluster's identity: created with `new_id` and `now` on first call,
  // returned unchanged afterwards.
  virtual Result<ClusterInfo> GetOrCreateCluster(std::string_view new_id, absl::Time now) = 0;

  // Inserts or replaces a node (all fields), durably.
  virtual Status UpsertNode(const NodeRecord& node) = 0;
  // Writes the liveness fields of existing nodes in one transaction: the
  // batched flush that keeps heartbeats from costing a durable write each.
  // Several coordinators flush the same nodes, so a node's row is only
  // written when its stored last heartbeat is not newer than the given one;
  // then the heartbeat time and stats are written, and the state only when
  // both the stored and the given state are liveness states (active,
  // suspect, dead) and the stored one is not dead: operator states and
  // deaths change through UpsertNode alone.
  virtual Status UpdateNodeLiveness(const std::vector<NodeRecord>& nodes) = 0;
  // Forgets dead and decommissioned nodes last heard from before `before`
  // that hold no replica row and have no open task; returns how many.
  virtual Result<int> DeleteDeadNodes(absl::Time before) = 0;
  // Every node, ordered by id.
  virtual Result<std::vector<NodeRecord>> ListNodes() = 0;

  // Replaces, in one transaction, the replicas recorded on `node_id` with
  // `chunks` (a node's full report).
  virtual Status ReplaceNodeReplicas(std::string_view node_id,
                                     const std::vector<ChunkReplica>& chunks, absl::Time now) = 0;
  // Up to `limit` replicas recorded on `node_id` with chunk id > `after`,
  // ordered by chunk id (a page; `after` = "" starts at the beginning).
  virtual Result<std::vector<ChunkReplica>> ListNodeReplicas(std::string_view node_id,
                                                             std::string_view after, int limit) = 0;
  virtual Result<ReplicaTotals> CountNodeReplicas(std::string_view node_id) = 0;

  // ---- files ------------------------------------------------------------

  // Inserts a new file (ALREADY_EXISTS for a taken id).
  virtual Status InsertFile(const FileRecord& file) = 0;
  // NOT_FOUND when absent; chunk_count is filled in.
  virtual Result<FileRecord> GetFile(std::string_view file_id) = 0;
  // The complete file named `name`; NOT_FOUND when there is none.
  virtual Result<FileRecord> GetFileByName(std::string_view name) = 0;
  virtual Result<std::vector<FileRecord>> ListFiles(const FileListQuery& query) = 0;
  // Records chunks of a pending file, replacing any at the same indexes, and
  // keeps chunk reference counts: new chunks are created; a chunk that was
  // unreferenced is referenced again and its not yet assigned deletes are
  // cancelled. A chunk's replication factor is the highest of the files
  // that referenced it since it was last unreferenced. INVALID_ARGUMENT for a chunk id known with
  // another size; FAILED_PRECONDITION when the file is not pending.
  virtual Status AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                              absl::Time now) = 0;
  // The file's chunks in index order.
  virtual Result<std::vector<FileChunkRef>> GetFileChunks(std::string_view file_id) = 0;
  // Makes a pending file complete with its final size and hash. A complete
  // file of the same name is replaced (and deleted) when the pending one was
  // created with overwrite, else ALREADY_EXISTS. Returns the replaced file's
  // id, or "".
  virtual Result<std::string> CommitFile(std::string_view file_id, int64_t size,
                                         std::string_view sha256, absl::Time now) = 0;
  // An upload kept in memory until now, in one transaction: inserts
  // `upload.file` (ALREADY_EXISTS for a taken id), attaches its chunks (as
  // AttachChunks at `upload.attached_at`), records its receipts as stored replicas (as
  // ApplyReplicaChanges), then, when `upload.commit`, commits it as
  // CommitFile does, or, with a binding, as CommitObject or CommitPart do
  // (the binding's file id and size are the upload's). Any error leaves the
  // store unchanged. Returns the replaced file's id, or "".
  virtual Result<std::string> WriteUpload(const UploadRecord& upload, absl::Time now) = 0;
  // Deletes a file, pending or complete, releasing its chunk references.
  // NOT_FOUND when absent.
  virtual Status DeleteFile(std::string_view file_id, absl::Time now) = 0;
  virtual Status TouchFile(std::string_view file_id, absl::Time now) = 0;
  // Pending files whose upload expired before `now`.
  virtual Result<std::vector<FileRecord>> ExpiredUploads(absl::Time now, int limit) = 0;
  virtual Result<StoreCounts> Counts() = 0;

  // ---- buckets and objects ------------------------------------------------

  // A new bucket. ALREADY_EXISTS when the name is taken.
  virtual Status InsertBucket(const BucketRecord& bucket) = 0;
  // NOT_FOUND when there is no such bucket.
  virtual Result<BucketRecord> GetBucket(std::string_view name) = 0;
  // Every bucket, by name.
  virtual Result<std::vector<BucketRecord>> ListBuckets() = 0;
  // NOT_FOUND when absent; FAILED_PRECONDITION while it holds objects. Its
  // multipart uploads are deleted with it.
  virtual Status DeleteBucket(std::string_view name, absl::Time now) = 0;
  // In one transaction: makes the pending, nameless file `object.file_id`
  // complete with `object.size` and `sha256` (as CommitFile does) and binds
  // it to `object.bucket` / `object.key` with the object's attributes. An
  // object already at that key is replaced and its file deleted (its chunks
  // go through the normal GC), so readers see the old object or the new one.
  // NOT_FOUND for a missing bucket or file; FAILED_PRECONDITION when the file
  // is not pending or has a name. Returns the replaced file's id, or "".
  virtual Result<std::string> CommitObject(const ObjectRecord& object, std::string_view sha256,
                                           absl::Time now) = 0;
  // NOT_FOUND when there is no such object (or bucket).
  virtual Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key) = 0;
  // Up to `query.limit` objects, in byte order of their keys.
  virtual Result<std::vector<ObjectRecord>> ListObjects(const ObjectListQuery& query) = 0;
  // Removes the object and deletes its file. NOT_FOUND when absent.
  virtual Status DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) = 0;
  // Replaces the object's tags. NOT_FOUND when absent.
  virtual Status SetObjectTags(std::string_view bucket, std::string_view key,
                               const std::map<std::string, std::string>& tags) = 0;

  // ---- multipart uploads ------------------------------------------------

  // A new upload. NOT_FOUND for a missing bucket.
  virtual Status InsertMultipartUpload(const MultipartUploadRecord& upload) = 0;
  // NOT_FOUND ("no upload ...") when there is no such upload.
  virtual Result<MultipartUploadRecord> GetMultipartUpload(std::string_view upload_id) = 0;
  // Up to `query.limit` uploads of a bucket, in order of key, then id.
  virtual Result<std::vector<MultipartUploadRecord>> ListMultipartUploads(
      const MultipartUploadQuery& query) = 0;
  // In one transaction: makes the pending, nameless file `part.file_id`
  // complete with `part.size` and `sha256` and records it as part
  // `part.part_number` of `part.upload_id`. A part already at that number is
  // replaced and its file deleted. NOT_FOUND for a missing upload or file;
  // FAILED_PRECONDITION when the file is not pending or has a name. Returns
  // the replaced file's id, or "".
  virtual Result<std::string> CommitPart(const PartRecord& part, std::string_view sha256,
                                         absl::Time now) = 0;
  // Every part of an upload, by part number. NOT_FOUND for a missing upload.
  virtual Result<std::vector<PartRecord>> ListParts(std::string_view upload_id) = 0;
  // Removes the upload and deletes its parts' files. NOT_FOUND when absent.
  virtual Status DeleteMultipartUpload(std::string_view upload_id, absl::Time now) = 0;
  // Uploads that expired before `now`, oldest first.
  virtual Result<std::vector<MultipartUploadRecord>> ExpiredMultipartUploads(absl::Time now,
                                                                             int limit) = 0;

  // ---- chunks and replicas ----------------------------------------------

  virtual Result<ChunkRecord> GetChunk(std::string_view chunk_id) = 0;
  // The chunk's size: GetChunk without its files. NOT_FOUND when unknown.
  virtual Result<int64_t> GetChunkSize(std::string_view chunk_id) = 0;
  // GetChunkSize of many chunks at once: those of `chunk_ids` that have a
  // chunk row (not those known only from nodes' reports), by id.
  virtual Result<std::map<std::string, int64_t>> GetChunkSizes(
      const std::vector<std::string>& chunk_ids) = 0;
  // Every replica row of the given chunks, in any state.
  virtual Result<std::vector<ReplicaRecord>> GetReplicas(
      const std::vector<std::string>& chunk_ids) = 0;
  // Whether the database knows any of `chunk_ids`: a chunk row or a copy on
  // some node. By default GetChunkSizes, then GetReplicas; PostgreSQL asks
  // both in one round trip.
  virtual Result<bool> KnowsAnyChunk(const std::vector<std::string>& chunk_ids) {
    ASSIGN_OR_RETURN(const auto sizes, GetChunkSizes(chunk_ids));
    if (!sizes.empty()) return true;
    ASSIGN_OR_RETURN(const std::vector<ReplicaRecord> copies, GetReplicas(chunk_ids));
    return !copies.empty();
  }
  // The same rows as copies of each chunk, in the order of `chunk_ids`
  // (by node id; none for an unknown chunk). By default GetReplicas' rows,
  // grouped; the memory index answers without spelling out chunk ids.
  virtual Result<std::vector<std::vector<ChunkCopy>>> GetCopies(
      const std::vector<std::string>& chunk_ids) {
    ASSIGN_OR_RETURN(std::vector<ReplicaRecord> rows, GetReplicas(chunk_ids));
    std::map<std::string_view, std::vector<ChunkCopy>> by_chunk;
    for (ReplicaRecord& row : rows) {
      by_chunk[row.chunk_id].push_back({std::move(row.node_id), row.state});
    }
    std::vector<std::vector<ChunkCopy>> out;
    out.reserve(chunk_ids.size());
    for (const std::string& chunk_id : chunk_ids) {
      auto found = by_chunk.find(chunk_id);
      out.push_back(found == by_chunk.end() ? std::vector<ChunkCopy>{} : found->second);
    }
    return out;
  }
  // A file's chunks in index order (GetFileChunks) with their copies
  // (GetCopies). By default those two calls; the memory index answers from
  // the file's chunk slots, without spelling out chunk ids and parsing them
  // back in between.
  virtual Result<std::vector<FileChunkCopies>> GetFileChunkCopies(std::string_view file_id) {
    ASSIGN_OR_RETURN(std::vector<FileChunkRef> refs, GetFileChunks(file_id));
    std::vector<std::string> chunk_ids;
    chunk_ids.reserve(refs.size());
    for (const FileChunkRef& ref : refs) chunk_ids.push_back(ref.chunk_id);
    ASSIGN_OR_RETURN(std::vector<std::vector<ChunkCopy>> copies, GetCopies(chunk_ids));
    std::vector<FileChunkCopies> out;
    out.reserve(refs.size());
    for (size_t i = 0; i < refs.size(); ++i) {
      out.push_back({std::move(refs[i]), std::move(copies[i])});
    }
    return out;
  }
  // A node's incremental report: `received` become stored (a replica being
  // deleted stays so); `deleted` and `corrupt` (quarantined by the node)
  // disappear.
  virtual Status ApplyReplicaChanges(std::string_view node_id,
                                     const std::vector<ChunkReplica>& received,
                                     const std::vector<std::string>& deleted,
                                     const std::vector<std::string>& corrupt, absl::Time now) = 0;
  // A reader says this copy is bad: it is marked corrupt (no longer counted
  // or offered) and its node is ordered to verify it. NOT_FOUND when the
  // node holds no such replica.
  virtual Status FlagReplica(std::string_view chunk_id, std::string_view node_id,
                             absl::Time now) = 0;
  // Chunks of complete files whose stored replicas on `counting_nodes`
  // (the nodes whose copies count towards the factor) are fewer or more than
  // their factor: fewest first, at most `limit`.
  virtual Result<std::vector<ChunkBalance>> UnbalancedChunks(
      const std::vector<std::string>& counting_nodes, int limit) = 0;
  // Under-replication over `counting_nodes`; loss over `readable_nodes`.
  virtual Result<ReplicationHealth> Health(const std::vector<std::string>& counting_nodes,
                                           const std::vector<std::string>& readable_nodes) = 0;
  // What a drain of `node_id` still has to copy: its referenced chunks with
  // fewer stored replicas on `counting_nodes` (which must not include it)
  // than their factor.
  virtual Result<ReplicaTotals> DrainRemaining(std::string_view node_id,
                                               const std::vector<std::string>& counting_nodes) = 0;
  // Up to `limit` chunks stored on `node_id` that are referenced and have at
  // least their factor of stored replicas on `counting_nodes` without it:
  // its copies that can go.
  virtual Result<std::vector<std::string>> CoveredReplicasOn(
      std::string_view node_id, const std::vector<std::string>& counting_nodes, int limit) = 0;
  // Marks a stored replica deleting and orders its node to delete it, in one
  // transaction. FAILED_PRECONDITION when it is not stored any more.
  virtual Status OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                                    absl::Time now) = 0;
  // Chunks unreferenced since before `before` that have replicas to order
  // deleted, or none left at all.
  virtual Result<std::vector<std::string>> CollectableChunks(absl::Time before, int limit) = 0;
  // One garbage-collection step for a chunk, in one transaction: if it is
  // still unreferenced, each stored or corrupt replica becomes deleting with
  // a delete task; with no replica left the chunk row goes. Returns the
  // number of tasks created.
  virtual Result<int> CollectChunk(std::string_view chunk_id, absl::Time now) = 0;
  // Orders deleted up to `limit` stored replicas of chunks the coordinator
  // does not know (left on a node that was away while their chunk was
  // collected), last reported before `before`. Returns how many.
  virtual Result<int> CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) = 0;

  // ---- tasks --------------------------------------------------------------

  // Adds a pending task (an id is assigned when empty).
  virtual Status InsertTask(const TaskRecord& task) = 0;
  // Every pending or assigned task, and those that failed for good since
  // `failed_since`.
  virtual Result<std::vector<TaskRecord>> RecentTasks(absl::Time failed_since) = 0;
  // A pending task that should not run any more fails with `reason`; other
  // states are left alone.
  virtual Status CancelTask(std::string_view task_id, std::string_view reason, absl::Time now) = 0;
  // Bytes moved by replicate tasks finished since `since`.
  virtual Result<int64_t> ReplicatedBytesSince(absl::Time since) = 0;
  // Forgets done and failed tasks finished before `before`; returns how many.
  virtual Result<int> PruneTasks(absl::Time before) = 0;
  // Hands out up to `limit` of `node_id`'s pending tasks that may run at
  // `now`; they become assigned until `deadline`.
  virtual Result<std::vector<TaskRecord>> AssignTasks(std::string_view node_id, int limit,
                                                      absl::Time now, absl::Time deadline) = 0;
  // A node's result for a task it was assigned; idempotent, and ignores ids
  // that are unknown, not this node's or not assigned. A success finishes the
  // task (a finished delete forgets the replica, a finished verify clears
  // the corrupt mark); a failure returns it to pending after `retry_after`,
  // or fails it for good after `max_attempts`. Replicate tasks are never
  // retried in place: a failure ends them and the replication manager plans
  // again. A failed verify forgets the replica at once: the node found it
  // bad or gone. Returns the task as this result left it, or nullopt when
  // the result was ignored.
  virtual Result<std::optional<TaskRecord>> FinishTask(std::string_view node_id,
                                                       std::string_view task_id, bool ok,
                                                       std::string_view error, absl::Time now,
                                                       absl::Duration retry_after,
                                                       int max_attempts) = 0;
  // Assigned tasks past their deadline are retried (or failed, as for
  // FinishTask); returns how many.
  virtual Result<int> ExpireTasks(absl::Time now, absl::Duration retry_after, int max_attempts) = 0;
  // Task counts by kind and state.
  virtual Result<std::map<std::pair<TaskKind, TaskState>, int64_t>> CountTasks() = 0;

  // ---- administration -------------------------------------------------------

  // Row counts of every table and the database size.
  virtual Result<DatabaseStats> Stats() = 0;
  // Writes a consistent copy of the whole database to `path` while it stays
  // in use. INVALID_ARGUMENT, with guidance, where the backend has better
  // tools of its own (PostgreSQL: pg_dump, point-in-time recovery).
  virtual Status Backup(const std::string& path) = 0;
  // The changes committed to the database by anyone, for a coordinator that
  // keeps what it reads in memory while others write the same database
  // (PostgreSQL). UNIMPLEMENTED where one process is the only writer
  // (SQLite).
  virtual Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed() {
    return absl::UnimplementedError(
        StrCat(backend(), " has no change feed: one process writes it"));
  }

  // ---- scans, for building the in-memory index -----------------------------

  // Up to `limit` files of any state with ids after `after_id`, by id
  // (chunk_count is not filled in).
  virtual Result<std::vector<FileRecord>> ScanFiles(std::string_view after_id, int limit) = 0;
  // Every chunk of every file, every chunk row (id, size; not the chunks
  // known only from nodes' reports) and every replica row, a page of up to
  // `limit` at a time: pass "" to start and each page's `next` to go on.
  // Pages follow the store's own order (SQLite: its integer keys, the
  // tables' physical order; PostgreSQL: ids), and a cursor stays valid while
  // rows change around it.
  virtual Result<ScanPage<FileChunkRow>> ScanFileChunks(std::string_view cursor, int limit) = 0;
  virtual Result<ScanPage<ChunkReplica>> ScanChunks(std::string_view cursor, int limit) = 0;
  virtual Result<ScanPage<ReplicaRecord>> ScanReplicas(std::string_view cursor, int limit) = 0;

  // ---- S3 access keys -------------------------------------------------------

  // A new key. ALREADY_EXISTS when the access key id is taken.
  virtual Status InsertS3Key(const S3KeyRecord& key) = 0;
  // NOT_FOUND when there is no such key.
  virtual Result<S3KeyRecord> GetS3Key(std::string_view access_key_id) = 0;
  // Every key, by access key id.
  virtual Result<std::vector<S3KeyRecord>> ListS3Keys() = 0;
  // NOT_FOUND when there is no such key.
  virtual Status DeleteS3Key(std::string_view access_key_id) = 0;
};

}  // namespace gale::coordinator
