#include "coordinator/store/memory/cached_store.h"

#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/time/clock.h"
#include "common/allocator.h"
#include "common/ids.h"
#include "common/strings.h"
#include "coordinator/store/store_schema.h"
#include "spdlog/spdlog.h"

namespace gale::coordinator {
namespace {

// A file's key; none ("") for no file: a commit that replaces none locks
// nothing for it (else every such commit would wait for the others on one
// stripe).
std::string FileKey(std::string_view file_id) {
  return file_id.empty() ? "" : StrCat("f:", file_id);
}
std::string ChunkKeyOf(std::string_view chunk_id) { return StrCat("c:", chunk_id); }
std::string BucketKey(std::string_view bucket) { return StrCat("b:", bucket); }
std::string ObjectKey(std::string_view bucket, std::string_view key) {
  return StrCat("o:", bucket, std::string_view("\0", 1), key);
}
// Copies of chunks the store does not know.
constexpr std::string_view kOrphansKey = "*orphans";

// A pending file as a commit leaves it in either store (times kept in
// whole milliseconds there): what a re-read would give.
FileRecord AsCommitted(FileRecord file, int64_t size, std::string_view sha256, absl::Time now) {
  auto millis = [](absl::Time t) { return absl::FromUnixMillis(absl::ToUnixMillis(t)); };
  file.state = FileState::kComplete;
  file.size = size;
  file.sha256 = std::string(sha256);
  file.created_at = millis(file.created_at);
  file.expires_at = millis(file.expires_at);
  file.committed_at = millis(now);
  file.last_accessed = millis(now);
  return file;
}

}  // namespace

class CachedStore::KeyLocks {
 public:
  // Every key: the whole index.
  explicit KeyLocks(CachedStore* store) : store_(store), all_(true) { store_->all_.Lock(); }
  KeyLocks(CachedStore* store, const std::vector<std::string>& keys) : store_(store) {
    for (const std::string& key : keys) {
      if (!key.empty()) stripes_.push_back(absl::HashOf(key) % kStripes);
    }
    std::sort(stripes_.begin(), stripes_.end());
    stripes_.erase(std::unique(stripes_.begin(), stripes_.end()), stripes_.end());
    store_->all_.ReaderLock();
    for (size_t stripe : stripes_) store_->stripes_[stripe].Lock();
  }
  ~KeyLocks() {
    if (all_) {
      store_->all_.Unlock();
      return;
    }
    for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) store_->stripes_[*it].Unlock();
    store_->all_.ReaderUnlock();
  }
  KeyLocks(const KeyLocks&) = delete;
  KeyLocks& operator=(const KeyLocks&) = delete;

 private:
  CachedStore* const store_;
  const bool all_ = false;
  std::vector<size_t> stripes_;
};

CachedStore::CachedStore(std::unique_ptr<MetadataStore> inner, Options options)
    : ForwardingStore(inner.get()),
      owned_(std::move(inner)),
      options_(options),
      clock_(options.clock != nullptr ? options.clock : common::SystemClock::Get()),
      mark_prefix_(StrCat(common::NewUuid(), "/")),
      stripes_(std::make_unique<absl::Mutex[]>(kStripes)) {}

void CachedStore::Check(const Status& applied, std::string_view what) {
  if (applied.ok()) return;
  serving_ = false;
  if (!broken_.exchange(true)) {
    spdlog::error(
        "the in-memory metadata index could not apply {} ({}); it is switched off and every "
        "read goes to the database until the coordinator restarts (or, following other "
        "coordinators' changes, until it is rebuilt)",
        what, applied.ToString());
  }
}

Status LoadMetadataIndex(MetadataStore* store, MetadataIndex* index, int page_rows,
                         const std::function<bool()>& between_pages) {
  auto next_page = [&]() -> Status {
    if (between_pages && !between_pages()) return absl::CancelledError("the load was stopped");
    return absl::OkStatus();
  };
  index->Clear();
  for (std::string after;;) {
    ASSIGN_OR_RETURN(std::vector<FileRecord> files, store->ScanFiles(after, page_rows));
    for (const FileRecord& file : files) index->PutFile(file);
    RETURN_IF_ERROR(next_page());
    if (static_cast<int>(files.size()) < page_rows) break;
    after = files.back().id;
  }
  // Every page of a cursor scan, each handed to `apply`.
  auto scan_all = [&](auto scan, auto apply) -> Status {
    for (std::string cursor;;) {
      ASSIGN_OR_RETURN(auto page, scan(cursor));
      RETURN_IF_ERROR(apply(page.rows));
      RETURN_IF_ERROR(next_page());
      if (page.next.empty()) return absl::OkStatus();
      cursor = std::move(page.next);
    }
  };
  RETURN_IF_ERROR(
      scan_all([&](const std::string& cursor) { return store->ScanFileChunks(cursor, page_rows); },
               [&](const std::vector<FileChunkRow>& rows) -> Status {
                 // Rows come by file, then index: one AttachChunks per file (a file
                 // cut by a page boundary is attached in two parts, which adds its
                 // chunks).
                 size_t begin = 0;
                 for (size_t i = 1; i <= rows.size(); ++i) {
                   if (i < rows.size() && rows[i].file_id == rows[begin].file_id) continue;
                   std::vector<FileChunkRef> refs;
                   for (size_t j = begin; j < i; ++j) refs.push_back(rows[j].chunk);
                   RETURN_IF_ERROR(index->AttachChunks(rows[begin].file_id, refs));
                   begin = i;
                 }
                 return absl::OkStatus();
               }));
  RETURN_IF_ERROR(
      scan_all([&](const std::string& cursor) { return store->ScanChunks(cursor, page_rows); },
               [&](const std::vector<ChunkReplica>& rows) -> Status {
                 for (const ChunkReplica& chunk : rows) {
                   RETURN_IF_ERROR(index->PutChunkRow(chunk.chunk_id, chunk.size));
                 }
                 return absl::OkStatus();
               }));
  RETURN_IF_ERROR(
      scan_all([&](const std::string& cursor) { return store->ScanReplicas(cursor, page_rows); },
               [&](const std::vector<ReplicaRecord>& rows) -> Status {
                 for (const ReplicaRecord& row : rows) {
                   RETURN_IF_ERROR(index->AddReplica(row.chunk_id, row.node_id, row.state));
                 }
                 return absl::OkStatus();
               }));
  ASSIGN_OR_RETURN(std::vector<BucketRecord> buckets, store->ListBuckets());
  for (const BucketRecord& bucket : buckets) {
    index->PutBucket(bucket);
    ObjectListQuery query;
    query.bucket = bucket.name;
    query.limit = page_rows;
    while (true) {
      ASSIGN_OR_RETURN(std::vector<ObjectRecord> objects, store->ListObjects(query));
      for (const ObjectRecord& object : objects) index->PutObject(object);
      RETURN_IF_ERROR(next_page());
      if (static_cast<int>(objects.size()) < query.limit) break;
      // The next key after the last one: keys >= start.
      query.start = objects.back().key + std::string(1, '\0');
    }
  }
  return absl::OkStatus();
}

Status CachedStore::Load() {
  const absl::Time start = absl::Now();
  {
    KeyLocks all(this);
    serving_ = false;
    loading_ = true;
    absl::MutexLock lock(&dirty_mu_);
    dirty_.clear();
    deferred_reports_.clear();
  }
  // Changes go on meanwhile: they note their keys (Deferred).
  const Status loaded = LoadMetadataIndex(inner_, &index_, options_.scan_page, [this] {
    if (options_.between_pages_for_testing) options_.between_pages_for_testing();
    return !stopping_.HasBeenNotified();
  });
  KeyLocks all(this);
  loading_ = false;
  if (!loaded.ok()) {
    index_.Clear();
    return loaded;
  }
  CatchUp();
  if (broken_) return absl::InternalError("the metadata index could not be built; see the log");
  serving_ = true;
  ++loads_;
  // The load grew the chunk table's arrays step by step and paged rows
  // through the heap: give the freed memory back rather than keep it
  // resident.
  common::ReleaseFreeMemory();
  const MetadataIndex::Sizes sizes = index_.sizes();
  spdlog::info(
      "metadata index loaded in {:.2f} s: {} files, {} chunks, {} replicas, {} objects "
      "({:.1f} MiB of chunk table)",
      absl::ToDoubleSeconds(absl::Now() - start), sizes.files, sizes.chunks, sizes.replicas,
      sizes.objects, static_cast<double>(sizes.chunk_table_bytes) / (1 << 20));
  return absl::OkStatus();
}

bool CachedStore::serving() const {
  if (!serving_.load(std::memory_order_acquire)) return false;
  return !options_.follow_changes || absl::ToInt64Nanoseconds(clock_->Monotonic()) <
                                         fresh_until_ns_.load(std::memory_order_acquire);
}

std::string_view CachedStore::state() const {
  if (serving()) return "serving";
  if (loading_) return "loading";
  return serving_ ? "behind" : "off";
}

void CachedStore::WaitForLoad() {
  if (loader_.joinable()) loader_.join();
  if (follower_.joinable()) first_load_.WaitForNotification();
}

CachedStore::~CachedStore() {
  stopping_.Notify();
  WaitForLoad();
  if (follower_.joinable()) follower_.join();
}

Status CachedStore::Migrate() {
  RETURN_IF_ERROR(inner_->Migrate());
  WaitForLoad();
  if (options_.follow_changes) {
    if (!follower_.joinable()) follower_ = std::thread([this] { Follow(); });
    if (options_.load_in_background) return absl::OkStatus();
    first_load_.WaitForNotification();
    return first_load_status_;
  }
  if (!options_.load_in_background) return Load();
  loader_ = std::thread([this] {
    Status loaded = Load();
    if (!loaded.ok() && !absl::IsCancelled(loaded)) {  // cancelled: shutting down
      spdlog::error("the metadata index could not be built ({}); every read goes to the database",
                    loaded.ToString());
    }
  });
  return absl::OkStatus();
}

bool CachedStore::Deferred(const std::vector<std::string>& keys) {
  if (!loading_) return false;
  absl::MutexLock lock(&dirty_mu_);
  for (const std::string& key : keys) {
    if (!key.empty()) dirty_.insert(key);
  }
  return true;
}

void CachedStore::CatchUp() {
  std::set<std::string> dirty;
  std::vector<std::pair<std::string, std::vector<ChunkKey>>> reports;
  {
    absl::MutexLock lock(&dirty_mu_);
    dirty.swap(dirty_);
    reports.swap(deferred_reports_);
  }
  for (const auto& [node_id, keys] : reports) index_.ReplaceNodeReplicas(node_id, keys);
  // In key order: buckets ("b:") before their objects ("o:").
  for (const std::string& key : dirty) ReloadKey(key);
}

void CachedStore::ReloadKey(std::string_view key) {
  const std::string_view id = key.substr(std::min<size_t>(2, key.size()));
  if (key == kOrphansKey) {
    for (const std::string& chunk_id : index_.ChunksWithoutRow()) ReloadChunk(chunk_id);
  } else if (key.starts_with("b:")) {
    auto bucket = inner_->GetBucket(id);
    if (absl::IsNotFound(bucket.status())) {
      index_.RemoveBucket(id);
    } else if (bucket.ok()) {
      index_.PutBucket(*bucket);
    } else {
      Check(bucket.status(), StrCat("a re-read of bucket ", id));
    }
  } else if (key.starts_with("c:")) {
    ReloadChunk(id);
  } else if (key.starts_with("f:")) {
    ReloadFileAndChunks(id);
  } else if (key.starts_with("o:")) {
    const size_t zero = id.find('\0');
    if (zero != std::string_view::npos) ReloadObject(id.substr(0, zero), id.substr(zero + 1));
  }
}

// ---- following other writers ---------------------------------------------------

void CachedStore::Follow() {
  constexpr absl::Duration kFirstRetry = absl::Milliseconds(100);
  absl::Duration retry = kFirstRetry;
  auto wait_and_retry = [&] {
    stopping_.WaitForNotificationWithTimeout(retry);
    retry = std::min(2 * retry, absl::Seconds(5));
  };
  while (!stopping_.HasBeenNotified()) {
    // Listening before the scans: whatever commits while they run comes
    // through the feed after them, and is re-read. A rebuild from scratch
    // also replaces whatever change could not be applied before.
    broken_ = false;
    // The rebuild starts from the database: uploads held in memory go there
    // first.
    MoveUploadsToStore(absl::InfiniteFuture(), /*forget_unwritten=*/true);
    Result<std::unique_ptr<ChangeFeed>> feed = inner_->OpenChangeFeed();
    Status loaded = feed.ok() ? Load() : feed.status();
    if (!first_load_.HasBeenNotified()) {
      first_load_status_ = loaded;
      first_load_.Notify();
    }
    if (!loaded.ok()) {
      if (absl::IsCancelled(loaded)) return;  // shutting down
      spdlog::error(
          "the metadata index could not be built ({}); reads go to the database; trying again "
          "in {}",
          loaded.ToString(), absl::FormatDuration(retry));
      wait_and_retry();
      continue;
    }
    retry = kFirstRetry;
    const Status broke = FollowFeed(**feed);
    MarkStale();
    if (stopping_.HasBeenNotified()) return;
    spdlog::warn(
        "the database's change feed broke ({}); reads go to the database while the metadata "
        "index is rebuilt",
        broke.ToString());
  }
}

Status CachedStore::FollowFeed(ChangeFeed& feed) {
  const absl::Duration interval = options_.staleness_bound / 4;
  std::map<int64_t, absl::Duration> marks;  // sent, not yet back
  int64_t next_mark = 0;
  absl::Duration last_sent = -absl::InfiniteDuration();
  while (!stopping_.HasBeenNotified()) {
    const absl::Duration now = clock_->Monotonic();
    if (now - last_sent >= interval) {
      RETURN_IF_ERROR(feed.Mark(StrCat(mark_prefix_, next_mark)));
      marks[next_mark++] = now;
      last_sent = now;
      // Marks lost in transit are forgotten after a while.
      while (marks.size() > 64) marks.erase(marks.begin());
    }
    ASSIGN_OR_RETURN(std::vector<std::string> delivered, feed.Next(interval));
    std::set<std::string> changed;
    for (std::string& key : delivered) {
      if (!key.starts_with("m:")) {
        changed.insert(std::move(key));
        continue;
      }
      // Another listener's marks say nothing about this index.
      const std::string_view token = std::string_view(key).substr(2);
      if (!token.starts_with(mark_prefix_)) continue;
      const std::optional<int64_t> mark = ParseInt64(token.substr(mark_prefix_.size()));
      auto it = mark ? marks.find(*mark) : marks.end();
      if (it == marks.end()) continue;
      RETURN_IF_ERROR(ApplyChanges(changed));
      changed.clear();
      MarkFresh(it->second);
      marks.erase(marks.begin(), std::next(it));
    }
    RETURN_IF_ERROR(ApplyChanges(changed));
    MoveUploadsToStore(clock_->Now() - options_.upload_memory_limit, /*forget_unwritten=*/false);
  }
  return absl::OkStatus();
}

Status CachedStore::ApplyChanges(const std::set<std::string>& keys) {
  // Chunks are re-read together (rows of "c:", replicas of both), a batch
  // at a time; files, buckets and objects key by key.
  std::set<std::string> rows_of, replicas_of;
  for (const std::string& key : keys) {
    std::string_view id = std::string_view(key).substr(2);
    if (key.starts_with("r:") || key.starts_with("c:")) {
      // Only the database's own ids: anything else on the channel is noise.
      if (!common::ValidateChunkId(id).ok()) continue;
      if (key.starts_with("c:")) rows_of.emplace(id);
      replicas_of.emplace(id);
      continue;
    }
    std::string lock_key = key;
    if (key.starts_with("o:")) {
      // The feed writes "o:<bucket>/<key>" (bucket names hold no '/').
      const size_t slash = id.find('/');
      if (slash == std::string_view::npos) continue;
      lock_key = ObjectKey(id.substr(0, slash), id.substr(slash + 1));
    } else if (!key.starts_with("f:") && !key.starts_with("b:")) {
      continue;
    }
    KeyLocks locks(this, {lock_key});
    ReloadKey(lock_key);
  }
  constexpr size_t kBatch = 1000;
  const std::vector<std::string> chunks(replicas_of.begin(), replicas_of.end());
  for (size_t begin = 0; begin < chunks.size(); begin += kBatch) {
    const size_t end = std::min(chunks.size(), begin + kBatch);
    std::vector<std::string> lock_keys;
    for (size_t i = begin; i < end; ++i) lock_keys.push_back(ChunkKeyOf(chunks[i]));
    KeyLocks locks(this, lock_keys);
    // A chunk only uploads in memory know has its row and some copies in
    // memory: ReloadChunk adds them to the store's. The others together.
    std::vector<std::string> batch, with_rows;
    for (size_t i = begin; i < end; ++i) {
      const std::optional<UploadTable::Use> use = uploads_.Find(chunks[i]);
      if (use && !use->in_store) {
        ReloadChunk(chunks[i]);
        continue;
      }
      batch.push_back(chunks[i]);
      if (rows_of.contains(chunks[i])) with_rows.push_back(chunks[i]);
    }
    if (!with_rows.empty()) {
      ASSIGN_OR_RETURN(const auto sizes, inner_->GetChunkSizes(with_rows));
      for (const std::string& chunk_id : with_rows) {
        auto size = sizes.find(chunk_id);
        Check(size == sizes.end() ? index_.DropChunkRow(chunk_id)
                                  : index_.PutChunkRow(chunk_id, size->second),
              StrCat("chunk ", chunk_id));
      }
    }
    if (batch.empty()) continue;
    ASSIGN_OR_RETURN(const std::vector<ReplicaRecord> rows, inner_->GetReplicas(batch));
    std::map<std::string_view, std::vector<ReplicaRecord>> by_chunk;
    for (const std::string& chunk_id : batch) by_chunk[chunk_id];
    for (const ReplicaRecord& row : rows) by_chunk[row.chunk_id].push_back(row);
    for (const auto& [chunk_id, replicas] : by_chunk) {
      Check(index_.SetReplicas(chunk_id, replicas), StrCat("the replicas of chunk ", chunk_id));
    }
  }
  // A re-read that failed (switching the index off): a rebuild starts over.
  if (broken_) return absl::InternalError("a change could not be applied to the metadata index");
  return absl::OkStatus();
}

void CachedStore::MarkFresh(absl::Duration sent) {
  {
    absl::MutexLock lock(&fresh_mu_);
    fresh_as_of_ = sent;
  }
  fresh_until_ns_.store(absl::ToInt64Nanoseconds(sent + options_.staleness_bound),
                        std::memory_order_release);
}

void CachedStore::MarkStale() {
  fresh_until_ns_.store(std::numeric_limits<int64_t>::min(), std::memory_order_release);
}

bool CachedStore::WaitUntilFresh(absl::Duration timeout) {
  struct Caught {
    const CachedStore* store;
    absl::Duration asked;
    bool Up() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return store->fresh_as_of_ >= asked; }
  };
  const Caught caught{this, clock_->Monotonic()};
  absl::MutexLock lock(&fresh_mu_);
  return fresh_mu_.AwaitWithTimeout(absl::Condition(&caught, &Caught::Up), timeout) && serving_;
}

// ---- reloads ----------------------------------------------------------------

void CachedStore::ReloadFile(std::string_view file_id) {
  auto file = inner_->GetFile(file_id);
  if (absl::IsNotFound(file.status())) return index_.RemoveFile(file_id);
  if (!file.ok()) return Check(file.status(), StrCat("a re-read of file ", file_id));
  index_.PutFile(*file);
}

void CachedStore::ReloadFileAndChunks(std::string_view file_id) {
  auto file = inner_->GetFile(file_id);
  if (absl::IsNotFound(file.status())) return index_.RemoveFile(file_id);
  if (!file.ok()) return Check(file.status(), StrCat("a re-read of file ", file_id));
  auto chunks = inner_->GetFileChunks(file_id);
  if (!chunks.ok()) return Check(chunks.status(), StrCat("a re-read of file ", file_id));
  Check(index_.ReplaceFile(*file, *chunks), StrCat("the chunks of file ", file_id));
}

void CachedStore::ReloadObject(std::string_view bucket, std::string_view key) {
  auto object = inner_->GetObject(bucket, key);
  if (absl::IsNotFound(object.status())) return index_.RemoveObject(bucket, key);
  if (!object.ok()) return Check(object.status(), "a re-read of an object");
  index_.PutObject(*object);
}

void CachedStore::ReloadChunk(std::string_view chunk_id) {
  // A chunk only uploads in memory know has no rows in the store: its row
  // and copies are the ones memory holds.
  const std::optional<UploadTable::Use> use = uploads_.Find(chunk_id);
  const bool in_memory = use && !use->in_store;
  auto size = in_memory ? Result<int64_t>(use->size) : inner_->GetChunkSize(chunk_id);
  if (absl::IsNotFound(size.status())) {
    Check(index_.DropChunkRow(chunk_id), StrCat("chunk ", chunk_id));
  } else if (!size.ok()) {
    return Check(size.status(), StrCat("a re-read of chunk ", chunk_id));
  } else {
    Check(index_.PutChunkRow(chunk_id, *size), StrCat("chunk ", chunk_id));
  }
  auto replicas = inner_->GetReplicas({std::string(chunk_id)});
  if (!replicas.ok()) return Check(replicas.status(), StrCat("a re-read of chunk ", chunk_id));
  if (in_memory) {
    for (const ReplicaReceipt& held : uploads_.HeldFor({{0, std::string(chunk_id), 0}})) {
      replicas->push_back({std::string(chunk_id), held.node_id, ReplicaState::kStored});
    }
  }
  Check(index_.SetReplicas(chunk_id, *replicas), StrCat("the replicas of chunk ", chunk_id));
}

std::string CachedStore::FileNamed(std::string_view name) const {
  if (name.empty()) return "";
  std::optional<FileRecord> file = index_.GetFileByName(name);
  return file ? file->id : "";
}

Result<std::vector<std::string>> CachedStore::PartFiles(std::string_view upload_id) {
  ASSIGN_OR_RETURN(std::vector<PartRecord> parts, inner_->ListParts(upload_id));
  std::vector<std::string> files;
  for (const PartRecord& part : parts) files.push_back(part.file_id);
  return files;
}

// ---- uploads in memory ------------------------------------------------------------

UploadRecord CachedStore::Committed(int64_t size, std::string_view sha256,
                                    std::optional<FileBinding> binding) {
  UploadRecord upload;
  upload.size = size;
  upload.sha256 = std::string(sha256);
  upload.binding = std::move(binding);
  return upload;
}

UploadRecord CachedStore::StillPending() {
  UploadRecord upload;
  upload.commit = false;
  return upload;
}

CachedStore::LockedFile CachedStore::LockFile(std::string_view file_id,
                                              std::vector<std::string> keys) {
  keys.push_back(FileKey(file_id));
  auto chunks_of = [&] {
    return index_.GetFileChunks(file_id).value_or(std::vector<FileChunkRef>());
  };
  auto same_ids = [](const std::vector<FileChunkRef>& a, const std::vector<FileChunkRef>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const FileChunkRef& x, const FileChunkRef& y) {
                        return x.index == y.index && x.chunk_id == y.chunk_id;
                      });
  };
  while (true) {
    const bool was_in_memory = uploads_.Contains(file_id);
    const std::vector<FileChunkRef> seen =
        was_in_memory ? chunks_of() : std::vector<FileChunkRef>();
    std::vector<std::string> all = keys;
    for (const FileChunkRef& chunk : seen) all.push_back(ChunkKeyOf(chunk.chunk_id));
    LockedFile out;
    out.locks = std::make_unique<KeyLocks>(this, all);
    // With the file's key held, neither its chunk list nor its place
    // (memory or store) can change.
    out.in_memory = uploads_.Contains(file_id);
    if (!out.in_memory) return out;
    out.chunks = chunks_of();
    if (was_in_memory && same_ids(out.chunks, seen)) return out;
  }
}

Result<bool> CachedStore::AttachInMemory(std::string_view file_id,
                                         const std::vector<FileChunkRef>& earlier,
                                         const std::vector<FileChunkRef>& chunks, absl::Time now) {
  // Refused as the store would refuse it, changing nothing.
  absl::flat_hash_map<std::string_view, int64_t> sizes;
  for (const FileChunkRef& chunk : chunks) {
    RETURN_IF_ERROR(common::ValidateChunkId(chunk.chunk_id));
    const int64_t size = index_.ChunkSize(chunk.chunk_id).value_or(chunk.size);
    const int64_t expected = sizes.emplace(chunk.chunk_id, size).first->second;
    if (expected != chunk.size) {
      return absl::InvalidArgumentError(
          StrCat("chunk ", chunk.chunk_id, " is ", expected, " bytes, not ", chunk.size));
    }
  }
  // Each chunk at its index; the same chunk again (a retried allocation)
  // changes nothing. A chunk the store knows (dedup), or one that replaces
  // another at its index, takes the upload to the store, whose reference
  // counts, pending deletes and orphan collection govern such chunks.
  absl::flat_hash_map<int64_t, std::string_view> at;
  for (const FileChunkRef& chunk : earlier) at[chunk.index] = chunk.chunk_id;
  std::vector<const FileChunkRef*> added;
  bool to_store = false;
  for (const FileChunkRef& chunk : chunks) {
    auto [it, fresh_index] = at.try_emplace(chunk.index, chunk.chunk_id);
    if (!fresh_index) {
      if (it->second == chunk.chunk_id) continue;
      to_store = true;
    }
    if (!uploads_.Find(chunk.chunk_id) && index_.HasChunk(chunk.chunk_id)) to_store = true;
    added.push_back(&chunk);
  }
  // Another coordinator may have made the chunk a moment ago.
  if (!to_store && !options_.authoritative) {
    ASSIGN_OR_RETURN(to_store, StoreKnowsAny(added));
  }
  if (to_store) {
    RETURN_IF_ERROR(WriteUploadInMemory(file_id, earlier, StillPending(), now).status());
    return false;
  }
  for (const FileChunkRef* chunk : added) uploads_.Reference(chunk->chunk_id, chunk->size, now);
  Check(index_.AttachChunks(file_id, chunks), StrCat("the chunks of file ", file_id));
  return true;
}

Result<bool> CachedStore::StoreKnowsAny(const std::vector<const FileChunkRef*>& chunks) {
  std::vector<std::string> ids;
  for (const FileChunkRef* chunk : chunks) {
    if (!uploads_.Find(chunk->chunk_id)) ids.push_back(chunk->chunk_id);
  }
  if (ids.empty()) return false;
  return inner_->KnowsAnyChunk(ids);
}

void CachedStore::MoveUploadsToStore(absl::Time created_before, bool forget_unwritten) {
  for (const std::string& file_id : uploads_.Files()) {
    std::optional<FileRecord> file = index_.GetFile(file_id);
    if (file && file->created_at >= created_before) continue;
    const LockedFile locked = LockFile(file_id, {});
    if (!locked.in_memory) continue;  // committed or moved meanwhile
    // NOT_FOUND: the index lost the upload's record, so it can never be
    // written; it is lost as in a crash.
    const Status written =
        WriteUploadInMemory(file_id, locked.chunks, StillPending(), clock_->Now()).status();
    if (written.ok()) continue;
    if (!forget_unwritten && !absl::IsNotFound(written)) {
      spdlog::warn("upload {} could not be written to the database ({}); trying again", file_id,
                   written.ToString());
      continue;
    }
    spdlog::warn("upload {} is lost: it could not be written to the database ({})", file_id,
                 written.ToString());
    uploads_.Forget(file_id, locked.chunks);
    index_.RemoveFile(file_id);
  }
}

Result<std::string> CachedStore::WriteUploadInMemory(std::string_view file_id,
                                                     const std::vector<FileChunkRef>& chunks,
                                                     UploadRecord upload, absl::Time now) {
  std::optional<FileRecord> file = index_.GetFile(file_id);
  if (!file) return NoSuchFile(file_id);
  upload.file = *std::move(file);
  upload.chunks = chunks;
  upload.receipts = uploads_.HeldFor(chunks);
  for (const FileChunkRef& chunk : chunks) {
    const std::optional<UploadTable::Use> use = uploads_.Find(chunk.chunk_id);
    if (use && (!upload.attached_at || use->referenced_at < *upload.attached_at)) {
      upload.attached_at = use->referenced_at;
    }
  }
  ASSIGN_OR_RETURN(std::string replaced, inner_->WriteUpload(upload, now));
  uploads_.Written(file_id, chunks);
  // A commit's record is the index's, committed: not read back.
  if (upload.commit) {
    index_.PutFile(AsCommitted(std::move(upload.file), upload.size, upload.sha256, now));
  }
  return replaced;
}

void CachedStore::WriteReceipts(const std::vector<ReplicaReceipt>& receipts, absl::Time now) {
  for (const auto& [node_id, copies] : ReceiptsByNode(receipts)) {
    const Status written = inner_->ApplyReplicaChanges(node_id, copies, {}, {}, now);
    if (!written.ok()) {
      spdlog::warn("{} copies on node {} could not be recorded ({}); its next full report will",
                   copies.size(), node_id, written.ToString());
    }
  }
}

// ---- nodes' replicas ----------------------------------------------------------

Status CachedStore::ReplaceNodeReplicas(std::string_view node_id,
                                        const std::vector<ChunkReplica>& chunks, absl::Time now) {
  KeyLocks all(this);
  // Copies of chunks only uploads in memory know stay in memory.
  RETURN_IF_ERROR(inner_->ReplaceNodeReplicas(node_id, uploads_.ReplaceNode(node_id, chunks), now));
  if (loading_) {
    // Whatever the scans saw of this node, the report applied on top gives
    // what the store has now; later changes to its copies re-read theirs.
    auto keys = MetadataIndex::ReportKeys(chunks);
    if (!keys.ok()) {
      Check(keys.status(), StrCat("node ", node_id, "'s full report"));
      return absl::OkStatus();
    }
    absl::MutexLock lock(&dirty_mu_);
    deferred_reports_.emplace_back(node_id, *std::move(keys));
    return absl::OkStatus();
  }
  Check(index_.ReplaceNodeReplicas(node_id, chunks), StrCat("node ", node_id, "'s full report"));
  return absl::OkStatus();
}

// ---- files --------------------------------------------------------------------

Status CachedStore::InsertFile(const FileRecord& file) {
  KeyLocks locks(this, {FileKey(file.id)});
  if (file.state == FileState::kPending && KeepsUploadsInMemory()) {
    if (index_.GetFile(file.id)) {
      return absl::AlreadyExistsError(StrCat("file id ", file.id, " is taken"));
    }
    index_.PutFile(file);
    uploads_.Add(file.id);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(inner_->InsertFile(file));
  if (Deferred({FileKey(file.id)})) return absl::OkStatus();
  index_.PutFile(file);
  return absl::OkStatus();
}

Result<FileRecord> CachedStore::GetFile(std::string_view file_id) {
  // An upload in memory is read from the index even when it stopped serving.
  if (serving() || uploads_.Contains(file_id)) {
    if (std::optional<FileRecord> file = index_.GetFile(file_id)) return *std::move(file);
    if (options_.authoritative) return NoSuchFile(file_id);
  }
  return inner_->GetFile(file_id);
}

Result<FileRecord> CachedStore::GetFileByName(std::string_view name) {
  if (serving()) {
    if (std::optional<FileRecord> file = index_.GetFileByName(name)) return *std::move(file);
    if (options_.authoritative) return NoFileNamed(name);
  }
  return inner_->GetFileByName(name);
}

Result<std::vector<FileRecord>> CachedStore::ListFiles(const FileListQuery& query) {
  if (serving() && options_.authoritative && !query.by_time) {
    return index_.ListFilesByName(query);
  }
  return inner_->ListFiles(query);
}

Status CachedStore::AttachChunks(std::string_view file_id, const std::vector<FileChunkRef>& chunks,
                                 absl::Time now) {
  std::vector<std::string> keys;
  for (const FileChunkRef& chunk : chunks) keys.push_back(ChunkKeyOf(chunk.chunk_id));
  const LockedFile locked = LockFile(file_id, keys);
  if (locked.in_memory) {
    ASSIGN_OR_RETURN(const bool attached, AttachInMemory(file_id, locked.chunks, chunks, now));
    if (attached) return absl::OkStatus();
  }
  RETURN_IF_ERROR(inner_->AttachChunks(file_id, chunks, now));
  // Chunks of uploads in memory now have rows in the store: the copies held
  // for them go there too.
  WriteReceipts(uploads_.Stored(chunks), now);
  keys.push_back(FileKey(file_id));
  if (Deferred(keys)) return absl::OkStatus();
  Check(index_.AttachChunks(file_id, chunks), StrCat("the chunks of file ", file_id));
  // A chunk referenced again gets back the copies whose deletes had not
  // been handed out yet: the store decides which.
  for (const FileChunkRef& chunk : chunks) {
    if (index_.HasReplicaIn(chunk.chunk_id, ReplicaState::kDeleting)) ReloadChunk(chunk.chunk_id);
  }
  return absl::OkStatus();
}

Result<std::vector<FileChunkRef>> CachedStore::GetFileChunks(std::string_view file_id) {
  if (serving() || uploads_.Contains(file_id)) {
    if (auto chunks = index_.GetFileChunks(file_id)) return *std::move(chunks);
    if (options_.authoritative) return std::vector<FileChunkRef>();
  }
  return inner_->GetFileChunks(file_id);
}

Result<std::string> CachedStore::CommitFile(std::string_view file_id, int64_t size,
                                            std::string_view sha256, absl::Time now) {
  // The file a commit replaces is the complete one of the same name.
  std::optional<FileRecord> pending = index_.GetFile(file_id);
  const std::string named = pending ? FileNamed(pending->name) : "";
  const LockedFile locked = LockFile(file_id, {FileKey(named)});
  std::string replaced;
  if (locked.in_memory) {
    ASSIGN_OR_RETURN(replaced, WriteUploadInMemory(file_id, locked.chunks,
                                                   Committed(size, sha256, std::nullopt), now));
  } else {
    ASSIGN_OR_RETURN(replaced, inner_->CommitFile(file_id, size, sha256, now));
    if (Deferred({FileKey(file_id), FileKey(replaced)})) return replaced;
    ReloadFile(file_id);
  }
  if (!replaced.empty()) index_.RemoveFile(replaced);
  return replaced;
}

Result<std::string> CachedStore::WriteUpload(const UploadRecord& upload, absl::Time now) {
  // A whole upload from elsewhere (this store writes its own uploads in
  // memory through the commits above).
  std::vector<std::string> keys = {FileKey(upload.file.id), FileKey(FileNamed(upload.file.name))};
  for (const FileChunkRef& chunk : upload.chunks) keys.push_back(ChunkKeyOf(chunk.chunk_id));
  const auto* object = upload.binding ? std::get_if<ObjectRecord>(&*upload.binding) : nullptr;
  if (object != nullptr) {
    keys.push_back(ObjectKey(object->bucket, object->key));
    std::optional<ObjectRecord> current = index_.GetObject(object->bucket, object->key);
    keys.push_back(FileKey(current ? current->file_id : ""));
  }
  KeyLocks locks(this, keys);
  ASSIGN_OR_RETURN(std::string replaced, inner_->WriteUpload(upload, now));
  WriteReceipts(uploads_.Stored(upload.chunks), now);
  keys.push_back(FileKey(replaced));
  if (Deferred(keys)) return replaced;
  ReloadFileAndChunks(upload.file.id);
  for (const FileChunkRef& chunk : upload.chunks) ReloadChunk(chunk.chunk_id);
  if (object != nullptr) ReloadObject(object->bucket, object->key);
  if (!replaced.empty()) index_.RemoveFile(replaced);
  return replaced;
}

Status CachedStore::DeleteFile(std::string_view file_id, absl::Time now) {
  const LockedFile locked = LockFile(file_id, {});
  if (locked.in_memory) {
    // Written still pending, then deleted as any file: its chunks and
    // copies are left to the garbage collector.
    RETURN_IF_ERROR(WriteUploadInMemory(file_id, locked.chunks, StillPending(), now).status());
  }
  RETURN_IF_ERROR(inner_->DeleteFile(file_id, now));
  if (Deferred({FileKey(file_id)})) return absl::OkStatus();
  index_.RemoveFile(file_id);
  return absl::OkStatus();
}

Status CachedStore::TouchFile(std::string_view file_id, absl::Time now) {
  const LockedFile locked = LockFile(file_id, {});
  if (locked.in_memory) {
    std::optional<FileRecord> file = index_.GetFile(file_id);
    if (!file) return NoSuchFile(file_id);
    file->last_accessed = now;
    index_.PutFile(*file);
    return absl::OkStatus();
  }
  RETURN_IF_ERROR(inner_->TouchFile(file_id, now));
  if (Deferred({FileKey(file_id)})) return absl::OkStatus();
  ReloadFile(file_id);
  return absl::OkStatus();
}

Result<std::vector<FileRecord>> CachedStore::ExpiredUploads(absl::Time now, int limit) {
  ASSIGN_OR_RETURN(std::vector<FileRecord> expired, inner_->ExpiredUploads(now, limit));
  for (const std::string& file_id : uploads_.Files()) {
    std::optional<FileRecord> file = index_.GetFile(file_id);
    if (file && file->expires_at < now) expired.push_back(*std::move(file));
  }
  std::sort(expired.begin(), expired.end(),
            [](const FileRecord& a, const FileRecord& b) { return a.expires_at < b.expires_at; });
  if (static_cast<int>(expired.size()) > limit) expired.resize(static_cast<size_t>(limit));
  return expired;
}

// ---- buckets and objects --------------------------------------------------------

Status CachedStore::InsertBucket(const BucketRecord& bucket) {
  KeyLocks locks(this, {BucketKey(bucket.name)});
  RETURN_IF_ERROR(inner_->InsertBucket(bucket));
  if (Deferred({BucketKey(bucket.name)})) return absl::OkStatus();
  index_.PutBucket(bucket);
  return absl::OkStatus();
}

Result<BucketRecord> CachedStore::GetBucket(std::string_view name) {
  if (serving()) {
    if (std::optional<BucketRecord> bucket = index_.GetBucket(name)) return *std::move(bucket);
    if (options_.authoritative) return NoSuchBucket(name);
  }
  return inner_->GetBucket(name);
}

Result<std::vector<BucketRecord>> CachedStore::ListBuckets() {
  if (serving() && options_.authoritative) return index_.ListBuckets();
  return inner_->ListBuckets();
}

Status CachedStore::DeleteBucket(std::string_view name, absl::Time now) {
  KeyLocks locks(this, {BucketKey(name)});
  // Its multipart uploads go with it, and their parts' files.
  std::vector<std::string> part_files;
  MultipartUploadQuery query;
  query.bucket = std::string(name);
  while (true) {
    ASSIGN_OR_RETURN(std::vector<MultipartUploadRecord> uploads,
                     inner_->ListMultipartUploads(query));
    for (const MultipartUploadRecord& upload : uploads) {
      ASSIGN_OR_RETURN(std::vector<std::string> files, PartFiles(upload.id));
      part_files.insert(part_files.end(), files.begin(), files.end());
    }
    if (static_cast<int>(uploads.size()) < query.limit) break;
    query.after_key = uploads.back().key;
    query.after_id = uploads.back().id;
  }
  RETURN_IF_ERROR(inner_->DeleteBucket(name, now));
  std::vector<std::string> keys = {BucketKey(name)};
  for (const std::string& file : part_files) keys.push_back(FileKey(file));
  if (Deferred(keys)) return absl::OkStatus();
  index_.RemoveBucket(name);
  for (const std::string& file : part_files) index_.RemoveFile(file);
  return absl::OkStatus();
}

Result<std::string> CachedStore::CommitObject(const ObjectRecord& object, std::string_view sha256,
                                              absl::Time now) {
  std::optional<ObjectRecord> current = index_.GetObject(object.bucket, object.key);
  const LockedFile locked = LockFile(object.file_id, {ObjectKey(object.bucket, object.key),
                                                      FileKey(current ? current->file_id : "")});
  std::string replaced;
  if (locked.in_memory) {
    ASSIGN_OR_RETURN(replaced, WriteUploadInMemory(object.file_id, locked.chunks,
                                                   Committed(object.size, sha256, object), now));
  } else {
    ASSIGN_OR_RETURN(replaced, inner_->CommitObject(object, sha256, now));
    if (Deferred(
            {ObjectKey(object.bucket, object.key), FileKey(object.file_id), FileKey(replaced)})) {
      return replaced;
    }
    ReloadFile(object.file_id);
  }
  ReloadObject(object.bucket, object.key);
  if (!replaced.empty()) index_.RemoveFile(replaced);
  return replaced;
}

Result<ObjectRecord> CachedStore::GetObject(std::string_view bucket, std::string_view key) {
  if (serving()) {
    if (std::optional<ObjectRecord> object = index_.GetObject(bucket, key)) {
      return *std::move(object);
    }
    if (options_.authoritative) return NoSuchObject(bucket, key);
  }
  return inner_->GetObject(bucket, key);
}

Result<std::vector<ObjectRecord>> CachedStore::ListObjects(const ObjectListQuery& query) {
  if (serving()) {
    if (auto objects = index_.ListObjects(query)) return *std::move(objects);
    if (options_.authoritative) return std::vector<ObjectRecord>();
  }
  return inner_->ListObjects(query);
}

Status CachedStore::DeleteObject(std::string_view bucket, std::string_view key, absl::Time now) {
  // Its file goes with it. While the index loads it may not know the
  // object yet: ask the store.
  std::optional<ObjectRecord> current = index_.GetObject(bucket, key);
  if (!current && loading_) {
    if (auto stored = inner_->GetObject(bucket, key); stored.ok()) current = *std::move(stored);
  }
  const std::string file_id = current ? current->file_id : "";
  KeyLocks locks(this, {ObjectKey(bucket, key), FileKey(file_id)});
  RETURN_IF_ERROR(inner_->DeleteObject(bucket, key, now));
  if (Deferred({ObjectKey(bucket, key), FileKey(file_id)})) return absl::OkStatus();
  index_.RemoveObject(bucket, key);
  if (!file_id.empty()) ReloadFile(file_id);
  return absl::OkStatus();
}

Status CachedStore::SetObjectTags(std::string_view bucket, std::string_view key,
                                  const std::map<std::string, std::string>& tags) {
  KeyLocks locks(this, {ObjectKey(bucket, key)});
  RETURN_IF_ERROR(inner_->SetObjectTags(bucket, key, tags));
  if (Deferred({ObjectKey(bucket, key)})) return absl::OkStatus();
  ReloadObject(bucket, key);
  return absl::OkStatus();
}

// ---- multipart uploads ------------------------------------------------------------

Result<std::string> CachedStore::CommitPart(const PartRecord& part, std::string_view sha256,
                                            absl::Time now) {
  const LockedFile locked = LockFile(part.file_id, {});
  std::string replaced;
  if (locked.in_memory) {
    ASSIGN_OR_RETURN(replaced, WriteUploadInMemory(part.file_id, locked.chunks,
                                                   Committed(part.size, sha256, part), now));
  } else {
    ASSIGN_OR_RETURN(replaced, inner_->CommitPart(part, sha256, now));
    if (Deferred({FileKey(part.file_id), FileKey(replaced)})) return replaced;
    ReloadFile(part.file_id);
  }
  if (!replaced.empty()) index_.RemoveFile(replaced);
  return replaced;
}

Status CachedStore::DeleteMultipartUpload(std::string_view upload_id, absl::Time now) {
  ASSIGN_OR_RETURN(std::vector<std::string> part_files, PartFiles(upload_id));
  std::vector<std::string> keys;
  for (const std::string& file : part_files) keys.push_back(FileKey(file));
  KeyLocks locks(this, keys);
  RETURN_IF_ERROR(inner_->DeleteMultipartUpload(upload_id, now));
  if (Deferred(keys)) return absl::OkStatus();
  for (const std::string& file : part_files) index_.RemoveFile(file);
  return absl::OkStatus();
}

// ---- chunks and replicas ------------------------------------------------------------

Result<ChunkRecord> CachedStore::GetChunk(std::string_view chunk_id) {
  auto stored = inner_->GetChunk(chunk_id);
  const std::optional<UploadTable::Use> use = uploads_.Find(chunk_id);
  if (!use || (!stored.ok() && !absl::IsNotFound(stored.status()))) return stored;
  // Uploads in memory reference it too.
  ChunkRecord chunk;
  if (stored.ok()) {
    chunk = *std::move(stored);
  } else {
    chunk.id = std::string(chunk_id);
    chunk.size = use->size;
    chunk.created_at = use->referenced_at;
  }
  std::set<std::string> files(chunk.file_ids.begin(), chunk.file_ids.end());
  for (const std::string& file_id : uploads_.Files()) {
    for (const FileChunkRef& ref :
         index_.GetFileChunks(file_id).value_or(std::vector<FileChunkRef>())) {
      if (ref.chunk_id != chunk_id) continue;
      ++chunk.refcount;
      files.insert(file_id);
    }
  }
  chunk.file_ids.assign(files.begin(), files.end());
  if (chunk.file_ids.size() > 100) chunk.file_ids.resize(100);
  return chunk;
}

Result<ReplicationHealth> CachedStore::Health(const std::vector<std::string>& counting_nodes,
                                              const std::vector<std::string>& readable_nodes) {
  // A scan of every chunk: a pass over memory rather than a query that
  // joins every replica row every few seconds (250 ms of PostgreSQL's CPU
  // at 30,000 chunks, growing with them).
  if (serving()) return index_.Health(counting_nodes, readable_nodes);
  return inner_->Health(counting_nodes, readable_nodes);
}

Result<std::vector<ChunkBalance>> CachedStore::UnbalancedChunks(
    const std::vector<std::string>& counting_nodes, int limit) {
  // The repair loop's list, like Health: a pass over memory instead of a
  // query that groups every replica row on every pass. Only from an index
  // that is the database's whole truth: repairs ordered from a follower's
  // view (up to the staleness bound old) could copy a chunk whose copies
  // are still on their way through the feed.
  if (options_.authoritative && serving()) return index_.UnbalancedChunks(counting_nodes, limit);
  return inner_->UnbalancedChunks(counting_nodes, limit);
}

Result<StoreCounts> CachedStore::Counts() {
  ASSIGN_OR_RETURN(StoreCounts counts, inner_->Counts());
  const auto [chunks, bytes] = uploads_.NotStored();
  counts.chunks += chunks;
  counts.bytes += bytes;
  return counts;
}

Result<int64_t> CachedStore::GetChunkSize(std::string_view chunk_id) {
  if (serving()) {
    if (std::optional<int64_t> size = index_.ChunkSize(chunk_id)) return *size;
    if (options_.authoritative) return NoSuchChunk(chunk_id);
  }
  return inner_->GetChunkSize(chunk_id);
}

Result<std::vector<ReplicaRecord>> CachedStore::GetReplicas(
    const std::vector<std::string>& chunk_ids) {
  // Replicas the index lacks are tolerable even with other coordinators:
  // readers try the next copy, and placements are checked by the nodes.
  if (serving()) return index_.GetReplicas(chunk_ids);
  return inner_->GetReplicas(chunk_ids);
}

Result<std::vector<FileChunkCopies>> CachedStore::GetFileChunkCopies(std::string_view file_id) {
  if (serving()) {
    if (auto chunks = index_.GetFileChunkCopies(file_id)) return *std::move(chunks);
    if (options_.authoritative) return std::vector<FileChunkCopies>();
  }
  // GetFileChunks and GetCopies, each of this store.
  return MetadataStore::GetFileChunkCopies(file_id);
}

Result<std::vector<std::vector<ChunkCopy>>> CachedStore::GetCopies(
    const std::vector<std::string>& chunk_ids) {
  if (serving()) return index_.GetCopies(chunk_ids);
  return inner_->GetCopies(chunk_ids);
}

Status CachedStore::ApplyReplicaChanges(std::string_view node_id,
                                        const std::vector<ChunkReplica>& received,
                                        const std::vector<std::string>& deleted,
                                        const std::vector<std::string>& corrupt, absl::Time now) {
  std::vector<std::string> keys;
  for (const ChunkReplica& chunk : received) keys.push_back(ChunkKeyOf(chunk.chunk_id));
  for (const auto* list : {&deleted, &corrupt}) {
    for (const std::string& chunk_id : *list) keys.push_back(ChunkKeyOf(chunk_id));
  }
  KeyLocks locks(this, keys);
  // Copies of chunks only uploads in memory know stay in memory.
  const std::vector<ChunkReplica> to_store = uploads_.Hold(node_id, received);
  const std::vector<std::string> gone = uploads_.Unhold(node_id, deleted);
  const std::vector<std::string> bad = uploads_.Unhold(node_id, corrupt);
  if (!to_store.empty() || !gone.empty() || !bad.empty()) {
    RETURN_IF_ERROR(inner_->ApplyReplicaChanges(node_id, to_store, gone, bad, now));
  }
  if (Deferred(keys)) return absl::OkStatus();
  for (const ChunkReplica& chunk : received) {
    Check(index_.ReplicaReported(chunk.chunk_id, node_id), "a node's report");
  }
  for (const auto* list : {&deleted, &corrupt}) {
    for (const std::string& chunk_id : *list) {
      Check(index_.RemoveReplica(chunk_id, node_id), "a node's report");
    }
  }
  return absl::OkStatus();
}

Status CachedStore::FlagReplica(std::string_view chunk_id, std::string_view node_id,
                                absl::Time now) {
  KeyLocks locks(this, {ChunkKeyOf(chunk_id)});
  RETURN_IF_ERROR(inner_->FlagReplica(chunk_id, node_id, now));
  if (Deferred({ChunkKeyOf(chunk_id)})) return absl::OkStatus();
  Check(index_.SetReplicaState(chunk_id, node_id, ReplicaState::kStored, ReplicaState::kCorrupt),
        "a replica flagged bad");
  return absl::OkStatus();
}

Status CachedStore::OrderReplicaDelete(std::string_view chunk_id, std::string_view node_id,
                                       absl::Time now) {
  KeyLocks locks(this, {ChunkKeyOf(chunk_id)});
  RETURN_IF_ERROR(inner_->OrderReplicaDelete(chunk_id, node_id, now));
  if (Deferred({ChunkKeyOf(chunk_id)})) return absl::OkStatus();
  Check(index_.SetReplicaState(chunk_id, node_id, std::nullopt, ReplicaState::kDeleting),
        "a replica ordered deleted");
  return absl::OkStatus();
}

Result<int> CachedStore::CollectChunk(std::string_view chunk_id, absl::Time now) {
  KeyLocks locks(this, {ChunkKeyOf(chunk_id)});
  // An upload in memory references it again: its commit will.
  if (uploads_.Find(chunk_id)) return 0;
  ASSIGN_OR_RETURN(int created, inner_->CollectChunk(chunk_id, now));
  if (Deferred({ChunkKeyOf(chunk_id)})) return created;
  ReloadChunk(chunk_id);
  return created;
}

Result<int> CachedStore::CollectOrphanReplicas(absl::Time before, absl::Time now, int limit) {
  // Which replicas it orders deleted is not returned: re-read every chunk
  // the index knows replicas of but no row for (they are few).
  KeyLocks all(this);
  ASSIGN_OR_RETURN(int ordered, inner_->CollectOrphanReplicas(before, now, limit));
  if (ordered > 0 && !Deferred({std::string(kOrphansKey)})) {
    for (const std::string& chunk_id : index_.ChunksWithoutRow()) ReloadChunk(chunk_id);
  }
  return ordered;
}

// ---- tasks --------------------------------------------------------------------------

Result<std::optional<TaskRecord>> CachedStore::FinishTask(std::string_view node_id,
                                                          std::string_view task_id, bool ok,
                                                          std::string_view error, absl::Time now,
                                                          absl::Duration retry_after,
                                                          int max_attempts) {
  // The task's chunk is known only from the result: a task's outcome changes
  // its own node's copy only, which the re-read picks up under its lock.
  ASSIGN_OR_RETURN(std::optional<TaskRecord> task,
                   inner_->FinishTask(node_id, task_id, ok, error, now, retry_after, max_attempts));
  if (task && (task->kind == TaskKind::kDelete || task->kind == TaskKind::kVerify)) {
    KeyLocks locks(this, {ChunkKeyOf(task->chunk_id)});
    if (!Deferred({ChunkKeyOf(task->chunk_id)})) ReloadChunk(task->chunk_id);
  }
  return task;
}

}  // namespace gale::coordinator
