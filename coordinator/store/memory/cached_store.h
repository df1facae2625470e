#pragma once

#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "coordinator/store/forwarding_store.h"
#include "coordinator/store/memory/metadata_index.h"
#include "coordinator/store/memory/upload_table.h"

namespace gale::coordinator {

// Fills `index` (emptied first) with what `store` holds, reading pages of
// `page_rows` rows. `between_pages` (if set) runs after each page; when it
// answers false the load stops, CANCELLED.
Status LoadMetadataIndex(MetadataStore* store, MetadataIndex* index, int page_rows = 10'000,
                         const std::function<bool()>& between_pages = {});

// The coordinator's MetadataStore: another store (SQLite or PostgreSQL, the
// source of truth) with the hot reads served from a MetadataIndex in memory.
// Load() builds the index from the store; every change made through this
// store is written to the store first and then applied to the index, under
// striped locks on every key it touches (file, chunk, bucket, object), so
// that for each key the index follows the store's order of changes. Reads
// of files, chunk lists, chunk sizes, replicas, buckets and objects come
// from the index; everything else passes through. When the index is not
// `authoritative` (other coordinators write the same database), a read the
// index misses asks the store, and with `follow_changes` the index re-reads
// what the others change (the store's ChangeFeed) and serves reads only
// while it is within the staleness bound of the database. If a change cannot be applied to the
// index, the index is switched off and every read goes to the store (logged, and seen in
// `serving()`).
//
// When the index is authoritative and serving, an upload's metadata stays
// in memory until its commit (HDFS keeps a block under construction in the
// namenode's memory the same way): the pending file and its chunk list in
// the index, the copies nodes report of its new chunks in an UploadTable;
// the commit writes them all in one transaction (WriteUpload). A crash
// loses only uploads not yet committed: their commits answer NOT_FOUND, the
// client uploads again, and the copies already on nodes come back in the
// nodes' full reports as orphans, collected after the grace period. An
// upload that references a chunk the store already knows (dedup) moves to
// the store at that attach, where reference counts, pending deletes and
// orphan collection govern the chunk as before; an upload deleted in memory
// moves there first too. Thread-safe.
class CachedStore final : public ForwardingStore {
 public:
  struct Options {
    // Only this process writes the database (SQLite: the coordinator holds
    // its lock), so a key the index lacks does not exist.
    bool authoritative = false;
    // Migrate() returns at once and the index is built on a thread of its
    // own, while reads go to the store: a restart is ready in well under a
    // second however large the database.
    bool load_in_background = false;
    // Other coordinators write the same database (PostgreSQL): follow its
    // change feed. The index re-reads every key anyone changed, and serves
    // reads only while a mark sent through the feed less than
    // `staleness_bound` ago has come back (marks go every quarter of it):
    // whatever was committed before that mark is in the index. Otherwise
    // reads go to the database. A broken feed is opened again and the index
    // rebuilt. The load runs on the follower's thread.
    bool follow_changes = false;
    absl::Duration staleness_bound = absl::Seconds(1);
    // Following changes: uploads stay in memory until their commit here
    // too, but for at most this long from their creation; then they are
    // written to the database still pending. The other coordinators' garbage
    // collectors cannot see this memory: they collect copies of a chunk
    // nobody recorded, or a chunk no file references, a grace period after
    // it became so, which is after the upload attached the chunk; uploads
    // leave memory well within that (the coordinator passes a quarter of
    // gc_grace_ms). A limit shorter than the staleness bound (the feed is
    // looked at every quarter of the bound) keeps no upload in memory.
    absl::Duration upload_memory_limit = absl::ZeroDuration();
    // Monotonic time of the marks; the system clock when null.
    const common::Clock* clock = nullptr;
    // Rows per page of the load's scans.
    int scan_page = 10'000;
    // Runs between the load's pages (tests: changes made during a load).
    std::function<void()> between_pages_for_testing;
  };

  CachedStore(std::unique_ptr<MetadataStore> inner, Options options);
  ~CachedStore() override;

  // Builds the index from the store. Until it is built, reads go to the
  // store; changes made meanwhile are not applied but their keys noted, and
  // re-read from the store once the scans are done, before the index serves.
  Status Load();
  // Waits for a background load to end (following changes: the first).
  void WaitForLoad();
  // "loading" while the index is built, "serving" once reads come from it,
  // "behind" while it follows changes but has not confirmed that it is
  // within the staleness bound, "off" when it could not be built or kept
  // (reads go to the store).
  std::string_view state() const;
  // Whether reads are served from the index.
  bool serving() const;
  // How many times the index was built (following changes, a broken feed
  // rebuilds it).
  int64_t loads() const { return loads_.load(); }
  // Following changes: waits until the index holds every change committed
  // before this call (a mark sent after it has come back), or `timeout`.
  bool WaitUntilFresh(absl::Duration timeout);
  const MetadataIndex& index() const { return index_; }
  // The uploads whose metadata is in memory only.
  std::vector<std::string> uploads_in_memory() const { return uploads_.Files(); }
  MetadataStore* inner() { return owned_.get(); }

  // The reads the index answers and the changes it mirrors; every other
  // call passes through (ForwardingStore).
  Status Migrate() override;
  Status ReplaceNodeReplicas(std::string_view node_id, const std::vector<ChunkReplica>& chunks,
                             absl::Time now) override;
  Status InsertFile(const FileRecord& file) override;
  Result<FileRecord> GetFile(std::string_view file_id) override;
  Result<FileRecord> GetFileByName(std::string_view name) override;
  Result<std::vector<FileRecord>> ListFiles(const FileListQuery& query) override;
  Status AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                      absl::Time now) override;
  Result<std::vector<FileChunkRef>> GetFileChunks(std::string_view file_id) override;
  Result<std::vector<FileChunkCopies>> GetFileChunkCopies(std::string_view file_id) override;
  Result<std::string> WriteUpload(const UploadRecord& upload, absl::Time now) override;
  Result<std::string> CommitFile(std::string_view file_id, int64_t size, std::string_view sha256,
                                 absl::Time now) override;
  Status DeleteFile(std::string_view file_id, absl::Time now) override;
  Status TouchFile(std::string_view file_id, absl::Time now) override;
  Result<std::vector<FileRecord>> ExpiredUploads(absl::Time now, int limit) override;
  Status InsertBucket(const BucketRecord& bucket) override;
  Result<BucketRecord> GetBucket(std::string_view name) override;
  Result<std::vector<BucketRecord>> ListBuckets() override;
  Status DeleteBucket(std::string_view name, absl::Time now) override;
  Result<std::string> CommitObject(const ObjectRecord& object, std::string_view sha256,
                                   absl::Time now) override;
  Result<ObjectRecord> GetObject(std::string_view bucket, std::string_view key) override;
  Result<std::vector<ObjectRecord>> ListObjects(const ObjectListQuery& query) override;
  Status DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) override;
  Status SetObjectTags(std::string_view bucket, std::string_view key,
                       const std::map<std::string, std::string>& tags) override;
  Result<std::string> CommitPart(const PartRecord& part, std::string_view sha256,
                                 absl::Time now) override;
  Status DeleteMultipartUpload(std::string_view upload_id, absl::Time now) override;
  Result<ChunkRecord> GetChunk(std::string_view chunk_id) override;
  Result<ReplicationHealth> Health(const std::vector<std::string>& counting_nodes,
                                   const std::vector<std::string>& readable_nodes) override;
  Result<std::vector<ChunkBalance>> UnbalancedChunks(const std::vector<std::string>& counting_nodes,
                                                     int limit) override;
  Result<StoreCounts> Counts() override;
  Result<int64_t> GetChunkSize(std::string_view chunk_id) override;
  Result<std::vector<ReplicaRecord>> GetReplicas(
      const std::vector<std::string>& chunk_ids) override;
  Result<std::vector<std::vector<ChunkCopy>>> GetCopies(
      const std::vector<std::string>& chunk_ids) override;
  Status ApplyReplicaChanges(std::string_view node_id, const std::vector<ChunkReplica>& received,
                             const std::vector<std::string>& deleted,
                             const std::vector<std::string>& corrupt, absl::Time now) override;
  Status FlagReplica(std::string_view chunk_id, std::string_view node_id, absl::Time now) override;
  Status OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                            absl::Time now) override;
  Result<int> CollectChunk(std::string_view chunk_id, absl::Time now) override;
  Result<int> CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) override;
  Result<std::optional<TaskRecord>> FinishTask(std::string_view node_id, std::string_view task_id,
                                               bool ok, std::string_view error, absl::Time now,
                                               absl::Duration retry_after,
                                               int max_attempts) override;

 private:
  // Locks the stripes of a set of keys in stripe order (no two lockers
  // deadlock), or the whole index, for the object's life. A change holds
  // its keys' stripes while the store commits it, so stripes are many:
  // sixteen uploads at once, each locking seventeen keys (a file and its
  // chunks), then rarely wait for one another's commit. Empty keys (no
  // such file) lock nothing.
  class KeyLocks;
  static constexpr size_t kStripes = 65536;

  // A file's key locked (with `keys`), and when it is an upload in memory
  // its chunks' keys too: its attach, commit and drop touch them.
  struct LockedFile {
    std::unique_ptr<KeyLocks> locks;
    bool in_memory = false;
    std::vector<FileChunkRef> chunks;  // in memory: its chunk list
  };
  LockedFile LockFile(std::string_view file_id, std::vector<std::string> keys);
  // Whether a new pending file's metadata waits in memory for its commit.
  bool KeepsUploadsInMemory() const {
    return (options_.authoritative || (options_.follow_changes &&
                                       options_.upload_memory_limit >= options_.staleness_bound)) &&
           serving();
  }
  // Not authoritative: whether the store knows any of `chunks` (a row or a
  // copy), which takes an upload attaching them to the store.
  Result<bool> StoreKnowsAny(const std::vector<const FileChunkRef*>& chunks);
  // Writes the uploads in memory created before `created_before` to the
  // store, still pending. `forget_unwritten`: one that cannot be written
  // leaves memory all the same (the index is about to be rebuilt from the
  // store; its client's commit answers NOT_FOUND and it uploads again).
  void MoveUploadsToStore(absl::Time created_before, bool forget_unwritten);
  // Attaches `chunks` to the upload in memory `file_id` (whose chunks are
  // `earlier`), refusing what the store would refuse. False when one of
  // them is a chunk the store knows: the upload has moved to the store, and
  // the attach is still to be made there.
  Result<bool> AttachInMemory(std::string_view file_id, const std::vector<FileChunkRef>& earlier,
                              const std::vector<FileChunkRef>& chunks, absl::Time now);
  // What WriteUploadInMemory is to do: commit, or write the upload still
  // pending (it moves to the store).
  static UploadRecord Committed(int64_t size, std::string_view sha256,
                                std::optional<FileBinding> binding);
  static UploadRecord StillPending();
  // Writes the upload in memory `file_id` (its chunks, the copies held for
  // them) to the store with `upload`'s commit, in one transaction; it leaves
  // memory; a commit's record goes into the index as written. Returns the
  // replaced file's id.
  Result<std::string> WriteUploadInMemory(std::string_view file_id,
                                          const std::vector<FileChunkRef>& chunks,
                                          UploadRecord upload, absl::Time now);
  // Records copies held for chunks that another file attached in the store
  // (after that attach, in transactions of their own). A failure is logged:
  // the copies exist, and the nodes' next full reports record them.
  void WriteReceipts(const std::vector<ReplicaReceipt>& receipts, absl::Time now);

  // Applies the outcome of updating the index: a failure switches it off.
  void Check(const Status& applied, std::string_view what);
  // While the index loads, notes the keys a change touched (to re-read them
  // when the scans end) and returns true: the change is not applied now.
  // Called with the change's key locks held.
  bool Deferred(const std::vector<std::string>& keys);
  // Re-reads every key noted while loading. With the whole index locked.
  void CatchUp();
  // Re-reads the rows of a key of the locking scheme ("f:", "c:", "b:",
  // "o:", kOrphansKey); with its lock (or the whole index's) held.
  void ReloadKey(std::string_view key);
  // The follower's thread: opens the change feed, loads the index, applies
  // the feed until it breaks, and starts over, until the store is destroyed.
  void Follow();
  // Applies `feed` until it breaks or a change cannot be applied (the
  // error), or the store is destroyed.
  Status FollowFeed(ChangeFeed& feed);
  // Re-reads the keys a feed delivered (its "f:", "c:", "r:", "b:", "o:").
  // An error (a failed read, a change the index cannot take) calls for a
  // rebuild.
  Status ApplyChanges(const std::set<std::string>& keys);
  // The index holds every change committed before `sent` (monotonic).
  void MarkFresh(absl::Duration sent);
  // Reads may no longer come from the index (the feed broke).
  void MarkStale();
  // Re-reads a file with its chunk list; a file the store lacks leaves.
  void ReloadFileAndChunks(std::string_view file_id);
  // Re-reads a file's record from the store into the index; a file the
  // store lacks leaves the index.
  void ReloadFile(std::string_view file_id);
  // Re-reads an object from the store into the index.
  void ReloadObject(std::string_view bucket, std::string_view key);
  // Re-reads a chunk's row and replicas from the store into the index.
  void ReloadChunk(std::string_view chunk_id);
  // The complete file a commit of `name` would replace, as the index knows it.
  std::string FileNamed(std::string_view name) const;
  // The files of a multipart upload's parts (deleted with it).
  Result<std::vector<std::string>> PartFiles(std::string_view upload_id);

  const std::unique_ptr<MetadataStore> owned_;  // inner_
  const Options options_;
  MetadataIndex index_;
  UploadTable uploads_;
  std::atomic<bool> serving_{false};
  std::atomic<bool> broken_{false};   // a change could not be applied
  std::atomic<bool> loading_{false};  // set and cleared with all_ held
  std::atomic<int64_t> loads_{0};
  absl::Mutex dirty_mu_;
  std::set<std::string> dirty_ ABSL_GUARDED_BY(dirty_mu_);
  // Nodes' full reports made while loading, in order: applied before the
  // keys are re-read.
  std::vector<std::pair<std::string, std::vector<ChunkKey>>> deferred_reports_
      ABSL_GUARDED_BY(dirty_mu_);
  std::thread loader_;
  absl::Notification stopping_;  // the destructor stops a load and the follower
  // Following changes.
  const common::Clock* const clock_;
  const std::string mark_prefix_;  // this store's marks: "<uuid>/<n>"
  std::thread follower_;
  absl::Notification first_load_;
  Status first_load_status_;  // set before first_load_ is notified
  // Reads come from the index until this monotonic time (ns).
  std::atomic<int64_t> fresh_until_ns_{std::numeric_limits<int64_t>::min()};
  absl::Mutex fresh_mu_;
  absl::Duration fresh_as_of_ ABSL_GUARDED_BY(fresh_mu_) = -absl::InfiniteDuration();
  absl::Mutex all_;  // shared by key lockers, exclusive for the whole index
  const std::unique_ptr<absl::Mutex[]> stripes_;
};

}  // namespace gale::coordinator
